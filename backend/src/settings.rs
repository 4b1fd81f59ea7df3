//! Typed connection settings stored in the `settings` table. Secrets are encrypted before
//! they are stored and decrypted only to connect; the API never returns them.

use crate::auth::Actor;
use crate::crypto::Keys;
use crate::error::{ApiError, ApiResult};
use crate::integrations::chat::Channel;
use crate::state::AppState;
use crate::store::{self, audit::Change};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::FieldError;
use shared::settings::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const LDAP: &str = "ldap";
pub const SMTP: &str = "smtp";
pub const OIDC: &str = "oidc";
pub const METRICS: &str = "metrics";
pub const SIEM: &str = "siem";

/// Directory settings with the bind password decrypted, for connecting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LdapConfig {
    pub host: String,
    pub port: u16,
    pub tls: LdapTls,
    pub bind_dn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind_password: Option<String>,
    pub base_dn: String,
    pub manager_attribute: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    pub from: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcConfig {
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub allowed_email_domains: Vec<String>,
}

/// A settings section with one write-only secret field.
pub trait Section: Serialize + for<'de> Deserialize<'de> + Clone {
    const KEY: &'static str;
    /// The JSON name of the secret field.
    const SECRET: &'static str;
    fn secret_mut(&mut self) -> &mut Option<String>;
    /// Where the secret is sent and as whom. A stored secret is reused only while this stays
    /// the same, so nobody can have it sent to a server of their choosing.
    fn destination(&self) -> String;
    /// Rejects values that are invalid only once the stored secret is merged in, such as a
    /// section turned on without its secret.
    fn check(&self) -> ApiResult<()> {
        Ok(())
    }
}

impl Section for LdapConfig {
    const KEY: &'static str = LDAP;
    const SECRET: &'static str = "bind_password";
    fn secret_mut(&mut self) -> &mut Option<String> {
        &mut self.bind_password
    }
    fn destination(&self) -> String {
        let tls = serde_json::to_string(&self.tls).unwrap_or_default();
        format!(
            "{}|{}|{tls}|{}",
            self.host.to_lowercase(),
            self.port,
            self.bind_dn.to_lowercase()
        )
    }
}

impl Section for SmtpConfig {
    const KEY: &'static str = SMTP;
    const SECRET: &'static str = "password";
    fn secret_mut(&mut self) -> &mut Option<String> {
        &mut self.password
    }
    fn destination(&self) -> String {
        let tls = serde_json::to_string(&self.tls).unwrap_or_default();
        let user = self.username.as_deref().unwrap_or_default();
        format!("{}|{}|{tls}|{user}", self.host.to_lowercase(), self.port)
    }
}

impl Section for OidcConfig {
    const KEY: &'static str = OIDC;
    const SECRET: &'static str = "client_secret";
    fn secret_mut(&mut self) -> &mut Option<String> {
        &mut self.client_secret
    }
    fn destination(&self) -> String {
        format!("{}|{}", self.issuer_url, self.client_id)
    }
}

/// The `/metrics` settings with the bearer token decrypted, for checking scrapes. Before the
/// first save metrics are served without a token, as Prometheus expects on an internal network.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetricsConfig {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            enabled: true,
            token: None,
        }
    }
}

impl Section for MetricsConfig {
    const KEY: &'static str = METRICS;
    const SECRET: &'static str = "token";
    fn secret_mut(&mut self) -> &mut Option<String> {
        &mut self.token
    }
    /// The token is only compared with what scrapes send, never sent anywhere, so a stored one
    /// is always kept when the input leaves it out.
    fn destination(&self) -> String {
        String::new()
    }
}

impl MetricsConfig {
    pub fn from_input(input: shared::metrics::MetricsSettingsInput) -> ApiResult<MetricsConfig> {
        ApiError::check(input.validate())?;
        Ok(MetricsConfig {
            enabled: input.enabled,
            token: input.token,
        })
    }

    pub fn view(&self) -> shared::metrics::MetricsSettings {
        shared::metrics::MetricsSettings {
            enabled: self.enabled,
            token_set: self.token.is_some(),
        }
    }
}

