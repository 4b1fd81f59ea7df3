//! Live checks of the directory, the mail server and the sign-in provider for the setup
//! checklist, with their results kept in this process for a minute so that the dashboard
//! stays fast. A result belongs to the settings it was made with: saving other settings
//! checks again on the next request.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a check's result is reused.
pub const RESULT_TTL: Duration = Duration::from_secs(60);

/// How long one check may take before it counts as failed. Shorter than the connection
/// tests' own timeouts, because the dashboard waits for it.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(4);

/// A check's result: what succeeded, or why it failed.
pub type Outcome = Result<String, String>;

struct Entry {
    fingerprint: [u8; 32],
    checked_at: Instant,
    outcome: Outcome,
}

/// Check results by service, each with a digest of the settings it was made with.
#[derive(Clone, Default)]
pub struct ReachabilityCache {
    inner: Arc<Mutex<HashMap<&'static str, Entry>>>,
}

/// Returns a SHA-256 digest of `settings`, secret included, so that a changed password
/// counts as changed settings. Only the digest is kept.
pub fn fingerprint<T: Serialize>(settings: &T) -> [u8; 32] {
    let bytes = serde_json::to_vec(settings).unwrap_or_default();
    Sha256::digest(bytes).into()
}

impl ReachabilityCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Entry>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Returns the result of the last check of `service` with the same settings when it is
    /// younger than [`RESULT_TTL`]; otherwise runs `check`, bounded by [`CHECK_TIMEOUT`].
    pub async fn check<F, Fut>(
        &self,
        service: &'static str,
        fingerprint: [u8; 32],
        check: F,
    ) -> Outcome
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Outcome>,
    {
        if let Some(entry) = self.lock().get(service)
            && entry.fingerprint == fingerprint
            && entry.checked_at.elapsed() < RESULT_TTL
        {
            return entry.outcome.clone();
        }

        let outcome = match tokio::time::timeout(CHECK_TIMEOUT, check()).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!(
                "no answer within {} seconds",
                CHECK_TIMEOUT.as_secs()
            )),
        };
        if let Err(reason) = &outcome {
            tracing::info!(service, %reason, "setup checklist: live check failed");
        }
        let entry = Entry {
            fingerprint,
            checked_at: Instant::now(),
            outcome: outcome.clone(),
        };
        self.lock().insert(service, entry);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn result_is_reused_for_the_same_settings_only() {
        let cache = ReachabilityCache::default();
        let calls = AtomicUsize::new(0);
        let probe = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, String>("reached".to_string())
        };
        let first = fingerprint(&"host-a");
        assert_eq!(
            cache.check("smtp", first, probe).await,
            Ok("reached".into())
        );
        assert_eq!(
            cache.check("smtp", first, probe).await,
            Ok("reached".into())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the second call is cached");

        let second = fingerprint(&"host-b");
        cache.check("smtp", second, probe).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "new settings check again");
    }
}
