//! The detailed health report and its alerts: a component that fails two checks in a row sends
//! one mail, and one more when it has passed two checks in a row again.

mod common;

use common::{TestApp, directory, env, mail};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn component<'a>(details: &'a Value, name: &str) -> &'a Value {
    details["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == name)
        .unwrap_or_else(|| panic!("no {name} in {details}"))
}

/// Returns a port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

async fn check_now(admin: &common::Session) -> Value {
    let response = admin.post_empty("/api/v1/health/check").await;
    assert_eq!(response.status(), StatusCode::OK, "check now");
    response.json().await.unwrap()
}

/// Waits until the queued alert mails were sent, so counting them is final.
async fn wait_for_mail_jobs(app: &TestApp) {
    TestApp::eventually(20, "the alert mails to be sent", || async {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from jobs where kind = 'mail.send' and state <> 'succeeded'",
        )
        .fetch_one(&app.state.db)
        .await
        .unwrap();
        (waiting == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn ldap_alerts_once_when_failing_and_once_recovered() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let to = format!("ops-{}@example.test", uuid::Uuid::now_v7().simple());
    let response = admin
        .put("/api/v1/health/settings", &json!({ "alert_email": to }))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "save the alert address");

    let smtp = json!({
        "host": env("SMTP_HOST"),
        "port": env("SMTP_PORT").parse::<u16>().unwrap(),
        "tls": "none",
        "from": "ip·Solis <ipsolis@example.test>",
    });
    let response = admin.put("/api/v1/settings/smtp", &smtp).await;
    assert_eq!(response.status(), StatusCode::OK, "save SMTP settings");
    let mut ldap = directory::settings_body();
    let working_port = ldap["port"].clone();
    ldap["port"] = json!(closed_port());
    let response = admin.put("/api/v1/settings/ldap", &ldap).await;
    assert_eq!(response.status(), StatusCode::OK, "save LDAP settings");

    let first = check_now(&admin).await;
    assert_eq!(component(&first, "ldap")["status"], "failing");
    assert_eq!(component(&first, "smtp")["status"], "ok");
    assert_eq!(component(&first, "database")["status"], "ok");
    assert_eq!(component(&first, "oidc")["status"], "not_configured");
    assert!(component(&first, "database")["latency_ms"].is_number());
    check_now(&admin).await;
    mail::wait_for(&to, "LDAP failing").await;
    check_now(&admin).await;
    wait_for_mail_jobs(&app).await;
    assert_eq!(mail::count(&to, "LDAP failing").await, 1);
    assert_eq!(mail::count(&to, "ip·Solis:").await, 1, "only LDAP changed");

    ldap["port"] = working_port;
    let response = admin.put("/api/v1/settings/ldap", &ldap).await;
    assert_eq!(response.status(), StatusCode::OK, "fix the LDAP settings");
    let fixed = check_now(&admin).await;
    assert_eq!(component(&fixed, "ldap")["status"], "ok");
    wait_for_mail_jobs(&app).await;
    assert_eq!(
        mail::count(&to, "LDAP recovered").await,
        0,
        "one check is not enough"
    );
    check_now(&admin).await;
    mail::wait_for(&to, "LDAP recovered").await;
    check_now(&admin).await;
    wait_for_mail_jobs(&app).await;
    assert_eq!(mail::count(&to, "LDAP recovered").await, 1);
    assert_eq!(mail::count(&to, "LDAP failing").await, 1);
}

#[tokio::test]
async fn details_report_the_scheduler_and_roles() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let leader = TestApp::eventually(10, "the scheduler to lead", || async {
        let details: Value = admin
            .get("/api/v1/health/details")
            .await
            .json()
            .await
            .unwrap();
        (details["scheduler"]["this_replica_is_leader"] == true
            && details["scheduler"]["leader_last_tick"].is_string())
        .then_some(details)
    })
    .await;
    assert_eq!(
        leader["scheduler"]["leader"],
        leader["scheduler"]["this_replica"]
    );
    assert!(leader["job_backlog"].is_number());

    let checked = check_now(&admin).await;
    assert_eq!(component(&checked, "scheduler")["status"], "ok");
    assert_eq!(component(&checked, "redis")["status"], "ok");
    assert_eq!(component(&checked, "smtp")["status"], "not_configured");

    for (username, role, expected) in [
        ("audit.or", "auditor", StatusCode::OK),
        ("help.desk", "helpdesk", StatusCode::FORBIDDEN),
    ] {
        app.create_admin_user(&admin, json!({ "username": username, "role": role }))
            .await;
        let session = app
            .sign_in_admin(username, &format!("{username}-password-1"))
            .await;
        let response = session.get("/api/v1/health/details").await;
        assert_eq!(response.status(), expected, "{role}");
    }

    let public = reqwest::get(format!("{}/health", app.url)).await.unwrap();
    assert_eq!(
        public.status(),
        StatusCode::OK,
        "the public check needs no sign-in"
    );
}