/// The SIEM settings with the HEC token decrypted, for forwarding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiemConfig {
    pub enabled: bool,
    pub format: shared::siem::SiemFormat,
    pub endpoint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub index: Option<String>,
}

impl Section for SiemConfig {
    const KEY: &'static str = SIEM;
    const SECRET: &'static str = "token";
    fn secret_mut(&mut self) -> &mut Option<String> {
        &mut self.token
    }
    /// Returns the endpoint with its scheme and host in lower case. The path keeps its case,
    /// because paths are case-sensitive.
    fn destination(&self) -> String {
        match url::Url::parse(&self.endpoint) {
            Ok(url) => format!(
                "{}://{}:{}{}",
                url.scheme(),
                url.host_str().unwrap_or_default(),
                url.port_or_known_default().unwrap_or_default(),
                url.path().trim_end_matches('/')
            ),
            Err(_) => self.endpoint.clone(),
        }
    }
    fn check(&self) -> ApiResult<()> {
        self.require_token()
    }
}

impl SiemConfig {
    pub fn from_input(input: shared::siem::SiemSettingsInput) -> ApiResult<SiemConfig> {
        ApiError::check(input.validate())?;
        let syslog = input.format == shared::siem::SiemFormat::Syslog;
        // The form check above is shared with the web app and does not parse the URL. The full
        // parse catches the rest, such as a port above 65535 or a malformed IPv6 address.
        let parsed = url::Url::parse(input.endpoint.trim());
        if !parsed.is_ok_and(|url| url.host_str().is_some_and(|host| !host.is_empty())) {
            return Err(ApiError::field(
                "endpoint",
                "is not a valid URL: check the host name and that the port is 1 to 65535",
            ));
        }
        Ok(SiemConfig {
            enabled: input.enabled,
            format: input.format,
            endpoint: input.endpoint.trim().trim_end_matches('/').into(),
            // Syslog has no token: an empty string removes a stored HEC token.
            token: if syslog {
                Some(String::new())
            } else {
                input.token
            },
            index: input.index.filter(|index| !index.is_empty() && !syslog),
        })
    }

    /// Returns whether events can be sent: HEC needs a token, syslog nothing more.
    pub fn can_send(&self) -> bool {
        self.format == shared::siem::SiemFormat::Syslog || self.token.is_some()
    }

    /// Checks what can only be checked after the stored token was merged in.
    pub fn require_token(&self) -> ApiResult<()> {
        let missing = self.token.as_deref().is_none_or(str::is_empty);
        if self.enabled && self.format == shared::siem::SiemFormat::SplunkHec && missing {
            return Err(ApiError::field(
                "token",
                "is required for Splunk HEC: create a token under Settings > Data inputs > \
                 HTTP Event Collector and paste it here",
            ));
        }
        Ok(())
    }

    pub fn view(&self, delivery: shared::siem::SiemDelivery) -> shared::siem::SiemSettings {
        shared::siem::SiemSettings {
            enabled: self.enabled,
            format: self.format,
            endpoint: self.endpoint.clone(),
            token_set: self.token.is_some(),
            index: self.index.clone(),
            delivery,
        }
    }
}

/// A chat channel's settings with the webhook URL decrypted, for posting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelConfig<C> {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    #[serde(skip)]
    channel: std::marker::PhantomData<C>,
}

impl<C: Channel> Section for ChannelConfig<C> {
    const KEY: &'static str = C::KEY;
    const SECRET: &'static str = "webhook_url";
    fn secret_mut(&mut self) -> &mut Option<String> {
        &mut self.webhook_url
    }
    /// The webhook URL is both the destination and the secret, so a stored one can be kept
    /// only by leaving it out, never sent anywhere else.
    fn destination(&self) -> String {
        String::new()
    }
    fn check(&self) -> ApiResult<()> {
        if self.enabled {
            self.require_url()?;
        }
        Ok(())
    }
}

/// How long a process keeps a stored section before reading it again. A save in this process
/// takes effect at once for the next read. A save made by another process (a second server or
/// an `ipsolis worker`) takes effect here within this time.
const CACHE_TTL: Duration = Duration::from_secs(3);

