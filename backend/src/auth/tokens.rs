//! API token secrets: `ips_<prefix>_<secret>`, stored as a SHA-256 hash. The secret carries
//! 256 random bits, so a fast hash is enough: nothing can be guessed from it.

use sha2::{Digest, Sha256};

pub const TOKEN_PREFIX: &str = "ips_";

/// A new token: the full secret to show once, its public prefix and its hash to store.
pub struct MintedToken {
    pub secret: String,
    pub prefix: String,
    pub hash: Vec<u8>,
}

pub fn mint() -> MintedToken {
    let prefix = format!("{TOKEN_PREFIX}{}", &crate::crypto::random_hex(4));
    let secret = format!("{prefix}_{}", crate::crypto::random_token(32));
    MintedToken {
        hash: hash(&secret),
        secret,
        prefix,
    }
}

pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Returns the bearer token of an `Authorization` header value if it has our form.
pub fn bearer(header: &str) -> Option<&str> {
    let token = header.strip_prefix("Bearer ")?.trim();
    token.starts_with(TOKEN_PREFIX).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_token_hashes_to_stored_hash() {
        let token = mint();
        assert!(token.secret.starts_with(&token.prefix));
        assert_eq!(token.prefix.len(), TOKEN_PREFIX.len() + 8);
        assert_eq!(hash(&token.secret), token.hash);
        assert_eq!(
            bearer(&format!("Bearer {}", token.secret)),
            Some(token.secret.as_str())
        );
        assert_eq!(bearer("Basic abc"), None);
    }
}
