//! Access scopes narrow a role to some asset definitions, and admins decide orders in the
//! admin SPA under the separation-of-duties rule that nobody approves their own order.

mod common;

use common::{Session, TestApp, directory, error_fields, oidc, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    admin: Session,
    finance: Value,
    desktop: Value,
    finance_order: String,
    desktop_order: String,
}

async fn definition(admin: &Session, label: &str, category: &str) -> Value {
    let group = directory::create_group(label).await;
    let body = json!({
        "name": format!("{label} {}", uuid::Uuid::now_v7().simple()),
        "category": category,
        "strategy": "group_access",
        "group_dns": [group],
        "approval": {"manager": {}},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "optional",
    });
    let response = admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn order(employee: &Session, definition: &Value) -> String {
    let body = json!({ "definition_id": definition["id"], "duration_days": 10 });
    let response = employee.post("/api/v1/portal/orders", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.unwrap();
    order["id"].as_str().unwrap().to_string()
}

async fn world() -> World {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let finance = definition(&admin, "Scoped finance", "Applications").await;
    let desktop = definition(&admin, "Scoped desktop", "Virtual desktops").await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let finance_order = order(&employee, &finance).await;
    let desktop_order = order(&employee, &desktop).await;
    World {
        app,
        admin,
        finance,
        desktop,
        finance_order,
        desktop_order,
    }
}

async fn listed_orders(session: &Session) -> Vec<String> {
    let page: Value = session.get("/api/v1/orders").await.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

async fn decide(session: &Session, order_id: &str, decision: &str) -> reqwest::Response {
    session
        .post(
            &format!("/api/v1/orders/{order_id}/decision"),
            &json!({ "decision": decision }),
        )
        .await
}

#[tokio::test]
async fn scoped_approver_sees_and_decides_only_its_definitions() {
    let w = world().await;
    w.app
        .create_admin_user(
            &w.admin,
            json!({
                "username": "finance.approver",
                "role": "approver",
                "email": "mfinch@example.test",
                "scope": { "definitions": [w.finance["id"]] },
            }),
        )
        .await;
    let approver = w
        .app
        .sign_in_admin("finance.approver", "finance.approver-password-1")
        .await;
    let me: Value = approver
        .get("/api/v1/auth/session")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["scope"]["definitions"][0], w.finance["id"]);
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("orders_decide"))
    );

    assert_eq!(listed_orders(&approver).await, [w.finance_order.as_str()]);
    let all = listed_orders(&w.admin).await;
    assert!(all.contains(&w.desktop_order));
    assert!(all.contains(&w.finance_order));

    let outside = approver
        .get(&format!("/api/v1/orders/{}", w.desktop_order))
        .await;
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);
    let outside = decide(&approver, &w.desktop_order, "approve").await;
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);

    let approved = decide(&approver, &w.finance_order, "approve").await;
    assert_eq!(approved.status(), StatusCode::OK);
    let outcome: Value = approved.json().await.unwrap();
    assert_eq!(outcome["order_state"], "provisioning");
    let detail = w
        .app
        .wait_for_order_state(&w.admin, &w.finance_order, "active")
        .await;
    assert_eq!(
        detail["approvals"][0]["decided_by"],
        "admin:session:finance.approver:approver"
    );

    let again = decide(&approver, &w.finance_order, "decline").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let audit: Value = w
        .admin
        .get("/api/v1/audit?action=approval.decide")
        .await
        .json()
        .await
        .unwrap();
    let row = &audit["items"][0];
    assert_eq!(row["actor"], "admin:session:finance.approver:approver");
    assert_eq!(row["before"]["approver"], "mfinch@example.test");
}