/// Stored sections (secrets still encrypted) read in the last [`CACHE_TTL`], so that placing
/// an order or sending a mail does not read the settings table each time.
#[derive(Clone, Default)]
pub struct SettingsCache {
    inner: Arc<Mutex<Cached>>,
}

#[derive(Default)]
struct Cached {
    /// Counts the saves, so a read that began before a save does not keep what it read.
    generation: u64,
    sections: HashMap<&'static str, (Instant, Option<Value>)>,
}

impl SettingsCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops a saved section from the cache, so the next read returns the new values.
    pub fn forget(&self, key: &str) {
        let mut cached = self.lock();
        cached.generation += 1;
        cached.sections.remove(key);
    }

    /// Drops every section from the cache, after a restore replaced the settings table.
    pub fn clear(&self) {
        let mut cached = self.lock();
        cached.generation += 1;
        cached.sections.clear();
    }
}

/// Loads a section with its secret decrypted; `None` when it was never saved. Reads the
/// database, for showing and changing the settings.
pub async fn load<S: Section>(state: &AppState) -> ApiResult<Option<S>> {
    let Some(stored) = store::settings::get(&state.db, S::KEY).await? else {
        return Ok(None);
    };
    decode(&state.keys, stored).map(Some)
}

/// Loads a section like [`load`], but may return the values read in the last [`CACHE_TTL`].
/// For connecting to a service on each order or job.
pub async fn load_cached<S: Section>(state: &AppState) -> ApiResult<Option<S>> {
    let generation = {
        let cached = state.settings.lock();
        if let Some((read_at, stored)) = cached.sections.get(S::KEY)
            && read_at.elapsed() < CACHE_TTL
        {
            let stored = stored.clone();
            drop(cached);
            return stored.map(|v| decode(&state.keys, v)).transpose();
        }
        cached.generation
    };
    let stored = store::settings::get(&state.db, S::KEY).await?;
    {
        let mut cached = state.settings.lock();
        if cached.generation == generation {
            cached
                .sections
                .insert(S::KEY, (Instant::now(), stored.clone()));
        }
    }
    stored.map(|v| decode(&state.keys, v)).transpose()
}

fn decode<S: Section>(keys: &Keys, stored: Value) -> ApiResult<S> {
    let mut section: S = serde_json::from_value(stored)
        .with_context(|| format!("stored {} settings are unreadable", S::KEY))?;
    if let Some(encrypted) = section.secret_mut().take() {
        let plain = keys
            .decrypt_secret(&encrypted)
            .map_err(|e| ApiError::Unavailable(format!("The {} settings: {e}.", S::KEY)))?;
        *section.secret_mut() = Some(plain);
    }
    Ok(section)
}

/// Merges a submitted section with the stored secret: a secret left out keeps the stored
/// one, as long as server, port, TLS mode and account are unchanged, and an empty string
/// removes it. A changed destination without a new secret is rejected, naming the field.
pub async fn with_stored_secret<S: Section>(state: &AppState, mut submitted: S) -> ApiResult<S> {
    if submitted.secret_mut().is_none() {
        if let Some(mut stored) = load::<S>(state).await? {
            if stored.secret_mut().is_some() && stored.destination() != submitted.destination() {
                return Err(ApiError::field(
                    S::SECRET,
                    "enter it again: the server, port, TLS mode or account changed, and the \
                     stored secret is only sent where it was saved for",
                ));
            }
            *submitted.secret_mut() = stored.secret_mut().take();
        }
    } else if submitted.secret_mut().as_deref() == Some("") {
        *submitted.secret_mut() = None;
    }
    Ok(submitted)
}

