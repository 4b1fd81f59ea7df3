//! Bootstrap configuration from the environment, validated before anything starts. Everything
//! else is a setting in the database, edited in the admin SPA.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The shortest `API_SECRET_KEY` accepted: 32 characters carry at least 128 bits even when
/// they are hex digits.
pub const SECRET_KEY_MIN_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "API_SECRET_KEY is missing. Set it to a random value of at least {SECRET_KEY_MIN_LEN} \
         characters, for example the output of `openssl rand -hex 32`."
    )]
    SecretKeyMissing,
    #[error(
        "API_SECRET_KEY is too short ({0} characters). It must be at least \
         {SECRET_KEY_MIN_LEN} characters; generate one with `openssl rand -hex 32`."
    )]
    SecretKeyShort(usize),
    #[error(
        "ADMIN_API_KEY is too short ({0} characters). Leave it unset to turn the legacy key \
         off, or set at least {SECRET_KEY_MIN_LEN} characters (`openssl rand -hex 32`)."
    )]
    AdminKeyShort(usize),
    #[error("{name} is missing. {hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    #[error("{name} has the invalid value {value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// Settings read from the environment at start.
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub redis_url: String,
    /// Prefix of every Redis key, so several installations can share one Redis.
    pub redis_prefix: String,
    pub secret_key: String,
    pub admin_api_key: Option<String>,
    pub bind: SocketAddr,
    /// The address people reach the server at; links in e-mails and the OIDC redirect use it.
    pub public_url: url::Url,
    /// The built SPA (`trunk build` output).
    pub spa_dir: PathBuf,
    /// Whether session cookies carry the `Secure` flag; on unless the public URL is plain http.
    pub secure_cookies: bool,
    pub job_lease: Duration,
    /// How often the scheduler runs the expiry check, as a cron expression with seconds.
    pub expiry_check_cron: String,
    /// How often reminders, escalations and auto-declines of approvals are checked.
    pub approval_timers_cron: String,
    /// When the daily check of approval policies runs.
    pub policy_check_cron: String,
    /// Script languages runbook steps may run (`IPSOLIS_SCRIPT_LANGUAGES`, default
    /// `powershell`); bash and Python only where an installation allows them.
    pub script_languages: Vec<shared::runbooks::ScriptLanguage>,
    /// The PowerShell 7 executable (`IPSOLIS_PWSH`, default `pwsh`).
    pub pwsh: String,
    /// Proxies whose `X-Forwarded-For` names the client (`IPSOLIS_TRUSTED_PROXIES`).
    pub trusted_proxies: crate::http::client_address::TrustedProxies,
    /// A license file (`IPSOLIS_LICENSE_PATH`), read at start and again when it changes.
    pub license_path: Option<PathBuf>,
    /// Extra public keys for licenses (`IPSOLIS_LICENSE_TEST_KEYS`), honoured by debug builds
    /// only; a release build ignores them with a warning.
    pub license_test_keys: Option<String>,
    /// When the daily license check runs, which mails superadmins during the grace period.
    pub license_check_cron: String,
    /// The folder of database backups (`IPSOLIS_BACKUP_DIR`, default `backups` in the working
    /// directory). Several replicas must share it.
    pub backup_dir: PathBuf,
    /// The `pg_dump` executable (`IPSOLIS_PG_DUMP`, default `pg_dump` from `PATH`).
    pub pg_dump: String,
    /// The `pg_restore` executable (`IPSOLIS_PG_RESTORE`, default `pg_restore` from `PATH`).
    pub pg_restore: String,
    /// The `psql` executable that applies a restore in one transaction (`IPSOLIS_PSQL`,
    /// default `psql` from `PATH`).
    pub psql: String,
    /// When the leader checks the health of every component.
    pub health_check_cron: String,
    pub log_json: bool,
}

impl std::fmt::Debug for ConfigRedacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.0.bind)
            .field("public_url", &self.0.public_url.as_str())
            .field("spa_dir", &self.0.spa_dir)
            .field("job_lease", &self.0.job_lease)
            .field("expiry_check_cron", &self.0.expiry_check_cron)
            .field("license_path", &self.0.license_path)
            .field("backup_dir", &self.0.backup_dir)
            .finish_non_exhaustive()
    }
}

