//! The approval engine, scenario by scenario: each test places an order under a policy, drives
//! the decisions and the clock, and checks the final order state and every approval row.

mod common;

use common::{Session, TestApp, directory, error_fields, mail, oidc, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    admin: Session,
    /// Jane Doe (Finance, manager Martha Finch) places the orders.
    jane: Session,
}

async fn world() -> World {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let jane = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    World { app, admin, jane }
}

fn unique(label: &str) -> String {
    format!("{label} {}", uuid::Uuid::now_v7().simple())
}

async fn definition(w: &World, name: &str, approval: Value, extra: Value) -> Value {
    let group = directory::create_group(name).await;
    let mut body = json!({
        "name": name,
        "category": "Approval tests",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": approval,
        "default_duration_days": 10,
        "max_duration_days": 120,
        "justification": "optional",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = w.admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

async fn place(session: &Session, definition: &Value, extra: Value) -> Value {
    let mut body = json!({ "definition_id": definition["id"], "justification": "Quarter close" });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = session.post("/api/v1/portal/orders", &body).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

/// Reads an order as an administrator. Tests move the clock past session timeouts, so each read
/// signs in afresh.
async fn detail(w: &World, order: &Value) -> Value {
    let id = order["id"].as_str().unwrap();
    let admin = w
        .app
        .sign_in_admin("root.admin", "correct-horse-battery")
        .await;
    admin
        .get(&format!("/api/v1/orders/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// Returns the approval rows of an order as `(approver mail, state)`, in creation order.
fn rows(detail: &Value) -> Vec<(String, String)> {
    detail["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["approver"]["email"].as_str().unwrap().to_string(),
                a["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn approval_of<'a>(detail: &'a Value, email: &str) -> &'a Value {
    detail["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|a| a["approver"]["email"] == email)
        .unwrap_or_else(|| panic!("no approval for {email} in {detail}"))
}

/// Decides through the approver's e-mail link.
async fn by_link(w: &World, to: &str, name: &str, label: &str) -> reqwest::Response {
    let request = mail::wait_for(to, name).await;
    mail::decide_by_link(&w.app, &request.text, label).await
}

/// Returns the id of the approval of `order` in the approver's pending inbox.
async fn inbox_id(session: &Session, order: &Value) -> String {
    let inbox: Value = session
        .get("/api/v1/portal/approvals")
        .await
        .json()
        .await
        .unwrap();
    let item = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["order"]["id"] == order["id"])
        .unwrap_or_else(|| panic!("the order is not in the inbox: {inbox}"));
    item["approval"]["id"].as_str().unwrap().to_string()
}

async fn decide_id(session: &Session, id: &str, decision: &str) -> reqwest::Response {
    session
        .post(
            &format!("/api/v1/portal/approvals/{id}/decision"),
            &json!({ "decision": decision, "comment": "checked the budget" }),
        )
        .await
}

/// Decides from the approver's portal inbox.
async fn in_portal(session: &Session, order: &Value, decision: &str) -> reqwest::Response {
    let id = inbox_id(session, order).await;
    decide_id(session, &id, decision).await
}

fn owners(accounts: &[&str], quorum: u32) -> Value {
    json!({ "owners": { "approvers": accounts, "quorum": quorum } })
}

async fn put_approval_settings(w: &World, change: Value) {
    let mut body: Value = w
        .admin
        .get("/api/v1/settings/approvals")
        .await
        .json()
        .await
        .unwrap();
    for (key, value) in change.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = w.admin.put("/api/v1/settings/approvals", &body).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
}

async fn wait_state(w: &World, order: &Value, state: &str) -> Value {
    let id = order["id"].as_str().unwrap();
    let admin = w
        .app
        .sign_in_admin("root.admin", "correct-horse-battery")
        .await;
    w.app.wait_for_order_state(&admin, id, state).await
}

/// Places an order the routing must refuse and returns the problem's detail.
async fn refusal(w: &World, definition: &Value) -> String {
    let response = w
        .jane
        .post(
            "/api/v1/portal/orders",
            &json!({ "definition_id": definition["id"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    problem(response).await["detail"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Sets an out-of-office window from a minute ago for a day, through `path`.
async fn away(w: &World, session: &Session, path: &str, person: Option<&str>, delegate: &str) {
    let now = w.app.state.clock.now();
    let body = json!({
        "person": person,
        "delegate": delegate,
        "starts_at": now - chrono::Duration::minutes(1),
        "ends_at": now + chrono::Duration::days(1),
    });
    let response = session.post(path, &body).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
}

#[tokio::test]
async fn two_of_three_supersedes_the_third() {
    let w = world().await;
    let name = unique("Two of three");
    let def = definition(
        &w,
        &name,
        owners(&["tnguyen", "lgarcia", "rokafor"], 2),
        json!({}),
    )
    .await;
    let order = place(&w.jane, &def, json!({})).await;
    assert_eq!(order["state"], "pending_approval");
    let d = detail(&w, &order).await;
    assert_eq!(d["approval_groups"][0]["quorum"], 2);
    assert_eq!(d["approval_groups"][0]["state"], "pending");
    assert_eq!(
        rows(&d),
        pairs(&[
            ("tnguyen@example.test", "pending"),
            ("lgarcia@example.test", "pending"),
            ("rokafor@example.test", "pending"),
        ])
    );

    let thomas = oidc::sign_in(&w.app, "tnguyen", "ThomasNguyen-demo-1").await;
    let response = in_portal(&thomas, &order, "approve").await;
    assert_eq!(response.status(), StatusCode::OK);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["order_state"], "pending_approval");

    let response = by_link(&w, "lgarcia@example.test", &name, "Approve").await;
    assert_eq!(response.status(), StatusCode::OK);
    let d = wait_state(&w, &order, "active").await;
    assert_eq!(
        rows(&d),
        pairs(&[
            ("tnguyen@example.test", "approved"),
            ("lgarcia@example.test", "approved"),
            ("rokafor@example.test", "superseded"),
        ])
    );
    assert_eq!(d["approval_groups"][0]["state"], "satisfied");
    assert_eq!(d["approval_groups"][0]["approved"], 2);
    assert_eq!(
        approval_of(&d, "tnguyen@example.test")["comment"],
        "checked the budget"
    );

    // Richard's link no longer decides anything, and he gets no reminder.
    let late = by_link(&w, "rokafor@example.test", &name, "Approve").await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    w.app.state.clock.advance(chrono::Duration::hours(25));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        mail::count(
            "rokafor@example.test",
            &format!("Reminder 1: approval needed: {name}")
        )
        .await,
        0
    );
}

#[tokio::test]
async fn each_rule_group_needs_its_own_quorum() {
    let w = world().await;
    let name = unique("Rule quorum");
    let approval = json!({
        "manager": {},
        "rules": [{
            "name": "Long access",
            "when": { "field": "duration_days", "op": "gt", "value": 30 },
            "approvers": ["tnguyen", "lgarcia"],
            "quorum": 2,
        }],
    });
    let def = definition(&w, &name, approval, json!({})).await;

    // A short order matches no rule: the manager alone decides.
    let short = place(&w.jane, &def, json!({ "duration_days": 10 })).await;
    let d = detail(&w, &short).await;
    assert_eq!(rows(&d), pairs(&[("mfinch@example.test", "pending")]));

    let long = place(&w.jane, &def, json!({ "duration_days": 45 })).await;
    let d = detail(&w, &long).await;
    let groups: Vec<&str> = d["approval_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["Manager", "Long access"]);
    assert!(
        d["approval_groups"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("duration_days > 30"),
        "{d}"
    );

    let martha = oidc::sign_in(&w.app, "mfinch", "MarthaFinch-demo-1").await;
    let thomas = oidc::sign_in(&w.app, "tnguyen", "ThomasNguyen-demo-1").await;
    let lucia = oidc::sign_in(&w.app, "lgarcia", "LuciaGarcia-demo-1").await;
    assert_eq!(
        in_portal(&martha, &long, "approve").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        in_portal(&thomas, &long, "approve").await.status(),
        StatusCode::OK
    );
    let d = detail(&w, &long).await;
    assert_eq!(d["order"]["state"], "pending_approval");
    assert_eq!(d["approval_groups"][0]["state"], "satisfied");
    assert_eq!(d["approval_groups"][1]["state"], "pending");
    assert_eq!(
        in_portal(&lucia, &long, "approve").await.status(),
        StatusCode::OK
    );
    wait_state(&w, &long, "active").await;
}

#[tokio::test]
async fn one_decline_vetoes_the_order() {
    let w = world().await;
    let name = unique("Veto");
    let approval = json!({
        "manager": {},
        "owners": { "approvers": ["tnguyen", "lgarcia", "rokafor"], "quorum": 2 },
    });
    let def = definition(&w, &name, approval, json!({})).await;
    let order = place(&w.jane, &def, json!({})).await;
    let thomas = oidc::sign_in(&w.app, "tnguyen", "ThomasNguyen-demo-1").await;
    assert_eq!(
        in_portal(&thomas, &order, "approve").await.status(),
        StatusCode::OK
    );
    let response = by_link(&w, "lgarcia@example.test", &name, "Decline").await;
    assert_eq!(response.status(), StatusCode::OK);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["order_state"], "rejected");
    let d = detail(&w, &order).await;
    assert_eq!(d["order"]["state"], "rejected");
    assert_eq!(
        rows(&d),
        pairs(&[
            ("mfinch@example.test", "superseded"),
            ("tnguyen@example.test", "approved"),
            ("lgarcia@example.test", "declined"),
            ("rokafor@example.test", "superseded"),
        ])
    );
    let states: Vec<&str> = d["approval_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["closed", "declined"]);
    mail::wait_for("jdoe@example.test", &format!("Request declined: {name}")).await;
}

#[tokio::test]
async fn second_stage_is_asked_after_the_first() {
    let w = world().await;
    let name = unique("Two stages");
    let approval = json!({
        "manager": { "stage": 1 },
        "owners": { "approvers": ["tnguyen"], "quorum": 1, "stage": 2 },
    });
    let def = definition(&w, &name, approval, json!({})).await;
    let order = place(&w.jane, &def, json!({})).await;
    let d = detail(&w, &order).await;
    assert_eq!(rows(&d), pairs(&[("mfinch@example.test", "pending")]));
    assert_eq!(d["approval_groups"][1]["state"], "waiting");
    assert_eq!(mail::count("tnguyen@example.test", &name).await, 0);

    let response = by_link(&w, "mfinch@example.test", &name, "Approve").await;
    assert_eq!(response.status(), StatusCode::OK);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["order_state"], "pending_approval");
    let d = detail(&w, &order).await;
    assert_eq!(
        rows(&d),
        pairs(&[
            ("mfinch@example.test", "approved"),
            ("tnguyen@example.test", "pending"),
        ])
    );
    let notes: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["note"].as_str())
        .collect();
    assert!(
        notes.contains(&"stage 2: waiting for Thomas Nguyen"),
        "{notes:?}"
    );
    let response = by_link(&w, "tnguyen@example.test", &name, "Approve").await;
    assert_eq!(response.status(), StatusCode::OK);
    wait_state(&w, &order, "active").await;
}

#[tokio::test]
async fn delegation_window_applies_only_inside_it() {
    let w = world().await;
    let name = unique("Delegation window");
    let def = definition(&w, &name, owners(&["hjensen"], 1), json!({})).await;
    let now = w.app.state.clock.now();
    let starts = now + chrono::Duration::hours(1);
    let ends = now + chrono::Duration::hours(3);
    let response = w
        .admin
        .post(
            "/api/v1/delegations",
            &json!({
                "person": "hjensen",
                "delegate": "dmorgan",
                "starts_at": starts,
                "ends_at": ends,
                "note": "holiday",
            }),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );

    // Before the window Hanna decides herself.
    let before = place(&w.jane, &def, json!({})).await;
    assert_eq!(
        rows(&detail(&w, &before).await),
        pairs(&[("hjensen@example.test", "pending")])
    );

    // Just inside the window David decides in her place, and the audit keeps Hanna.
    w.app
        .state
        .clock
        .advance(chrono::Duration::hours(1) + chrono::Duration::seconds(1));
    let inside = place(&w.jane, &def, json!({})).await;
    let d = detail(&w, &inside).await;
    assert_eq!(rows(&d), pairs(&[("dmorgan@example.test", "pending")]));
    let approval = approval_of(&d, "dmorgan@example.test");
    assert_eq!(approval["instead_of"]["email"], "hjensen@example.test");
    assert!(
        approval["note"].as_str().unwrap().contains("away until"),
        "{approval}"
    );
    let audited: Value = sqlx::query_scalar(
        "select after from audit_log where action = 'approval.create' and entity_id = $1",
    )
    .bind(approval["id"].as_str().unwrap())
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(audited["instead_of"], "hjensen@example.test");

    // The window ends exclusive: from its end on, Hanna decides again.
    w.app.state.clock.advance(chrono::Duration::hours(2));
    let after = place(&w.jane, &def, json!({})).await;
    assert_eq!(
        rows(&detail(&w, &after).await),
        pairs(&[("hjensen@example.test", "pending")])
    );
}

#[tokio::test]
async fn requester_among_approvers_goes_to_delegate_or_escalation() {
    let w = world().await;
    let name = unique("Own approval");
    // Jane is one of the owners of what she orders.
    let def = definition(&w, &name, owners(&["jdoe"], 1), json!({})).await;

    // No stand-in exists yet, so the order is rejected with the group named.
    let detail_text = refusal(&w, &def).await;
    assert!(detail_text.contains("Application owners"), "{detail_text}");
    assert!(
        detail_text.contains("separation of duties"),
        "{detail_text}"
    );

    // With an escalation contact, the contact is asked in her place.
    put_approval_settings(&w, json!({ "escalation_contacts": ["gobrien"] })).await;
    let order = place(&w.jane, &def, json!({})).await;
    let d = detail(&w, &order).await;
    assert_eq!(rows(&d), pairs(&[("gobrien@example.test", "pending")]));
    assert_eq!(
        approval_of(&d, "gobrien@example.test")["instead_of"]["email"],
        "jdoe@example.test"
    );

    // With a delegate an administrator set for her, the delegate is asked instead.
    away(&w, &w.admin, "/api/v1/delegations", Some("jdoe"), "pkaur").await;
    let order = place(&w.jane, &def, json!({})).await;
    let d = detail(&w, &order).await;
    assert_eq!(rows(&d), pairs(&[("pkaur@example.test", "pending")]));
    let note = approval_of(&d, "pkaur@example.test")["note"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(note.contains("separation of duties"), "{note}");
}

#[tokio::test]
async fn reminders_stop_at_the_cap_then_escalation_notifies() {
    let w = world().await;
    let name = unique("Reminder cap");
    put_approval_settings(
        &w,
        json!({
            "reminder_interval_hours": 1,
            "max_reminders": 2,
            "escalation_contacts": ["gobrien"],
            "escalation_mode": "notify_only",
        }),
    )
    .await;
    let def = definition(&w, &name, json!({ "manager": {} }), json!({})).await;
    let order = place(&w.jane, &def, json!({})).await;
    mail::wait_for("mfinch@example.test", &format!("Approval needed: {name}")).await;

    let step = chrono::Duration::minutes(61);
    w.app.state.clock.advance(step);
    mail::wait_for(
        "mfinch@example.test",
        &format!("Reminder 1: approval needed: {name}"),
    )
    .await;
    w.app.state.clock.advance(step);
    mail::wait_for(
        "mfinch@example.test",
        &format!("Reminder 2: approval needed: {name}"),
    )
    .await;
    w.app.state.clock.advance(step);
    let notice = mail::wait_for("gobrien@example.test", &format!("Approval overdue: {name}")).await;
    assert!(notice.text.contains("Martha Finch"), "{}", notice.text);
    w.app.state.clock.advance(step);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        mail::count(
            "mfinch@example.test",
            &format!("Reminder 3: approval needed: {name}")
        )
        .await,
        0
    );
    assert_eq!(
        mail::count("gobrien@example.test", &format!("Approval overdue: {name}")).await,
        1
    );

    let d = detail(&w, &order).await;
    assert_eq!(rows(&d), pairs(&[("mfinch@example.test", "pending")]));
    assert_eq!(approval_of(&d, "mfinch@example.test")["reminders_sent"], 2);
    assert_eq!(w.app.audit_count("approval.escalate").await, 1);
}

#[tokio::test]
async fn escalation_contact_can_decide_in_approve_mode() {
    let w = world().await;
    let name = unique("Escalate approve");
    put_approval_settings(
        &w,
        json!({
            "reminder_interval_hours": 1,
            "max_reminders": 0,
            "escalation_contacts": ["gobrien"],
            "escalation_mode": "approve",
        }),
    )
    .await;
    let def = definition(&w, &name, json!({ "manager": {} }), json!({})).await;
    let order = place(&w.jane, &def, json!({})).await;
    w.app.state.clock.advance(chrono::Duration::minutes(61));
    let response = by_link(&w, "gobrien@example.test", &name, "Approve").await;
    assert_eq!(response.status(), StatusCode::OK);
    let d = wait_state(&w, &order, "active").await;
    assert_eq!(
        rows(&d),
        pairs(&[
            ("mfinch@example.test", "superseded"),
            ("gobrien@example.test", "approved"),
        ])
    );
    assert_eq!(
        approval_of(&d, "gobrien@example.test")["instead_of"]["email"],
        "mfinch@example.test"
    );
}

#[tokio::test]
async fn old_approvals_are_declined_by_the_system() {
    let w = world().await;
    let name = unique("Auto decline");
    put_approval_settings(&w, json!({ "auto_decline_days": 2 })).await;
    let def = definition(&w, &name, json!({ "manager": {} }), json!({})).await;
    let order = place(&w.jane, &def, json!({})).await;
    w.app
        .state
        .clock
        .advance(chrono::Duration::days(2) + chrono::Duration::minutes(1));
    let d = wait_state(&w, &order, "rejected").await;
    assert_eq!(rows(&d), pairs(&[("mfinch@example.test", "declined")]));
    assert_eq!(
        approval_of(&d, "mfinch@example.test")["decided_by"],
        "system:auto_decline"
    );
    mail::wait_for("jdoe@example.test", &format!("Request declined: {name}")).await;
}

#[tokio::test]
async fn links_expire_and_work_once() {
    let w = world().await;
    let name = unique("Link rules");
    let def = definition(&w, &name, json!({ "manager": {} }), json!({})).await;
    let first = place(&w.jane, &def, json!({})).await;
    let response = by_link(&w, "mfinch@example.test", &name, "Approve").await;
    assert_eq!(response.status(), StatusCode::OK);
    let again = by_link(&w, "mfinch@example.test", &name, "Approve").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    wait_state(&w, &first, "active").await;

    let name = unique("Link expiry");
    let def = definition(&w, &name, json!({ "manager": {} }), json!({})).await;
    let second = place(&w.jane, &def, json!({})).await;
    let request = mail::wait_for("mfinch@example.test", &name).await;
    w.app.state.clock.advance(chrono::Duration::days(15));
    let expired = mail::decide_by_link(&w.app, &request.text, "Approve").await;
    assert_eq!(expired.status(), StatusCode::GONE);
    let d = detail(&w, &second).await;
    assert_eq!(rows(&d), pairs(&[("mfinch@example.test", "pending")]));
}

#[tokio::test]
async fn approve_and_decline_racing_settle_once() {
    let w = world().await;
    let thomas = oidc::sign_in(&w.app, "tnguyen", "ThomasNguyen-demo-1").await;
    let lucia = oidc::sign_in(&w.app, "lgarcia", "LuciaGarcia-demo-1").await;
    for round in 0..3 {
        let name = unique(&format!("Race {round}"));
        let def = definition(&w, &name, owners(&["tnguyen", "lgarcia"], 1), json!({})).await;
        let order = place(&w.jane, &def, json!({})).await;
        let thomas_id = inbox_id(&thomas, &order).await;
        let lucia_id = inbox_id(&lucia, &order).await;
        let (approve, decline) = tokio::join!(
            decide_id(&thomas, &thomas_id, "approve"),
            decide_id(&lucia, &lucia_id, "decline")
        );
        let statuses = [approve.status(), decline.status()];
        assert!(
            statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
            "{statuses:?}"
        );
        let d = detail(&w, &order).await;
        let expected = if approve.status() == StatusCode::OK {
            pairs(&[
                ("tnguyen@example.test", "approved"),
                ("lgarcia@example.test", "superseded"),
            ])
        } else {
            pairs(&[
                ("tnguyen@example.test", "superseded"),
                ("lgarcia@example.test", "declined"),
            ])
        };
        assert_eq!(rows(&d), expected);
        let state = d["order"]["state"].as_str().unwrap();
        if approve.status() == StatusCode::OK {
            assert_ne!(state, "rejected");
        } else {
            assert_eq!(state, "rejected");
        }
    }
}

#[tokio::test]
async fn malformed_rules_are_rejected_with_the_node_path() {
    let w = world().await;
    let group = directory::create_group("Malformed rules").await;
    let base = json!({
        "name": unique("Malformed"),
        "category": "Approval tests",
        "strategy": "group_access",
        "group_dns": [group],
        "default_duration_days": 10,
        "max_duration_days": 30,
        "justification": "optional",
    });
    let with_rule = |when: Value| {
        let mut body = base.clone();
        body["approval"] = json!({ "rules": [{
            "name": "Bad", "when": when, "approvers": ["tnguyen"], "quorum": 1,
        }]});
        body
    };
    let bad_op = with_rule(json!({ "and": [
        { "field": "duration_days", "op": "gt", "value": 5 },
        { "not": { "field": "pci", "op": "bigger", "value": true } },
    ]}));
    let response = w.admin.post("/api/v1/asset-definitions", &bad_op).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(response).await;
    assert_eq!(error_fields(&body), ["approval.rules[0].when"]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("and[1].not"), "{message}");

    let mut deep = json!({ "field": "duration_days", "op": "gt", "value": 1 });
    for _ in 0..8 {
        deep = json!({ "not": deep });
    }
    let response = w
        .admin
        .post("/api/v1/asset-definitions", &with_rule(deep))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(response).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("deeper than 8")
    );

    let unknown_field = with_rule(json!({ "or": [
        { "field": "attr.region", "op": "eq", "value": "eu" },
    ]}));
    let response = w
        .admin
        .post("/api/v1/asset-definitions", &unknown_field)
        .await;
    let body = problem(response).await;
    assert_eq!(error_fields(&body), ["approval.rules[0].when.or[0].field"]);
    assert_eq!(w.app.audit_count("asset_definition.create").await, 0);
}

#[tokio::test]
async fn unsatisfiable_policies_are_refused_and_flagged_daily() {
    let w = world().await;
    let name = unique("Leaver");
    let group = directory::create_group(&name).await;
    let mut body = json!({
        "name": name,
        "category": "Approval tests",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": { "owners": { "approvers": ["wzhang", "nobody.here"], "quorum": 2 } },
        "default_duration_days": 10,
        "max_duration_days": 30,
        "justification": "optional",
    });
    let response = w.admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = problem(response).await;
    assert_eq!(error_fields(&refused), ["approval.owners.approvers"]);
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nobody.here"),
        "{refused}"
    );

    body["approval"]["owners"]["approvers"] = json!(["wzhang", "kfischer"]);
    let response = w.admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let def: Value = response.json().await.unwrap();
    assert!(def["policy_problem"].is_null());

    // The scheduler enqueues the day's policy check when it starts. It must be done before the
    // account below is disabled, or it flags the definition too and the audit count is off.
    TestApp::eventually(20, "the policy check enqueued at start", || async {
        let done: i64 = sqlx::query_scalar(
            "select count(*) from jobs
             where kind = 'approvals.policy_check' and state = 'succeeded'",
        )
        .fetch_one(&w.app.state.db)
        .await
        .unwrap();
        (done >= 1).then_some(())
    })
    .await;

    // Wei Zhang leaves. The daily check flags the definition and mails the administrators.
    sqlx::query("update admin_users set email = 'root.admin@example.test'")
        .execute(&w.app.state.db)
        .await
        .unwrap();
    directory::set_account_control("wzhang", "514").await;
    let checked = ipsolis::lifecycle::policy_check::run(&w.app.state).await;
    directory::set_account_control("wzhang", "512").await;
    checked.unwrap();
    let id = def["id"].as_str().unwrap();
    let flagged: Value = w
        .admin
        .get(&format!("/api/v1/asset-definitions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let text = flagged["policy_problem"].as_str().unwrap();
    assert!(text.contains("Application owners"), "{text}");
    assert!(text.contains("disabled"), "{text}");
    let report = TestApp::eventually(20, "the policy report to the administrator", || async {
        mail::all().await.into_iter().find(|m| {
            m.to.contains(&"root.admin@example.test".to_string())
                && m.subject.contains("Approval policy needs attention")
                && m.text.contains(&name)
        })
    })
    .await;
    assert!(report.text.contains("disabled"), "{}", report.text);
    assert_eq!(w.app.audit_count("asset_definition.policy_check").await, 1);
}

#[tokio::test]
async fn simulation_lists_groups_with_reasons_and_delegates() {
    let w = world().await;
    let now = w.app.state.clock.now();
    let response = w
        .admin
        .post(
            "/api/v1/delegations",
            &json!({
                "person": "rokafor",
                "delegate": "ewilson",
                "starts_at": now - chrono::Duration::hours(1),
                "ends_at": now + chrono::Duration::days(1),
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let definition = json!({
        "name": "Simulated",
        "strategy": "group_access",
        "group_dns": ["cn=Simulated,ou=Groups,dc=example,dc=test"],
        "default_duration_days": 10,
        "max_duration_days": 90,
        "justification": "optional",
        "attributes": [{ "key": "card", "label": "Card number", "kind": "text", "classification": "pci" }],
        "approval": {
            "manager": {},
            "compliance": { "stage": 2, "pci": "cbrown" },
            "rules": [{
                "name": "Finance, long or card data",
                "when": { "and": [
                    { "field": "requester_department", "op": "eq", "value": "Finance" },
                    { "or": [
                        { "field": "duration_days", "op": "gte", "value": 60 },
                        { "not": { "field": "pci", "op": "eq", "value": false } },
                    ]},
                ]},
                "approvers": ["rokafor", "tnguyen"],
                "quorum": 1,
                "stage": 1,
            }],
        },
    });
    let response = w
        .admin
        .post(
            "/api/v1/approval-simulations",
            &json!({
                "definition": definition,
                "requester": "jdoe",
                "attributes": { "card": "4111" },
            }),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let plan: Value = response.json().await.unwrap();
    assert_eq!(plan["classification"], "pci");
    assert_eq!(plan["auto_approved"], false);
    let groups: Vec<(String, u64)> = plan["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_string(),
                g["stage"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("Manager".to_string(), 1),
            ("Finance, long or card data".to_string(), 1),
            ("Compliance (PCI)".to_string(), 2),
        ]
    );
    let rule = &plan["groups"][1];
    let asked: Vec<&str> = rule["approvers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["approver"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(asked, ["ewilson@example.test", "tnguyen@example.test"]);
    assert_eq!(
        rule["approvers"][0]["instead_of"]["email"],
        "rokafor@example.test"
    );
    assert!(
        rule["reason"]
            .as_str()
            .unwrap()
            .contains("requester_department")
    );

    // An engineer with no card data matches no rule and needs no compliance approval.
    let response = w
        .admin
        .post(
            "/api/v1/approval-simulations",
            &json!({ "definition": definition, "requester": "akim" }),
        )
        .await;
    let plan: Value = response.json().await.unwrap();
    let names: Vec<&str> = plan["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Manager"]);

    let response = w
        .admin
        .post(
            "/api/v1/approval-simulations",
            &json!({ "definition": definition, "requester": "no.such.person" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem(response).await), ["requester"]);
}

#[tokio::test]
async fn replay_shows_how_a_changed_policy_would_route() {
    let w = world().await;
    let name = unique("Replay");
    let def = definition(&w, &name, json!({ "manager": {} }), json!({})).await;
    let approved = place(&w.jane, &def, json!({})).await;
    assert_eq!(
        by_link(&w, "mfinch@example.test", &name, "Approve")
            .await
            .status(),
        StatusCode::OK
    );
    wait_state(&w, &approved, "active").await;
    let pending = place(&w.jane, &def, json!({})).await;

    let mut proposed = def.clone();
    for key in [
        "id",
        "created_at",
        "updated_at",
        "help_html",
        "policy_problem",
    ] {
        proposed.as_object_mut().unwrap().remove(key);
    }
    proposed["approval"] = json!({
        "manager": {},
        "owners": { "approvers": ["tnguyen"], "quorum": 1, "stage": 2 },
    });
    let id = def["id"].as_str().unwrap();
    let response = w
        .admin
        .post(
            &format!("/api/v1/asset-definitions/{id}/approval-replay"),
            &json!({ "definition": proposed }),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["orders"], 2);
    assert_eq!(report["changed"], 2);
    assert_eq!(report["pending"], 1);
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["order_id"] == pending["id"])
        .unwrap();
    assert_eq!(row["added"], json!(["tnguyen@example.test"]));
    assert_eq!(row["removed"], json!([]));
    assert_eq!(row["actual_groups"], json!(["Manager: 1 of 1 (stage 1)"]));
    assert_eq!(
        row["proposed_groups"],
        json!([
            "Application owners: 1 of 1 (stage 2)",
            "Manager: 1 of 1 (stage 1)"
        ])
    );

    // The same policy changes nothing.
    let mut same = proposed.clone();
    same["approval"] = json!({ "manager": {} });
    let report: Value = w
        .admin
        .post(
            &format!("/api/v1/asset-definitions/{id}/approval-replay"),
            &json!({ "definition": same }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["changed"], 0, "{report}");
}

#[tokio::test]
async fn portal_users_manage_only_their_own_delegations() {
    let w = world().await;
    let now = w.app.state.clock.now();
    let window = |person: Option<&str>, delegate: &str| {
        json!({
            "person": person,
            "delegate": delegate,
            "starts_at": now,
            "ends_at": now + chrono::Duration::days(3),
            "note": "conference",
        })
    };
    let response = w
        .jane
        .post(
            "/api/v1/portal/delegations",
            &window(Some("tnguyen"), "pkaur"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = w
        .jane
        .post("/api/v1/portal/delegations", &window(None, "jdoe"))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem(response).await), ["delegate"]);
    let response = w
        .jane
        .post(
            "/api/v1/portal/delegations",
            &window(None, "no.such.person"),
        )
        .await;
    assert_eq!(error_fields(&problem(response).await), ["delegate"]);
    let mut backwards = window(None, "pkaur");
    backwards["ends_at"] = json!(now - chrono::Duration::days(1));
    let response = w.jane.post("/api/v1/portal/delegations", &backwards).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = w
        .jane
        .post("/api/v1/portal/delegations", &window(None, "pkaur"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let mine: Value = response.json().await.unwrap();
    assert_eq!(mine["person"]["email"], "jdoe@example.test");
    assert!(
        mine["created_by"]
            .as_str()
            .unwrap()
            .starts_with("portal:user:")
    );

    // Another employee cannot end Jane's window. An administrator lists it and ends it.
    let thomas = oidc::sign_in(&w.app, "tnguyen", "ThomasNguyen-demo-1").await;
    let id = mine["id"].as_str().unwrap();
    let response = thomas
        .delete(&format!("/api/v1/portal/delegations/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let listed: Value = w
        .admin
        .get("/api/v1/delegations")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == mine["id"])
    );
    let response = w.admin.delete(&format!("/api/v1/delegations/{id}")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let own: Value = w
        .jane
        .get("/api/v1/portal/delegations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own, json!([]));
    assert_eq!(w.app.audit_count("delegation.create").await, 1);
    assert_eq!(w.app.audit_count("delegation.revoke").await, 1);
}

#[tokio::test]
async fn inbox_shows_what_the_approver_needs() {
    let w = world().await;
    let name = unique("Inbox");
    let extra = json!({
        "monthly_cost": { "amount_minor": 4500, "currency": "EUR", "cost_center": "FIN-7" },
    });
    let def = definition(&w, &name, owners(&["tnguyen"], 1), extra).await;
    let order = place(&w.jane, &def, json!({ "duration_days": 20 })).await;
    let thomas = oidc::sign_in(&w.app, "tnguyen", "ThomasNguyen-demo-1").await;
    let inbox: Value = thomas
        .get("/api/v1/portal/approvals")
        .await
        .json()
        .await
        .unwrap();
    let item = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["order"]["id"] == order["id"])
        .unwrap();
    assert_eq!(item["order"]["requester"]["email"], "jdoe@example.test");
    assert_eq!(item["order"]["justification"], "Quarter close");
    assert_eq!(item["order"]["duration_days"], 20);
    assert_eq!(item["monthly_cost"]["amount_minor"], 4500);
    assert_eq!(item["group"]["name"], "Application owners");

    // Jane cannot decide Thomas's approval, nor see it.
    let id = item["approval"]["id"].as_str().unwrap();
    let response = w
        .jane
        .post(
            &format!("/api/v1/portal/approvals/{id}/decision"),
            &json!({ "decision": "approve" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let bad = thomas
        .post(
            &format!("/api/v1/portal/approvals/{id}/decision"),
            &json!({ "decision": "maybe" }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem(bad).await), ["decision"]);

    assert_eq!(
        in_portal(&thomas, &order, "approve").await.status(),
        StatusCode::OK
    );
    let decided: Value = thomas
        .get("/api/v1/portal/approvals?state=decided")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        decided
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["order"]["id"] == order["id"])
    );
    let pending: Value = thomas
        .get("/api/v1/portal/approvals")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !pending
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["order"]["id"] == order["id"])
    );
}

#[tokio::test]
async fn unmeetable_later_stage_declines_the_order() {
    let w = world().await;
    let name = unique("Unmeetable stage");
    put_approval_settings(&w, json!({ "escalation_contacts": ["gobrien"] })).await;
    // Jane is the owner who approves stage 2, so the escalation contact replaces her.
    let approval = json!({
        "manager": { "stage": 1 },
        "owners": { "approvers": ["jdoe"], "quorum": 1, "stage": 2 },
    });
    let def = definition(&w, &name, approval, json!({})).await;
    let order = place(&w.jane, &def, json!({})).await;

    // The contact is removed before stage 2 opens, so no approver is left for it.
    put_approval_settings(&w, json!({ "escalation_contacts": [] })).await;
    let response = by_link(&w, "mfinch@example.test", &name, "Approve").await;
    assert_eq!(response.status(), StatusCode::OK);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["order_state"], "rejected");
    let d = detail(&w, &order).await;
    assert_eq!(d["order"]["state"], "rejected");
    let last = d["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"], "system:routing");
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .contains("Application owners"),
        "{last}"
    );
    assert_eq!(rows(&d), pairs(&[("mfinch@example.test", "approved")]));
}

#[tokio::test]
async fn own_delegate_cannot_stand_in_for_the_requester() {
    let w = world().await;
    let name = unique("Self chosen delegate");
    let def = definition(&w, &name, owners(&["jdoe"], 1), json!({})).await;
    away(&w, &w.jane, "/api/v1/portal/delegations", None, "pkaur").await;
    let text = refusal(&w, &def).await;
    assert!(text.contains("delegate set by an administrator"), "{text}");
}

#[tokio::test]
async fn last_delegation_hop_still_checks_separation() {
    let w = world().await;
    let name = unique("Long chain");
    let def = definition(&w, &name, owners(&["akim"], 1), json!({})).await;
    let chain = ["akim", "bchen", "nsharma", "oadeyemi", "mrossi", "jdoe"];
    for pair in chain.windows(2) {
        away(&w, &w.admin, "/api/v1/delegations", Some(pair[0]), pair[1]).await;
    }
    // Five hops end at Jane, who placed the order: she is never asked.
    let text = refusal(&w, &def).await;
    assert!(text.contains("Jane Doe requested this order"), "{text}");
}

#[tokio::test]
async fn one_admin_counts_once_towards_a_quorum() {
    let w = world().await;
    let name = unique("One admin");
    let def = definition(&w, &name, owners(&["tnguyen", "lgarcia"], 2), json!({})).await;
    let order = place(&w.jane, &def, json!({})).await;
    sqlx::query("update admin_users set email = 'root.admin@example.test'")
        .execute(&w.app.state.db)
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap();
    let path = format!("/api/v1/orders/{id}/decision");
    let first = w.admin.post(&path, &json!({ "decision": "approve" })).await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = w.admin.post(&path, &json!({ "decision": "approve" })).await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let d = detail(&w, &order).await;
    assert_eq!(d["order"]["state"], "pending_approval");
    assert_eq!(d["approval_groups"][0]["approved"], 1);
}

#[tokio::test]
async fn disabled_approver_can_no_longer_decide() {
    let w = world().await;
    let name = unique("Disabled approver");
    let def = definition(&w, &name, owners(&["ymatsumoto"], 1), json!({})).await;
    let order = place(&w.jane, &def, json!({})).await;
    let request = mail::wait_for("ymatsumoto@example.test", &name).await;
    directory::set_account_control("ymatsumoto", "514").await;
    let response = mail::decide_by_link(&w.app, &request.text, "Approve").await;
    directory::set_account_control("ymatsumoto", "512").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let d = detail(&w, &order).await;
    assert_eq!(rows(&d), pairs(&[("ymatsumoto@example.test", "pending")]));
}

#[tokio::test]
async fn scoped_admin_cannot_move_approvals() {
    let w = world().await;
    w.app
        .create_admin_user(
            &w.admin,
            json!({
                "username": "hardware.admin",
                "role": "admin",
                "email": "kfischer@example.test",
                "scope": { "categories": ["Hardware"] },
            }),
        )
        .await;
    let scoped = w
        .app
        .sign_in_admin("hardware.admin", "hardware.admin-password-1")
        .await;
    let now = w.app.state.clock.now();
    let body = json!({
        "person": "mfinch",
        "delegate": "kfischer",
        "starts_at": now,
        "ends_at": now + chrono::Duration::days(5),
    });
    let response = scoped.post("/api/v1/delegations", &body).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(w.app.audit_count("delegation.create").await, 0);

    // Settings, chat channels and mail templates apply to every asset as well.
    let teams = json!({ "enabled": true, "webhook_url": "http://127.0.0.1:9/hook" });
    let response = scoped.put("/api/v1/settings/teams", &teams).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = scoped.put("/api/v1/settings/approvals", &json!({})).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn policy_and_settings_limits_name_the_field() {
    let w = world().await;
    let group = directory::create_group("Policy limits").await;
    let base = json!({
        "name": unique("Limits"),
        "category": "Approval tests",
        "strategy": "group_access",
        "group_dns": [group],
        "default_duration_days": 10,
        "max_duration_days": 30,
        "justification": "optional",
    });
    let cases = [
        (
            json!({ "rules": [{ "name": "Manager", "approvers": ["tnguyen"],
                "when": { "field": "pii", "op": "eq", "value": true } }] }),
            "approval.rules[0].name",
        ),
        (
            json!({ "rules": [{ "name": "Long value", "approvers": ["tnguyen"],
                "when": { "field": "requester_department", "op": "eq", "value": "x".repeat(300) } }] }),
            "approval.rules[0].when.value",
        ),
        (
            json!({ "rules": [{ "name": "Long list", "approvers": ["tnguyen"],
                "when": { "field": "duration_days", "op": "in", "value": (0..101).collect::<Vec<_>>() } }] }),
            "approval.rules[0].when.value",
        ),
        (
            json!({ "owners": { "approvers": ["tnguyen", "tnguyen@example.test"], "quorum": 1 } }),
            "approval.owners.approvers",
        ),
    ];
    for (approval, field) in cases {
        let mut body = base.clone();
        body["approval"] = approval;
        let response = w.admin.post("/api/v1/asset-definitions", &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        assert_eq!(error_fields(&problem(response).await), [field]);
    }
    let mut wide = base.clone();
    let leaves: Vec<Value> = (0..60)
        .map(|i| json!({ "field": "duration_days", "op": "gt", "value": i }))
        .collect();
    wide["approval"] = json!({ "rules": [{ "name": "Wide", "approvers": ["tnguyen"],
        "when": { "or": leaves } }] });
    let response = w.admin.post("/api/v1/asset-definitions", &wide).await;
    assert_eq!(
        error_fields(&problem(response).await),
        ["approval.rules[0].when"]
    );

    let mut settings: Value = w
        .admin
        .get("/api/v1/settings/approvals")
        .await
        .json()
        .await
        .unwrap();
    settings["department_attribute"] = json!("userPassword");
    let response = w.admin.put("/api/v1/settings/approvals", &settings).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem(response).await),
        ["department_attribute"]
    );
    assert_eq!(w.app.audit_count("asset_definition.create").await, 0);
}
