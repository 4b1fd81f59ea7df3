//! State shared by every request handler, worker and scheduler task of one process.

use crate::auth::password::PasswordHasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Keys;
use crate::jobs::schedule::SchedulerStatus;
use axum::extract::FromRef;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub redis: fred::clients::Client,
    pub config: Arc<Config>,
    pub keys: Keys,
    pub clock: Clock,
    pub passwords: PasswordHasher,
    pub scheduler: Arc<SchedulerStatus>,
    pub oidc: crate::integrations::oidc::ProviderCache,
    pub security: crate::security::SecurityCache,
    pub directory: crate::integrations::directory::ConnectionPool,
    pub settings: crate::settings::SettingsCache,
    pub reachability: crate::checklist::reachability::ReachabilityCache,
    pub licensing: crate::license::Licensing,
    pub maintenance: Arc<crate::maintenance::MaintenanceStatus>,
    pub gauges: crate::observability::gauges::GaugeCache,
}

impl FromRef<AppState> for axum_extra::extract::cookie::Key {
    fn from_ref(state: &AppState) -> Self {
        state.keys.cookie.clone()
    }
}

impl AppState {
    /// Connects to Postgres and Redis, applies migrations and builds the state.
    pub async fn connect(config: Config) -> anyhow::Result<AppState> {
        let db = crate::db::connect(&config.database_url).await?;
        crate::db::migrate(&db).await?;
        let redis = crate::redis::connect(&config.redis_url).await?;
        let state = AppState::new(config, db, redis);
        crate::maintenance::watch(&state);
        Ok(state)
    }

    pub fn new(config: Config, db: PgPool, redis: fred::clients::Client) -> AppState {
        let keys = crate::license::keys::TrustedKeys::build(
            config.license_test_keys.as_deref(),
            crate::license::keys::TEST_KEYS_ALLOWED,
        )
        .expect("the configuration validated the license test keys");
        let licensing = crate::license::Licensing::new(keys, config.license_path.clone());
        // Installs the metrics recorder before the first request or job records anything.
        crate::observability::metrics::handle();
        AppState {
            db,
            redis,
            keys: Keys::derive(&config.secret_key),
            config: Arc::new(config),
            clock: Clock::default(),
            passwords: PasswordHasher::new(4),
            scheduler: Arc::new(SchedulerStatus::default()),
            oidc: Default::default(),
            security: Default::default(),
            directory: Default::default(),
            settings: Default::default(),
            reachability: Default::default(),
            licensing,
            maintenance: Default::default(),
            gauges: Default::default(),
        }
    }

    /// Prefixes a Redis key with this installation's namespace.
    pub fn redis_key(&self, key: &str) -> String {
        format!("{}{key}", self.config.redis_prefix)
    }
}
