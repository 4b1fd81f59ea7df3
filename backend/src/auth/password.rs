//! Argon2id password hashing with bounded concurrency, so a sign-in flood cannot exhaust
//! memory (each hash takes about 19 MiB).

use anyhow::anyhow;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

/// A hash of a random password, verified against when a username does not exist, so an
/// unknown username costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let random = crate::crypto::random_token(24);
    hash_blocking(&random).expect("hashing a random password succeeds")
});

/// Argon2id with the crate defaults: m = 19 MiB, t = 2, p = 1, the minimum OWASP's
/// Password Storage Cheat Sheet recommends for Argon2id.
fn hash_blocking(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow!("argon2 hashing failed: {e}"))
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> PasswordHasher {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(max_concurrent)),
        }
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let password = password.to_string();
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
    }

    /// Checks `password` against `stored`, or against a dummy hash when there is no user.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let password = password.to_string();
        let found = stored.is_some();
        let stored = stored.map_or_else(|| DUMMY_HASH.clone(), str::to_string);
        let matches = tokio::task::spawn_blocking(move || verify_blocking(&password, &stored))
            .await
            .unwrap_or(false);
        found && matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_verifies_only_the_same_password() {
        let hasher = PasswordHasher::new(2);
        let stored = hasher.hash("correct horse battery").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse battery", Some(&stored)).await);
        assert!(!hasher.verify("wrong horse battery", Some(&stored)).await);
        assert!(!hasher.verify("correct horse battery", None).await);
    }
}
