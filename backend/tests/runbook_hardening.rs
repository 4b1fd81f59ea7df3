//! Hard cases of the provisioning engine: journal text the database cannot store, secrets in
//! escaped form, a cancel followed at once by a retry, grants of overlapping orders, runbooks
//! chosen for definitions by a scoped admin, two admins saving one runbook, and scripts that
//! runbooks run.

mod common;

use common::{Options, TestApp, directory, oidc};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn languages() -> Options {
    Options::default().with_env(vec![(
        "IPSOLIS_SCRIPT_LANGUAGES",
        "powershell,bash,python".into(),
    )])
}

fn unique(label: &str) -> String {
    format!("{label} {}", uuid::Uuid::now_v7().simple())
}

fn step(key: &str, module: &str, params: Value) -> Value {
    json!({
        "key": key,
        "name": format!("Step {key}"),
        "module": module,
        "params": params,
        "timeout_seconds": 30,
        "retry": { "max_attempts": 1, "backoff_seconds": 1 },
    })
}

async fn create_runbook(admin: &common::Session, steps: Vec<Value>) -> Value {
    let body = json!({ "name": unique("Runbook"), "steps": steps });
    let response = admin.post("/api/v1/runbooks", &body).await;
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "create runbook: {created}");
    created
}

async fn create_script(admin: &common::Session, body: &str) -> String {
    let name = unique("script");
    let request = json!({ "name": name, "language": "bash", "body": body });
    let response = admin.post("/api/v1/scripts", &request).await;
    assert_eq!(response.status(), StatusCode::CREATED, "create script");
    name
}

async fn start_run(admin: &common::Session, runbook: &Value) -> String {
    let path = format!("/api/v1/runbooks/{}/runs", runbook["id"].as_str().unwrap());
    let response = admin.post(&path, &json!({})).await;
    assert_eq!(response.status(), StatusCode::CREATED, "start run");
    let run: Value = response.json().await.unwrap();
    run["id"].as_str().unwrap().to_string()
}

