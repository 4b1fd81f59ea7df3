//! The main job end to end on real services: an employee signs in through OpenID Connect,
//! orders access, the manager approves through the e-mailed link, a job adds the membership
//! in LDAP, and returning or expiry removes it.

mod common;

use common::{TestApp, directory, error_fields, mail, oidc, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const JANE_PASSWORD: &str = "JaneDoe-demo-1";
const MANAGER_EMAIL: &str = "mfinch@example.test";
const JANE_EMAIL: &str = "jdoe@example.test";

struct World {
    app: TestApp,
    admin: common::Session,
    group: String,
    definition: Value,
    name: String,
}

async fn world() -> World {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let group = directory::create_group("Finance App").await;
    let name = format!("Finance app access {}", uuid::Uuid::now_v7().simple());
    let definition = app.create_definition(&admin, &name, &group).await;
    World {
        app,
        admin,
        group,
        definition,
        name,
    }
}

async fn place_order(w: &World, employee: &common::Session) -> Value {
    let body = json!({
        "definition_id": w.definition["id"],
        "duration_days": 30,
        "justification": "Quarter close needs the ledger",
    });
    let response = employee.post("/api/v1/portal/orders", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "order placed");
    response.json().await.unwrap()
}

async fn approval_mail(w: &World, approver: &str) -> mail::Mail {
    mail::wait_for(approver, &w.name).await
}

#[tokio::test]
async fn approve_provision_and_return() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;

    let catalog: Value = employee
        .get("/api/v1/portal/catalog")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = catalog["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&w.name.as_str()), "{names:?}");

    let order = place_order(&w, &employee).await;
    let order_id = order["id"].as_str().unwrap().to_string();
    assert_eq!(order["state"], "pending_approval");
    assert_eq!(order["requester"]["email"], JANE_EMAIL);

    let request = approval_mail(&w, MANAGER_EMAIL).await;
    assert!(request.text.contains("Quarter close needs the ledger"));
    assert!(request.text.contains("Jane Doe"));
    let approve = mail::link_token(&request.text, "Approve");
    let decline = mail::link_token(&request.text, "Decline");

    let link = format!("/api/v1/approval-links/{approve}");
    let view: Value = employee.get(&link).await.json().await.unwrap();
    assert_eq!(view["decision"], "approve");
    assert_eq!(view["open"], true);
    assert_eq!(
        view["order"]["justification"],
        "Quarter close needs the ledger"
    );
    assert_eq!(view["approver"]["email"], MANAGER_EMAIL);
    // Opening the link decided nothing.
    let pending = w
        .app
        .wait_for_order_state(&w.admin, &order_id, "pending_approval")
        .await;
    assert_eq!(pending["approvals"][0]["state"], "pending");

    let manager = w.app.client();
    let decided = manager.post_empty(&link).await;
    assert_eq!(decided.status(), StatusCode::OK);
    let outcome: Value = decided.json().await.unwrap();
    assert_eq!(outcome["order_state"], "provisioning");

    let active = w
        .app
        .wait_for_order_state(&w.admin, &order_id, "active")
        .await;
    assert_eq!(
        directory::members(&w.group).await,
        vec![directory::JANE.to_string()]
    );
    let activated =
        chrono::DateTime::parse_from_rfc3339(active["order"]["activated_at"].as_str().unwrap())
            .unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(active["order"]["expires_at"].as_str().unwrap())
            .unwrap();
    assert_eq!((expires - activated).num_days(), 30);
    assert_eq!(
        active["approvals"][0]["decided_by"],
        format!("approval_link:{MANAGER_EMAIL}")
    );

    let granted = mail::wait_for(JANE_EMAIL, &format!("Access granted: {}", w.name)).await;
    assert!(granted.text.contains("active until"));

    let mine: Value = employee
        .get("/api/v1/portal/orders")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"][0]["id"], order_id.as_str());
    assert_eq!(mine["items"][0]["state"], "active");

    // The link is single-use, and the other decision is closed too.
    let again = problem(manager.post_empty(&link).await).await;
    assert_eq!(again["status"], 409);
    assert_eq!(again["current_state"], "active");
    let other = problem(
        manager
            .post_empty(&format!("/api/v1/approval-links/{decline}"))
            .await,
    )
    .await;
    assert_eq!(other["status"], 409);

    let returned = employee
        .post_empty(&format!("/api/v1/portal/orders/{order_id}/return"))
        .await;
    assert_eq!(returned.status(), StatusCode::OK);
    let completed = w
        .app
        .wait_for_order_state(&w.admin, &order_id, "completed")
        .await;
    assert!(directory::members(&w.group).await.is_empty());
    mail::wait_for(JANE_EMAIL, &format!("Access returned: {}", w.name)).await;

    let states: Vec<&str> = completed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "submitted",
            "pending_approval",
            "approved",
            "provisioning",
            "active",
            "deprovisioning",
            "completed"
        ]
    );

    let audit: Value = w
        .admin
        .get(&format!(
            "/api/v1/audit?entity_type=order&entity_id={order_id}&limit=200"
        ))
        .await
        .json()
        .await
        .unwrap();
    let actors: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert!(
        actors.contains(&"portal:user:jdoe@example.test"),
        "{actors:?}"
    );
    assert!(
        actors.contains(&"approval_link:mfinch@example.test"),
        "{actors:?}"
    );
    assert!(actors.contains(&"system:order.provision"), "{actors:?}");
    assert!(actors.contains(&"system:order.deprovision"), "{actors:?}");

    let again = problem(
        employee
            .post_empty(&format!("/api/v1/portal/orders/{order_id}/return"))
            .await,
    )
    .await;
    assert_eq!(again["status"], 409);
    assert_eq!(again["current_state"], "completed");
}

