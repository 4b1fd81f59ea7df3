//! Conflicting-role rules: one person, known by the mail address shared by their accounts,
//! may not hold two roles the security settings name as a pair.

mod common;

use common::{Session, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn set_pairs(admin: &Session, pairs: Value) -> reqwest::Response {
    common::put_security(admin, |rules| {
        rules["separation_of_duties"]["conflicting_roles"] = pairs
    })
    .await
}

fn account(username: &str, role: &str, email: &str) -> Value {
    json!({
        "username": username,
        "password": format!("{username}-password-1"),
        "role": role,
        "email": email,
    })
}

#[tokio::test]
async fn one_person_may_not_hold_a_conflicting_pair() {
    let (_app, admin) = common::quiet_app().await;
    let saved = set_pairs(&admin, json!([{ "first": "admin", "second": "auditor" }])).await;
    assert_eq!(saved.status(), StatusCode::OK);

    let created = admin
        .post(
            "/api/v1/admin-users",
            &account("kim.admin", "admin", "kim@example.test"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let refused = admin
        .post(
            "/api/v1/admin-users",
            &account("kim.audit", "auditor", "KIM@example.test"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let detail = problem(refused).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("kim.admin"), "{detail}");

    // Another person, or a role outside the pair, is fine.
    for (username, role, email) in [
        ("lee.audit", "auditor", "lee@example.test"),
        ("kim.help", "helpdesk", "kim@example.test"),
    ] {
        let response = admin
            .post("/api/v1/admin-users", &account(username, role, email))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{username}");
    }

    // Promoting the helpdesk account to auditor would break the rule too.
    let list: Value = admin.get("/api/v1/admin-users").await.json().await.unwrap();
    let help = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "kim.help")
        .unwrap()
        .clone();
    let id = help["id"].as_str().unwrap();
    let body = json!({ "role": "auditor", "active": true, "email": "kim@example.test" });
    let response = admin.put(&format!("/api/v1/admin-users/{id}"), &body).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // A deactivated account has no role.
    let body = json!({ "role": "auditor", "active": false, "email": "kim@example.test" });
    let response = admin.put(&format!("/api/v1/admin-users/{id}"), &body).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn rule_broken_by_accounts_is_rejected() {
    let (_app, admin) = common::quiet_app().await;
    for (username, role) in [("sam.admin", "admin"), ("sam.approver", "approver")] {
        let response = admin
            .post(
                "/api/v1/admin-users",
                &account(username, role, "sam@example.test"),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let refused = set_pairs(&admin, json!([{ "first": "approver", "second": "admin" }])).await;
    let first = problem(refused).await;
    assert_eq!(
        error_fields(&first),
        ["separation_of_duties.conflicting_roles"]
    );
    let message = first["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("sam.admin and sam.approver"), "{message}");

    let refused = set_pairs(&admin, json!([{ "first": "auditor", "second": "auditor" }])).await;
    assert_eq!(
        error_fields(&problem(refused).await),
        ["separation_of_duties.conflicting_roles[0]"]
    );
    let rules: Value = admin
        .get("/api/v1/settings/security")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        rules["separation_of_duties"]["conflicting_roles"],
        json!([])
    );
}

#[tokio::test]
async fn two_racing_accounts_cannot_both_break_a_rule() {
    let (_app, admin) = common::quiet_app().await;
    let saved = set_pairs(&admin, json!([{ "first": "admin", "second": "approver" }])).await;
    assert_eq!(saved.status(), StatusCode::OK);
    for round in 0..5 {
        let email = format!("race{round}@example.test");
        let first = account(&format!("race{round}.admin"), "admin", &email);
        let second = account(&format!("race{round}.approver"), "approver", &email);
        let (a, b) = tokio::join!(
            admin.post("/api/v1/admin-users", &first),
            admin.post("/api/v1/admin-users", &second)
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "round {round}"
        );
    }
}
