//! The LDAP / Active Directory client: finding people and their managers, and changing group
//! membership. Filter values are escaped per RFC 4515 (`ldap_escape`); DNs are used exactly as
//! the directory returned them, which is the RFC 4514 form the server expects back.

use crate::settings::LdapConfig;
use ldap3::{
    Ldap, LdapConnAsync, LdapConnSettings, LdapError, Mod, Scope, SearchEntry, ldap_escape,
};
use shared::settings::LdapTls;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

/// LDAP result codes this client handles by name (RFC 4511, section 4.1.9).
const RC_NO_SUCH_ATTRIBUTE: u32 = 16;
const RC_ATTRIBUTE_OR_VALUE_EXISTS: u32 = 20;
const RC_NO_SUCH_OBJECT: u32 = 32;
const RC_ENTRY_ALREADY_EXISTS: u32 = 68;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("cannot connect to {url}: {source}")]
    Connect { url: String, source: LdapError },
    #[error("bind as {dn} failed: {message}")]
    Bind { dn: String, message: String },
    #[error("{operation} failed: {message}")]
    Operation {
        operation: String,
        message: String,
        /// Set when the connection broke, rather than the server replying with an error.
        connection_lost: bool,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Ambiguous(String),
    #[error("the change to {group} did not take effect: {detail}")]
    NotVerified { group: String, detail: String },
}

/// A person as found in the directory.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryPerson {
    pub dn: String,
    /// Set when Active Directory's `userAccountControl` marks the account disabled.
    pub disabled: bool,
    pub display_name: String,
    pub email: Option<String>,
    pub user_principal_name: Option<String>,
    pub manager_dn: Option<String>,
}

/// Whether a membership change did something or found it already done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipChange {
    Changed,
    AlreadyInPlace,
}

pub struct Directory {
    config: LdapConfig,
    pool: Option<ConnectionPool>,
}

/// How many bound connections a process keeps open between lookups.
const MAX_IDLE: usize = 16;
/// An idle connection older than this is closed rather than reused, so a connection that a
/// firewall or the server dropped without a word is not waited on.
const MAX_IDLE_AGE: Duration = Duration::from_secs(60);

/// Bound directory connections kept open between lookups, so an order does not connect and
/// bind anew for each person it reads. The connections belong to the settings they were bound
/// with: a lookup with other settings (an administrator saved new ones) closes them all. A
/// connection that turns out to be broken when it is used is replaced by a new one, once.
#[derive(Clone, Default)]
pub struct ConnectionPool {
    inner: Arc<Mutex<Idle>>,
}

#[derive(Default)]
struct Idle {
    /// The settings the idle connections were bound with.
    config: Option<LdapConfig>,
    connections: Vec<(Instant, Ldap)>,
}

impl ConnectionPool {
    /// Takes an open idle connection bound with `config`, if there is one.
    fn take(&self, config: &LdapConfig) -> Option<Ldap> {
        let mut idle = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if idle.config.as_ref() != Some(config) {
            idle.connections.clear();
            idle.config = Some(config.clone());
            return None;
        }
        while let Some((since, mut ldap)) = idle.connections.pop() {
            if since.elapsed() < MAX_IDLE_AGE && !ldap.is_closed() {
                return Some(ldap);
            }
        }
        None
    }

    /// Keeps a connection for the next lookup; it is closed instead when the settings changed
    /// meanwhile or enough connections are idle.
    fn give_back(&self, config: &LdapConfig, ldap: Ldap) {
        let mut idle = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if idle.config.as_ref() == Some(config) && idle.connections.len() < MAX_IDLE {
            idle.connections.push((Instant::now(), ldap));
        }
    }

    /// Returns the number of idle connections.
    pub fn idle(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .connections
            .len()
    }
}

/// Returns whether the connection can serve the next lookup after a call ended with `result`.
fn reusable<T>(result: &Result<T, DirectoryError>) -> bool {
    matches!(
        result,
        Ok(_) | Err(DirectoryError::NotFound(_) | DirectoryError::Ambiguous(_))
    )
}

