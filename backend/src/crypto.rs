//! Keys derived from `API_SECRET_KEY`, encryption of secrets at rest, and signed tokens.
//! Each use gets its own key through HKDF, so one leaked derived key exposes nothing else.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const SECRET_PREFIX: &str = "enc:v1:";

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the stored secret is not in the expected format")]
    Format,
    #[error(
        "the stored secret cannot be decrypted; API_SECRET_KEY changed since it was saved, \
         so enter the secret again"
    )]
    Decrypt,
}

/// The keys of one installation.
#[derive(Clone)]
pub struct Keys {
    settings: [u8; 32],
    links: [u8; 32],
    /// The key for the private (encrypted and signed) session cookies.
    pub cookie: axum_extra::extract::cookie::Key,
    /// A short public name of the link key, carried in each token so rotation is detectable.
    link_key_id: String,
}

fn derive<const N: usize>(secret: &str, info: &str) -> [u8; N] {
    let hkdf = Hkdf::<Sha256>::new(Some(b"ipsolis"), secret.as_bytes());
    let mut out = [0u8; N];
    // N is at most 64 here, far below HKDF-SHA256's limit of 8160 bytes.
    hkdf.expand(info.as_bytes(), &mut out)
        .expect("HKDF output length is within limits");
    out
}

impl Keys {
    pub fn derive(secret: &str) -> Keys {
        let links: [u8; 32] = derive(secret, "approval-links v1");
        let cookie: [u8; 64] = derive(secret, "session-cookies v1");
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&links).expect("HMAC takes any key length");
        mac.update(b"key id");
        let link_key_id = hex(&mac.finalize().into_bytes()[..4]);
        Keys {
            settings: derive(secret, "settings-encryption v1"),
            links,
            cookie: axum_extra::extract::cookie::Key::from(&cookie),
            link_key_id,
        }
    }

    /// Encrypts a secret setting with AES-256-GCM and a random nonce.
    pub fn encrypt_secret(&self, plaintext: &str) -> String {
        let cipher = Aes256Gcm::new_from_slice(&self.settings).expect("32-byte key");
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("AES-GCM encryption of a short value cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        format!("{SECRET_PREFIX}{}", STANDARD.encode(blob))
    }

    pub fn decrypt_secret(&self, stored: &str) -> Result<String, CryptoError> {
        let encoded = stored
            .strip_prefix(SECRET_PREFIX)
            .ok_or(CryptoError::Format)?;
        let blob = STANDARD.decode(encoded).map_err(|_| CryptoError::Format)?;
        if blob.len() < 12 {
            return Err(CryptoError::Format);
        }
        let (nonce, ciphertext) = blob.split_at(12);
        let cipher = Aes256Gcm::new_from_slice(&self.settings).expect("32-byte key");
        let plaintext = cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| CryptoError::Decrypt)?;
        String::from_utf8(plaintext).map_err(|_| CryptoError::Format)
    }

    /// Signs `payload` for an approval link: `v1.<key id>.<payload>.<mac>`, URL-safe.
    pub fn sign_link(&self, payload: &[u8]) -> String {
        let body = URL_SAFE_NO_PAD.encode(payload);
        let signed = format!("v1.{}.{body}", self.link_key_id);
        let mac = self.link_mac(signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    /// Verifies a link token and returns its payload. The MAC comparison is constant-time
    /// (`verify_slice`), so timing reveals nothing about a valid signature.
    pub fn verify_link(&self, token: &str) -> Option<Vec<u8>> {
        let (signed, mac_text) = token.rsplit_once('.')?;
        let mut parts = signed.splitn(3, '.');
        let (version, key_id, body) = (parts.next()?, parts.next()?, parts.next()?);
        if version != "v1" || key_id != self.link_key_id {
            return None;
        }
        let mac_bytes = URL_SAFE_NO_PAD.decode(mac_text).ok()?;
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.links).expect("HMAC takes any key length");
        mac.update(signed.as_bytes());
        mac.verify_slice(&mac_bytes).ok()?;
        URL_SAFE_NO_PAD.decode(body).ok()
    }

    fn link_mac(&self, data: &[u8]) -> Vec<u8> {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.links).expect("HMAC takes any key length");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
}

/// Returns `bytes` as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Returns `bytes` random bytes as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buffer);
    hex(&buffer)
}

/// Returns a random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::derive("0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn secret_round_trip_uses_fresh_nonce() {
        let keys = keys();
        let first = keys.encrypt_secret("bind-password");
        let second = keys.encrypt_secret("bind-password");
        assert_ne!(first, second);
        assert!(!first.contains("bind-password"));
        assert_eq!(keys.decrypt_secret(&first).unwrap(), "bind-password");
    }

    #[test]
    fn secret_from_other_key_fails_to_decrypt() {
        let stored = keys().encrypt_secret("x");
        let other = Keys::derive("another-secret-key-of-32-characters!");
        assert!(matches!(
            other.decrypt_secret(&stored),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn link_signature_detects_tampering() {
        let keys = keys();
        let token = keys.sign_link(br#"{"a":1}"#);
        assert_eq!(keys.verify_link(&token).unwrap(), br#"{"a":1}"#);

        let (signed, mac) = token.rsplit_once('.').unwrap();
        let forged_body = URL_SAFE_NO_PAD.encode(br#"{"a":2}"#);
        let mut parts: Vec<&str> = signed.split('.').collect();
        parts[2] = &forged_body;
        let forged = format!("{}.{mac}", parts.join("."));
        assert!(keys.verify_link(&forged).is_none());
        assert!(keys.verify_link("v1.x.y").is_none());
    }

    #[test]
    fn link_from_rotated_key_is_rejected() {
        let token = keys().sign_link(b"payload");
        let rotated = Keys::derive("another-secret-key-of-32-characters!");
        assert!(rotated.verify_link(&token).is_none());
    }
}
