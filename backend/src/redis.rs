//! The Redis connection, used for the scheduler's leader lock.

use anyhow::Context;
use fred::prelude::*;
use std::time::Duration;

pub async fn connect(url: &str) -> anyhow::Result<Client> {
    let config = Config::from_url(url).context("REDIS_URL is not a valid Redis URL")?;
    let client = Builder::from_config(config)
        .with_connection_config(|c| {
            c.connection_timeout = Duration::from_secs(3);
        })
        .with_performance_config(|p| {
            p.default_command_timeout = Duration::from_secs(3);
        })
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
        .build()
        .context("failed to build the Redis client")?;
    client
        .init()
        .await
        .context("failed to connect to Redis at REDIS_URL")?;
    Ok(client)
}
