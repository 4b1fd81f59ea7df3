//! Extending active access and changing its details, with and without a new approval, and
//! expiry while a change waits.

mod common;

use common::{Session, TestApp, directory, error_fields, mail, oidc, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const MANAGER: &str = "mfinch@example.test";

struct World {
    app: TestApp,
    admin: Session,
    employee: Session,
}

async fn world() -> World {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    World {
        app,
        admin,
        employee,
    }
}

/// Creates a definition approved at once, so orders become active without a manager, and
/// returns it with an active order of 5 days.
async fn active_order(w: &World, name: &str, extra: Value) -> (Value, String) {
    let group = directory::create_group(name).await;
    let mut body = json!({
        "name": name,
        "category": "Change tests",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": {},
        "default_duration_days": 5,
        "max_duration_days": 30,
        "justification": "off",
        "attributes": [{ "key": "size", "label": "Size", "kind": "select",
                         "options": ["Small", "Large"], "required": true }],
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = w.admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let definition: Value = response.json().await.unwrap();
    let order = json!({ "definition_id": definition["id"], "attributes": { "size": "Small" } });
    let placed: Value = w
        .employee
        .post("/api/v1/portal/orders", &order)
        .await
        .json()
        .await
        .unwrap();
    let id = placed["id"].as_str().unwrap().to_string();
    w.app.wait_for_order_state(&w.admin, &id, "active").await;
    (definition, id)
}

fn unique(label: &str) -> String {
    format!("{label} {}", uuid::Uuid::now_v7().simple())
}

async fn extend(w: &World, id: &str, days: i32) -> reqwest::Response {
    w.employee
        .post(
            &format!("/api/v1/portal/orders/{id}/extend"),
            &json!({ "days": days }),
        )
        .await
}

async fn expiry(w: &World, id: &str) -> chrono::DateTime<chrono::Utc> {
    let detail = w.app.wait_for_order_state(&w.admin, id, "active").await;
    detail["order"]["expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn extensions_stay_within_the_rules() {
    let w = world().await;
    let rules = json!({ "extension": { "allowed": true, "max_days": 10, "max_count": 1 } });
    let (_, id) = active_order(&w, &unique("Extendable"), rules).await;
    let before = expiry(&w, &id).await;

    assert_eq!(
        error_fields(&problem(extend(&w, &id, 11).await).await),
        ["days"]
    );
    let extended = extend(&w, &id, 7).await;
    assert_eq!(extended.status(), StatusCode::OK);
    let body: Value = extended.json().await.unwrap();
    assert_eq!(body["extension_count"], 1);
    assert_eq!(expiry(&w, &id).await - before, chrono::Duration::days(7));
    let again = extend(&w, &id, 1).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(
        problem(again).await["detail"]
            .as_str()
            .unwrap()
            .contains("already extended 1 times")
    );

    let (_, fixed) = active_order(&w, &unique("Fixed term"), json!({})).await;
    assert_eq!(extend(&w, &fixed, 1).await.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn approved_extension_moves_expiry() {
    let w = world().await;
    let name = unique("Approved extension");
    let rules = json!({ "extension": {
        "allowed": true, "max_days": 10, "max_count": 2, "requires_approval": true } });
    let (_, id) = active_order(&w, &name, rules).await;
    let before = expiry(&w, &id).await;

    let requested = extend(&w, &id, 5).await;
    assert_eq!(requested.status(), StatusCode::OK);
    let body: Value = requested.json().await.unwrap();
    assert_eq!(body["state"], "modification_pending");
    assert_eq!(
        body["pending_change"],
        json!({ "kind": "extend", "days": 5 })
    );

    let request = mail::wait_for(MANAGER, &name).await;
    assert!(
        request.text.contains("an extension by 5 days"),
        "{}",
        request.text
    );
    let approve = mail::link_token(&request.text, "Approve");
    let decided = w
        .app
        .client()
        .post_empty(&format!("/api/v1/approval-links/{approve}"))
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    let outcome: Value = decided.json().await.unwrap();
    assert_eq!(outcome["order_state"], "active");
    assert_eq!(expiry(&w, &id).await - before, chrono::Duration::days(5));
    mail::wait_for("jdoe@example.test", &format!("Change approved: {name}")).await;
}

#[tokio::test]
async fn declined_change_keeps_details() {
    let w = world().await;
    let name = unique("Declined change");
    let (_, id) = active_order(&w, &name, json!({})).await;
    let path = format!("/api/v1/portal/orders/{id}/modify");

    let bad = w
        .employee
        .post(&path, &json!({ "attributes": { "size": "Huge" } }))
        .await;
    assert_eq!(error_fields(&problem(bad).await), ["attributes.size"]);
    let requested = w
        .employee
        .post(&path, &json!({ "attributes": { "size": "Large" } }))
        .await;
    assert_eq!(requested.status(), StatusCode::OK);
    let body: Value = requested.json().await.unwrap();
    assert_eq!(body["state"], "modification_pending");
    assert_eq!(body["attributes"]["size"], "Small");

    let request = mail::wait_for(MANAGER, &name).await;
    let decline = mail::link_token(&request.text, "Decline");
    let decided = w
        .app
        .client()
        .post_empty(&format!("/api/v1/approval-links/{decline}"))
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    let detail = w.app.wait_for_order_state(&w.admin, &id, "active").await;
    assert_eq!(detail["order"]["attributes"]["size"], "Small");
    assert_eq!(detail["order"]["pending_change"], Value::Null);
    mail::wait_for("jdoe@example.test", &format!("Change declined: {name}")).await;
}

#[tokio::test]
async fn changes_without_approval_apply_at_once() {
    let w = world().await;
    let (_, id) = active_order(
        &w,
        &unique("Free change"),
        json!({ "modification_requires_approval": false }),
    )
    .await;
    let changed = w
        .employee
        .post(
            &format!("/api/v1/portal/orders/{id}/modify"),
            &json!({ "attributes": { "size": "Large" } }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["state"], "active");
    assert_eq!(body["attributes"]["size"], "Large");
}

#[tokio::test]
async fn access_expires_while_a_change_waits() {
    let w = world().await;
    let name = unique("Expiring change");
    let rules = json!({ "extension": {
        "allowed": true, "max_days": 10, "max_count": 1, "requires_approval": true } });
    let (_, id) = active_order(&w, &name, rules).await;
    assert_eq!(extend(&w, &id, 3).await.status(), StatusCode::OK);
    let request = mail::wait_for(MANAGER, &name).await;

    w.app.state.clock.advance(chrono::Duration::days(6));
    let done = w.app.wait_for_order_state(&w.admin, &id, "completed").await;
    assert_eq!(done["order"]["pending_change"], Value::Null);
    assert_eq!(done["approvals"][0]["state"], "superseded");
    let approve = mail::link_token(&request.text, "Approve");
    let late = w
        .app
        .client()
        .post_empty(&format!("/api/v1/approval-links/{approve}"))
        .await;
    assert_ne!(late.status(), StatusCode::OK);
}

#[tokio::test]
async fn scheduled_order_keeps_instance_until_start() {
    let w = world().await;
    let group = directory::create_group("Scheduled").await;
    let body = json!({
        "name": unique("Scheduled VDI"),
        "category": "Change tests",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": {},
        "default_duration_days": 5,
        "max_duration_days": 30,
        "justification": "off",
        "assignment": "assigned_personal",
    });
    let definition: Value = w
        .admin
        .post("/api/v1/asset-definitions", &body)
        .await
        .json()
        .await
        .unwrap();
    for name in ["sched-1", "sched-2"] {
        let asset = json!({ "definition_id": definition["id"], "name": name });
        assert_eq!(
            w.admin.post("/api/v1/assets", &asset).await.status(),
            StatusCode::CREATED
        );
    }
    let today = w.app.state.clock.now().date_naive();
    let order = |start: chrono::NaiveDate| json!({ "definition_id": definition["id"], "start_date": start.to_string() });

    let too_soon = w
        .employee
        .post("/api/v1/portal/orders", &order(today))
        .await;
    assert_eq!(error_fields(&problem(too_soon).await), ["start_date"]);

    let start = today + chrono::Duration::days(3);
    let placed: Value = w
        .employee
        .post("/api/v1/portal/orders", &order(start))
        .await
        .json()
        .await
        .unwrap();
    let id = placed["id"].as_str().unwrap().to_string();
    let scheduled = w.app.wait_for_order_state(&w.admin, &id, "scheduled").await;
    assert_eq!(scheduled["order"]["asset_name"], "sched-1");

    // A second scheduled order is cancelled and gives its instance back.
    let other: Value = w
        .employee
        .post("/api/v1/portal/orders", &order(start))
        .await
        .json()
        .await
        .unwrap();
    let other_id = other["id"].as_str().unwrap();
    w.app
        .wait_for_order_state(&w.admin, other_id, "scheduled")
        .await;
    let cancelled = w
        .employee
        .post_empty(&format!("/api/v1/portal/orders/{other_id}/cancel"))
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);

    w.app.state.clock.advance(chrono::Duration::days(3));
    let active = w.app.wait_for_order_state(&w.admin, &id, "active").await;
    let expires: chrono::DateTime<chrono::Utc> = active["order"]["expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(expires.date_naive() >= start + chrono::Duration::days(5));
    // The admin session has timed out with the moved clock, so the pool is read directly.
    let free: Vec<String> =
        sqlx::query_scalar("select name from assets where status = 'free' order by name")
            .fetch_all(&w.app.state.db)
            .await
            .unwrap();
    assert_eq!(free, ["sched-2"]);
}
