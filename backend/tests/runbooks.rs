//! The provisioning engine end to end. Runbook definitions provision and reclaim through
//! their runs, and the journal records every step. Failing steps retry with backoff and resume
//! from the failed step. Scripts get JSON and return it, and secrets never reach the journal.
//! Dry runs call nothing, cancels stop a run, and schedules fire once per slot.

mod common;

use common::target::Target;
use common::{Options, TestApp, directory, oidc, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const JANE_PASSWORD: &str = "JaneDoe-demo-1";
const SECRET: &str = "s3cr3t-Pa55word-for-tests";

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
        "timeout_seconds": 20,
        "retry": { "max_attempts": 1, "backoff_seconds": 1 },
    })
}

async fn create_runbook(admin: &common::Session, name: &str, steps: Vec<Value>) -> Value {
    let response = admin
        .post("/api/v1/runbooks", &json!({ "name": name, "steps": steps }))
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "create runbook: {body}");
    body
}

async fn set_var(admin: &common::Session, name: &str, value: &str, secret: bool) {
    let response = admin
        .put(
            &format!("/api/v1/runbook-variables/{name}"),
            &json!({ "value": value, "secret": secret }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "set {name}");
}

async fn start_run(admin: &common::Session, runbook: &Value) -> String {
    let response = admin
        .post(
            &format!("/api/v1/runbooks/{}/runs", runbook["id"].as_str().unwrap()),
            &json!({ "note": "by the test" }),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "start run: {body}");
    body["id"].as_str().unwrap().to_string()
}

async fn wait_run(app: &TestApp, admin: &common::Session, run_id: &str, state: &str) -> Value {
    let what = format!("run {run_id} to become {state}");
    TestApp::eventually(40, &what, || async {
        let run: Value = admin
            .get(&format!("/api/v1/runbook-runs/{run_id}"))
            .await
            .json()
            .await
            .ok()?;
        (run["state"] == state).then_some(run)
    })
    .await;
    let _ = app;
    admin
        .get(&format!("/api/v1/runbook-runs/{run_id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// Returns the whole run, every log line included, as one text.
fn journal_text(run: &Value) -> String {
    run.to_string()
}

async fn definition(admin: &common::Session, name: &str, extra: Value) -> Value {
    let mut body = json!({
        "name": name,
        "category": "Virtual desktops",
        "strategy": "runbook",
        "group_dns": [],
        "approval": {},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "optional",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let response = admin.post("/api/v1/asset-definitions", &body).await;
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "create definition: {created}");
    created
}

#[tokio::test]
async fn runbook_strategy_provisions_and_reclaims_an_order() {
    let app = TestApp::start_with(languages()).await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let target = Target::start().await;
    let group = directory::create_group("Runbook Desktop").await;
    set_var(&admin, "desktop_group", &group, false).await;
    set_var(&admin, "target_url", &target.url, false).await;
    set_var(&admin, "api_password", SECRET, true).await;

    let clone_script = admin
        .post(
            "/api/v1/scripts",
            &json!({
                "name": unique("clone"),
                "language": "bash",
                "body": "read -r params\n\
                         echo \"cloning for $(echo \"$params\" | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"user\"])')\"\n\
                         echo \"password is $(echo \"$params\" | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"password\"])')\"\n\
                         printf '{\"vm\": \"vm-42\"}' > \"$IPSOLIS_RESULT\"\n",
            }),
        )
        .await;
    assert_eq!(clone_script.status(), StatusCode::CREATED);
    let clone_script: Value = clone_script.json().await.unwrap();

    let provision = create_runbook(
        &admin,
        &unique("Desktop provision"),
        vec![
            step(
                "grant",
                "ldap.add_member",
                json!({ "group_dn": "{{ vars.desktop_group }}", "member_dn": "{{ requester.dn }}" }),
            ),
            step(
                "clone",
                "script",
                json!({
                    "script": clone_script["name"],
                    "args": { "user": "{{ requester.username }}", "password": "{{ secrets.api_password }}" },
                }),
            ),
            step(
                "announce",
                "http.request",
                json!({
                    "method": "POST",
                    "url": "{{ vars.target_url }}/vms/{{ steps.clone.vm }}",
                    "headers": { "authorization": "Bearer {{ secrets.api_password }}" },
                    "body": "{\"owner\": \"{{ requester.email }}\"}",
                }),
            ),
        ],
    )
    .await;
    let reclaim = create_runbook(
        &admin,
        &unique("Desktop reclaim"),
        vec![step(
            "revoke",
            "ldap.remove_member",
            json!({ "group_dn": "{{ vars.desktop_group }}", "member_dn": "{{ requester.dn }}" }),
        )],
    )
    .await;
    let def = definition(
        &admin,
        &unique("Runbook desktop"),
        json!({
            "provision_runbook_id": provision["id"],
            "deprovision_runbook_id": reclaim["id"],
            "portal_steps": "steps",
        }),
    )
    .await;
    assert_eq!(def["provision_runbook_id"], provision["id"]);

    let employee = oidc::sign_in(&app, "jdoe", JANE_PASSWORD).await;
    let order: Value = employee
        .post(
            "/api/v1/portal/orders",
            &json!({ "definition_id": def["id"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let order_id = order["id"].as_str().unwrap().to_string();
    let active = app.wait_for_order_state(&admin, &order_id, "active").await;

    assert_eq!(
        directory::members(&group).await,
        vec![directory::JANE.to_string()]
    );
    let runs = active["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["state"], "succeeded");
    assert_eq!(run["purpose"], "provision");
    let states: Vec<&str> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["succeeded", "succeeded", "succeeded"]);
    // The directory step read the group back.
    assert_eq!(run["steps"][0]["readback"]["is_member"], true);
    // The script got its JSON and its result became the next step's input.
    assert_eq!(run["steps"][1]["output"]["vm"], "vm-42");
    let hits = target.hits_on("/vms/");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].path, "/vms/vm-42");
    assert_eq!(hits[0].body, "{\"owner\": \"jdoe@example.test\"}");
    assert_eq!(
        hits[0].headers["authorization"],
        format!("Bearer {SECRET}").as_str()
    );
    // The secret reached the script and the target, never the journal.
    let journal = journal_text(run);
    assert!(journal.contains("cloning for jdoe"), "{journal}");
    assert!(journal.contains("password is ********"), "{journal}");
    assert!(!journal.contains(SECRET), "{journal}");
    // The grant is recorded for the order.
    assert_eq!(active["grants"][0]["group_dn"], group);
    assert_eq!(active["grants"][0]["pre_existing"], false);

    // The portal shows the steps with state and timing, but no logs or outputs.
    let mine: Value = employee
        .get(&format!("/api/v1/portal/orders/{order_id}"))
        .await
        .json()
        .await
        .unwrap();
    let portal_step = &mine["runs"][0]["steps"][1];
    assert_eq!(portal_step["state"], "succeeded");
    assert!(portal_step["started_at"].is_string());
    assert_eq!(portal_step["log"], json!([]));
    assert_eq!(portal_step["output"], json!({}));

    // Returning runs the reclaim runbook, which removes the membership.
    let returned = employee
        .post_empty(&format!("/api/v1/portal/orders/{order_id}/return"))
        .await;
    assert_eq!(returned.status(), StatusCode::OK);
    let done = app
        .wait_for_order_state(&admin, &order_id, "completed")
        .await;
    assert!(directory::members(&group).await.is_empty());
    let reclaim_run = done["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["purpose"] == "deprovision")
        .unwrap();
    assert_eq!(reclaim_run["state"], "succeeded");
    assert_eq!(reclaim_run["steps"][0]["readback"]["is_member"], false);
    assert!(app.audit_count("runbook_run.finish").await >= 2);
}

#[tokio::test]
async fn failing_step_retries_then_resumes() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let target = Target::start().await;
    let mut flaky = step(
        "flaky",
        "http.request",
        json!({ "method": "GET", "url": format!("{}/flaky", target.url) }),
    );
    flaky["retry"] = json!({ "max_attempts": 2, "backoff_seconds": 1 });
    let runbook = create_runbook(
        &admin,
        &unique("Flaky"),
        vec![
            step(
                "first",
                "http.request",
                json!({ "method": "GET", "url": format!("{}/first", target.url) }),
            ),
            flaky,
            step(
                "last",
                "http.request",
                json!({ "method": "GET", "url": format!("{}/last", target.url) }),
            ),
        ],
    )
    .await;

    // Both tries of the flaky step fail, a second apart, and the run fails there.
    target.fail_next("/flaky", 2, 503);
    let run_id = start_run(&admin, &runbook).await;
    let failed = wait_run(&app, &admin, &run_id, "failed").await;
    assert_eq!(failed["steps"][0]["state"], "succeeded");
    assert_eq!(failed["steps"][1]["state"], "failed");
    assert_eq!(failed["steps"][1]["attempts"], 2);
    assert_eq!(failed["steps"][2]["state"], "skipped");
    let text = journal_text(&failed);
    assert!(text.contains("trying again in 1 s"), "{text}");
    assert!(failed["error"].as_str().unwrap().contains("returned 503"));
    let tries = target.hits_on("/flaky");
    assert_eq!(tries.len(), 2);

    // A retry resumes at the failed step: the first step does not run again.
    let retried = admin
        .post_empty(&format!("/api/v1/runbook-runs/{run_id}/retry"))
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    let done = wait_run(&app, &admin, &run_id, "succeeded").await;
    assert_eq!(target.hits_on("/first").len(), 1);
    assert_eq!(target.hits_on("/flaky").len(), 3);
    assert_eq!(target.hits_on("/last").len(), 1);
    assert_eq!(done["steps"][1]["state"], "succeeded");
    // A second retry of a run that succeeded is refused and changes nothing.
    let again = admin
        .post_empty(&format!("/api/v1/runbook-runs/{run_id}/retry"))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(target.hits_on("/first").len(), 1);
}

#[tokio::test]
async fn dry_run_calls_nothing() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let target = Target::start().await;
    set_var(&admin, "target_url", &target.url, false).await;
    set_var(&admin, "api_password", SECRET, true).await;
    let steps = vec![
        step(
            "create",
            "http.request",
            json!({
                "method": "POST",
                "url": "{{ vars.target_url }}/create",
                "headers": { "authorization": "Bearer {{ secrets.api_password }}" },
            }),
        ),
        step(
            "follow",
            "http.request",
            json!({ "method": "GET", "url": "{{ vars.target_url }}/{{ steps.create.json.id }}" }),
        ),
        step(
            "typo",
            "http.request",
            json!({ "method": "GET", "url": "{{ vars.target_ulr }}/x" }),
        ),
    ];
    let plan: Value = admin
        .post("/api/v1/runbook-dry-runs", &json!({ "steps": steps }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["ready"], false);
    let planned = plan["steps"].as_array().unwrap();
    assert_eq!(
        planned[0]["params"]["url"],
        format!("{}/create", target.url)
    );
    assert_eq!(
        planned[0]["params"]["headers"]["authorization"],
        "Bearer ********"
    );
    assert_eq!(
        planned[1]["params"]["url"],
        format!("{}/<steps.create.json.id>", target.url)
    );
    assert!(planned[1]["problems"].as_array().unwrap().is_empty());
    let problem_text = planned[2]["problems"][0].as_str().unwrap();
    assert!(
        problem_text.starts_with("the parameter url:"),
        "{problem_text}"
    );
    assert!(!plan.to_string().contains(SECRET));
    assert!(target.hits().is_empty(), "a dry run called the target");
}

#[tokio::test]
async fn script_steps_json_and_timeout() {
    let app = TestApp::start_with(languages()).await;
    let admin = app.admin().await;
    set_var(&admin, "api_password", SECRET, true).await;
    let python = unique("double");
    let created = admin
        .post(
            "/api/v1/scripts",
            &json!({
                "name": python,
                "language": "python",
                "body": "import json, os, sys\n\
                         params = json.load(sys.stdin)\n\
                         print('token', params['token'])\n\
                         print('environment has', sorted(k for k in os.environ if 'SECRET' in k or 'DATABASE' in k))\n\
                         json.dump({'doubled': params['n'] * 2}, open(os.environ['IPSOLIS_RESULT'], 'w'))\n",
            }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let script: Value = created.json().await.unwrap();
    assert_eq!(script["version"], 1);
    let sleeper = unique("sleeper");
    admin
        .post(
            "/api/v1/scripts",
            &json!({ "name": sleeper, "language": "bash", "body": "echo started\nsleep 30\n" }),
        )
        .await;
    let pwsh = unique("pwsh only");
    admin
        .post(
            "/api/v1/scripts",
            &json!({ "name": pwsh, "language": "powershell", "body": "Write-Output 'hi'" }),
        )
        .await;

    let mut slow = step("slow", "script", json!({ "script": sleeper }));
    slow["timeout_seconds"] = json!(2);
    let runbook = create_runbook(
        &admin,
        &unique("Scripts"),
        vec![
            step(
                "double",
                "script",
                json!({ "script": python, "args": { "n": 21, "token": "{{ secrets.api_password }}" } }),
            ),
            slow,
        ],
    )
    .await;
    let run_id = start_run(&admin, &runbook).await;
    let run = wait_run(&app, &admin, &run_id, "failed").await;
    assert_eq!(run["steps"][0]["state"], "succeeded");
    assert_eq!(run["steps"][0]["output"]["doubled"], 42);
    let text = journal_text(&run);
    assert!(text.contains("token ********"), "{text}");
    assert!(text.contains("environment has []"), "{text}");
    assert!(!text.contains(SECRET));
    assert_eq!(run["steps"][1]["state"], "failed");
    assert!(
        run["steps"][1]["error"]
            .as_str()
            .unwrap()
            .contains("timeout of 2 s"),
        "{}",
        run["steps"][1]["error"]
    );

    // Saving a changed body makes a new version; the old one stays readable.
    let id = script["id"].as_str().unwrap();
    let mut input = json!({ "name": python, "language": "python", "body": "print('v2')\n" });
    let saved: Value = admin
        .put(&format!("/api/v1/scripts/{id}"), &input)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["version"], 2);
    input["description"] = json!("same body");
    let same: Value = admin
        .put(&format!("/api/v1/scripts/{id}"), &input)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(same["version"], 2);
    let versions: Value = admin
        .get(&format!("/api/v1/scripts/{id}/versions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert!(versions[1]["body"].as_str().unwrap().contains("doubled"));

    // PowerShell is allowed here, but this machine has no pwsh, and the step's error names it.
    let runbook = create_runbook(
        &admin,
        &unique("PowerShell"),
        vec![step("hello", "script", json!({ "script": pwsh }))],
    )
    .await;
    let run_id = start_run(&admin, &runbook).await;
    let run = wait_run(&app, &admin, &run_id, "failed").await;
    let error = run["steps"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("PowerShell 7 interpreter cannot start"),
        "{error}"
    );
}

#[tokio::test]
async fn disallowed_script_languages_rejected() {
    // The default allows PowerShell only.
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let name = unique("bash here");
    admin
        .post(
            "/api/v1/scripts",
            &json!({ "name": name, "language": "bash", "body": "touch /tmp/should-not-exist" }),
        )
        .await;
    let runbook = create_runbook(
        &admin,
        &unique("Bash"),
        vec![step("run", "script", json!({ "script": name }))],
    )
    .await;
    let plan: Value = admin
        .post(
            "/api/v1/runbook-dry-runs",
            &json!({ "runbook_id": runbook["id"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        plan["steps"][0]["problems"][0]
            .as_str()
            .unwrap()
            .contains("not allowed"),
        "{plan}"
    );
    let run_id = start_run(&admin, &runbook).await;
    let run = wait_run(&app, &admin, &run_id, "failed").await;
    let error = run["steps"][0]["error"].as_str().unwrap();
    assert!(error.contains("bash scripts are not allowed"), "{error}");
    assert_eq!(run["steps"][0]["attempts"], 1);
}

#[tokio::test]
async fn cancel_stops_running_step() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let target = Target::start().await;
    target.hang();
    let runbook = create_runbook(
        &admin,
        &unique("Hanging"),
        vec![
            step(
                "hang",
                "http.request",
                json!({ "method": "GET", "url": format!("{}/hang", target.url) }),
            ),
            step(
                "after",
                "http.request",
                json!({ "method": "GET", "url": format!("{}/after", target.url) }),
            ),
        ],
    )
    .await;
    let run_id = start_run(&admin, &runbook).await;
    wait_run(&app, &admin, &run_id, "running").await;
    TestApp::eventually(10, "the step to reach the target", || async {
        (!target.hits_on("/hang").is_empty()).then_some(())
    })
    .await;
    let cancelled = admin
        .post_empty(&format!("/api/v1/runbook-runs/{run_id}/cancel"))
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let run = wait_run(&app, &admin, &run_id, "cancelled").await;
    assert_eq!(run["steps"][1]["state"], "skipped");
    assert!(target.hits_on("/after").is_empty());
    target.release();
    let again = admin
        .post_empty(&format!("/api/v1/runbook-runs/{run_id}/cancel"))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(app.audit_count("runbook_run.cancel").await, 1);
}

#[tokio::test]
async fn schedule_slot_runs_once() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let target = Target::start().await;
    let created = admin
        .post(
            "/api/v1/runbooks",
            &json!({
                "name": unique("Nightly"),
                "schedule": "0 0 2 * * *",
                "steps": [step("ping", "http.request", json!({ "method": "GET", "url": target.url }))],
            }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let runbook: Value = created.json().await.unwrap();
    assert!(
        runbook["next_run_at"]
            .as_str()
            .unwrap()
            .contains("T02:00:00")
    );
    let id: uuid::Uuid = runbook["id"].as_str().unwrap().parse().unwrap();

    // Two leaders, one after the other, both see the same slot: one run.
    app.state.clock.advance(chrono::Duration::days(1));
    let mut first = ipsolis::runbooks::schedule::Enqueued::default();
    let mut second = ipsolis::runbooks::schedule::Enqueued::default();
    ipsolis::runbooks::schedule::tick(&app.state, &mut first)
        .await
        .unwrap();
    ipsolis::runbooks::schedule::tick(&app.state, &mut second)
        .await
        .unwrap();
    let runs: i64 = sqlx::query_scalar(
        "select count(*) from runbook_runs where runbook_id = $1 and purpose = 'schedule'",
    )
    .bind(id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(runs, 1);
    let jobs: i64 = sqlx::query_scalar("select count(*) from jobs where kind = 'runbook.run'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(jobs, 1);

    // A schedule that fires too often is refused with the field named.
    let admin = app
        .sign_in_admin("root.admin", "correct-horse-battery")
        .await;
    let busy = admin
        .post(
            "/api/v1/runbooks",
            &json!({ "name": unique("Busy"), "schedule": "0 * * * * *", "steps": [] }),
        )
        .await;
    assert_eq!(busy.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(busy).await;
    assert_eq!(body["errors"][0]["field"], "schedule");
}

#[tokio::test]
async fn bad_runbooks_rejected_with_fields() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let bad = admin
        .post(
            "/api/v1/runbooks",
            &json!({
                "name": "Bad",
                "steps": [
                    step("one", "ldap.add_member", json!({ "group_dn": "" })),
                    step("one", "ftp.upload", json!({})),
                    step("Three", "http.request", json!({ "method": "BREW", "url": "x", "headers": "[1]" })),
                ],
                "schedule": "every night",
            }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(bad).await;
    let fields = common::error_fields(&body);
    for expected in [
        "steps[0].params.group_dn",
        "steps[0].params.member_dn",
        "steps[1].key",
        "steps[1].module",
        "steps[2].key",
        "steps[2].params.method",
        "steps[2].params.headers",
        "schedule",
    ] {
        assert!(
            fields.contains(&expected.to_string()),
            "{expected} in {fields:?}"
        );
    }
    let list: Value = admin.get("/api/v1/runbooks").await.json().await.unwrap();
    // Only the seeded example exists.
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Virtual Machine Recycler");

    // The seeded example passes the same checks and can be copied.
    let seeded: Value = admin
        .get(&format!(
            "/api/v1/runbooks/{}",
            list[0]["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let check = shared::runbooks::runbook_problems(
        &serde_json::from_value(json!({
            "name": seeded["name"], "steps": seeded["steps"], "notes": seeded["notes"],
        }))
        .unwrap(),
    );
    assert!(check.is_empty(), "{check:?}");
    let copy = admin
        .post_empty(&format!(
            "/api/v1/runbooks/{}/copy",
            seeded["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(copy.status(), StatusCode::CREATED);
    let copy: Value = copy.json().await.unwrap();
    assert_eq!(copy["name"], "Copy of Virtual Machine Recycler");

    // A definition naming a runbook that does not exist is refused.
    let response = admin
        .post(
            "/api/v1/asset-definitions",
            &json!({
                "name": "Ghost", "strategy": "runbook", "group_dns": [],
                "provision_runbook_id": uuid::Uuid::now_v7(),
                "default_duration_days": 1, "max_duration_days": 1, "justification": "off",
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        common::error_fields(&problem(response).await),
        vec!["provision_runbook_id".to_string()]
    );
    // A runbook a definition uses cannot be deleted.
    let used = definition(
        &admin,
        &unique("Uses the copy"),
        json!({ "provision_runbook_id": copy["id"] }),
    )
    .await;
    let delete = admin
        .delete(&format!(
            "/api/v1/runbooks/{}",
            copy["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(delete.status(), StatusCode::CONFLICT);
    assert!(
        problem(delete).await["detail"]
            .as_str()
            .unwrap()
            .contains(used["name"].as_str().unwrap())
    );
}

#[tokio::test]
async fn secrets_write_only_unscoped_writes() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    set_var(&admin, "api_password", SECRET, true).await;
    set_var(&admin, "region", "eu-west", false).await;
    let listed: Value = admin
        .get("/api/v1/runbook-variables")
        .await
        .json()
        .await
        .unwrap();
    assert!(!listed.to_string().contains(SECRET));
    let secret = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "api_password")
        .unwrap();
    assert_eq!(secret["secret"], true);
    assert!(secret["value"].is_null());
    let stored: String =
        sqlx::query_scalar("select value from runbook_variables where name = 'api_password'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(!stored.contains(SECRET));
    let audit: Value = admin
        .get("/api/v1/audit?action=runbook_variable.create")
        .await
        .json()
        .await
        .unwrap();
    assert!(!audit.to_string().contains(SECRET));
    let bad = admin
        .put(
            "/api/v1/runbook-variables/Bad-Name",
            &json!({ "value": "x" }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    app.create_admin_user(
        &admin,
        json!({ "username": "runbook.auditor", "role": "auditor" }),
    )
    .await;
    app.create_admin_user(
        &admin,
        json!({
            "username": "runbook.scoped", "role": "admin",
            "scope": { "categories": ["Applications"] },
        }),
    )
    .await;
    let auditor = app
        .sign_in_admin("runbook.auditor", "runbook.auditor-password-1")
        .await;
    let scoped = app
        .sign_in_admin("runbook.scoped", "runbook.scoped-password-1")
        .await;
    assert_eq!(
        auditor.get("/api/v1/runbooks").await.status(),
        StatusCode::OK
    );
    let body = json!({ "name": "Not allowed", "steps": [] });
    for session in [&auditor, &scoped] {
        let refused = session.post("/api/v1/runbooks", &body).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let refused = session
            .put("/api/v1/runbook-variables/region", &json!({ "value": "x" }))
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
}

async fn add_asset(admin: &common::Session, definition: &Value, name: &str) -> Value {
    let body = json!({
        "definition_id": definition["id"], "name": name, "metadata": { "mac": "00:15:5D:01:02:03" },
    });
    let response = admin.post("/api/v1/assets", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "add {name}");
    response.json().await.unwrap()
}

async fn asset_status(app: &TestApp, asset: &Value) -> String {
    let id: uuid::Uuid = asset["id"].as_str().unwrap().parse().unwrap();
    sqlx::query_scalar("select status from assets where id = $1")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn returned_instances_follow_the_deprovision_policy() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let target = Target::start().await;
    let ping = |path: &str| {
        vec![step(
            "call",
            "http.request",
            json!({ "method": "POST", "url": format!("{}/{path}/{{{{ asset.name }}}}", target.url) }),
        )]
    };
    let provision = create_runbook(&admin, &unique("Hand out"), ping("provision")).await;
    let reinstall = create_runbook(&admin, &unique("Reinstall"), ping("reinstall")).await;
    let power_off = create_runbook(&admin, &unique("Power off"), ping("deallocate")).await;
    let employee = oidc::sign_in(&app, "jdoe", JANE_PASSWORD).await;

    // Return to pool with reinstall: Reinstall, Reinstalling, then Free.
    let recycled = definition(
        &admin,
        &unique("Recycled desktop"),
        json!({
            "assignment": "assigned_personal",
            "provision_runbook_id": provision["id"],
            "deprovision": "return_with_reinstall",
            "reinstall_runbook_id": reinstall["id"],
        }),
    )
    .await;
    let desk = add_asset(&admin, &recycled, &unique("vdi").replace(' ', "-")).await;
    let order: Value = employee
        .post(
            "/api/v1/portal/orders",
            &json!({ "definition_id": recycled["id"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let order_id = order["id"].as_str().unwrap().to_string();
    app.wait_for_order_state(&admin, &order_id, "active").await;
    assert_eq!(asset_status(&app, &desk).await, "in_use");
    assert_eq!(
        target.hits_on("/provision/")[0].path,
        format!("/provision/{}", desk["name"].as_str().unwrap())
    );
    employee
        .post_empty(&format!("/api/v1/portal/orders/{order_id}/return"))
        .await;
    app.wait_for_order_state(&admin, &order_id, "completed")
        .await;
    TestApp::eventually(20, "the instance to be free again", || async {
        (asset_status(&app, &desk).await == "free").then_some(())
    })
    .await;
    assert_eq!(
        target.hits_on("/reinstall/")[0].path,
        format!("/reinstall/{}", desk["name"].as_str().unwrap())
    );
    let reinstall_runs: i64 = sqlx::query_scalar(
        "select count(*) from runbook_runs where purpose = 'reinstall' and state = 'succeeded'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(reinstall_runs, 1);

    // Deallocate: the deprovision runbook runs and the instance leaves the pool.
    let deallocated = definition(
        &admin,
        &unique("Deallocated desktop"),
        json!({
            "assignment": "assigned_personal",
            "provision_runbook_id": provision["id"],
            "deprovision": "deallocate",
            "deprovision_runbook_id": power_off["id"],
        }),
    )
    .await;
    let spare = add_asset(&admin, &deallocated, &unique("spare").replace(' ', "-")).await;
    let order: Value = employee
        .post(
            "/api/v1/portal/orders",
            &json!({ "definition_id": deallocated["id"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let order_id = order["id"].as_str().unwrap().to_string();
    app.wait_for_order_state(&admin, &order_id, "active").await;
    employee
        .post_empty(&format!("/api/v1/portal/orders/{order_id}/return"))
        .await;
    app.wait_for_order_state(&admin, &order_id, "completed")
        .await;
    assert_eq!(asset_status(&app, &spare).await, "deallocated");
    assert_eq!(target.hits_on("/deallocate/").len(), 1);

    // A policy that needs a runbook without one is refused.
    let refused = admin
        .post(
            "/api/v1/asset-definitions",
            &json!({
                "name": unique("No runbook"), "strategy": "group_access",
                "group_dns": ["cn=x,dc=example,dc=test"], "deprovision": "delete",
                "default_duration_days": 1, "max_duration_days": 1, "justification": "off",
            }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        common::error_fields(&problem(refused).await),
        vec!["deprovision_runbook_id".to_string()]
    );
}

#[tokio::test]
async fn a_dead_run_job_fails_its_run() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let runbook = create_runbook(
        &admin,
        &unique("Doomed"),
        vec![step(
            "ping",
            "http.request",
            json!({ "method": "GET", "url": "http://127.0.0.1:9/" }),
        )],
    )
    .await;
    let run_id = start_run(&admin, &runbook).await;
    let job: ipsolis::jobs::queue::JobRow = sqlx::query_as(
        "select id, queue, kind, payload, attempts, max_attempts, traceparent from jobs where kind = 'runbook.run'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    let now = app.state.clock.now();
    let mut tx = app.state.db.begin().await.unwrap();
    ipsolis::jobs::handlers::on_dead(&mut tx, &job, "the database was away", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let run: Value = admin
        .get(&format!("/api/v1/runbook-runs/{run_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(run["state"], "failed");
    assert!(
        run["error"]
            .as_str()
            .unwrap()
            .contains("the database was away")
    );
}
