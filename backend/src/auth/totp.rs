//! Time-based one-time passwords (RFC 6238: SHA-1, six digits, 30-second steps) for admin
//! sign-in, accepting one step of clock drift either way, and one-time recovery codes.

use sha2::{Digest, Sha256};
use totp_rs::{Builder, Totp};

/// Steps of clock drift accepted on either side of the current one.
const SKEW_STEPS: u16 = 1;
pub const RECOVERY_CODES: usize = 10;

fn totp(secret: &[u8], username: &str) -> Option<Totp> {
    Builder::new()
        .with_secret(secret.to_vec())
        .with_skew(SKEW_STEPS)
        .with_issuer(Some("ip·Solis"))
        .with_account_name(username)
        .build()
        .ok()
}

/// Returns 20 random bytes (160 bits, the size RFC 4226 recommends) as a new secret.
pub fn new_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut secret = vec![0u8; 20];
    rand::thread_rng().fill_bytes(&mut secret);
    secret
}

pub fn base32(secret: &[u8]) -> String {
    totp_rs::Secret::from(secret.to_vec()).to_base32()
}

pub fn otpauth_url(secret: &[u8], username: &str) -> String {
    totp(secret, username)
        .and_then(|t| t.to_url().ok())
        .unwrap_or_default()
}

/// Checks `code` at `unix_seconds` and returns the step it matched, so the caller can refuse
/// a code used before.
pub fn matching_step(secret: &[u8], username: &str, code: &str, unix_seconds: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = totp(secret, username)?;
    totp.check(&code, unix_seconds)
}

/// Returns the code for `unix_seconds`, for tests.
pub fn code_at(secret: &[u8], username: &str, unix_seconds: u64) -> String {
    totp(secret, username)
        .map(|t| t.generate(unix_seconds).to_string())
        .unwrap_or_default()
}

/// Returns a new recovery code such as `k7f2-9qxm-3bnd`.
pub fn new_recovery_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let chars: Vec<char> = (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "{}-{}-{}",
        chars[..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..].iter().collect::<String>()
    )
}

pub fn recovery_hash(code: &str) -> Vec<u8> {
    let normalised: String = code
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    Sha256::digest(normalised.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_within_one_step_of_drift() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, "alice", now);
        assert!(matching_step(&secret, "alice", &code, now).is_some());
        assert!(matching_step(&secret, "alice", &code, now + 30).is_some());
        assert!(matching_step(&secret, "alice", &code, now - 30).is_some());
        assert!(matching_step(&secret, "alice", &code, now + 90).is_none());
        assert!(matching_step(&secret, "alice", "000000x", now).is_none());
    }

    #[test]
    fn rfc_6238_sha1_vector() {
        // RFC 6238, appendix B: time 59 gives 94287082 with eight digits; six digits keep
        // the last six.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, "rfc", 59), "287082");
    }

    #[test]
    fn recovery_codes_hash_the_same_however_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 14);
        assert_eq!(recovery_hash(&code), recovery_hash(&code.to_uppercase()));
    }
}