/// Saves a section, encrypting its secret, and audits the change with the secret masked.
pub async fn save<S: Section>(state: &AppState, actor: &Actor, section: S) -> ApiResult<S> {
    let mut section = with_stored_secret(state, section).await?;
    section.check()?;
    let now = state.clock.now();
    // The audit row cannot show the secret, so it records whether it changed.
    let previous = load::<S>(state)
        .await
        .ok()
        .flatten()
        .and_then(|mut stored| stored.secret_mut().take());
    let secret_changed = previous.as_deref() != section.secret_mut().as_deref();

    let mut stored = section.clone();
    if let Some(plain) = stored.secret_mut().take() {
        *stored.secret_mut() = Some(state.keys.encrypt_secret(&plain));
    }
    let stored = serde_json::to_value(&stored).context("settings serialize")?;

    let mut tx = state.db.begin().await?;
    let before = store::settings::get_for_update(&mut tx, S::KEY).await?;
    store::settings::put(&mut tx, S::KEY, &stored, now, actor.as_str()).await?;
    let change = Change {
        action: "settings.update",
        entity_type: "settings",
        entity_id: S::KEY.to_string(),
        before: before.map(|v| masked(v, S::SECRET)),
        after: Some(masked(stored, S::SECRET)).map(|mut after| {
            after[format!("{}_changed", S::SECRET)] = json!(secret_changed);
            after
        }),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    state.settings.forget(S::KEY);

    tracing::info!(section = S::KEY, actor = %actor, "settings saved");
    Ok(section)
}

/// Saves a settings section without secrets and audits the change, in one transaction.
pub async fn save_plain(state: &AppState, actor: &Actor, key: &str, value: Value) -> ApiResult<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let before = store::settings::get_for_update(&mut tx, key).await?;
    store::settings::put(&mut tx, key, &value, now, actor.as_str()).await?;
    let change = Change {
        action: "settings.update",
        entity_type: "settings",
        entity_id: key.to_string(),
        before,
        after: Some(value),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    tracing::info!(section = key, actor = %actor, "settings saved");
    Ok(())
}

/// Replaces a secret's value with a marker saying whether one is set.
fn masked(mut value: Value, secret: &str) -> Value {
    if let Some(object) = value.as_object_mut() {
        let set = object.get(secret).is_some_and(|v| !v.is_null());
        object.insert(secret.into(), json!(if set { "********" } else { "" }));
    }
    value
}

impl LdapConfig {
    pub fn from_input(input: LdapSettingsInput) -> ApiResult<LdapConfig> {
        let mut errors = Vec::new();
        required(&mut errors, "host", &input.host);
        if input.port == 0 {
            errors.push(FieldError::new("port", "must be between 1 and 65535"));
        }
        if let Some(message) = shared::validation::distinguished_name(&input.base_dn) {
            errors.push(FieldError::new("base_dn", message));
        }
        if !input.bind_dn.trim().is_empty()
            && let Some(message) = shared::validation::distinguished_name(&input.bind_dn)
        {
            errors.push(FieldError::new("bind_dn", message));
        }
        required(&mut errors, "manager_attribute", &input.manager_attribute);
        ApiError::check(errors)?;
        Ok(LdapConfig {
            host: input.host.trim().into(),
            port: input.port,
            tls: input.tls,
            bind_dn: input.bind_dn.trim().into(),
            bind_password: input.bind_password,
            base_dn: input.base_dn.trim().into(),
            manager_attribute: input.manager_attribute.trim().into(),
        })
    }

    pub fn view(&self) -> LdapSettings {
        LdapSettings {
            host: self.host.clone(),
            port: self.port,
            tls: self.tls,
            bind_dn: self.bind_dn.clone(),
            bind_password_set: self.bind_password.is_some(),
            base_dn: self.base_dn.clone(),
            manager_attribute: self.manager_attribute.clone(),
        }
    }
}

impl SmtpConfig {
    pub fn from_input(input: SmtpSettingsInput) -> ApiResult<SmtpConfig> {
        let mut errors = Vec::new();
        required(&mut errors, "host", &input.host);
        if input.port == 0 {
            errors.push(FieldError::new("port", "must be between 1 and 65535"));
        }
        if input
            .from
            .trim()
            .parse::<lettre::message::Mailbox>()
            .is_err()
        {
            errors.push(FieldError::new(
                "from",
                "must be an e-mail address such as it@example.com or IT <it@example.com>",
            ));
        }
        ApiError::check(errors)?;
        Ok(SmtpConfig {
            host: input.host.trim().into(),
            port: input.port,
            tls: input.tls,
            username: input.username.filter(|u| !u.trim().is_empty()),
            password: input.password,
            from: input.from.trim().into(),
        })
    }

    pub fn view(&self) -> SmtpSettings {
        SmtpSettings {
            host: self.host.clone(),
            port: self.port,
            tls: self.tls,
            username: self.username.clone(),
            password_set: self.password.is_some(),
            from: self.from.clone(),
        }
    }
}

impl OidcConfig {
    pub fn from_input(input: OidcSettingsInput) -> ApiResult<OidcConfig> {
        let mut errors = Vec::new();
        match url::Url::parse(input.issuer_url.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            _ => errors.push(FieldError::new(
                "issuer_url",
                "must be the provider's issuer URL, such as \
                 https://login.microsoftonline.com/<tenant id>/v2.0",
            )),
        }
        required(&mut errors, "client_id", &input.client_id);
        let mut domains = Vec::new();
        for (index, domain) in input.allowed_email_domains.iter().enumerate() {
            let domain = domain.trim().trim_start_matches('@').to_lowercase();
            if domain.is_empty() || !domain.contains('.') || domain.contains(char::is_whitespace) {
                errors.push(FieldError::new(
                    format!("allowed_email_domains[{index}]"),
                    "must be a domain such as example.com",
                ));
            }
            domains.push(domain);
        }
        ApiError::check(errors)?;
        Ok(OidcConfig {
            enabled: input.enabled,
            // Kept as entered: OpenID Connect compares issuers character for character, and
            // some providers' issuers end with a slash.
            issuer_url: input.issuer_url.trim().into(),
            client_id: input.client_id.trim().into(),
            client_secret: input.client_secret,
            allowed_email_domains: domains,
        })
    }

    pub fn view(&self, redirect_uri: String) -> OidcSettings {
        OidcSettings {
            enabled: self.enabled,
            issuer_url: self.issuer_url.clone(),
            client_id: self.client_id.clone(),
            client_secret_set: self.client_secret.is_some(),
            allowed_email_domains: self.allowed_email_domains.clone(),
            redirect_uri,
        }
    }
}

impl<C: Channel> ChannelConfig<C> {
    pub fn from_input(input: ChannelSettingsInput) -> ApiResult<ChannelConfig<C>> {
        ApiError::check(input.validate())?;
        let url = input.webhook_url.map(|url| url.trim().to_string());
        if let Some(url) = url.as_deref().filter(|url| !url.is_empty()) {
            let valid = url::Url::parse(url).is_ok_and(|url| {
                matches!(url.scheme(), "https" | "http") && url.host_str().is_some()
            });
            if !valid {
                return Err(ApiError::field(
                    "webhook_url",
                    format!(
                        "must be the incoming-webhook URL that {} shows, starting with https://",
                        C::NAME
                    ),
                ));
            }
        }
        Ok(ChannelConfig {
            enabled: input.enabled,
            webhook_url: url,
            channel: std::marker::PhantomData,
        })
    }

    /// Rejects a channel turned on without a webhook URL, submitted or stored.
    pub fn require_url(&self) -> ApiResult<&str> {
        self.webhook_url.as_deref().ok_or_else(|| {
            ApiError::field(
                "webhook_url",
                format!(
                    "is required: paste the incoming-webhook URL from {}",
                    C::NAME
                ),
            )
        })
    }

    pub fn view(&self) -> ChannelSettings {
        ChannelSettings {
            enabled: self.enabled,
            webhook_url_set: self.webhook_url.is_some(),
        }
    }
}

fn required(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, "is required"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_hides_secret_but_says_it_is_set() {
        let masked = masked(json!({"host": "h", "password": "enc:v1:abc"}), "password");
        assert_eq!(masked["password"], "********");
        let masked = masked_none();
        assert_eq!(masked["password"], "");
    }

    fn masked_none() -> Value {
        masked(json!({"host": "h", "password": null}), "password")
    }
}
