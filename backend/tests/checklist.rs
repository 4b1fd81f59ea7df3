//! The setup checklist: all pending on a fresh installation, all done once everything is set
//! up against the real test services, and broken when a configured server stops responding.

mod common;

use common::{Session, TestApp, env};
use reqwest::StatusCode;
use serde_json::{Value, json};

const CHECKLIST: &str = "/api/v1/setup/checklist";

/// A 2×2 PNG image.
const PNG: [u8; 74] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0,
    0, 0, 114, 182, 13, 36, 0, 0, 0, 17, 73, 68, 65, 84, 120, 156, 99, 144, 143, 95, 247, 31, 132,
    25, 96, 12, 0, 72, 64, 8, 173, 13, 127, 97, 207, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

async fn checklist(admin: &Session) -> Value {
    let response = admin.get(CHECKLIST).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Returns the item with `id`.
#[track_caller]
fn item<'a>(checklist: &'a Value, id: &str) -> &'a Value {
    checklist["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == id)
        .unwrap_or_else(|| panic!("no item {id} in {checklist}"))
}

/// Returns (id, status) of every item, in order.
fn statuses(checklist: &Value) -> Vec<(String, String)> {
    checklist["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["id"].as_str().unwrap().to_string(),
                item["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[track_caller]
fn assert_status(checklist: &Value, id: &str, status: &str) {
    let item = item(checklist, id);
    assert_eq!(item["status"], status, "{item}");
}

/// Starts a TCP listener that accepts connections and drops them, which is all the SIEM
/// check of a syslog receiver needs; returns its endpoint.
async fn syslog_receiver() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("tcp://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((connection, _)) = listener.accept().await {
            drop(connection);
        }
    });
    endpoint
}

