//! The public keys a license may be signed with: the vendor keys built into the binary, plus,
//! in debug builds only, test keys from `IPSOLIS_LICENSE_TEST_KEYS`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;

/// The vendor's public keys, as key id and base64 of the 32-byte Ed25519 public key. The
/// private halves are kept by the vendor and never enter this repository. To rotate, add the
/// new key here, sign new licenses with it, and remove the old key once its licenses expired.
pub const BUILT_IN_KEYS: &[(&str, &str)] = &[(
    "ipsolis-2026-1",
    "/1AWxLYjDRDXVZVMpmRzf9ogA5MhW9DHkykNJhnGXU4=",
)];

/// The environment variable with test keys: `KEY_ID=BASE64[,KEY_ID=BASE64...]`.
pub const TEST_KEYS_VARIABLE: &str = "IPSOLIS_LICENSE_TEST_KEYS";

/// Whether this build honours `IPSOLIS_LICENSE_TEST_KEYS`. Only debug builds do, so nobody can
/// sign their own licenses for a release build by setting an environment variable.
pub const TEST_KEYS_ALLOWED: bool = cfg!(debug_assertions);

/// The keys licenses are verified against.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    keys: Vec<(String, VerifyingKey)>,
}

impl TrustedKeys {
    pub fn from_list(keys: Vec<(String, VerifyingKey)>) -> TrustedKeys {
        TrustedKeys { keys }
    }

    /// Builds the built-in keys, plus the test keys in `test_keys` when `allow_test_keys` is
    /// true. Test keys that are set but not allowed are ignored with a warning.
    pub fn build(test_keys: Option<&str>, allow_test_keys: bool) -> Result<TrustedKeys, String> {
        let mut keys = Vec::new();
        for (id, key) in BUILT_IN_KEYS {
            let key = parse_public_key(key).expect("the built-in license keys are valid");
            keys.push((id.to_string(), key));
        }
        match (test_keys, allow_test_keys) {
            (None, _) => {}
            (Some(_), false) => tracing::warn!(
                variable = TEST_KEYS_VARIABLE,
                "license test keys are ignored in release builds"
            ),
            (Some(text), true) => {
                for (id, key) in parse_test_keys(text)? {
                    tracing::info!(key_id = %id, "trusting a license test key (debug build)");
                    keys.push((id, key));
                }
            }
        }
        Ok(TrustedKeys { keys })
    }

    /// Returns the key with `id`.
    pub fn find(&self, id: &str) -> Option<&VerifyingKey> {
        self.keys.iter().find(|(k, _)| k == id).map(|(_, key)| key)
    }
}

/// Decodes the base64 of a 32-byte Ed25519 public key.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|e| format!("the public key is not valid base64: {e}"))?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
        format!(
            "an Ed25519 public key is 32 bytes, not {} bytes",
            bytes.len()
        )
    })?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "the public key is not a valid Ed25519 key".into())
}

/// Parses `KEY_ID=BASE64[,KEY_ID=BASE64...]`. A key id must not repeat or name a built-in key.
pub fn parse_test_keys(text: &str) -> Result<Vec<(String, VerifyingKey)>, String> {
    let mut keys: Vec<(String, VerifyingKey)> = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (id, key) = entry
            .split_once('=')
            .ok_or_else(|| format!("{entry:?} is not of the form KEY_ID=BASE64"))?;
        let id = id.trim();
        if id.is_empty() {
            return Err(format!("{entry:?} has an empty key id"));
        }
        if BUILT_IN_KEYS.iter().any(|(built_in, _)| *built_in == id)
            || keys.iter().any(|(k, _)| k == id)
        {
            return Err(format!("the key id {id:?} is used twice"));
        }
        let key = parse_public_key(key).map_err(|e| format!("key {id:?}: {e}"))?;
        keys.push((id.to_string(), key));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_key() -> String {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
        STANDARD.encode(key.to_bytes())
    }

    #[test]
    fn built_in_keys_parse() {
        let keys = TrustedKeys::build(None, false).unwrap();
        for (id, _) in BUILT_IN_KEYS {
            assert!(keys.find(id).is_some(), "{id}");
        }
    }

    #[test]
    fn test_keys_are_trusted_only_when_allowed() {
        let setting = format!("unit={}", test_key());
        let allowed = TrustedKeys::build(Some(&setting), true).unwrap();
        assert!(allowed.find("unit").is_some());
        let release = TrustedKeys::build(Some(&setting), false).unwrap();
        assert!(release.find("unit").is_none());
    }

    #[test]
    fn test_keys_reject_bad_entries() {
        let built_in = format!("{}={}", BUILT_IN_KEYS[0].0, test_key());
        let twice = format!("a={0},a={0}", test_key());
        for bad in [
            "no-equals-sign",
            "=abc",
            "a=%%%",
            "a=AAAA",
            &built_in,
            &twice,
        ] {
            assert!(parse_test_keys(bad).is_err(), "{bad} was accepted");
        }
    }
}