/// Returns whether a call failed because its connection broke.
fn connection_lost<T>(result: &Result<T, DirectoryError>) -> bool {
    matches!(
        result,
        Err(DirectoryError::Operation {
            connection_lost: true,
            ..
        })
    )
}

/// Runs `$body` with `$ldap` bound to a connection from [`Directory::checkout`]. When a reused
/// connection turns out to be broken, it is dropped and `$body` runs again on a new connection.
/// A failure on a new connection is returned as it is.
macro_rules! on_connection {
    ($directory:expr, |$ldap:ident| $body:block) => {{
        let directory: &Directory = $directory;
        let (mut connection, mut reused) = directory.checkout().await?;
        loop {
            let result = async {
                let $ldap: &mut Ldap = &mut connection;
                $body
            }
            .await;
            if reused && connection_lost(&result) {
                if let Err(error) = &result {
                    tracing::info!(%error, "a kept directory connection broke, connecting again");
                }
                connection = directory.connect().await?;
                reused = false;
                continue;
            }
            directory.check_in(connection, &result).await;
            break result;
        }
    }};
}

/// Builds the error of a failed LDAP call and records whether the connection broke.
fn failed(operation: impl Into<String>, error: LdapError) -> DirectoryError {
    let connection_lost = !matches!(
        error,
        LdapError::LdapResult { .. } | LdapError::Timeout { .. }
    );
    DirectoryError::Operation {
        operation: operation.into(),
        message: error.to_string(),
        connection_lost,
    }
}

fn result_message(result: &ldap3::LdapResult) -> String {
    let mut message = format!("result code {}", result.rc);
    if !result.text.is_empty() {
        message.push_str(&format!(": {}", result.text));
    }
    message
}

/// The ACCOUNTDISABLE flag of `userAccountControl`.
const ACCOUNT_DISABLED: i64 = 0x2;

fn has_value(entry: &SearchEntry, attribute: &str, value: &str) -> bool {
    entry
        .attrs
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .flat_map(|(_, values)| values)
        .any(|v| v.eq_ignore_ascii_case(value))
}

fn first(entry: &SearchEntry, attribute: &str) -> Option<String> {
    entry
        .attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .and_then(|(_, values)| values.first().cloned())
}

impl Directory {
    /// A client that connects and binds for each call, as a settings test must.
    pub fn new(config: LdapConfig) -> Directory {
        Directory { config, pool: None }
    }

    /// Creates a client that reuses the bound connections of `pool`.
    pub fn pooled(config: LdapConfig, pool: ConnectionPool) -> Directory {
        Directory {
            config,
            pool: Some(pool),
        }
    }

    /// Takes a bound connection: an idle one of the pool when there is one (`true`), else a new one.
    async fn checkout(&self) -> Result<(Ldap, bool), DirectoryError> {
        if let Some(ldap) = self.pool.as_ref().and_then(|pool| pool.take(&self.config)) {
            return Ok((ldap, true));
        }
        Ok((self.connect().await?, false))
    }

    /// Keeps a connection for the next call when it is pooled and the call ended well enough,
    /// otherwise closes it.
    async fn check_in<T>(&self, mut ldap: Ldap, result: &Result<T, DirectoryError>) {
        match &self.pool {
            Some(pool) if reusable(result) => pool.give_back(&self.config, ldap),
            _ => {
                let _ = ldap.unbind().await;
            }
        }
    }

    pub fn url(&self) -> String {
        let scheme = match self.config.tls {
            LdapTls::Ldaps => "ldaps",
            LdapTls::None | LdapTls::Starttls => "ldap",
        };
        format!("{scheme}://{}:{}", self.config.host, self.config.port)
    }

