//! Forwarding of the audit log to the SIEM. While forwarding is on, a database trigger queues
//! every new audit row in the transaction that writes it (`siem_outbox`). This loop takes the
//! oldest queued rows, sends them, and removes them from the queue only in the transaction that
//! records the SIEM's acceptance, so no event is lost across a crash or an outage of the SIEM.
//! An event may be sent twice when a replica dies between the SIEM's answer and the commit; the
//! audit row id in every event lets the SIEM drop the repeat.
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
/// The wait between looks at an empty queue.
const IDLE: Duration = Duration::from_secs(2);
/// The longest wait after failures in a row.
const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// What one pass did.
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

/// Sends one batch of queued events, oldest first.
pub async fn forward(state: &AppState) -> anyhow::Result<Pass> {
    let config = match settings::load_cached::<SiemConfig>(state).await {
        Ok(Some(config)) if config.enabled => config,
        Ok(_) => return Ok(Pass::Off),
        Err(error) => anyhow::bail!("the SIEM settings cannot be read: {error}"),
    };
    let host = state.config.public_url.host_str().unwrap_or_default();

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
