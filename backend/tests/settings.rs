//! Directory and mail settings: saving, secrets at rest and the connection tests.

mod common;

use common::{directory, env, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn ldap_password_is_encrypted_and_never_returned() {
    let (app, admin) = common::quiet_app().await;
    let saved: Value = admin
        .put("/api/v1/settings/ldap", &directory::settings_body())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["bind_password_set"], true);
    assert!(saved.get("bind_password").is_none());

    let read: Value = admin
        .get("/api/v1/settings/ldap")
        .await
        .json()
        .await
        .unwrap();
    assert!(!read.to_string().contains(&env("LDAP_BIND_PASSWORD")));

    let stored: Value = sqlx::query_scalar("select value from settings where key = 'ldap'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let secret = stored["bind_password"].as_str().unwrap();
    assert!(secret.starts_with("enc:v1:"));
    assert!(!stored.to_string().contains(&env("LDAP_BIND_PASSWORD")));

    let audit: Vec<Value> =
        sqlx::query_scalar("select after from audit_log where action = 'settings.update'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(audit[0]["bind_password"], "********");
}

#[tokio::test]
async fn ldap_test_reports_success_and_exact_failures() {
    let (_app, admin) = common::quiet_app().await;
    let body = directory::settings_body();
    let ok: Value = admin
        .post("/api/v1/settings/ldap/test", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ok["ok"], true, "{ok}");

    let mut wrong = body.clone();
    wrong["bind_password"] = json!("not-the-password");
    let failed: Value = admin
        .post("/api/v1/settings/ldap/test", &wrong)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(failed["ok"], false);
    let message = failed["message"].as_str().unwrap();
    assert!(
        message.contains("bind as cn=admin") && message.contains("49"),
        "{message}"
    );

    let mut closed = body.clone();
    closed["port"] = json!(1);
    let failed: Value = admin
        .post("/api/v1/settings/ldap/test", &closed)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("cannot connect to ldap://127.0.0.1:1"),
        "{failed}"
    );

    // A stored password is never sent to another server: changing the host without entering
    // it again is rejected.
    admin.put("/api/v1/settings/ldap", &body).await;
    let mut elsewhere = body.clone();
    elsewhere.as_object_mut().unwrap().remove("bind_password");
    elsewhere["host"] = json!("localhost");
    let response = admin.post("/api/v1/settings/ldap/test", &elsewhere).await;
    assert_eq!(error_fields(&problem(response).await), ["bind_password"]);
    let response = admin.put("/api/v1/settings/ldap", &elsewhere).await;
    assert_eq!(error_fields(&problem(response).await), ["bind_password"]);

    // Left out, the password is taken from what was saved.
    admin.put("/api/v1/settings/ldap", &body).await;
    let mut without = body.clone();
    without.as_object_mut().unwrap().remove("bind_password");
    let ok: Value = admin
        .post("/api/v1/settings/ldap/test", &without)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ok["ok"], true, "{ok}");
}

#[tokio::test]
async fn smtp_test_and_validation() {
    let (app, admin) = common::quiet_app().await;
    let body = json!({
        "host": env("SMTP_HOST"),
        "port": env("SMTP_PORT").parse::<u16>().unwrap(),
        "tls": "none",
        "username": "mailer",
        "password": "smtp-secret-value",
        "from": "IT <it@example.test>",
    });
    // The capture server offers no AUTH, so credentials fail with the server's reason and
    // the same settings without them pass.
    let refused: Value = admin
        .post("/api/v1/settings/smtp/test", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["ok"], false, "{refused}");
    let reason = refused["message"].as_str().unwrap();
    assert!(reason.contains("authentication"), "{reason}");
    let mut anonymous = body.clone();
    anonymous["username"] = json!(null);
    let ok: Value = admin
        .post("/api/v1/settings/smtp/test", &anonymous)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ok["ok"], true, "{ok}");

    let mut closed = body.clone();
    closed["port"] = json!(1);
    let failed: Value = admin
        .post("/api/v1/settings/smtp/test", &closed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(failed["ok"], false);
    assert!(
        failed["message"].as_str().unwrap().contains("127.0.0.1:1"),
        "{failed}"
    );

    let mut invalid = body.clone();
    invalid["from"] = json!("not an address");
    invalid["host"] = json!(" ");
    let response = admin.put("/api/v1/settings/smtp", &invalid).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem(response).await), ["host", "from"]);
    let rows: i64 = sqlx::query_scalar("select count(*) from settings")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows, 0);

    let saved: Value = admin
        .put("/api/v1/settings/smtp", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["password_set"], true);
    assert!(!saved.to_string().contains("smtp-secret-value"));
}

#[tokio::test]
async fn definition_input_errors_name_fields() {
    let (app, admin) = common::quiet_app().await;
    let body = json!({
        "name": "",
        "strategy": "group_access",
        "group_dns": ["Finance"],
        "approval": {"manager": {}},
        "default_duration_days": 120,
        "max_duration_days": 90,
        "justification": "required",
    });
    let response = admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem(response).await),
        ["name", "group_dns[0]", "default_duration_days"]
    );

    let mut unknown = body.clone();
    unknown["strategy"] = json!("teleport");
    let response = admin.post("/api/v1/asset-definitions", &unknown).await;
    assert_eq!(error_fields(&problem(response).await), ["strategy"]);

    let group = "cn=Finance App Access,ou=Groups,dc=example,dc=test";
    app.create_definition(&admin, "Finance app access", group)
        .await;
    let response = admin
        .post(
            "/api/v1/asset-definitions",
            &json!({
                "name": "FINANCE APP ACCESS", "strategy": "group_access", "group_dns": [group],
                "approval": {"manager": {}}, "default_duration_days": 30, "max_duration_days": 90,
                "justification": "required"
            }),
        )
        .await;
    assert_eq!(error_fields(&problem(response).await), ["name"]);
}
