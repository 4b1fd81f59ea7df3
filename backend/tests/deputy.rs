//! Orders placed by one person for another: who approves, who is notified, who can read the order, and
//! the limits and rules that apply to the person who gets the access.

mod common;

use common::{Session, TestApp, directory, error_fields, mail, oidc, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    admin: Session,
    /// Jane Doe, who places orders for colleagues.
    deputy: Session,
}

async fn world() -> World {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let deputy = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    World { app, admin, deputy }
}

fn unique(label: &str) -> String {
    format!("{label} {}", uuid::Uuid::now_v7().simple())
}

async fn definition(w: &World, name: &str, extra: Value) -> Value {
    let group = directory::create_group(name).await;
    let mut body = json!({
        "name": name,
        "category": "Deputy tests",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": {"manager": {}},
        "default_duration_days": 5,
        "max_duration_days": 30,
        "justification": "optional",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = w.admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn order_for(session: &Session, definition: &Value, account: &str) -> reqwest::Response {
    let body = json!({ "definition_id": definition["id"], "on_behalf_of": account });
    session.post("/api/v1/portal/orders", &body).await
}

async fn order_ids(session: &Session) -> Vec<String> {
    let page: Value = session
        .get("/api/v1/portal/orders?limit=100")
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

async fn count_orders(w: &World, definition: &Value) -> i64 {
    sqlx::query_scalar("select count(*) from orders where definition_id = $1")
        .bind(uuid::Uuid::parse_str(definition["id"].as_str().unwrap()).unwrap())
        .fetch_one(&w.app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn deputy_order_goes_to_colleagues_manager() {
    let w = world().await;
    let name = unique("Deputy ledger");
    let definition = definition(&w, &name, json!({})).await;

    let response = order_for(&w.deputy, &definition, "bchen").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.unwrap();
    let id = order["id"].as_str().unwrap().to_string();
    assert_eq!(order["requester"]["email"], "bchen@example.test");
    assert_eq!(order["placed_by"]["email"], "jdoe@example.test");
    assert_eq!(order["state"], "pending_approval");

    // Bo Chen's manager approves, not Jane's, and reads who placed it.
    let request = mail::wait_for("sortiz@example.test", &name).await;
    assert!(request.subject.contains("Bo Chen"), "{}", request.subject);
    let text = &request.text;
    assert!(
        text.contains("Jane Doe <jdoe@example.test> requests"),
        "{text}"
    );
    assert!(
        text.contains("on behalf of Bo Chen <bchen@example.test>"),
        "{text}"
    );
    assert_eq!(mail::count("mfinch@example.test", &name).await, 0);
    let told = mail::wait_for("bchen@example.test", &format!("Ordered for you: {name}")).await;
    assert!(told.text.contains("Jane Doe ordered"), "{}", told.text);

    let detail = w
        .app
        .wait_for_order_state(&w.admin, &id, "pending_approval")
        .await;
    let first = &detail["events"][0];
    assert_eq!(first["note"], "placed by Jane Doe on behalf of Bo Chen");
    let audited: Value = sqlx::query_scalar(
        "select after from audit_log where action = 'order.create' and entity_id = $1",
    )
    .bind(&id)
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(audited["on_behalf_of"]["email"], "bchen@example.test");

    let decided = mail::decide_by_link(&w.app, &request.text, "Approve").await;
    assert_eq!(decided.status(), StatusCode::OK);
    w.app.wait_for_order_state(&w.admin, &id, "active").await;
    let group = definition["group_dns"][0].as_str().unwrap();
    assert!(
        directory::members(group)
            .await
            .contains(&directory::dn_of("bchen").await),
        "the access goes to Bo Chen"
    );
    assert!(
        !directory::members(group)
            .await
            .contains(&directory::dn_of("jdoe").await)
    );
    let granted = mail::wait_for("bchen@example.test", &format!("Access granted: {name}")).await;
    assert_eq!(granted.cc, ["jdoe@example.test"]);
    assert!(
        granted
            .text
            .contains("Jane Doe placed this order on your behalf")
    );

    // Both see it: the deputy now, Bo Chen at his first sign-in, which takes over the portal
    // user created for him from the directory.
    assert!(order_ids(&w.deputy).await.contains(&id));
    let bo = oidc::sign_in(&w.app, "bchen", "BoChen-demo-1").await;
    assert!(order_ids(&bo).await.contains(&id));
    let users: i64 = sqlx::query_scalar(
        "select count(*) from portal_users where lower(directory_dn) = lower($1)",
    )
    .bind(directory::dn_of("bchen").await)
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(
        users, 1,
        "the first sign-in claims the row made for the order"
    );
    let seen: Value = bo
        .get(&format!("/api/v1/portal/orders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["order"]["placed_by"]["display_name"], "Jane Doe");

    // Either of them may give it back; here the person who has it.
    let returned = bo
        .post_empty(&format!("/api/v1/portal/orders/{id}/return"))
        .await;
    assert_eq!(returned.status(), StatusCode::OK);
    w.app.wait_for_order_state(&w.admin, &id, "completed").await;
    // Someone uninvolved cannot read it.
    let other = oidc::sign_in(&w.app, "akim", "AlexKim-demo-1").await;
    let hidden = other.get(&format!("/api/v1/portal/orders/{id}")).await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deputy_order_for_oneself_is_ordinary() {
    let w = world().await;
    let definition = definition(&w, &unique("Deputy self"), json!({ "approval": {} })).await;
    let response = order_for(&w.deputy, &definition, "JDOE@example.test").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let order: Value = response.json().await.unwrap();
    assert_eq!(order["requester"]["email"], "jdoe@example.test");
    assert_eq!(order["placed_by"], Value::Null);
}

#[tokio::test]
async fn deputy_cannot_approve_own_placement() {
    let w = world().await;
    let name = unique("Deputy own approval");
    let definition = definition(&w, &name, json!({})).await;
    // Martha Finch is Jane Doe's manager: ordering for Jane would make her the approver.
    let martha = oidc::sign_in(&w.app, "mfinch", "MarthaFinch-demo-1").await;
    let refused = problem(order_for(&martha, &definition, "jdoe").await).await;
    assert_eq!(refused["status"], 409);
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.contains("group Manager"), "{detail}");
    assert!(
        detail.contains("Martha Finch placed this order as deputy"),
        "{detail}"
    );
    assert!(detail.contains("separation of duties"), "{detail}");
    assert_eq!(count_orders(&w, &definition).await, 0);
    assert_eq!(mail::count("jdoe@example.test", &name).await, 0);

    // With the rule off, the same order goes to her for approval.
    common::update_security(&w.admin, |s| {
        s["separation_of_duties"]["forbid_self_approval"] = json!(false)
    })
    .await;
    let allowed = order_for(&martha, &definition, "jdoe").await;
    assert_eq!(allowed.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn deputy_invalid_account_changes_nothing() {
    let w = world().await;
    let name = unique("Deputy bad input");
    let definition = definition(&w, &name, json!({})).await;
    let audit_before = w.app.audit_count("order.create").await;
    for (account, expected) in [
        ("nobody-by-this-name", "nobody in the directory has"),
        ("bcarter", "is disabled in the directory"),
        ("j\ndoe", "without line breaks"),
    ] {
        let refused = problem(order_for(&w.deputy, &definition, account).await).await;
        assert_eq!(refused["status"], 422, "{account}: {refused}");
        assert_eq!(error_fields(&refused), ["on_behalf_of"], "{account}");
        let text = refused["errors"][0]["message"].as_str().unwrap();
        assert!(text.contains(expected), "{account}: {text}");
    }
    let long = "x".repeat(300);
    let refused = problem(order_for(&w.deputy, &definition, &long).await).await;
    assert_eq!(error_fields(&refused), ["on_behalf_of"]);
    assert_eq!(count_orders(&w, &definition).await, 0);
    assert_eq!(w.app.audit_count("order.create").await, audit_before);
    assert_eq!(mail::count("sortiz@example.test", &name).await, 0);
}

#[tokio::test]
async fn deputy_limits_count_for_requester() {
    let w = world().await;
    let definition = definition(
        &w,
        &unique("Deputy limit"),
        json!({ "approval": {}, "max_per_user": 1 }),
    )
    .await;
    let first = order_for(&w.deputy, &definition, "nsharma").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let refused = problem(order_for(&w.deputy, &definition, "nsharma").await).await;
    assert_eq!(refused["status"], 409);
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("as many open orders"),
        "{refused}"
    );
    // The deputy's own allowance is untouched.
    let own = w
        .deputy
        .post(
            "/api/v1/portal/orders",
            &json!({ "definition_id": definition["id"] }),
        )
        .await;
    assert_eq!(own.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn deputy_idempotency_key_per_sender() {
    let w = world().await;
    let definition = definition(&w, &unique("Deputy retry"), json!({ "approval": {} })).await;
    let send = |session: &Session, account: Option<&str>| {
        let mut body = json!({ "definition_id": definition["id"] });
        if let Some(account) = account {
            body["on_behalf_of"] = json!(account);
        }
        let request = session
            .http
            .post(session.url("/api/v1/portal/orders"))
            .header("X-CSRF-Token", session.csrf.clone().unwrap())
            .header("Idempotency-Key", "same-key-for-both")
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let placed: Value = send(&w.deputy, Some("oadeyemi"))
        .await
        .json()
        .await
        .unwrap();
    let again: Value = send(&w.deputy, Some("oadeyemi"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(placed["id"], again["id"]);

    let olu = oidc::sign_in(&w.app, "oadeyemi", "OluAdeyemi-demo-1").await;
    let own: Value = send(&olu, None).await.json().await.unwrap();
    assert_ne!(
        own["id"], placed["id"],
        "the same key from another sender is a new order"
    );
    assert_eq!(own["placed_by"], Value::Null);
    assert_eq!(count_orders(&w, &definition).await, 2);
}

#[tokio::test]
async fn deputy_cannot_decide_in_admin_app() {
    let w = world().await;
    let definition = definition(&w, &unique("Deputy admin decision"), json!({})).await;
    let placed: Value = order_for(&w.deputy, &definition, "bchen")
        .await
        .json()
        .await
        .unwrap();
    let id = placed["id"].as_str().unwrap();
    // Jane also approves in the admin app, under the same mail address.
    w.app
        .create_admin_user(
            &w.admin,
            json!({ "username": "jane.approver", "role": "approver", "email": "JDoe@example.test" }),
        )
        .await;
    let jane = w
        .app
        .sign_in_admin("jane.approver", "jane.approver-password-1")
        .await;
    let decision = json!({ "decision": "approve" });
    let refused = problem(
        jane.post(&format!("/api/v1/orders/{id}/decision"), &decision)
            .await,
    )
    .await;
    assert_eq!(refused["status"], 403);
    let detail = refused["detail"].as_str().unwrap();
    assert!(
        detail.contains("placed an order for someone else"),
        "{detail}"
    );
    w.app
        .wait_for_order_state(&w.admin, id, "pending_approval")
        .await;

    // Another approver may decide it.
    w.app
        .create_admin_user(
            &w.admin,
            json!({ "username": "ceo.approver", "role": "approver", "email": "cwhitmore@example.test" }),
        )
        .await;
    let other = w
        .app
        .sign_in_admin("ceo.approver", "ceo.approver-password-1")
        .await;
    let approved = other
        .post(&format!("/api/v1/orders/{id}/decision"), &decision)
        .await;
    assert_eq!(approved.status(), StatusCode::OK);
}

#[tokio::test]
async fn deputy_cancel_tells_the_requester() {
    let w = world().await;
    let name = unique("Deputy cancel");
    let definition = definition(&w, &name, json!({})).await;
    let placed: Value = order_for(&w.deputy, &definition, "bchen")
        .await
        .json()
        .await
        .unwrap();
    let id = placed["id"].as_str().unwrap();
    let cancelled = w
        .deputy
        .post_empty(&format!("/api/v1/portal/orders/{id}/cancel"))
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let told = mail::wait_for("bchen@example.test", &format!("Order cancelled: {name}")).await;
    assert_eq!(told.cc, ["jdoe@example.test"]);
    assert!(
        told.text
            .contains("cancelled before it started by Jane Doe"),
        "{}",
        told.text
    );
    let detail = w.app.wait_for_order_state(&w.admin, id, "cancelled").await;
    let last = detail["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["note"], "cancelled by Jane Doe");
}

#[tokio::test]
async fn change_mail_names_who_asked() {
    let w = world().await;
    let name = unique("Deputy change");
    let extension =
        json!({ "allowed": true, "max_days": 10, "max_count": 3, "requires_approval": true });
    let definition = definition(&w, &name, json!({ "approval": {}, "extension": extension })).await;
    let placed: Value = order_for(&w.deputy, &definition, "bchen")
        .await
        .json()
        .await
        .unwrap();
    let id = placed["id"].as_str().unwrap();
    w.app.wait_for_order_state(&w.admin, id, "active").await;
    // Bo requests it himself, so the approval mail names him alone.
    let bo = oidc::sign_in(&w.app, "bchen", "BoChen-demo-1").await;
    assert_eq!(extend(&bo, id, 2).await.status(), StatusCode::OK);
    let request = mail::wait_for("sortiz@example.test", &name).await;
    assert!(
        request
            .text
            .contains("Bo Chen <bchen@example.test> requests an extension by 2 days"),
        "{}",
        request.text
    );
    assert!(!request.text.contains("on behalf of"), "{}", request.text);
    let declined = mail::decide_by_link(&w.app, &request.text, "Decline").await;
    assert_eq!(declined.status(), StatusCode::OK);
    let told = mail::wait_for("bchen@example.test", &format!("Change declined: {name}")).await;
    assert!(
        told.text.contains("The change you asked for"),
        "{}",
        told.text
    );
    w.app.wait_for_order_state(&w.admin, id, "active").await;

    // Jane requests it for him, and the mails name her.
    assert_eq!(extend(&w.deputy, id, 3).await.status(), StatusCode::OK);
    let request = TestApp::eventually(20, "the second approval mail", || async {
        mail::all().await.into_iter().find(|m| {
            m.to.contains(&"sortiz@example.test".to_string())
                && m.subject.contains(&name)
                && m.text.contains("extension by 3 days")
        })
    })
    .await;
    assert!(
        request
            .text
            .contains("Jane Doe <jdoe@example.test> requests an extension by 3 days"),
        "{}",
        request.text
    );
    assert!(
        request.text.contains("on behalf of Bo Chen"),
        "{}",
        request.text
    );
    let approved = mail::decide_by_link(&w.app, &request.text, "Approve").await;
    assert_eq!(approved.status(), StatusCode::OK);
    let told = mail::wait_for("bchen@example.test", &format!("Change approved: {name}")).await;
    assert!(
        told.text.contains("The change Jane Doe asked for"),
        "{}",
        told.text
    );
}

async fn extend(session: &Session, id: &str, days: i32) -> reqwest::Response {
    let path = format!("/api/v1/portal/orders/{id}/extend");
    session.post(&path, &json!({ "days": days })).await
}
