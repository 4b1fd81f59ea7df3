//! Overlapping grants: two live orders of one person for the same group keep the membership
//! until the last one ends, the order detail names the other, and a membership held before
//! any order is left in place unless the definition requires its removal.

mod common;

use common::{TestApp, directory, oidc};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn definition(app: &TestApp, admin: &common::Session, group: &str, extra: Value) -> Value {
    let mut body = json!({
        "name": format!("Shared group {}", uuid::Uuid::now_v7().simple()),
        "category": "Applications",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": {},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "optional",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let response = admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let _ = app;
    response.json().await.unwrap()
}

async fn order(employee: &common::Session, definition: &Value) -> String {
    let response = employee
        .post(
            "/api/v1/portal/orders",
            &json!({ "definition_id": definition["id"] }),
        )
        .await;
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
async fn membership_stays_until_last_order() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let group = directory::create_group("Overlap").await;
    let first_def = definition(&app, &admin, &group, json!({})).await;
    let second_def = definition(&app, &admin, &group, json!({})).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;

    let first = order(&employee, &first_def).await;
    app.wait_for_order_state(&admin, &first, "active").await;
    let second = order(&employee, &second_def).await;
    let detail = app.wait_for_order_state(&admin, &second, "active").await;
    assert_eq!(detail["grants"][0]["also_covered_by"], json!([first]));
    let detail: Value = admin
        .get(&format!("/api/v1/orders/{first}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["grants"][0]["also_covered_by"], json!([second]));

    give_back(&app, &employee, &admin, &first).await;
    assert_eq!(
        directory::members(&group).await,
        vec![directory::JANE.to_string()],
        "the second order still covers the membership"
    );
    let closed: Value = admin
        .get(&format!("/api/v1/orders/{first}"))
        .await
        .json()
        .await
        .unwrap();
    let note = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find_map(|e| e["note"].as_str())
        .unwrap();
    assert!(
        note.contains(&format!("still covered by order {second}")),
        "{note}"
    );

    give_back(&app, &employee, &admin, &second).await;
    assert!(directory::members(&group).await.is_empty());
}

#[tokio::test]
async fn held_membership_stays_unless_removed() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;

    let kept_group = directory::create_group("Held before").await;
    directory::add_member(&kept_group, directory::JANE).await;
    let keeps = definition(&app, &admin, &kept_group, json!({})).await;
    let id = order(&employee, &keeps).await;
    let detail = app.wait_for_order_state(&admin, &id, "active").await;
    assert_eq!(detail["grants"][0]["pre_existing"], true);
    give_back(&app, &employee, &admin, &id).await;
    assert_eq!(
        directory::members(&kept_group).await,
        vec![directory::JANE.to_string()]
    );

    let removed_group = directory::create_group("Held before and removed").await;
    directory::add_member(&removed_group, directory::JANE).await;
    let removes = definition(
        &app,
        &admin,
        &removed_group,
        json!({ "remove_pre_existing": true }),
    )
    .await;
    let id = order(&employee, &removes).await;
    app.wait_for_order_state(&admin, &id, "active").await;
    give_back(&app, &employee, &admin, &id).await;
    assert!(directory::members(&removed_group).await.is_empty());
}