    /// Connects and binds with the service account.
    pub async fn connect(&self) -> Result<Ldap, DirectoryError> {
        let url = self.url();
        let settings = LdapConnSettings::new()
            .set_conn_timeout(TIMEOUT)
            .set_starttls(self.config.tls == LdapTls::Starttls);
        let (connection, mut ldap) =
            LdapConnAsync::with_settings(settings, &url)
                .await
                .map_err(|source| DirectoryError::Connect {
                    url: url.clone(),
                    source,
                })?;
        ldap3::drive!(connection);

        let password = self.config.bind_password.as_deref().unwrap_or("");
        let bound = ldap
            .with_timeout(TIMEOUT)
            .simple_bind(&self.config.bind_dn, password)
            .await
            .map_err(|e| DirectoryError::Bind {
                dn: self.config.bind_dn.clone(),
                message: e.to_string(),
            })?;
        if bound.rc != 0 {
            return Err(DirectoryError::Bind {
                dn: self.config.bind_dn.clone(),
                message: result_message(&bound),
            });
        }
        Ok(ldap)
    }

    /// Binds and reads the base DN, reporting what was found or the exact failure.
    pub async fn test(&self) -> Result<String, DirectoryError> {
        let mut ldap = self.connect().await?;
        let (entries, _) = ldap
            .with_timeout(TIMEOUT)
            .search(
                &self.config.base_dn,
                Scope::Base,
                "(objectClass=*)",
                vec!["1.1"],
            )
            .await
            .and_then(|r| r.success())
            .map_err(|e| failed(format!("reading the base DN {}", self.config.base_dn), e))?;
        let _ = ldap.unbind().await;
        if entries.is_empty() {
            return Err(DirectoryError::NotFound(format!(
                "the base DN {} was not found",
                self.config.base_dn
            )));
        }
        Ok(format!(
            "Connected to {} as {} and read {}.",
            self.url(),
            self.config.bind_dn,
            self.config.base_dn
        ))
    }

    /// Returns the attribute that contains a person's manager.
    pub fn manager_attribute(&self) -> &str {
        &self.config.manager_attribute
    }

    fn person_attributes(&self) -> Vec<String> {
        vec![
            "displayName".into(),
            "cn".into(),
            "mail".into(),
            "userPrincipalName".into(),
            "objectClass".into(),
            "userAccountControl".into(),
            self.config.manager_attribute.clone(),
        ]
    }

    fn person(&self, entry: SearchEntry) -> DirectoryPerson {
        let disabled = first(&entry, "userAccountControl")
            .and_then(|v| v.parse::<i64>().ok())
            .is_some_and(|flags| flags & ACCOUNT_DISABLED != 0);
        DirectoryPerson {
            disabled,
            display_name: first(&entry, "displayName")
                .or_else(|| first(&entry, "cn"))
                .unwrap_or_else(|| entry.dn.clone()),
            email: first(&entry, "mail"),
            user_principal_name: first(&entry, "userPrincipalName"),
            manager_dn: first(&entry, &self.config.manager_attribute),
            dn: entry.dn,
        }
    }

    /// Finds the one person whose `mail` or `userPrincipalName` is one of `identifiers`.
    pub async fn find_person(
        &self,
        identifiers: &[&str],
    ) -> Result<DirectoryPerson, DirectoryError> {
        let mut unique: Vec<&str> = identifiers.to_vec();
        unique.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        let clauses: String = unique
            .iter()
            .map(|id| {
                let escaped = ldap_escape(*id);
                format!("(mail={escaped})(userPrincipalName={escaped})")
            })
            .collect();
        self.one_person(&clauses, &unique.join(" or ")).await
    }

    /// Finds the one person whose account name (`sAMAccountName`), `mail` or
    /// `userPrincipalName` is `value`, as typed into a directory-user field.
    pub async fn find_account(&self, value: &str) -> Result<DirectoryPerson, DirectoryError> {
        let escaped = ldap_escape(value);
        let clauses =
            format!("(sAMAccountName={escaped})(mail={escaped})(userPrincipalName={escaped})");
        self.one_person(&clauses, value).await
    }

