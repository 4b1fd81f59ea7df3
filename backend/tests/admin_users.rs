//! Admin user management: roles, guards on one's own account and on the last superadmin,
//! and sessions that end when a password, role or active flag changes.

mod common;

use common::{Session, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn create_user(admin: &Session, username: &str, role: &str) -> Value {
    let body =
        json!({ "username": username, "password": format!("{username}-password-1"), "role": role });
    let response = admin.post("/api/v1/admin-users", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "create {username}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn create_list_and_duplicate() {
    let (_app, admin) = common::quiet_app().await;
    let user = create_user(&admin, "auditor.one", "auditor").await;
    assert_eq!(user["role"], "auditor");
    assert!(user.get("password_hash").is_none());

    let list: Value = admin.get("/api/v1/admin-users").await.json().await.unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["auditor.one", "root.admin"]);

    let again =
        json!({ "username": "Auditor.One", "password": "another-password", "role": "admin" });
    let response = admin.post("/api/v1/admin-users", &again).await;
    assert_eq!(error_fields(&problem(response).await), ["username"]);
}

#[tokio::test]
async fn role_change_ends_that_users_sessions() {
    let (app, admin) = common::quiet_app().await;
    let user = create_user(&admin, "helper", "admin").await;
    let session = app.sign_in_admin("helper", "helper-password-1").await;
    assert_eq!(session.get("/api/v1/orders").await.status(), StatusCode::OK);

    let id = user["id"].as_str().unwrap();
    let body = json!({ "role": "helpdesk", "active": true });
    assert_eq!(
        admin
            .put(&format!("/api/v1/admin-users/{id}"), &body)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        session.get("/api/v1/orders").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let again = app.sign_in_admin("helper", "helper-password-1").await;
    let response = again.get("/api/v1/settings/ldap").await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "helpdesk cannot read settings"
    );
}

#[tokio::test]
async fn own_account_cannot_be_demoted_or_deleted() {
    let (_app, admin) = common::quiet_app().await;
    let me: Value = admin
        .get("/api/v1/auth/session")
        .await
        .json()
        .await
        .unwrap();
    let id = me["user_id"].as_str().unwrap();

    let demote = admin
        .put(
            &format!("/api/v1/admin-users/{id}"),
            &json!({ "role": "admin", "active": true }),
        )
        .await;
    assert_eq!(demote.status(), StatusCode::CONFLICT);
    let deactivate = admin
        .put(
            &format!("/api/v1/admin-users/{id}"),
            &json!({ "role": "superadmin", "active": false }),
        )
        .await;
    assert_eq!(deactivate.status(), StatusCode::CONFLICT);
    let delete = admin
        .http
        .delete(admin.url(&format!("/api/v1/admin-users/{id}")))
        .header("X-CSRF-Token", admin.csrf.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn racing_demotions_keep_one_superadmin() {
    let (app, first) = common::quiet_app().await;
    let other = create_user(&first, "second.root", "superadmin").await;
    let second = app
        .sign_in_admin("second.root", "second.root-password-1")
        .await;
    let me: Value = first
        .get("/api/v1/auth/session")
        .await
        .json()
        .await
        .unwrap();
    let first_id = me["user_id"].as_str().unwrap().to_string();
    let second_id = other["id"].as_str().unwrap().to_string();

    let demote = json!({ "role": "admin", "active": true });
    let first_path = format!("/api/v1/admin-users/{second_id}");
    let second_path = format!("/api/v1/admin-users/{first_id}");
    let (a, b) = tokio::join!(
        first.put(&first_path, &demote),
        second.put(&second_path, &demote)
    );
    // The loser either finds the other superadmin the last one (409), or was demoted first
    // and its session ended with that (401).
    let statuses = [a.status(), b.status()];
    let wins = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(wins, 1, "{statuses:?}");
    let loser = statuses.into_iter().find(|s| *s != StatusCode::OK).unwrap();
    assert!(
        loser == StatusCode::CONFLICT || loser == StatusCode::UNAUTHORIZED,
        "{loser}"
    );

    let superadmins: i64 =
        sqlx::query_scalar("select count(*) from admin_users where role = 'superadmin' and active")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(superadmins, 1);
}

#[tokio::test]
async fn password_changes_end_other_sessions() {
    let (app, admin) = common::quiet_app().await;
    let other_browser = app
        .sign_in_admin("root.admin", "correct-horse-battery")
        .await;

    let body =
        json!({ "current_password": "wrong-password-x", "new_password": "a-brand-new-password" });
    assert_eq!(
        admin.post("/api/v1/auth/password", &body).await.status(),
        StatusCode::FORBIDDEN
    );
    let short = json!({ "current_password": "correct-horse-battery", "new_password": "short" });
    let response = admin.post("/api/v1/auth/password", &short).await;
    assert_eq!(error_fields(&problem(response).await), ["new_password"]);

    let body = json!({ "current_password": "correct-horse-battery", "new_password": "a-brand-new-password" });
    let response = admin.post("/api/v1/auth/password", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        admin.get("/api/v1/orders").await.status(),
        StatusCode::OK,
        "this session continues"
    );
    assert_eq!(
        other_browser.get("/api/v1/orders").await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.sign_in_admin("root.admin", "a-brand-new-password")
        .await;
}

#[tokio::test]
async fn only_superadmins_manage_users() {
    let (app, admin) = common::quiet_app().await;
    create_user(&admin, "plain.admin", "admin").await;
    let session = app
        .sign_in_admin("plain.admin", "plain.admin-password-1")
        .await;
    assert_eq!(
        session.get("/api/v1/admin-users").await.status(),
        StatusCode::FORBIDDEN
    );
    let body =
        json!({ "username": "sneaky", "password": "sneaky-password-1", "role": "superadmin" });
    assert_eq!(
        session.post("/api/v1/admin-users", &body).await.status(),
        StatusCode::FORBIDDEN
    );
}