#[tokio::test]
async fn decline_rejects_and_tells_requester() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let order = place_order(&w, &employee).await;
    let order_id = order["id"].as_str().unwrap();

    let request = approval_mail(&w, MANAGER_EMAIL).await;
    let decline = mail::link_token(&request.text, "Decline");
    let response = w
        .app
        .client()
        .post_empty(&format!("/api/v1/approval-links/{decline}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let rejected = w
        .app
        .wait_for_order_state(&w.admin, order_id, "rejected")
        .await;
    assert!(rejected["order"]["closed_at"].is_string());
    assert_eq!(rejected["approvals"][0]["state"], "declined");
    mail::wait_for(JANE_EMAIL, &format!("Request declined: {}", w.name)).await;
    assert!(directory::members(&w.group).await.is_empty());

    let approve = mail::link_token(&request.text, "Approve");
    let late = problem(
        w.app
            .client()
            .post_empty(&format!("/api/v1/approval-links/{approve}"))
            .await,
    )
    .await;
    assert_eq!(late["status"], 409);
    assert_eq!(late["current_state"], "rejected");
}

#[tokio::test]
async fn expiry_check_removes_access() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let order = place_order(&w, &employee).await;
    let order_id = order["id"].as_str().unwrap();
    let request = approval_mail(&w, MANAGER_EMAIL).await;
    let approve = mail::link_token(&request.text, "Approve");
    w.app
        .client()
        .post_empty(&format!("/api/v1/approval-links/{approve}"))
        .await;
    w.app
        .wait_for_order_state(&w.admin, order_id, "active")
        .await;
    assert_eq!(directory::members(&w.group).await.len(), 1);

    // A day short of the end nothing happens; past the end the scheduler's check acts.
    w.app.state.clock.advance(chrono::Duration::days(29));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    w.app
        .wait_for_order_state(&w.admin, order_id, "active")
        .await;

    w.app.state.clock.advance(chrono::Duration::days(2));
    let completed = w
        .app
        .wait_for_order_state(&w.admin, order_id, "completed")
        .await;
    assert!(directory::members(&w.group).await.is_empty());
    let expired_event = completed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to_state"] == "deprovisioning")
        .unwrap()
        .clone();
    assert_eq!(expired_event["actor"], "system:orders.expiry_check");
    mail::wait_for(JANE_EMAIL, &format!("Access expired: {}", w.name)).await;
}

#[tokio::test]
async fn racing_decisions_have_one_outcome() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let order = place_order(&w, &employee).await;
    let order_id = order["id"].as_str().unwrap();
    let request = approval_mail(&w, MANAGER_EMAIL).await;
    let approve = format!(
        "/api/v1/approval-links/{}",
        mail::link_token(&request.text, "Approve")
    );
    let decline = format!(
        "/api/v1/approval-links/{}",
        mail::link_token(&request.text, "Decline")
    );

    let (first, second) = (w.app.client(), w.app.client());
    let (a, d, a2) = tokio::join!(
        first.post_empty(&approve),
        second.post_empty(&decline),
        first.post_empty(&approve)
    );
    let statuses = [a.status(), d.status(), a2.status()];
    let wins = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((wins, conflicts), (1, 2), "{statuses:?}");

    let detail: Value = w
        .admin
        .get(&format!("/api/v1/orders/{order_id}"))
        .await
        .json()
        .await
        .unwrap();
    let decided = detail["approvals"].as_array().unwrap();
    assert_eq!(decided.len(), 1);
    assert_ne!(decided[0]["state"], "pending");
}