async fn run_detail(admin: &common::Session, run_id: &str) -> Value {
    admin
        .get(&format!("/api/v1/runbook-runs/{run_id}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn wait_finished(admin: &common::Session, run_id: &str, seconds: u64) -> Value {
    let what = format!("run {run_id} to finish");
    TestApp::eventually(seconds, &what, || async {
        let run = run_detail(admin, run_id).await;
        let finished = matches!(
            run["state"].as_str(),
            Some("succeeded" | "failed" | "cancelled")
        );
        finished.then_some(run)
    })
    .await
}

/// Returns a path outside the scripts' private directories, where a script records each run.
fn marker_file(label: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ipsolis-test-{label}-{}", uuid::Uuid::now_v7()))
}

fn marker_lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Collects every string in `value`, object keys included.
fn collect_strings(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(text) => found.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, found)),
        Value::Object(fields) => {
            for (key, item) in fields {
                found.push(key.clone());
                collect_strings(item, found);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn nul_byte_in_script_output_runs_step_once() {
    let app = TestApp::start_with(languages()).await;
    let admin = app.admin().await;
    let marker = marker_file("nul");
    let body = format!(
        "echo run >> '{}'\nprintf 'before\\0after\\n'\n",
        marker.display()
    );
    let script = create_script(&admin, &body).await;
    let runbook = create_runbook(
        &admin,
        vec![step("nul", "script", json!({ "script": script }))],
    )
    .await;

    let run_id = start_run(&admin, &runbook).await;
    let run = wait_finished(&admin, &run_id, 40).await;

    assert_eq!(
        marker_lines(&marker).len(),
        1,
        "one allowed attempt runs once"
    );
    assert_eq!(run["steps"][0]["state"], "succeeded");
    assert!(run.to_string().contains("before\u{fffd}after"), "{run}");
    let _ = std::fs::remove_file(&marker);
}

#[tokio::test]
async fn escaped_secret_never_reaches_journal() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let secret = r#"pa"ss\word-42"#;
    let response = admin
        .put(
            "/api/v1/runbook-variables/quoted_password",
            &json!({ "value": secret, "secret": true }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // The address is invalid, so the step fails before any mail server is asked.
    let runbook = create_runbook(
        &admin,
        vec![step(
            "mail",
            "mail.send",
            json!({ "to": "{{ secrets.quoted_password }} x", "subject": "s", "body": "b" }),
        )],
    )
    .await;

    let run_id = start_run(&admin, &runbook).await;
    let run = wait_finished(&admin, &run_id, 40).await;
    assert_eq!(run["state"], "failed");

    let escaped = secret.replace('\\', "\\\\").replace('"', "\\\"");
    let mut texts = Vec::new();
    collect_strings(&run, &mut texts);
    for text in &texts {
        assert!(!text.contains(secret), "the secret in {text:?}");
        assert!(!text.contains(&escaped), "the escaped secret in {text:?}");
    }
    let audit: Vec<String> = sqlx::query_scalar(
        "select coalesce(after::text, '') from audit_log where action = 'runbook_run.finish'",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    for row in &audit {
        let after: Value = serde_json::from_str(row).unwrap();
        let mut texts = Vec::new();
        collect_strings(&after, &mut texts);
        assert!(
            texts.iter().all(|t| !t.contains(&escaped)),
            "the escaped secret in the audit row {row}"
        );
    }
}

#[tokio::test]
async fn cancel_then_retry_never_overlaps_step() {
    let app = TestApp::start_with(languages()).await;
    let admin = app.admin().await;
    let marker = marker_file("overlap");
    let body = format!(
        "echo \"start $$\" >> '{path}'\nsleep 8\necho \"end $$\" >> '{path}'\n",
        path = marker.display()
    );
    let script = create_script(&admin, &body).await;
    let runbook = create_runbook(
        &admin,
        vec![step("slow", "script", json!({ "script": script }))],
    )
    .await;

    let run_id = start_run(&admin, &runbook).await;
    TestApp::eventually(10, "the script to start", || async {
        (!marker_lines(&marker).is_empty()).then_some(())
    })
    .await;
    // The step checks for a cancel every two seconds, so the cancel lands just after one check.
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    let cancelled = admin
        .post_empty(&format!("/api/v1/runbook-runs/{run_id}/cancel"))
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    TestApp::eventually(10, "the run to be cancelled", || async {
        (run_detail(&admin, &run_id).await["state"] == "cancelled").then_some(())
    })
    .await;
    let retried = admin
        .post_empty(&format!("/api/v1/runbook-runs/{run_id}/retry"))
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    let run = wait_finished(&admin, &run_id, 40).await;
    assert_eq!(run["state"], "succeeded");
    // Long enough for a cancelled attempt that was never stopped to finish too.
    tokio::time::sleep(std::time::Duration::from_secs(9)).await;

    let lines = marker_lines(&marker);
    let first_pid = lines[0].trim_start_matches("start ");
    assert!(
        !lines.contains(&format!("end {first_pid}")),
        "the cancelled attempt ran to its end beside the retried one: {lines:?}"
    );
    let _ = std::fs::remove_file(&marker);
}

async fn group_definition(admin: &common::Session, extra: Value) -> Value {
    let mut body = json!({
        "name": unique("Hardening definition"),
        "category": "Applications",
        "strategy": "group_access",
        "group_dns": [],
        "approval": {},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "optional",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = admin.post("/api/v1/asset-definitions", &body).await;
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "create definition: {created}");
    created
}

async fn order(employee: &common::Session, definition: &Value) -> String {
    let body = json!({ "definition_id": definition["id"] });
    let response = employee.post("/api/v1/portal/orders", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.unwrap();
    order["id"].as_str().unwrap().to_string()
}

async fn give_back(app: &TestApp, employee: &common::Session, admin: &common::Session, id: &str) {
    let response = employee
        .post_empty(&format!("/api/v1/portal/orders/{id}/return"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    app.wait_for_order_state(admin, id, "completed").await;
}

#[tokio::test]
async fn held_membership_survives_two_orders() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let group = directory::create_group("Held before").await;
    directory::add_member(&group, directory::JANE).await;
    let first_def = group_definition(&admin, json!({ "group_dns": [group] })).await;
    let second_def = group_definition(&admin, json!({ "group_dns": [group] })).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;

    let first = order(&employee, &first_def).await;
    app.wait_for_order_state(&admin, &first, "active").await;
    let second = order(&employee, &second_def).await;
    app.wait_for_order_state(&admin, &second, "active").await;
    give_back(&app, &employee, &admin, &first).await;
    give_back(&app, &employee, &admin, &second).await;

    assert_eq!(
        directory::members(&group).await,
        vec![directory::JANE.to_string()],
        "the membership Jane held before both orders stays"
    );
}

#[tokio::test]
async fn grant_to_other_person_never_covers_requester() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let group = directory::create_group("Other member").await;
    let martha = "cn=Martha Finch,ou=People,dc=example,dc=test";
    let runbook = create_runbook(
        &admin,
        vec![step(
            "manager",
            "ldap.add_member",
            json!({ "group_dn": group, "member_dn": martha }),
        )],
    )
    .await;
    let manager_def = group_definition(
        &admin,
        json!({ "strategy": "runbook", "provision_runbook_id": runbook["id"] }),
    )
    .await;
    let jane_def = group_definition(&admin, json!({ "group_dns": [group] })).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;

    let manager_order = order(&employee, &manager_def).await;
    app.wait_for_order_state(&admin, &manager_order, "active")
        .await;
    let jane_order = order(&employee, &jane_def).await;
    app.wait_for_order_state(&admin, &jane_order, "active")
        .await;
    give_back(&app, &employee, &admin, &jane_order).await;

    let members = directory::members(&group).await;
    assert!(
        !members.contains(&directory::JANE.to_string()),
        "only the returned order gave Jane the group: {members:?}"
    );
}

#[tokio::test]
async fn scoped_admin_cannot_wire_runbook() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let runbook = create_runbook(
        &admin,
        vec![step(
            "mail",
            "mail.send",
            json!({ "to": "{{ requester.email }}", "subject": "s", "body": "b" }),
        )],
    )
    .await;
    app.create_admin_user(
        &admin,
        json!({
            "username": "scoped.admin",
            "role": "admin",
            "email": "scoped.admin@example.test",
            "scope": { "categories": ["Applications"] },
        }),
    )
    .await;
    let scoped = app
        .sign_in_admin("scoped.admin", "scoped.admin-password-1")
        .await;
    let body = json!({
        "name": unique("Scoped runbook definition"),
        "category": "Applications",
        "strategy": "runbook",
        "group_dns": [],
        "approval": {},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "optional",
        "provision_runbook_id": runbook["id"],
    });

    let response = scoped.post("/api/v1/asset-definitions", &body).await;

    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "only an unscoped admin starts runbooks, orders included"
    );
}

#[tokio::test]
async fn tricky_schedules_and_nul_keys_are_refused() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    for schedule in ["1,17 15,17 * * * *", "0 0 0 30 2 *"] {
        let response = admin
            .post(
                "/api/v1/runbooks",
                &json!({ "name": unique("Tricky"), "schedule": schedule, "steps": [] }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{schedule}"
        );
    }
    let nul_key = json!({
        "name": unique("Nul key"),
        "steps": [step("call", "http.request", json!({
            "method": "GET", "url": "http://127.0.0.1:9/", "headers": { "a\u{0}": "b" },
        }))],
    });
    let response = admin.post("/api/v1/runbooks", &nul_key).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let interval = json!({
        "name": unique("Negative"),
        "steps": [step("wait", "wait.until", json!({
            "url": "http://127.0.0.1:9/", "interval_seconds": -5,
        }))],
    });
    let response = admin.post("/api/v1/runbooks", &interval).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn run_details_stay_with_runbook_readers() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let runbook = create_runbook(
        &admin,
        vec![step(
            "call",
            "http.request",
            json!({ "method": "GET", "url": "http://127.0.0.1:9/internal-hr-system" }),
        )],
    )
    .await;
    let definition = group_definition(
        &admin,
        json!({ "strategy": "runbook", "provision_runbook_id": runbook["id"] }),
    )
    .await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let id = order(&employee, &definition).await;
    app.wait_for_order_state(&admin, &id, "failed").await;

    // The portal (visibility off) shows neither the run nor the error in the timeline.
    let mine: Value = employee
        .get(&format!("/api/v1/portal/orders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["runs"], json!([]));
    assert!(!mine.to_string().contains("internal-hr-system"), "{mine}");

    // Helpdesk gets the steps but not their logs or errors.
    app.create_admin_user(
        &admin,
        json!({ "username": "desk.person", "role": "helpdesk" }),
    )
    .await;
    let desk = app
        .sign_in_admin("desk.person", "desk.person-password-1")
        .await;
    let seen: Value = desk
        .get(&format!("/api/v1/orders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["runs"][0]["steps"][0]["state"], "failed");
    assert!(!seen["runs"].to_string().contains("internal-hr-system"));
    // The admin gets the whole journal.
    let full: Value = admin
        .get(&format!("/api/v1/orders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(full["runs"].to_string().contains("internal-hr-system"));
}

#[tokio::test]
async fn stale_runbook_save_is_rejected() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let runbook = create_runbook(
        &admin,
        vec![step(
            "first",
            "mail.send",
            json!({ "to": "a@example.test", "subject": "One", "body": "x" }),
        )],
    )
    .await;
    let path = format!("/api/v1/runbooks/{}", runbook["id"].as_str().unwrap());
    let mut input =
        json!({ "name": runbook["name"], "steps": runbook["steps"], "base_version": 1 });

    // The first tab saves its change on top of version 1.
    input["description"] = json!("Saved by the first tab.");
    let first = admin.put(&path, &input).await;
    assert_eq!(first.status(), StatusCode::OK, "the first save");
    let saved: Value = first.json().await.unwrap();
    assert_eq!(saved["version"], 2);

    // The second tab also opened version 1, so its save would drop the first tab's change.
    input["description"] = json!("Saved by the second tab.");
    let second = admin.put(&path, &input).await;
    assert_eq!(second.status(), StatusCode::CONFLICT, "the stale save");
    let conflict = common::problem(second).await;
    let detail = conflict["detail"].as_str().unwrap();
    assert!(detail.contains("version 2"), "{detail}");
    let current: Value = admin.get(&path).await.json().await.unwrap();
    assert_eq!(current["description"], "Saved by the first tab.");
    assert_eq!(current["version"], 2);

    // A save from version 2 goes through, and so does one that names no version.
    input["base_version"] = json!(2);
    assert_eq!(admin.put(&path, &input).await.status(), StatusCode::OK);
    input.as_object_mut().unwrap().remove("base_version");
    assert_eq!(admin.put(&path, &input).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn scripts_that_runbooks_run_stay_runnable() {
    let app = TestApp::start_with(languages()).await;
    let admin = app.admin().await;
    let name = create_script(&admin, "echo one\n").await;
    let scripts: Value = admin.get("/api/v1/scripts").await.json().await.unwrap();
    let script = scripts
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name.as_str())
        .unwrap()
        .clone();
    let script_path = format!("/api/v1/scripts/{}", script["id"].as_str().unwrap());
    // The step names the script in other letter case, which runs it all the same.
    let runbook = create_runbook(
        &admin,
        vec![step(
            "run",
            "script",
            json!({ "script": name.to_uppercase() }),
        )],
    )
    .await;
    let runbook_path = format!("/api/v1/runbooks/{}", runbook["id"].as_str().unwrap());

    let refused = admin.delete(&script_path).await;
    assert_eq!(
        refused.status(),
        StatusCode::CONFLICT,
        "delete of a script in use"
    );
    let conflict = common::problem(refused).await;
    let detail = conflict["detail"].as_str().unwrap();
    assert!(
        detail.contains(runbook["name"].as_str().unwrap()),
        "{detail}"
    );
    assert_eq!(admin.get(&script_path).await.status(), StatusCode::OK);

    // A rename follows into the runbook's step, which keeps running the script.
    let renamed = format!("{name}-renamed");
    let body = json!({ "name": renamed, "language": "bash", "body": "echo two\n" });
    assert_eq!(
        admin.put(&script_path, &body).await.status(),
        StatusCode::OK
    );
    let after: Value = admin.get(&runbook_path).await.json().await.unwrap();
    assert_eq!(after["steps"][0]["params"]["script"], renamed.as_str());
    assert_eq!(after["version"], 2);
    let run_id = start_run(&admin, &after).await;
    let run = wait_finished(&admin, &run_id, 30).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    // Once no runbook runs it, the script can go.
    assert_eq!(
        admin.delete(&runbook_path).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin.delete(&script_path).await.status(),
        StatusCode::NO_CONTENT
    );
}