    /// Searches people matching any of the filter `clauses` and expects exactly one.
    async fn one_person(
        &self,
        clauses: &str,
        described: &str,
    ) -> Result<DirectoryPerson, DirectoryError> {
        // Computer accounts are `user` objects too in Active Directory; they are dropped
        // below by their object classes, because a filter on a class the server does not
        // define (OpenLDAP has no `computer`) evaluates to Undefined and matches nothing.
        let filter = format!("(&(objectClass=user)(|{clauses}))");
        let entries = on_connection!(self, |ldap| {
            ldap.with_timeout(TIMEOUT)
                .search(
                    &self.config.base_dn,
                    Scope::Subtree,
                    &filter,
                    self.person_attributes(),
                )
                .await
                .and_then(|r| r.success())
                .map(|(entries, _)| entries)
                .map_err(|e| failed("searching for the person", e))
        })?;

        let mut people: Vec<DirectoryPerson> = entries
            .into_iter()
            .map(SearchEntry::construct)
            .filter(|e| !has_value(e, "objectClass", "computer"))
            .map(|e| self.person(e))
            .collect();
        match people.len() {
            0 => Err(DirectoryError::NotFound(format!(
                "nobody with the account name, e-mail address or user principal name {described} is in the directory"
            ))),
            1 => Ok(people.remove(0)),
            n => Err(DirectoryError::Ambiguous(format!(
                "{n} directory entries match {described}; each person needs a unique mail and UPN"
            ))),
        }
    }

    /// Returns whether the entry at `member_dn` belongs to one of `group_dns`, directly or
    /// through groups inside groups; see [`Directory::memberships_among`].
    pub async fn is_nested_member(
        &self,
        member_dn: &str,
        group_dns: &[String],
    ) -> Result<bool, DirectoryError> {
        Ok(!self
            .memberships_among(member_dn, group_dns)
            .await?
            .is_empty())
    }

    /// Returns those of `group_dns` that the entry at `member_dn` belongs to, directly or
    /// through groups inside groups, up to ten levels deep. Group DNs that do not exist are
    /// skipped. DNs are compared in the form the server returns, so escaping differences in
    /// the configured values do not matter.
    pub async fn memberships_among(
        &self,
        member_dn: &str,
        group_dns: &[String],
    ) -> Result<HashSet<String>, DirectoryError> {
        const MAX_DEPTH: usize = 10;
        if group_dns.is_empty() {
            return Ok(HashSet::new());
        }
        on_connection!(self, |ldap| {
            let mut held = HashSet::new();
            // The server's form of each DN, mapped to the configured values it stands for.
            let mut targets: HashMap<String, Vec<&String>> = HashMap::new();
            for dn in group_dns {
                let found = ldap
                    .with_timeout(TIMEOUT)
                    .search(dn, Scope::Base, "(objectClass=*)", vec!["1.1"])
                    .await
                    .and_then(|r| r.success());
                match found {
                    Ok((entries, _)) => {
                        for entry in entries {
                            let key = SearchEntry::construct(entry).dn.to_lowercase();
                            targets.entry(key).or_default().push(dn);
                        }
                    }
                    Err(LdapError::LdapResult { result }) if result.rc == 32 => {
                        tracing::warn!(group_dn = %dn, "an eligible group does not exist in the directory");
                    }
                    Err(e) => return Err(failed(format!("reading {dn}"), e)),
                }
            }
            let mut seen = HashSet::new();
            let mut frontier = vec![member_dn.to_string()];
            for _ in 0..MAX_DEPTH {
                if targets.is_empty() {
                    break;
                }
                let mut next = Vec::new();
                for dn in &frontier {
                    let filter = format!("(&(objectClass=group)(member={}))", ldap_escape(dn));
                    let (entries, _) = ldap
                        .with_timeout(TIMEOUT)
                        .search(&self.config.base_dn, Scope::Subtree, &filter, vec!["1.1"])
                        .await
                        .and_then(|r| r.success())
                        .map_err(|e| failed(format!("finding the groups of {dn}"), e))?;
                    for entry in entries {
                        let group = SearchEntry::construct(entry).dn;
                        let key = group.to_lowercase();
                        if let Some(configured) = targets.remove(&key) {
                            held.extend(configured.into_iter().cloned());
                        }
                        if seen.insert(key) {
                            next.push(group);
                        }
                    }
                }
                if next.is_empty() {
                    break;
                }
                frontier = next;
            }
            Ok(held)
        })
    }