#[tokio::test]
async fn category_scope_limits_helpdesk_reading() {
    let w = world().await;
    w.app
        .create_admin_user(
            &w.admin,
            json!({
                "username": "desk.helper",
                "role": "helpdesk",
                "scope": { "categories": ["virtual DESKTOPS"] },
            }),
        )
        .await;
    let helper = w
        .app
        .sign_in_admin("desk.helper", "desk.helper-password-1")
        .await;
    assert_eq!(listed_orders(&helper).await, [w.desktop_order.as_str()]);
    let detail = helper
        .get(&format!("/api/v1/orders/{}", w.desktop_order))
        .await;
    assert_eq!(detail.status(), StatusCode::OK);
    // Helpdesk reads but never decides, whatever the scope.
    let refused = decide(&helper, &w.desktop_order, "approve").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn nobody_decides_their_own_order() {
    let w = world().await;
    // Jane Doe placed both orders; an admin account with her address may not decide them.
    w.app
        .create_admin_user(
            &w.admin,
            json!({ "username": "jane.admin", "role": "admin", "email": "JDoe@example.test" }),
        )
        .await;
    let jane = w
        .app
        .sign_in_admin("jane.admin", "jane.admin-password-1")
        .await;
    let refused = decide(&jane, &w.finance_order, "approve").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let detail = problem(refused).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("Separation of duties"), "{detail}");
    w.app
        .wait_for_order_state(&w.admin, &w.finance_order, "pending_approval")
        .await;

    // Without a mail address the decider is unknown, so the rule rejects the decision too.
    let refused = decide(&w.admin, &w.finance_order, "approve").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let detail = problem(refused).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("set a mail address"), "{detail}");

    // With the rule off, the same account may decide.
    common::update_security(&w.admin, |rules| {
        rules["separation_of_duties"]["forbid_self_approval"] = json!(false)
    })
    .await;
    let declined = decide(&jane, &w.desktop_order, "decline").await;
    assert_eq!(declined.status(), StatusCode::OK);
}

#[tokio::test]
async fn scoped_admin_edits_only_its_catalog() {
    let w = world().await;
    let scoped = w
        .app
        .create_admin_user(
            &w.admin,
            json!({
                "username": "app.owner",
                "role": "admin",
                "scope": { "categories": ["Applications"] },
            }),
        )
        .await;
    assert_eq!(scoped["scope"]["categories"][0], "Applications");
    let owner = w
        .app
        .sign_in_admin("app.owner", "app.owner-password-1")
        .await;

    let mut finance = w.finance.clone();
    let id = finance["id"].as_str().unwrap().to_string();
    for key in [
        "id",
        "active",
        "created_at",
        "updated_at",
        "help_html",
        "policy_problem",
    ] {
        finance.as_object_mut().unwrap().remove(key);
    }
    finance["description"] = json!("Edited by the application owner");
    let response = owner
        .put(&format!("/api/v1/asset-definitions/{id}"), &finance)
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    finance["category"] = json!("Virtual desktops");
    let response = owner
        .put(&format!("/api/v1/asset-definitions/{id}"), &finance)
        .await;
    assert_eq!(error_fields(&problem(response).await), ["category"]);

    let mut desktop = w.desktop.clone();
    let desktop_id = desktop["id"].as_str().unwrap().to_string();
    for key in [
        "id",
        "active",
        "created_at",
        "updated_at",
        "help_html",
        "policy_problem",
    ] {
        desktop.as_object_mut().unwrap().remove(key);
    }
    let response = owner
        .put(&format!("/api/v1/asset-definitions/{desktop_id}"), &desktop)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    desktop["name"] = json!("A new desktop pool");
    let response = owner.post("/api/v1/asset-definitions", &desktop).await;
    assert_eq!(error_fields(&problem(response).await), ["category"]);
}

#[tokio::test]
async fn scope_must_name_real_definitions() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let missing = uuid::Uuid::now_v7();
    let body = json!({
        "username": "lost.approver",
        "password": "lost-approver-password",
        "role": "approver",
        "email": "not an address",
        "scope": { "definitions": [missing], "categories": [" "] },
    });
    let response = admin.post("/api/v1/admin-users", &body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&problem(response).await);
    assert_eq!(fields, ["email", "scope.categories[0]"]);

    let body = json!({
        "username": "lost.approver",
        "password": "lost-approver-password",
        "role": "approver",
        "scope": { "definitions": [missing] },
    });
    let response = admin.post("/api/v1/admin-users", &body).await;
    assert_eq!(
        error_fields(&problem(response).await),
        ["scope.definitions[0]"]
    );
    let count: i64 = sqlx::query_scalar("select count(*) from admin_users")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}
