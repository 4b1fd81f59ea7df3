//! The built-in modules against real services. The directory steps run against slapd, with
//! their read-back and a second run that changes nothing. E-mail goes through the SMTP capture,
//! and HTTP requests and waits go to a local target. A Composite order's runbook fails, is
//! retried from the failed step and then activates the order.

mod common;

use common::target::Target;
use common::{TestApp, directory, mail, oidc};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn unique(label: &str) -> String {
    format!("{label} {}", uuid::Uuid::now_v7().simple())
}

fn step(key: &str, module: &str, params: Value) -> Value {
    json!({
        "key": key, "name": key, "module": module, "params": params,
        "timeout_seconds": 30, "retry": { "max_attempts": 1, "backoff_seconds": 1 },
    })
}

async fn run_to_end(admin: &common::Session, runbook_id: &str) -> Value {
    let started: Value = admin
        .post(&format!("/api/v1/runbooks/{runbook_id}/runs"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let run_id = started["id"].as_str().unwrap().to_string();
    TestApp::eventually(30, "the run to finish", || async {
        let run: Value = admin
            .get(&format!("/api/v1/runbook-runs/{run_id}"))
            .await
            .json()
            .await
            .ok()?;
        matches!(run["state"].as_str(), Some("succeeded" | "failed")).then_some(run)
    })
    .await
}

fn outputs(run: &Value) -> Vec<Value> {
    run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["output"].clone())
        .collect()
}

#[tokio::test]
async fn directory_steps_change_read_back_and_are_idempotent() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let group = directory::create_group("Module Group").await;
    let computer = format!("PC{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    let computer_dn = format!("CN={computer},ou=Computers,dc=example,dc=test");
    let steps = vec![
        step(
            "add",
            "ldap.add_member",
            json!({ "group_dn": group, "member_dn": directory::JANE }),
        ),
        step(
            "create",
            "ldap.create_computer",
            json!({ "name": computer, "ou_dn": "ou=Computers,dc=example,dc=test", "description": "test desktop" }),
        ),
        step(
            "describe",
            "ldap.set_attribute",
            json!({ "dn": "{{ steps.create.dn }}", "attribute": "description", "value": "recycled" }),
        ),
        step(
            "member",
            "ldap.add_member",
            json!({ "group_dn": group, "member_dn": "{{ steps.create.dn }}" }),
        ),
        step("clear", "ldap.clear_group", json!({ "group_dn": group })),
        step(
            "delete",
            "ldap.delete_computer",
            json!({ "dn": "{{ steps.create.dn }}" }),
        ),
    ];
    let runbook: Value = admin
        .post(
            "/api/v1/runbooks",
            &json!({ "name": unique("Directory"), "steps": steps }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = runbook["id"].as_str().unwrap();

    let first = run_to_end(&admin, id).await;
    assert_eq!(first["state"], "succeeded", "{first}");
    let out = outputs(&first);
    assert_eq!(out[0]["changed"], true);
    assert_eq!(out[1]["dn"], computer_dn);
    assert_eq!(out[1]["changed"], true);
    assert_eq!(out[2]["changed"], true);
    assert_eq!(
        first["steps"][2]["readback"]["description"],
        json!(["recycled"])
    );
    assert_eq!(first["steps"][3]["readback"]["is_member"], true);
    let removed = out[4]["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert_eq!(first["steps"][4]["readback"]["members"], json!([]));
    assert_eq!(out[5]["changed"], true);
    assert_eq!(first["steps"][5]["readback"]["exists"], false);
    assert!(directory::members(&group).await.is_empty());

    // The same runbook again: create and delete find their work done or undone as needed,
    // and a value already in place is not written twice.
    let second = run_to_end(&admin, id).await;
    assert_eq!(second["state"], "succeeded", "{second}");
    // Describe it twice in a row: the second write changes nothing.
    let twice: Value = admin
        .post(
            "/api/v1/runbooks",
            &json!({
                "name": unique("Twice"),
                "steps": [
                    step("create", "ldap.create_computer", json!({ "name": computer, "ou_dn": "ou=Computers,dc=example,dc=test" })),
                    step("again", "ldap.create_computer", json!({ "name": computer, "ou_dn": "ou=Computers,dc=example,dc=test" })),
                    step("one", "ldap.set_attribute", json!({ "dn": computer_dn, "attribute": "description", "value": "x" })),
                    step("two", "ldap.set_attribute", json!({ "dn": computer_dn, "attribute": "description", "value": "x" })),
                    step("clear", "ldap.set_attribute", json!({ "dn": computer_dn, "attribute": "description" })),
                    step("gone", "ldap.delete_computer", json!({ "dn": computer_dn })),
                    step("gone_again", "ldap.delete_computer", json!({ "dn": computer_dn })),
                    step("remove", "ldap.remove_member", json!({ "group_dn": group, "member_dn": directory::JANE })),
                ],
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let run = run_to_end(&admin, twice["id"].as_str().unwrap()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let changed: Vec<bool> = outputs(&run)
        .iter()
        .map(|o| o["changed"].as_bool().unwrap())
        .collect();
    assert_eq!(
        changed,
        [true, false, true, false, true, true, false, false]
    );
    assert_eq!(run["steps"][4]["readback"]["description"], json!([]));

    // A step against an entry that is not there fails at once, naming it.
    let missing: Value = admin
        .post(
            "/api/v1/runbooks",
            &json!({
                "name": unique("Missing"),
                "steps": [step("set", "ldap.set_attribute", json!({ "dn": "CN=nobody,ou=Computers,dc=example,dc=test", "attribute": "description", "value": "x" }))],
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let run = run_to_end(&admin, missing["id"].as_str().unwrap()).await;
    assert_eq!(run["state"], "failed");
    assert!(
        run["steps"][0]["error"]
            .as_str()
            .unwrap()
            .contains("CN=nobody"),
        "{run}"
    );
}

#[tokio::test]
async fn mail_http_and_wait_steps() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let target = Target::start().await;
    let subject = unique("Your desktop is ready");
    target.fail_next("/ready", 2, 503);
    let runbook: Value = admin
        .post(
            "/api/v1/runbooks",
            &json!({
                "name": unique("General"),
                "steps": [
                    step("create", "http.request", json!({
                        "method": "PUT", "url": format!("{}/vms/7", target.url),
                        "headers": "{\"x-trace\": \"{{ run.id }}\"}",
                        "body": "{\"size\": 2}", "expect_status": "200",
                    })),
                    step("ready", "wait.until", json!({
                        "url": format!("{}/ready", target.url), "contains": "\"ok\": true",
                        "interval_seconds": "1",
                    })),
                    step("tell", "mail.send", json!({
                        "to": "jdoe@example.test", "subject": subject,
                        "body": "Path {{ steps.create.json.path }} answered {{ steps.ready.status }}.",
                    })),
                ],
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let run = run_to_end(&admin, runbook["id"].as_str().unwrap()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let create = &target.hits_on("/vms/7")[0];
    assert_eq!(create.method, "PUT");
    assert_eq!(create.body, "{\"size\": 2}");
    assert_eq!(create.headers["x-trace"], run["id"].as_str().unwrap());
    assert_eq!(target.hits_on("/ready").len(), 3);
    assert_eq!(run["steps"][1]["output"]["status"], 200);
    let message = mail::wait_for("jdoe@example.test", &subject).await;
    assert!(
        message.text.contains("Path /vms/7 answered 200."),
        "{}",
        message.text
    );

    // An unexpected status fails the step; a client error is not retried.
    let strict: Value = admin
        .post(
            "/api/v1/runbooks",
            &json!({
                "name": unique("Strict"),
                "steps": [step("check", "http.request", json!({
                    "method": "GET", "url": format!("{}/missing", target.url), "expect_status": "404",
                }))],
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let run = run_to_end(&admin, strict["id"].as_str().unwrap()).await;
    assert_eq!(run["state"], "failed");
    assert!(
        run["steps"][0]["error"]
            .as_str()
            .unwrap()
            .contains("returned 200, expected 404")
    );
}

#[tokio::test]
async fn composite_order_retries_failed_run() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let target = Target::start().await;
    let group = directory::create_group("Composite").await;
    let mut failing = step(
        "register",
        "http.request",
        json!({ "method": "POST", "url": format!("{}/register/{{{{ requester.username }}}}", target.url) }),
    );
    failing["retry"] = json!({ "max_attempts": 1, "backoff_seconds": 1 });
    let runbook: Value = admin
        .post(
            "/api/v1/runbooks",
            &json!({
                "name": unique("Composite"),
                "steps": [
                    step("first", "http.request", json!({ "method": "POST", "url": format!("{}/first", target.url) })),
                    failing,
                ],
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let definition: Value = admin
        .post(
            "/api/v1/asset-definitions",
            &json!({
                "name": unique("Composite access"), "category": "Applications",
                "strategy": "composite", "group_dns": [group], "approval": {},
                "provision_runbook_id": runbook["id"],
                "default_duration_days": 5, "max_duration_days": 5, "justification": "off",
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    target.fail_next("/register", 1, 400);
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let order: Value = employee
        .post(
            "/api/v1/portal/orders",
            &json!({ "definition_id": definition["id"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let order_id = order["id"].as_str().unwrap().to_string();
    let failed = app.wait_for_order_state(&admin, &order_id, "failed").await;
    // The groups of a Composite definition were granted before the runbook ran.
    assert_eq!(
        directory::members(&group).await,
        vec![directory::JANE.to_string()]
    );
    let run = &failed["runs"][0];
    assert_eq!(run["state"], "failed");
    let note = failed["events"].as_array().unwrap().last().unwrap()["note"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(note.contains("step register"), "{note}");

    let retried = admin
        .post_empty(&format!(
            "/api/v1/runbook-runs/{}/retry",
            run["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    let active = app.wait_for_order_state(&admin, &order_id, "active").await;
    assert_eq!(active["runs"][0]["state"], "succeeded");
    assert_eq!(target.hits_on("/first").len(), 1);
    assert_eq!(target.hits_on("/register/jdoe").len(), 2);
}
