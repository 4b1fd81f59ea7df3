//! The scheduler's leader lock: a Redis key with a TTL of a few seconds, renewed only by its
//! holder (compare-and-extend in one Lua script). The lock only decides who enqueues; the
//! unique dedupe key on `jobs` is the real fence, so even two leaders at once cannot run a
//! periodic task twice for one slot.

use fred::prelude::*;
use fred::types::{Expiration, SetOptions};

/// How long the lock lives without renewal. A new leader takes over within this time after
/// the holder dies.
pub const LOCK_TTL_MS: i64 = 3000;

const RENEW: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
    return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
    return redis.call('del', KEYS[1]) else return 0 end";

pub struct LeaderLock {
    redis: Client,
    key: String,
    /// This process's claim, unique per start.
    holder: String,
}

impl LeaderLock {
    /// Builds the lock at `key` for the process named `holder`, which must be unique per start.
    pub fn new(redis: Client, key: String, holder: String) -> LeaderLock {
        LeaderLock { redis, key, holder }
    }

    /// Renews the lock if this process holds it, or takes it if no process holds it.
    /// Returns whether this process is the leader now.
    pub async fn acquire_or_renew(&self) -> Result<bool, Error> {
        let renewed: i64 = self
            .redis
            .eval(
                RENEW,
                vec![self.key.clone()],
                vec![self.holder.clone(), LOCK_TTL_MS.to_string()],
            )
            .await?;
        if renewed == 1 {
            return Ok(true);
        }
        let taken: Option<String> = self
            .redis
            .set(
                &self.key,
                &self.holder,
                Some(Expiration::PX(LOCK_TTL_MS)),
                Some(SetOptions::NX),
                false,
            )
            .await?;
        Ok(taken.is_some())
    }

    /// Gives the lock up at shutdown so another replica takes over at once.
    pub async fn release(&self) {
        let released: Result<i64, Error> = self
            .redis
            .eval(RELEASE, vec![self.key.clone()], vec![self.holder.clone()])
            .await;
        if let Err(error) = released {
            tracing::warn!(%error, "releasing the scheduler lock failed; it expires on its own");
        }
    }

    /// Returns the current holder, if any.
    pub async fn holder(&self) -> Result<Option<String>, Error> {
        self.redis.get(&self.key).await
    }
}