    /// Reads the person at `dn`.
    pub async fn person_by_dn(&self, dn: &str) -> Result<DirectoryPerson, DirectoryError> {
        let entries = on_connection!(self, |ldap| {
            ldap.with_timeout(TIMEOUT)
                .search(dn, Scope::Base, "(objectClass=*)", self.person_attributes())
                .await
                .and_then(|r| r.success())
                .map(|(entries, _)| entries)
                .map_err(|e| match e {
                    LdapError::LdapResult { result } if result.rc == 32 => {
                        DirectoryError::NotFound(format!("no directory entry has the DN {dn}"))
                    }
                    e => failed(format!("reading {dn}"), e),
                })
        })?;
        let entry = entries.into_iter().next().ok_or_else(|| {
            DirectoryError::NotFound(format!("no directory entry has the DN {dn}"))
        })?;
        Ok(self.person(SearchEntry::construct(entry)))
    }

    /// Reads one attribute of the entry at `dn`, such as a person's department.
    pub async fn attribute(&self, dn: &str, name: &str) -> Result<Option<String>, DirectoryError> {
        let entries = on_connection!(self, |ldap| {
            ldap.with_timeout(TIMEOUT)
                .search(dn, Scope::Base, "(objectClass=*)", vec![name])
                .await
                .and_then(|r| r.success())
                .map(|(entries, _)| entries)
                .map_err(|e| failed(format!("reading {name} of {dn}"), e))
        })?;
        Ok(entries
            .into_iter()
            .next()
            .and_then(|entry| first(&SearchEntry::construct(entry), name)))
    }

    /// Connects and checks whether `member_dn` is a direct member of `group_dn`.
    pub async fn check_member(
        &self,
        group_dn: &str,
        member_dn: &str,
    ) -> Result<bool, DirectoryError> {
        on_connection!(self, |ldap| {
            self.is_member(ldap, group_dn, member_dn).await
        })
    }

    /// Returns whether `member_dn` is a direct member of `group_dn`.
    pub async fn is_member(
        &self,
        ldap: &mut Ldap,
        group_dn: &str,
        member_dn: &str,
    ) -> Result<bool, DirectoryError> {
        let filter = format!("(member={})", ldap_escape(member_dn));
        let (entries, _) = ldap
            .with_timeout(TIMEOUT)
            .search(group_dn, Scope::Base, &filter, vec!["1.1"])
            .await
            .and_then(|r| r.success())
            .map_err(|e| failed(format!("reading the members of {group_dn}"), e))?;
        Ok(!entries.is_empty())
    }

    /// Adds `member_dn` to `group_dn`, then reads the group back to confirm it.
    /// Adding a member who is already there succeeds with [`MembershipChange::AlreadyInPlace`].
    pub async fn add_member(
        &self,
        group_dn: &str,
        member_dn: &str,
    ) -> Result<MembershipChange, DirectoryError> {
        self.change_member(group_dn, member_dn, true).await
    }

    /// Removes `member_dn` from `group_dn`, then reads the group back to confirm it.
    /// Removing someone who is not a member succeeds with [`MembershipChange::AlreadyInPlace`].
    pub async fn remove_member(
        &self,
        group_dn: &str,
        member_dn: &str,
    ) -> Result<MembershipChange, DirectoryError> {
        self.change_member(group_dn, member_dn, false).await
    }

    /// Reads attributes of the entry at `dn`; `None` when there is no such entry.
    pub async fn entry(
        &self,
        dn: &str,
        attributes: &[&str],
    ) -> Result<Option<HashMap<String, Vec<String>>>, DirectoryError> {
        let entries = on_connection!(self, |ldap| {
            match ldap
                .with_timeout(TIMEOUT)
                .search(dn, Scope::Base, "(objectClass=*)", attributes.to_vec())
                .await
                .and_then(|r| r.success())
            {
                Ok((entries, _)) => Ok(entries),
                Err(LdapError::LdapResult { result }) if result.rc == RC_NO_SUCH_OBJECT => {
                    Ok(Vec::new())
                }
                Err(e) => Err(failed(format!("reading {dn}"), e)),
            }
        })?;
        Ok(entries
            .into_iter()
            .next()
            .map(|entry| SearchEntry::construct(entry).attrs))
    }

