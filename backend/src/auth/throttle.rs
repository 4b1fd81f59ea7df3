//! Sign-in throttling shared by every replica through Redis. Failures are counted per
//! username and per client address; from the fifth failure within the window each further
//! one locks that key for twice as long as the last, starting at 30 seconds, up to 15 minutes.
//! Unknown usernames are counted like known ones, so the answers reveal nothing.

use crate::state::AppState;
use fred::prelude::*;
use fred::types::Expiration;
use std::net::IpAddr;

/// Failures within this many seconds count towards a lock.
const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures allowed before the first lock.
const FREE_FAILURES: i64 = 5;
const FIRST_LOCK_SECONDS: i64 = 30;
const MAX_LOCK_SECONDS: i64 = 15 * 60;

fn keys(state: &AppState, username: &str, address: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![state.redis_key(&format!("sign-in:user:{username}"))];
    if let Some(address) = address {
        keys.push(state.redis_key(&format!("sign-in:address:{address}")));
    }
    keys
}

/// Returns the lock length after `failures` failures, or zero while below the threshold.
pub fn lock_seconds(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = u32::try_from((failures - FREE_FAILURES).min(10)).unwrap_or(10);
    (FIRST_LOCK_SECONDS << doublings).min(MAX_LOCK_SECONDS)
}

/// Returns the seconds to wait when the username or the address is locked.
pub async fn locked_for(state: &AppState, username: &str, address: Option<IpAddr>) -> Option<u64> {
    let mut longest = 0i64;
    for key in keys(state, username, address) {
        let ttl: Result<i64, Error> = state.redis.pttl(format!("{key}:lock")).await;
        match ttl {
            Ok(ms) if ms > 0 => longest = longest.max((ms + 999) / 1000),
            Ok(_) => {}
            // Without Redis sign-in still works, unthrottled, rather than locking everyone out.
            Err(error) => tracing::warn!(%error, "sign-in throttle unavailable"),
        }
    }
    (longest > 0).then(|| u64::try_from(longest).unwrap_or(1))
}

/// Counts a failure and sets the lock it earns. Returns the lock length, if any.
pub async fn record_failure(
    state: &AppState,
    username: &str,
    address: Option<IpAddr>,
) -> Option<u64> {
    let mut longest = 0i64;
    for key in keys(state, username, address) {
        let counted: Result<i64, Error> = state.redis.incr(&key).await;
        let failures = match counted {
            Ok(failures) => failures,
            Err(error) => {
                tracing::warn!(%error, "sign-in throttle unavailable");
                continue;
            }
        };
        if failures == 1 {
            let _: Result<bool, Error> = state.redis.expire(&key, WINDOW_SECONDS, None).await;
        }
        let seconds = lock_seconds(failures);
        if seconds > 0 {
            let lock: Result<(), Error> = state
                .redis
                .set(
                    format!("{key}:lock"),
                    1,
                    Some(Expiration::EX(seconds)),
                    None,
                    false,
                )
                .await;
            if let Err(error) = lock {
                tracing::warn!(%error, "setting the sign-in lock failed");
            }
            let _: Result<bool, Error> = state
                .redis
                .expire(&key, WINDOW_SECONDS.max(seconds), None)
                .await;
            longest = longest.max(seconds);
        }
    }
    (longest > 0).then(|| u64::try_from(longest).unwrap_or(1))
}

/// Clears the username's failures after a successful sign-in. The address keeps its count,
/// so one client cannot reset its budget by signing in to its own account in between.
pub async fn record_success(state: &AppState, username: &str) {
    let key = state.redis_key(&format!("sign-in:user:{username}"));
    let _: Result<i64, Error> = state.redis.del(key).await;
}

#[cfg(test)]
mod tests {
    use super::lock_seconds;

    #[test]
    fn locks_start_at_fifth_failure_and_double() {
        assert_eq!(lock_seconds(4), 0);
        assert_eq!(lock_seconds(5), 30);
        assert_eq!(lock_seconds(6), 60);
        assert_eq!(lock_seconds(7), 120);
        assert_eq!(lock_seconds(40), 900);
    }
}