#[tokio::test]
async fn special_characters_in_name_work_end_to_end() {
    let w = world().await;
    let zoe_dn = directory::dn_of(directory::ZOE_SAM).await;
    assert!(zoe_dn.contains("ller"), "{zoe_dn}");
    let employee = oidc::sign_in(&w.app, "zmueller", "ZoeMuller-demo-1").await;
    let me: Value = employee
        .get("/api/v1/portal/session")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "Zoë Müller");

    let order = place_order(&w, &employee).await;
    let order_id = order["id"].as_str().unwrap();
    let request = approval_mail(&w, MANAGER_EMAIL).await;
    assert!(request.text.contains("Zoë Müller"));
    let approve = mail::link_token(&request.text, "Approve");
    w.app
        .client()
        .post_empty(&format!("/api/v1/approval-links/{approve}"))
        .await;
    w.app
        .wait_for_order_state(&w.admin, order_id, "active")
        .await;
    assert_eq!(directory::members(&w.group).await, vec![zoe_dn]);

    employee
        .post_empty(&format!("/api/v1/portal/orders/{order_id}/return"))
        .await;
    w.app
        .wait_for_order_state(&w.admin, order_id, "completed")
        .await;
    assert!(directory::members(&w.group).await.is_empty());
}

#[tokio::test]
async fn bad_order_input_changes_nothing() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let id = w.definition["id"].clone();

    let cases = [
        (
            json!({ "definition_id": uuid::Uuid::now_v7(), "justification": "x" }),
            "definition_id",
        ),
        (
            json!({ "definition_id": id, "duration_days": 91, "justification": "x" }),
            "duration_days",
        ),
        (
            json!({ "definition_id": id, "duration_days": 0, "justification": "x" }),
            "duration_days",
        ),
        (
            json!({ "definition_id": id, "duration_days": 30 }),
            "justification",
        ),
        (
            json!({ "definition_id": id, "justification": "y".repeat(2001) }),
            "justification",
        ),
        (
            json!({ "definition_id": "not-a-uuid", "justification": "x" }),
            "definition_id",
        ),
        (
            json!({ "duration_days": 30, "justification": "x" }),
            "definition_id",
        ),
        (
            json!({ "definition_id": id, "duration_days": "thirty", "justification": "x" }),
            "duration_days",
        ),
    ];
    for (body, field) in cases {
        let response = employee.post("/api/v1/portal/orders", &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let problem = problem(response).await;
        assert_eq!(error_fields(&problem), vec![field.to_string()], "{body}");
    }

    let malformed = employee
        .http
        .post(employee.url("/api/v1/portal/orders"))
        .header("X-CSRF-Token", employee.csrf.clone().unwrap())
        .header("content-type", "application/json")
        .body("{\"definition_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    problem(malformed).await;

    let no_csrf = employee
        .http
        .post(employee.url("/api/v1/portal/orders"))
        .json(&json!({ "definition_id": id, "justification": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);

    let orders: i64 = sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&w.app.state.db)
        .await
        .unwrap();
    // Periodic tasks carry a dedupe key; no job of an order may exist.
    let jobs: i64 = sqlx::query_scalar("select count(*) from jobs where dedupe_key is null")
        .fetch_one(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!((orders, jobs), (0, 0));
}

#[tokio::test]
async fn idempotency_key_returns_the_first_order() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let body = json!({ "definition_id": w.definition["id"], "justification": "retry safe" });
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = employee
            .http
            .post(employee.url("/api/v1/portal/orders"))
            .header("X-CSRF-Token", employee.csrf.clone().unwrap())
            .header("Idempotency-Key", "order-123")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let order: Value = response.json().await.unwrap();
        ids.push(order["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids[0], ids[1]);
    let orders: i64 = sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(orders, 1);
}

#[tokio::test]
async fn tampered_and_expired_links_are_refused() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let order = place_order(&w, &employee).await;
    let request = approval_mail(&w, MANAGER_EMAIL).await;
    let approve = mail::link_token(&request.text, "Approve");

    let mut tampered = approve.clone();
    tampered.pop();
    tampered.push(if approve.ends_with('A') { 'B' } else { 'A' });
    let bad = problem(
        w.app
            .client()
            .post_empty(&format!("/api/v1/approval-links/{tampered}"))
            .await,
    )
    .await;
    assert_eq!(bad["status"], 404);

    w.app.state.clock.advance(chrono::Duration::days(15));
    let expired = problem(
        w.app
            .client()
            .post_empty(&format!("/api/v1/approval-links/{approve}"))
            .await,
    )
    .await;
    assert_eq!(expired["status"], 410);
    let order_id = order["id"].as_str().unwrap();
    w.app
        .wait_for_order_state(&w.admin, order_id, "pending_approval")
        .await;
}

async fn auto_approved_definition(w: &World, name: &str) -> Value {
    let body = json!({
        "name": format!("{name} {}", uuid::Uuid::now_v7().simple()),
        "strategy": "group_access",
        "group_dns": [w.group],
        "approval": {},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "optional",
    });
    let response = w.admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn order_active(w: &World, employee: &common::Session, definition: &Value) -> String {
    let body = json!({ "definition_id": definition["id"] });
    let order: Value = employee
        .post("/api/v1/portal/orders", &body)
        .await
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap().to_string();
    w.app.wait_for_order_state(&w.admin, &id, "active").await;
    id
}

#[tokio::test]
async fn overlapping_orders_keep_shared_membership() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let first = auto_approved_definition(&w, "Ledger read").await;
    let second = auto_approved_definition(&w, "Ledger close").await;
    let first_order = order_active(&w, &employee, &first).await;
    let second_order = order_active(&w, &employee, &second).await;
    assert_eq!(
        directory::members(&w.group).await,
        vec![directory::JANE.to_string()]
    );

    employee
        .post_empty(&format!("/api/v1/portal/orders/{first_order}/return"))
        .await;
    let ended = w
        .app
        .wait_for_order_state(&w.admin, &first_order, "completed")
        .await;
    assert_eq!(
        directory::members(&w.group).await,
        vec![directory::JANE.to_string()]
    );
    let note = ended["events"].as_array().unwrap().last().unwrap()["note"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        note.contains(&format!("still covered by order {second_order}")),
        "{note}"
    );

    employee
        .post_empty(&format!("/api/v1/portal/orders/{second_order}/return"))
        .await;
    w.app
        .wait_for_order_state(&w.admin, &second_order, "completed")
        .await;
    assert!(directory::members(&w.group).await.is_empty());
}

#[tokio::test]
async fn membership_held_before_is_left_in_place() {
    let w = world().await;
    directory::add_member(&w.group, directory::JANE).await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let definition = auto_approved_definition(&w, "Already there").await;
    let order = order_active(&w, &employee, &definition).await;

    employee
        .post_empty(&format!("/api/v1/portal/orders/{order}/return"))
        .await;
    let ended = w
        .app
        .wait_for_order_state(&w.admin, &order, "completed")
        .await;
    assert_eq!(
        directory::members(&w.group).await,
        vec![directory::JANE.to_string()]
    );
    let note = ended["events"].as_array().unwrap().last().unwrap()["note"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(note.contains("held before this order"), "{note}");
}

#[tokio::test]
async fn disabled_account_cannot_order() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "dmorgan", "DavidMorgan-demo-1").await;
    directory::set_account_control("dmorgan", "514").await;
    let body = json!({ "definition_id": w.definition["id"], "justification": "still signed in" });
    let response = employee.post("/api/v1/portal/orders", &body).await;
    directory::set_account_control("dmorgan", "512").await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let orders: i64 = sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(orders, 0);
}

#[tokio::test]
async fn cancelled_order_closes_its_links() {
    let w = world().await;
    let employee = oidc::sign_in(&w.app, "jdoe", JANE_PASSWORD).await;
    let order = place_order(&w, &employee).await;
    let order_id = order["id"].as_str().unwrap();
    let request = approval_mail(&w, MANAGER_EMAIL).await;

    let cancel = format!("/api/v1/portal/orders/{order_id}/cancel");
    let cancelled: Value = employee.post_empty(&cancel).await.json().await.unwrap();
    assert_eq!(cancelled["state"], "cancelled");
    let detail = w
        .app
        .wait_for_order_state(&w.admin, order_id, "cancelled")
        .await;
    assert_eq!(detail["approvals"][0]["state"], "superseded");

    let approve = mail::link_token(&request.text, "Approve");
    let late = problem(
        w.app
            .client()
            .post_empty(&format!("/api/v1/approval-links/{approve}"))
            .await,
    )
    .await;
    assert_eq!(late["status"], 409);
    let again = problem(employee.post_empty(&cancel).await).await;
    assert_eq!(again["current_state"], "cancelled");
}
