//! The vendor's side of licensing, behind `ipsolis license`: make a key pair, sign a payload
//! into a license file, and check a license file.
//!
//! A private key file is JSON, `{"key_id": "...", "private_key": "<base64 of the 32-byte
//! Ed25519 secret key>"}`, written with mode 0600. Keep it off the servers that run ip·Solis:
//! a server needs only the public key, which is built in.

use super::document::{self, LicenseFile, LicensePayload};
use super::keys::{TEST_KEYS_ALLOWED, TEST_KEYS_VARIABLE, TrustedKeys};
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::SigningKey;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct PrivateKeyFile {
    key_id: String,
    private_key: String,
}

/// A public key as `keygen` prints it.
#[derive(Serialize)]
struct PublicKey<'a> {
    key_id: &'a str,
    public_key: String,
}

/// Generates a key pair, writes the private key to `out` (which must not exist yet) and
/// returns the public key as JSON.
pub fn keygen(key_id: &str, out: &Path) -> anyhow::Result<String> {
    let key_id = key_id.trim();
    if key_id.is_empty() || key_id.contains(['=', ',']) {
        bail!("the key id must be non-empty and must not contain '=' or ','");
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let key = SigningKey::from_bytes(&secret);
    let file = PrivateKeyFile {
        key_id: key_id.to_string(),
        private_key: STANDARD.encode(secret),
    };

    let mut output = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .with_context(|| format!("cannot create {}; it must not exist yet", out.display()))?;
    output.write_all(serde_json::to_string_pretty(&file)?.as_bytes())?;
    output.write_all(b"\n")?;

    let public = PublicKey {
        key_id,
        public_key: STANDARD.encode(key.verifying_key().to_bytes()),
    };
    Ok(serde_json::to_string(&public)?)
}

fn read_private_key(path: &Path) -> anyhow::Result<(String, SigningKey)> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: PrivateKeyFile = serde_json::from_slice(&text).with_context(|| {
        format!(
            "{} is not a private key file of `ipsolis license keygen`",
            path.display()
        )
    })?;
    let secret = STANDARD
        .decode(file.private_key.trim())
        .context("private_key is not valid base64")?;
    let secret: [u8; 32] = secret
        .try_into()
        .map_err(|_| anyhow::anyhow!("private_key must be 32 bytes"))?;
    Ok((file.key_id, SigningKey::from_bytes(&secret)))
}

/// Signs the payload in `payload_path` with the private key in `key_path` and returns the
/// license file.
pub fn sign(key_path: &Path, payload_path: &Path) -> anyhow::Result<String> {
    let (key_id, key) = read_private_key(key_path)?;
    let text = std::fs::read(payload_path)
        .with_context(|| format!("cannot read {}", payload_path.display()))?;
    let payload: LicensePayload = crate::http::parse_json(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", payload_path.display(), describe(&e)))?;
    let problems = payload.problems();
    if !problems.is_empty() {
        bail!(
            "{}: {}",
            payload_path.display(),
            document::describe(&problems)
        );
    }
    let license: LicenseFile = document::sign(&payload, &key_id, &key);
    Ok(serde_json::to_string_pretty(&license)? + "\n")
}

fn describe(error: &crate::error::ApiError) -> String {
    match error {
        crate::error::ApiError::Validation(errors) => document::describe(errors),
        other => other.to_string(),
    }
}

/// Verifies the license file at `path` against the built-in keys (and, in a debug build, the
/// test keys of the environment) and returns its payload as JSON.
pub fn verify(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let test_keys = std::env::var(TEST_KEYS_VARIABLE).ok();
    let keys = TrustedKeys::build(test_keys.as_deref(), TEST_KEYS_ALLOWED)
        .map_err(|e| anyhow::anyhow!("{TEST_KEYS_VARIABLE}: {e}"))?;
    let license = document::verify(&text, &keys)?;
    let shown = serde_json::json!({ "key_id": license.key_id, "payload": license.payload });
    Ok(serde_json::to_string_pretty(&shown)? + "\n")
}