/// Reads a cron expression with seconds from the environment, or the default.
fn cron(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<String, ConfigError> {
    let value = lookup(name).unwrap_or_else(|| default.into());
    match crate::jobs::schedule::parse_cron(&value) {
        Ok(_) => Ok(value),
        Err(e) => Err(ConfigError::Invalid {
            name,
            value,
            reason: format!("{e}; use six fields with seconds, such as `0 0 * * * *`"),
        }),
    }
}

/// A view of the configuration without secrets or connection strings, for logs.
pub struct ConfigRedacted<'a>(pub &'a Config);

pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Reads and validates the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(var)
    }

    /// Reads and validates the configuration through `lookup`, which tests supply.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let secret_key = lookup("API_SECRET_KEY").ok_or(ConfigError::SecretKeyMissing)?;
        let secret_length = secret_key.chars().count();
        if secret_length < SECRET_KEY_MIN_LEN {
            return Err(ConfigError::SecretKeyShort(secret_length));
        }

        let admin_api_key = lookup("ADMIN_API_KEY");
        if let Some(key) = &admin_api_key {
            let length = key.chars().count();
            if length < SECRET_KEY_MIN_LEN {
                return Err(ConfigError::AdminKeyShort(length));
            }
        }

        let database_url = lookup("DATABASE_URL").ok_or(ConfigError::Missing {
            name: "DATABASE_URL",
            hint: "Set it to a PostgreSQL URL such as postgres://ipsolis@127.0.0.1:5432/ipsolis.",
        })?;
        let redis_url = lookup("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into());

        let bind_text = lookup("IPSOLIS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|e| ConfigError::Invalid {
            name: "IPSOLIS_BIND",
            value: bind_text.clone(),
            reason: format!("{e}; use an address and port such as 0.0.0.0:8080"),
        })?;

        let public_text =
            lookup("IPSOLIS_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind_text}"));
        let public_url = url::Url::parse(&public_text).map_err(|e| ConfigError::Invalid {
            name: "IPSOLIS_PUBLIC_URL",
            value: public_text.clone(),
            reason: format!("{e}; use the URL people open, such as https://ipsolis.example.com"),
        })?;
        if !matches!(public_url.scheme(), "http" | "https") {
            return Err(ConfigError::Invalid {
                name: "IPSOLIS_PUBLIC_URL",
                value: public_text,
                reason: "the scheme must be http or https".into(),
            });
        }
        let secure_cookies = public_url.scheme() == "https";

        let lease_text = lookup("IPSOLIS_JOB_LEASE_SECONDS").unwrap_or_else(|| "30".into());
        let lease_seconds: u64 = lease_text
            .parse()
            .ok()
            .filter(|s| (1..=3600).contains(s))
            .ok_or_else(|| ConfigError::Invalid {
                name: "IPSOLIS_JOB_LEASE_SECONDS",
                value: lease_text.clone(),
                reason: "must be a whole number of seconds from 1 to 3600".into(),
            })?;

        let expiry_check_cron = cron(&lookup, "IPSOLIS_EXPIRY_CHECK_CRON", "0 0 * * * *")?;
        let approval_timers_cron = cron(&lookup, "IPSOLIS_APPROVAL_TIMERS_CRON", "0 */5 * * * *")?;
        let policy_check_cron = cron(&lookup, "IPSOLIS_POLICY_CHECK_CRON", "0 30 5 * * *")?;
        let license_check_cron = cron(&lookup, "IPSOLIS_LICENSE_CHECK_CRON", "0 0 7 * * *")?;

        let license_test_keys = lookup(crate::license::keys::TEST_KEYS_VARIABLE);
        if let Some(keys) = license_test_keys
            .as_deref()
            .filter(|_| crate::license::keys::TEST_KEYS_ALLOWED)
        {
            crate::license::keys::parse_test_keys(keys).map_err(|reason| ConfigError::Invalid {
                name: crate::license::keys::TEST_KEYS_VARIABLE,
                value: keys.to_string(),
                reason: format!("{reason}; use KEY_ID=BASE64[,KEY_ID=BASE64...]"),
            })?;
        }
        let health_check_cron = cron(&lookup, "IPSOLIS_HEALTH_CHECK_CRON", "0 * * * * *")?;

        let languages_text =
            lookup("IPSOLIS_SCRIPT_LANGUAGES").unwrap_or_else(|| "powershell".into());
        let mut script_languages = Vec::new();
        for word in languages_text
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            let language = shared::runbooks::ScriptLanguage::parse(word).ok_or_else(|| {
                ConfigError::Invalid {
                    name: "IPSOLIS_SCRIPT_LANGUAGES",
                    value: languages_text.clone(),
                    reason: "use a comma-separated list of powershell, bash and python".into(),
                }
            })?;
            script_languages.push(language);
        }

        let proxies_text = lookup("IPSOLIS_TRUSTED_PROXIES").unwrap_or_default();
        let trusted_proxies = crate::http::client_address::TrustedProxies::parse(&proxies_text)
            .map_err(|reason| ConfigError::Invalid {
                name: "IPSOLIS_TRUSTED_PROXIES",
                value: proxies_text.clone(),
                reason: format!("{reason}; use addresses or networks such as 10.0.0.0/8, ::1"),
            })?;

        Ok(Config {
            database_url,
            redis_url,
            redis_prefix: lookup("REDIS_PREFIX").unwrap_or_else(|| "ipsolis:".into()),
            secret_key,
            admin_api_key,
            bind,
            public_url,
            spa_dir: lookup("IPSOLIS_SPA_DIR")
                .unwrap_or_else(|| "frontend/dist".into())
                .into(),
            secure_cookies,
            job_lease: Duration::from_secs(lease_seconds),
            expiry_check_cron,
            approval_timers_cron,
            policy_check_cron,
            script_languages,
            pwsh: lookup("IPSOLIS_PWSH").unwrap_or_else(|| "pwsh".into()),
            trusted_proxies,
            license_path: lookup("IPSOLIS_LICENSE_PATH").map(PathBuf::from),
            license_test_keys,
            license_check_cron,
            backup_dir: lookup("IPSOLIS_BACKUP_DIR")
                .unwrap_or_else(|| "backups".into())
                .into(),
            pg_dump: lookup("IPSOLIS_PG_DUMP").unwrap_or_else(|| "pg_dump".into()),
            pg_restore: lookup("IPSOLIS_PG_RESTORE").unwrap_or_else(|| "pg_restore".into()),
            psql: lookup("IPSOLIS_PSQL").unwrap_or_else(|| "psql".into()),
            health_check_cron,
            log_json: lookup("LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://localhost/x");

    #[test]
    fn missing_secret_names_variable_and_fix() {
        let message = config(&[DB]).err().unwrap().to_string();
        assert!(message.contains("API_SECRET_KEY"), "{message}");
        assert!(message.contains("openssl rand -hex 32"), "{message}");
    }

    #[test]
    fn short_secret_is_rejected() {
        let message = config(&[DB, ("API_SECRET_KEY", "too-short")])
            .err()
            .unwrap()
            .to_string();
        assert!(message.contains("too short (9 characters)"), "{message}");
    }

    #[test]
    fn valid_configuration_has_defaults() {
        let key = "k".repeat(32);
        let config = config(&[DB, ("API_SECRET_KEY", &key)]).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:8080/");
        assert!(!config.secure_cookies);
        assert_eq!(config.expiry_check_cron, "0 0 * * * *");
    }

    #[test]
    fn bad_cron_is_rejected() {
        let key = "k".repeat(32);
        let result = config(&[
            DB,
            ("API_SECRET_KEY", &key),
            ("IPSOLIS_EXPIRY_CHECK_CRON", "every minute"),
        ]);
        let message = result.err().unwrap().to_string();
        assert!(message.contains("IPSOLIS_EXPIRY_CHECK_CRON"), "{message}");
    }
}
