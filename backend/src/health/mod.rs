//! The detailed health of the installation: every component checked by the scheduler's leader
//! once a minute (`IPSOLIS_HEALTH_CHECK_CRON`) and on an admin's "Check now", with the latest
//! result of each kept in `health_checks`.
//!
//! Alerts: a mail goes out when a component's new status has held for two checks in a row
//! ([`CONFIRMING_CHECKS`]), once when it starts failing and once when it recovers. A component
//! that flaps between two statuses on every check never confirms either, so it sends nothing.
//! Every check counts, periodic or on demand.

pub mod checks;

use crate::integrations::mail::Email;
use crate::jobs::handlers::MAIL_SEND;
use crate::jobs::queue::{self, NewJob, Queue};
use crate::notifications::escape_html;
use crate::state::AppState;
use crate::store::Tx;
use checks::Observation;
use chrono::{DateTime, Utc};
use shared::health::{ComponentHealth, ComponentStatus, HealthSettings, component_label};
use sqlx::{FromRow, PgPool};

/// How many checks in a row must find a new status before it is announced.
pub const CONFIRMING_CHECKS: i32 = 2;
/// The settings section of the alert address.
pub const SETTINGS_KEY: &str = "health";

/// The alert state of one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracked {
    pub status: ComponentStatus,
    /// Consecutive checks that found `status`.
    pub streak: i32,
    /// The status the last alert announced; `None` before the first confirmed one.
    pub alerted: Option<ComponentStatus>,
}

/// A mail to send about a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    Failing,
    Recovered,
}

/// Returns the tracked state after a check found `observed`, and the alert to send, if any.
pub fn next(previous: Option<Tracked>, observed: ComponentStatus) -> (Tracked, Option<Alert>) {
    let (streak, alerted) = match previous {
        Some(previous) if previous.status == observed => {
            (previous.streak.saturating_add(1), previous.alerted)
        }
        Some(previous) => (1, previous.alerted),
        None => (1, None),
    };
    let mut tracked = Tracked {
        status: observed,
        streak,
        alerted,
    };
    if streak < CONFIRMING_CHECKS {
        return (tracked, None);
    }
    let alert = match (observed, alerted) {
        (ComponentStatus::Failing, Some(ComponentStatus::Failing)) => None,
        (ComponentStatus::Failing, _) => Some(Alert::Failing),
        (ComponentStatus::Ok, Some(ComponentStatus::Failing)) => Some(Alert::Recovered),
        _ => None,
    };
    tracked.alerted = match observed {
        // A component that loses its settings is announced again once it is set up and fails.
        ComponentStatus::NotConfigured => None,
        status => Some(status),
    };
    (tracked, alert)
}

#[derive(FromRow)]
struct Row {
    component: String,
    status: String,
    detail: String,
    latency_ms: Option<i64>,
    streak: i32,
    alerted_status: Option<String>,
    checked_at: DateTime<Utc>,
    changed_at: DateTime<Utc>,
}

impl Row {
    fn dto(&self) -> ComponentHealth {
        ComponentHealth {
            component: self.component.clone(),
            status: ComponentStatus::parse(&self.status).unwrap_or(ComponentStatus::Failing),
            detail: self.detail.clone(),
            latency_ms: self.latency_ms,
            checked_at: self.checked_at,
            changed_at: self.changed_at,
        }
    }

    fn tracked(&self) -> Option<Tracked> {
        Some(Tracked {
            status: ComponentStatus::parse(&self.status)?,
            streak: self.streak,
            alerted: self
                .alerted_status
                .as_deref()
                .and_then(ComponentStatus::parse),
        })
    }
}

/// Returns the latest stored check of every component, in the order of the Health page.
pub async fn latest(db: &PgPool) -> sqlx::Result<Vec<ComponentHealth>> {
    let rows: Vec<Row> = sqlx::query_as("select * from health_checks")
        .fetch_all(db)
        .await?;
    let mut components: Vec<ComponentHealth> = rows.iter().map(Row::dto).collect();
    let position = |name: &str| {
        shared::health::COMPONENTS
            .iter()
            .position(|c| *c == name)
            .unwrap_or(usize::MAX)
    };
    components.sort_by_key(|c| position(&c.component));
    Ok(components)
}

/// Checks every component, stores the results and enqueues the alerts they call for.
pub async fn run_checks(state: &AppState) -> sqlx::Result<Vec<ComponentHealth>> {
    let observations = checks::all(state).await;
    let now = state.clock.now();
    let recipients = recipients(state).await?;
    let mut results = Vec::new();
    for observation in &observations {
        let mut tx = state.db.begin().await?;
        let (row, alert) = record(&mut tx, observation, now).await?;
        if let Some(alert) = alert {
            enqueue_alert(state, &mut tx, &row, alert, &recipients).await?;
        }
        tx.commit().await?;
        results.push(row.dto());
    }
    Ok(results)
}