    /// Adds an entry; one already there is left as it is. Returns whether it was added.
    pub async fn add_entry(
        &self,
        dn: &str,
        attributes: Vec<(&str, HashSet<&str>)>,
    ) -> Result<bool, DirectoryError> {
        on_connection!(self, |ldap| {
            let result = ldap
                .with_timeout(TIMEOUT)
                .add(dn, attributes.clone())
                .await
                .map_err(|e| failed(format!("adding {dn}"), e))?;
            match result.rc {
                0 => Ok(true),
                RC_ENTRY_ALREADY_EXISTS => Ok(false),
                _ => Err(DirectoryError::Operation {
                    operation: format!("adding {dn}"),
                    message: result_message(&result),
                    connection_lost: false,
                }),
            }
        })
    }

    /// Deletes an entry; one already gone counts as deleted. Returns whether it was there.
    pub async fn delete_entry(&self, dn: &str) -> Result<bool, DirectoryError> {
        on_connection!(self, |ldap| {
            let result = ldap
                .with_timeout(TIMEOUT)
                .delete(dn)
                .await
                .map_err(|e| failed(format!("deleting {dn}"), e))?;
            match result.rc {
                0 => Ok(true),
                RC_NO_SUCH_OBJECT => Ok(false),
                _ => Err(DirectoryError::Operation {
                    operation: format!("deleting {dn}"),
                    message: result_message(&result),
                    connection_lost: false,
                }),
            }
        })
    }

    /// Replaces every value of `attribute` on `dn` with `values`; no values clears it.
    pub async fn replace_attribute(
        &self,
        dn: &str,
        attribute: &str,
        values: HashSet<&str>,
    ) -> Result<(), DirectoryError> {
        on_connection!(self, |ldap| {
            let result = ldap
                .with_timeout(TIMEOUT)
                .modify(dn, vec![Mod::Replace(attribute, values.clone())])
                .await
                .map_err(|e| failed(format!("changing {attribute} of {dn}"), e))?;
            match result.rc {
                0 => Ok(()),
                // Clearing an attribute that has no value leaves nothing to do.
                RC_NO_SUCH_ATTRIBUTE if values.is_empty() => Ok(()),
                RC_NO_SUCH_OBJECT => Err(DirectoryError::NotFound(format!(
                    "no directory entry has the DN {dn}"
                ))),
                _ => Err(DirectoryError::Operation {
                    operation: format!("changing {attribute} of {dn}"),
                    message: result_message(&result),
                    connection_lost: false,
                }),
            }
        })
    }

    async fn change_member(
        &self,
        group_dn: &str,
        member_dn: &str,
        add: bool,
    ) -> Result<MembershipChange, DirectoryError> {
        // Made again on a new connection when a kept one broke: a change that did reach the
        // directory then finds itself already in place.
        let (change, present) = on_connection!(self, |ldap| {
            let values = HashSet::from([member_dn]);
            let modification = if add {
                Mod::Add("member", values)
            } else {
                Mod::Delete("member", values)
            };
            let result = ldap
                .with_timeout(TIMEOUT)
                .modify(group_dn, vec![modification])
                .await
                .map_err(|e| failed(format!("changing the members of {group_dn}"), e))?;
            let change = match result.rc {
                0 => MembershipChange::Changed,
                RC_ATTRIBUTE_OR_VALUE_EXISTS if add => MembershipChange::AlreadyInPlace,
                RC_NO_SUCH_ATTRIBUTE if !add => MembershipChange::AlreadyInPlace,
                _ => {
                    return Err(DirectoryError::Operation {
                        operation: format!("changing the members of {group_dn}"),
                        message: result_message(&result),
                        connection_lost: false,
                    });
                }
            };
            let present = self.is_member(ldap, group_dn, member_dn).await?;
            Ok((change, present))
        })?;
        if present != add {
            return Err(DirectoryError::NotVerified {
                group: group_dn.to_string(),
                detail: format!(
                    "{member_dn} is {}a member after the change",
                    if present { "still " } else { "not " }
                ),
            });
        }
        Ok(change)
    }
}
