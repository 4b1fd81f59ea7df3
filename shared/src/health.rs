use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Overall state reported by `GET /health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
    Degraded,
}

/// The result of one dependency check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthCheck {
    pub status: HealthStatus,
    /// What went wrong, in words safe to show without authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Body of `GET /health`: `database`, `redis` and `scheduler` checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: HealthStatus,
    pub version: String,
    pub checks: BTreeMap<String, HealthCheck>,
}

/// The state of one component in the detailed health report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ComponentStatus {
    Ok,
    Failing,
    /// The component has no settings yet, so it was not checked.
    NotConfigured,
}

impl ComponentStatus {
    pub const ALL: [ComponentStatus; 3] = [
        ComponentStatus::Ok,
        ComponentStatus::Failing,
        ComponentStatus::NotConfigured,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComponentStatus::Ok => "ok",
            ComponentStatus::Failing => "failing",
            ComponentStatus::NotConfigured => "not_configured",
        }
    }

    pub fn parse(value: &str) -> Option<ComponentStatus> {
        ComponentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ComponentStatus::Ok => "OK",
            ComponentStatus::Failing => "Failing",
            ComponentStatus::NotConfigured => "Not configured",
        }
    }
}

/// The checked components, in the order the Health page lists them.
pub const COMPONENTS: [&str; 8] = [
    "database",
    "redis",
    "scheduler",
    "job_queue",
    "smtp",
    "ldap",
    "oidc",
    "siem",
];

/// Returns the name people read for a component, such as `LDAP` for `ldap`.
pub fn component_label(component: &str) -> &str {
    match component {
        "database" => "Database",
        "redis" => "Redis",
        "scheduler" => "Scheduler",
        "job_queue" => "Job queue",
        "smtp" => "SMTP",
        "ldap" => "LDAP",
        "oidc" => "OpenID Connect",
        "siem" => "SIEM forwarding",
        other => other,
    }
}

/// The latest check of one component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentHealth {
    /// One of `database`, `redis`, `scheduler`, `job_queue`, `smtp`, `ldap` and `oidc`.
    pub component: String,
    pub status: ComponentStatus,
    /// The check's finding, such as the server's error or the queue's backlog.
    pub detail: String,
    /// How long the check took, in milliseconds.
    pub latency_ms: Option<i64>,
    pub checked_at: chrono::DateTime<chrono::Utc>,
    /// When the status last changed.
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

/// The scheduler's state as reported by the replica that served the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchedulerDetails {
    /// The replica that holds the leader lock (`host:pid:id`), if any.
    pub leader: Option<String>,
    /// The replica that served this request.
    pub this_replica: String,
    pub this_replica_is_leader: bool,
    /// The last loop iteration of this replica's scheduler; absent in a worker-only process.
    pub this_replica_last_tick: Option<chrono::DateTime<chrono::Utc>>,
    /// The last loop iteration of the leader, as the leader stored it in Redis.
    pub leader_last_tick: Option<chrono::DateTime<chrono::Utc>>,
}

/// Body of `GET /api/v1/health/details`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthDetails {
    /// The latest stored check of each component that has been checked.
    pub components: Vec<ComponentHealth>,
    pub scheduler: SchedulerDetails,
    /// Queued jobs that are due and wait for a worker.
    pub job_backlog: i64,
    /// Seconds the longest-waiting due job has waited; absent when none waits.
    pub oldest_pending_age_seconds: Option<i64>,
}

/// The recipients of health alerts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HealthSettings {
    /// The address that receives a mail when a component starts failing or recovers. Without
    /// it, the mail goes to every active superadmin with an e-mail address.
    #[serde(default)]
    pub alert_email: Option<String>,
}