async fn set_up_everything(app: &TestApp, admin: &Session) -> Value {
    app.configure_services(admin).await;
    let body = json!({ "title": "Contoso IT", "logo_position": "left" });
    let response = admin.put("/api/v1/settings/general", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = admin
        .put_bytes("/api/v1/settings/general/logo", "image/png", PNG.to_vec())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let group = "cn=Finance App Access,ou=Groups,dc=example,dc=test";
    let definition = app.create_definition(admin, "Finance app", group).await;
    let teams = json!({ "enabled": true, "webhook_url": "https://hooks.example.test/teams" });
    let response = admin.put("/api/v1/settings/teams", &teams).await;
    assert_eq!(response.status(), StatusCode::OK);
    let siem = json!({ "enabled": true, "format": "syslog", "endpoint": syslog_receiver().await });
    let response = admin.put("/api/v1/settings/siem", &siem).await;
    assert_eq!(response.status(), StatusCode::OK);
    let token =
        json!({ "name": "inventory-sync", "scopes": ["orders:read"], "expires_in_days": 30 });
    let response = admin.post("/api/v1/tokens", &token).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    definition
}

#[tokio::test]
async fn fresh_installation_is_all_pending() {
    let (_app, admin) = common::quiet_app().await;
    let checklist = checklist(&admin).await;
    let expected = [
        "branding",
        "smtp",
        "directory",
        "portal_sign_in",
        "asset_definitions",
        "pool_assets",
        "chat_channel",
        "siem",
        "api_tokens",
    ];
    let found = statuses(&checklist);
    let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, expected);
    for (id, status) in &found {
        assert_eq!(status, "pending", "{id}");
    }
    assert_eq!(checklist["complete"], false);

    let essential: Vec<&str> = checklist["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["importance"] == "essential")
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(essential, &expected[..6]);
    assert_eq!(
        item(&checklist, "smtp")["fix_path"],
        "/ui/settings#smtp-heading"
    );
    assert_eq!(item(&checklist, "api_tokens")["fix_path"], "/ui/tokens");
    let detail = item(&checklist, "portal_sign_in")["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("Portal sign-in is off"), "{detail}");
}

#[tokio::test]
async fn configured_installation_is_complete() {
    let (app, admin) = common::quiet_app().await;
    set_up_everything(&app, &admin).await;

    let checklist = checklist(&admin).await;
    for (id, status) in statuses(&checklist) {
        assert_eq!(status, "done", "{id}: {}", item(&checklist, &id));
    }
    assert_eq!(checklist["complete"], true);
    let smtp = item(&checklist, "smtp")["detail"].as_str().unwrap();
    assert!(
        smtp.contains(&env("SMTP_PORT")),
        "the live check's message: {smtp}"
    );
    let pool = item(&checklist, "pool_assets")["detail"].as_str().unwrap();
    assert!(pool.contains("capacity-pooled"), "{pool}");

    // A definition that assigns instances needs one in the pool.
    let group = "cn=Finance App Access,ou=Groups,dc=example,dc=test";
    let body = json!({
        "name": "Jump host", "strategy": "group_access", "group_dns": [group],
        "approval": {"manager": {}}, "default_duration_days": 30, "max_duration_days": 90,
        "justification": "off", "assignment": "assigned_personal",
    });
    let response = admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let jump_host: Value = response.json().await.unwrap();
    let checklist_now = self::checklist(&admin).await;
    assert_status(&checklist_now, "pool_assets", "pending");
    let detail = item(&checklist_now, "pool_assets")["detail"]
        .as_str()
        .unwrap();
    assert_eq!(detail, "No instances in the pool for “Jump host”.");
    assert_eq!(checklist_now["complete"], false);

    let asset = json!({ "definition_id": jump_host["id"], "name": "jump-01" });
    let response = admin.post("/api/v1/assets", &asset).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let checklist_now = self::checklist(&admin).await;
    assert_status(&checklist_now, "pool_assets", "done");
    assert_eq!(checklist_now["complete"], true);
}

#[tokio::test]
async fn closed_smtp_port_is_broken() {
    let (app, admin) = common::quiet_app().await;
    set_up_everything(&app, &admin).await;

    // Nothing listens on port 1 of this machine.
    let smtp = json!({
        "host": "127.0.0.1",
        "port": 1,
        "tls": "none",
        "from": "ip·Solis <ipsolis@example.test>",
    });
    let response = admin.put("/api/v1/settings/smtp", &smtp).await;
    assert_eq!(response.status(), StatusCode::OK);

    let started = std::time::Instant::now();
    let checklist = checklist(&admin).await;
    assert_status(&checklist, "smtp", "broken");
    let detail = item(&checklist, "smtp")["detail"].as_str().unwrap();
    assert!(detail.contains("127.0.0.1:1"), "{detail}");
    assert_eq!(checklist["complete"], false);
    assert_status(&checklist, "directory", "done");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the live checks stay within their timeout"
    );

    // A directory whose password no longer works is broken too, with the server's reason.
    let mut ldap = common::directory::settings_body();
    ldap["bind_password"] = json!("not-the-password");
    let response = admin.put("/api/v1/settings/ldap", &ldap).await;
    assert_eq!(response.status(), StatusCode::OK);
    let checklist = self::checklist(&admin).await;
    assert_status(&checklist, "directory", "broken");
    let detail = item(&checklist, "directory")["detail"].as_str().unwrap();
    assert!(detail.contains("bind as"), "{detail}");

    // Fixed settings are checked again at once, without waiting for the cached result to
    // expire.
    app.configure_services(&admin).await;
    let checklist = self::checklist(&admin).await;
    assert_status(&checklist, "smtp", "done");
    assert_status(&checklist, "directory", "done");
    assert_eq!(checklist["complete"], true);
}

#[tokio::test]
async fn checklist_needs_settings_read() {
    let (app, admin) = common::quiet_app().await;
    app.create_admin_user(
        &admin,
        json!({ "username": "help.desk", "role": "helpdesk" }),
    )
    .await;
    let helpdesk = app.sign_in_admin("help.desk", "help.desk-password-1").await;
    assert_eq!(
        helpdesk.get(CHECKLIST).await.status(),
        StatusCode::FORBIDDEN
    );
    let anonymous = app.client();
    assert_eq!(
        anonymous.get(CHECKLIST).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
