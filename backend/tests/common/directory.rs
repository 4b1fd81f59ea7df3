//! Direct access to the test directory, to create groups and check memberships.

use super::env;
use ldap3::{LdapConnAsync, Scope, SearchEntry};
use serde_json::{Value, json};
use std::collections::HashSet;

pub const JANE: &str = "cn=Jane Doe,ou=People,dc=example,dc=test";
/// The person whose name has a comma, a plus sign and non-ASCII letters.
pub const ZOE_SAM: &str = "zmueller";

/// The body of an LDAP settings save that points at the test directory.
pub fn settings_body() -> Value {
    let url = url::Url::parse(&env("LDAP_URL")).unwrap();
    json!({
        "host": url.host_str().unwrap(),
        "port": url.port().unwrap(),
        "tls": "none",
        "bind_dn": env("LDAP_BIND_DN"),
        "bind_password": env("LDAP_BIND_PASSWORD"),
        "base_dn": env("LDAP_BASE_DN"),
        "manager_attribute": "manager",
    })
}

async fn connect() -> ldap3::Ldap {
    let (connection, mut ldap) = LdapConnAsync::new(&env("LDAP_URL")).await.unwrap();
    ldap3::drive!(connection);
    ldap.simple_bind(&env("LDAP_BIND_DN"), &env("LDAP_BIND_PASSWORD"))
        .await
        .unwrap()
        .success()
        .unwrap();
    ldap
}

/// Creates an empty group with a unique name and returns its DN.
pub async fn create_group(label: &str) -> String {
    let cn = format!("{label} {}", uuid::Uuid::now_v7().simple());
    let dn = format!("cn={cn},ou=Groups,dc=example,dc=test");
    let mut ldap = connect().await;
    ldap.add(
        &dn,
        vec![
            ("objectClass", HashSet::from(["group"])),
            ("cn", HashSet::from([cn.as_str()])),
        ],
    )
    .await
    .unwrap()
    .success()
    .unwrap();
    dn
}

/// The `member` values of a group.
pub async fn members(group_dn: &str) -> Vec<String> {
    let mut ldap = connect().await;
    let (entries, _) = ldap
        .search(group_dn, Scope::Base, "(objectClass=*)", vec!["member"])
        .await
        .unwrap()
        .success()
        .unwrap();
    let entry = SearchEntry::construct(entries.into_iter().next().expect("group exists"));
    entry.attrs.get("member").cloned().unwrap_or_default()
}

/// Adds a member directly, as an administrator outside ip·Solis would.
pub async fn add_member(group_dn: &str, member_dn: &str) {
    let mut ldap = connect().await;
    ldap.modify(
        group_dn,
        vec![ldap3::Mod::Add("member", HashSet::from([member_dn]))],
    )
    .await
    .unwrap()
    .success()
    .unwrap();
}

/// The DN of the person with this sAMAccountName, as the directory returns it.
pub async fn dn_of(sam: &str) -> String {
    let mut ldap = connect().await;
    let filter = format!("(sAMAccountName={})", ldap3::ldap_escape(sam));
    let (entries, _) = ldap
        .search(&env("LDAP_BASE_DN"), Scope::Subtree, &filter, vec!["1.1"])
        .await
        .unwrap()
        .success()
        .unwrap();
    SearchEntry::construct(entries.into_iter().next().expect("person exists")).dn
}

/// Sets `userAccountControl` (512 enabled, 514 disabled) on the person with this account name.
pub async fn set_account_control(sam: &str, value: &str) {
    let dn = dn_of(sam).await;
    let mut ldap = connect().await;
    let change = ldap3::Mod::Replace("userAccountControl", HashSet::from([value]));
    ldap.modify(&dn, vec![change])
        .await
        .unwrap()
        .success()
        .unwrap();
}
