//! Forwarding of the audit log to the SIEM. While forwarding is on, a database trigger queues
//! every new audit row in the transaction that writes it (`siem_outbox`). This loop takes the
//! oldest queued rows, sends them, and removes them from the queue only in the transaction that
//! records the SIEM's acceptance, so no event is lost across a crash or an outage of the SIEM.
//! An event may be sent twice when a replica dies between the SIEM's response and the commit.
//! The audit row id in every event lets the SIEM drop the repeat.
//!
//! Every `ipsolis serve` replica runs the loop; rows locked by one replica are skipped by the
//! others, so each batch goes out once.

use crate::integrations::siem::Siem;
use crate::settings::{self, SiemConfig};
use crate::state::AppState;
use crate::store;
use std::time::Duration;
use tokio::sync::watch;

/// Events sent in one request.
const BATCH: i64 = 200;
/// The wait before looking at an empty queue again.
const IDLE: Duration = Duration::from_secs(2);
/// The maximum wait after failures in a row.
const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// The outcome of one pass.
#[derive(Debug, PartialEq, Eq)]
pub enum Pass {
    /// Forwarding is off or has no settings.
    Off,
    Sent(usize),
}

/// Forwards queued events until `shutdown` turns true, backing off while the SIEM fails and
/// pausing during maintenance.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let mut wait = IDLE;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
        if state.maintenance.is_active() {
            wait = IDLE;
            continue;
        }
        wait = match forward(&state).await {
            Ok(Pass::Sent(count)) if count as i64 == BATCH => Duration::ZERO,
            Ok(_) => IDLE,
            Err(error) => {
                tracing::warn!(error = %error, "forwarding audit events to the SIEM failed");
                (wait * 2).clamp(IDLE, BACKOFF_MAX)
            }
        };
    }
}

/// Sends one batch of queued events, oldest first. Turned off, forwarding queues no new
/// events but still sends those already queued, the change that turned it off among them.
pub async fn forward(state: &AppState) -> anyhow::Result<Pass> {
    let config = match settings::load_cached::<SiemConfig>(state).await {
        Ok(Some(config)) if config.can_send() => config,
        Ok(_) => return Ok(Pass::Off),
        Err(error) => anyhow::bail!("the SIEM settings cannot be read: {error}"),
    };
    let host = installation_host(state);

    let mut tx = state.db.begin().await?;
    let events = store::siem::claim(&mut tx, BATCH).await?;
    if events.is_empty() {
        return Ok(Pass::Sent(0));
    }
    let span = tracing::info_span!("siem.forward", events = events.len());
    let _entered = span.enter();
    match Siem::new(&config, host).send(&events).await {
        Ok(()) => {
            let ids: Vec<_> = events.iter().map(|event| event.id).collect();
            store::siem::delivered(&mut tx, &ids, state.clock.now()).await?;
            tx.commit().await?;
            tracing::debug!(events = ids.len(), "audit events forwarded to the SIEM");
            Ok(Pass::Sent(ids.len()))
        }
        Err(error) => {
            // The rows stay queued for the next pass.
            tx.rollback().await?;
            store::siem::failed(&state.db, &error.to_string(), state.clock.now()).await?;
            Err(error.into())
        }
    }
}

/// An audit event still unsent after this long means the SIEM has stopped taking events.
const STALE_SECONDS: i64 = 300;

/// Checks forwarding for the health page and the setup checklist: the SIEM must be reachable,
/// the latest delivery must have succeeded and no event may have waited longer than
/// [`STALE_SECONDS`]. Returns what is fine, or what is wrong.
pub async fn check(state: &AppState, config: &SiemConfig) -> Result<String, String> {
    let reached = Siem::new(config, installation_host(state))
        .probe()
        .await
        .map_err(|error| error.to_string())?;
    let delivery = store::siem::delivery(&state.db)
        .await
        .map_err(|error| format!("Reading the forwarding queue failed: {error}"))?;
    if let Some(error) = delivery.last_error {
        return Err(format!(
            "The latest delivery failed: {error}. Audit events waiting to be sent: {}.",
            delivery.pending
        ));
    }
    let waited = delivery
        .oldest_pending_at
        .map(|at| (state.clock.now() - at).num_seconds());
    if let Some(seconds) = waited.filter(|seconds| *seconds > STALE_SECONDS) {
        return Err(format!(
            "Audit events waiting to be sent: {}; the oldest for {seconds} seconds.",
            delivery.pending
        ));
    }
    Ok(format!(
        "{reached} Audit events waiting to be sent: {}.",
        delivery.pending
    ))
}

/// Returns the host name of the installation's public URL, which every event carries.
pub fn installation_host(state: &AppState) -> &str {
    state.config.public_url.host_str().unwrap_or_default()
}
