//! Kept directory connections: lookups reuse a bound connection, a broken one is replaced,
//! and new directory settings apply to the very next order.

mod common;

use common::proxy::BreakingProxy;
use common::{Options, TestApp, directory, oidc, problem};
use ipsolis::integrations::directory::{ConnectionPool, Directory};
use ipsolis::settings::LdapConfig;
use reqwest::StatusCode;
use serde_json::json;
use shared::settings::LdapTls;

fn config(port: u16) -> LdapConfig {
    let url = url::Url::parse(&common::env("LDAP_URL")).unwrap();
    LdapConfig {
        host: url.host_str().unwrap().into(),
        port,
        tls: LdapTls::None,
        bind_dn: common::env("LDAP_BIND_DN"),
        bind_password: Some(common::env("LDAP_BIND_PASSWORD")),
        base_dn: common::env("LDAP_BASE_DN"),
        manager_attribute: "manager".into(),
    }
}

fn upstream() -> (String, u16) {
    let url = url::Url::parse(&common::env("LDAP_URL")).unwrap();
    let port = url.port().unwrap();
    (format!("{}:{port}", url.host_str().unwrap()), port)
}

#[tokio::test]
async fn pool_replaces_broken_connection() {
    let (address, _) = upstream();
    let proxy = BreakingProxy::start(address).await;
    let pool = ConnectionPool::default();
    let directory = Directory::pooled(config(proxy.port), pool.clone());

    for _ in 0..3 {
        let jane = directory.person_by_dn(directory::JANE).await.unwrap();
        assert_eq!(jane.email.as_deref(), Some("jdoe@example.test"));
    }
    assert_eq!(proxy.accepted(), 1, "three lookups share one connection");
    assert_eq!(pool.idle(), 1);

    // The kept connection still looks open, and breaks at the next request.
    proxy.break_open_connections();
    let jane = directory.person_by_dn(directory::JANE).await.unwrap();
    assert_eq!(jane.dn, directory::JANE);
    assert_eq!(proxy.accepted(), 2, "the broken connection was replaced");
    assert_eq!(pool.idle(), 1);

    // A missing entry is a server reply, not a broken connection, so the connection is kept.
    let missing = "cn=Nobody Here,ou=People,dc=example,dc=test";
    assert!(directory.person_by_dn(missing).await.is_err());
    directory.person_by_dn(directory::JANE).await.unwrap();
    assert_eq!(proxy.accepted(), 2);
}

#[tokio::test]
async fn new_settings_close_kept_connections() {
    let (address, port) = upstream();
    let proxy = BreakingProxy::start(address).await;
    let pool = ConnectionPool::default();
    let through_proxy = Directory::pooled(config(proxy.port), pool.clone());
    through_proxy.person_by_dn(directory::JANE).await.unwrap();
    assert_eq!(proxy.accepted(), 1);

    let direct = Directory::pooled(config(port), pool.clone());
    direct.person_by_dn(directory::JANE).await.unwrap();
    assert_eq!(
        pool.idle(),
        1,
        "only the connection of the newest settings is kept"
    );

    through_proxy.person_by_dn(directory::JANE).await.unwrap();
    assert_eq!(
        proxy.accepted(),
        2,
        "the old settings' connection was not reused"
    );
}

#[tokio::test]
async fn saved_settings_apply_to_next_order() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let group = directory::create_group("Settings Change").await;
    let name = format!("Settings change access {}", uuid::Uuid::now_v7().simple());
    let definition = app.create_definition(&admin, &name, &group).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let body = json!({ "definition_id": definition["id"], "justification": "settings test" });

    let placed = employee.post("/api/v1/portal/orders", &body).await;
    assert_eq!(placed.status(), StatusCode::CREATED);

    // With a manager attribute that no entry has, the next order finds no approver.
    let mut ldap = directory::settings_body();
    ldap["manager_attribute"] = json!("secretary");
    let saved = admin.put("/api/v1/settings/ldap", &ldap).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let refused = employee.post("/api/v1/portal/orders", &body).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let detail = problem(refused).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("names no manager"), "{detail}");

    let saved = admin
        .put("/api/v1/settings/ldap", &directory::settings_body())
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let placed = employee.post("/api/v1/portal/orders", &body).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
}