/// Stores one observation and returns the stored row with the alert it calls for. The row is
/// locked, so two check runs at once (the leader's and a "Check now") count one after another.
async fn record(
    tx: &mut Tx<'_>,
    observation: &Observation,
    now: DateTime<Utc>,
) -> sqlx::Result<(Row, Option<Alert>)> {
    let previous: Option<Row> =
        sqlx::query_as("select * from health_checks where component = $1 for update")
            .bind(observation.component)
            .fetch_optional(&mut **tx)
            .await?;
    let (tracked, alert) = next(previous.as_ref().and_then(Row::tracked), observation.status);
    let changed_at = match &previous {
        Some(row) if row.status == observation.status.as_str() => row.changed_at,
        _ => now,
    };
    let row: Row = sqlx::query_as(
        "insert into health_checks (component, status, detail, latency_ms, streak,
            alerted_status, checked_at, changed_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (component) do update set status = excluded.status,
            detail = excluded.detail, latency_ms = excluded.latency_ms,
            streak = excluded.streak, alerted_status = excluded.alerted_status,
            checked_at = excluded.checked_at, changed_at = excluded.changed_at
         returning *",
    )
    .bind(observation.component)
    .bind(observation.status.as_str())
    .bind(&observation.detail)
    .bind(observation.latency_ms)
    .bind(tracked.streak)
    .bind(tracked.alerted.map(ComponentStatus::as_str))
    .bind(now)
    .bind(changed_at)
    .fetch_one(&mut **tx)
    .await?;
    Ok((row, alert))
}

/// Returns the alert addresses: the one in the health settings, or else every active
/// superadmin's.
async fn recipients(state: &AppState) -> sqlx::Result<Vec<String>> {
    let settings: Option<serde_json::Value> =
        crate::store::settings::get(&state.db, SETTINGS_KEY).await?;
    let settings: HealthSettings = settings
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    if let Some(address) = settings.alert_email {
        return Ok(vec![address]);
    }
    sqlx::query_scalar(
        "select email from admin_users
         where role = 'superadmin' and active and email is not null
         order by lower(email)",
    )
    .fetch_all(&state.db)
    .await
}

async fn enqueue_alert(
    state: &AppState,
    tx: &mut Tx<'_>,
    row: &Row,
    alert: Alert,
    recipients: &[String],
) -> sqlx::Result<()> {
    let label = component_label(&row.component);
    let (subject, opening) = match alert {
        Alert::Failing => (
            format!("ip·Solis: {label} failing"),
            format!(
                "The {label} check has failed {CONFIRMING_CHECKS} times in a row, since {}.",
                crate::notifications::date(Some(row.changed_at))
            ),
        ),
        Alert::Recovered => (
            format!("ip·Solis: {label} recovered"),
            format!(
                "The {label} check has passed {CONFIRMING_CHECKS} times in a row, since {}.",
                crate::notifications::date(Some(row.changed_at))
            ),
        ),
    };
    let mut page = state.config.public_url.clone();
    page.set_path("/ui/health");
    if recipients.is_empty() {
        tracing::warn!(
            component = %row.component,
            "no address for health alerts: set one on the Health page or give a superadmin an \
             e-mail address"
        );
    }
    for to in recipients {
        let email = Email {
            to: to.clone(),
            cc: None,
            subject: subject.clone(),
            text: format!(
                "{opening}\n\nLatest result: {}\n\nHealth page: {page}\n",
                row.detail
            ),
            html: format!(
                "<p>{}</p><p>Latest result: {}</p><p><a href=\"{}\">Health page</a></p>",
                escape_html(&opening),
                escape_html(&row.detail),
                escape_html(page.as_str())
            ),
        };
        let payload = serde_json::to_value(&email).expect("the e-mail serializes");
        queue::enqueue(
            tx,
            NewJob::new(Queue::Notifications, MAIL_SEND, payload),
            state.clock.now(),
        )
        .await?;
    }
    tracing::info!(component = %row.component, ?alert, "health alert enqueued");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComponentStatus::{Failing, NotConfigured, Ok};

    /// Runs the state machine over `statuses` and returns the alerts it sent.
    fn alerts(statuses: &[ComponentStatus]) -> Vec<Alert> {
        let mut tracked = None;
        let mut sent = Vec::new();
        for status in statuses {
            let (next_state, alert) = next(tracked, *status);
            tracked = Some(next_state);
            sent.extend(alert);
        }
        sent
    }

    #[test]
    fn failure_alerts_after_two_checks_once() {
        assert_eq!(alerts(&[Failing]), []);
        assert_eq!(
            alerts(&[Failing, Failing, Failing, Failing]),
            [Alert::Failing]
        );
    }

    #[test]
    fn recovery_alerts_after_two_checks() {
        let statuses = [Failing, Failing, Ok, Ok, Ok];
        assert_eq!(alerts(&statuses), [Alert::Failing, Alert::Recovered]);
    }

    #[test]
    fn healthy_start_sends_nothing() {
        assert_eq!(alerts(&[Ok, Ok, Ok]), []);
    }

    #[test]
    fn flapping_sends_nothing() {
        assert_eq!(alerts(&[Failing, Ok, Failing, Ok, Failing, Ok]), []);
        let statuses = [Failing, Failing, Ok, Failing, Ok, Failing];
        assert_eq!(alerts(&statuses), [Alert::Failing]);
    }

    #[test]
    fn unconfigured_component_never_alerts() {
        assert_eq!(alerts(&[NotConfigured, NotConfigured, Ok, Ok]), []);
        let statuses = [
            Failing,
            Failing,
            NotConfigured,
            NotConfigured,
            Failing,
            Failing,
        ];
        assert_eq!(alerts(&statuses), [Alert::Failing, Alert::Failing]);
    }
}
