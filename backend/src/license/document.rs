//! The license file: a JSON envelope holding a payload and an Ed25519 signature over the
//! payload's exact bytes.
//!
//! ```json
//! {
//!   "key_id": "ipsolis-2026-1",
//!   "payload": "<base64 of the payload's JSON bytes>",
//!   "signature": "<base64 of the 64-byte Ed25519 signature over those bytes>"
//! }
//! ```
//!
//! Both values use the standard base64 alphabet with padding. The signature covers the decoded
//! payload bytes, not the envelope, so the envelope may be reformatted freely. The payload is
//! parsed only after its signature checks out.

use super::keys::TrustedKeys;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Days, NaiveDate, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey};
use serde::{Deserialize, Serialize};
use shared::FieldError;
pub use shared::license::LicenseFile;

/// The largest license file accepted; real ones are well under 1 KiB.
pub const MAX_FILE_BYTES: usize = 64 * 1024;
const MAX_LICENSE_ID_CHARS: usize = 100;
const MAX_LICENSEE_CHARS: usize = 200;

/// The grants of a license. The signing tool writes these fields in this order as compact JSON.
/// Fields this version does not know are ignored, so a newer vendor tool can add some without
/// making older installations reject its licenses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicensePayload {
    pub license_id: String,
    pub licensee: String,
    /// The band: the most people who may hold active access at once.
    pub max_active_users: u32,
    pub issued_on: NaiveDate,
    /// The last day the license is valid, in UTC.
    pub expires_on: NaiveDate,
}

impl LicensePayload {
    /// Returns the instant the license expires: the end of `expires_on` in UTC.
    pub fn expires_at(&self) -> DateTime<Utc> {
        let next_day = self
            .expires_on
            .checked_add_days(Days::new(1))
            .unwrap_or(self.expires_on);
        next_day.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// Lists the values that no license may carry.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let id = self.license_id.trim();
        if id.is_empty() || id.chars().count() > MAX_LICENSE_ID_CHARS {
            errors.push(FieldError::new(
                "payload.license_id",
                format!("must be 1 to {MAX_LICENSE_ID_CHARS} characters"),
            ));
        }
        let licensee = self.licensee.trim();
        if licensee.is_empty() || licensee.chars().count() > MAX_LICENSEE_CHARS {
            errors.push(FieldError::new(
                "payload.licensee",
                format!("must be 1 to {MAX_LICENSEE_CHARS} characters"),
            ));
        }
        if self.max_active_users == 0 {
            errors.push(FieldError::new(
                "payload.max_active_users",
                "must be at least 1",
            ));
        }
        if self.expires_on < self.issued_on {
            errors.push(FieldError::new(
                "payload.expires_on",
                "must not be before issued_on",
            ));
        }
        errors
    }
}

/// A license whose signature was checked against a trusted key.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedLicense {
    pub key_id: String,
    pub payload: LicensePayload,
}

/// The reason a license file was rejected. Each kind has its own problem type in the API.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LicenseError {
    #[error("the license file is malformed: {}", describe(.0))]
    Malformed(Vec<FieldError>),
    #[error(
        "the license is signed with the key {0:?}, which this build of ip·Solis does not trust"
    )]
    UnknownKey(String),
    #[error(
        "the license signature does not match its payload; the file was changed after signing or signed with another key"
    )]
    BadSignature,
}

/// Joins field errors into one line, such as `signature is not valid base64; key_id ...`.
pub fn describe(errors: &[FieldError]) -> String {
    let each: Vec<String> = errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect();
    each.join("; ")
}

fn malformed(field: &str, message: impl Into<String>) -> LicenseError {
    LicenseError::Malformed(vec![FieldError::new(field, message)])
}

/// Parses a license file and checks its signature against `keys`.
pub fn verify(text: &[u8], keys: &TrustedKeys) -> Result<VerifiedLicense, LicenseError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(malformed(
            "body",
            format!("is larger than {} KiB", MAX_FILE_BYTES / 1024),
        ));
    }
    let file: LicenseFile = match crate::http::parse_json(text) {
        Ok(file) => file,
        Err(crate::error::ApiError::Validation(errors)) => {
            return Err(LicenseError::Malformed(errors));
        }
        Err(_) => {
            return Err(malformed(
                "body",
                "is not JSON; a license file is a JSON object with key_id, payload and signature",
            ));
        }
    };

    let payload = STANDARD
        .decode(file.payload.trim())
        .map_err(|e| malformed("payload", format!("is not valid base64: {e}")))?;
    let signature = STANDARD
        .decode(file.signature.trim())
        .map_err(|e| malformed("signature", format!("is not valid base64: {e}")))?;
    let signature = Signature::from_slice(&signature).map_err(|_| {
        malformed(
            "signature",
            format!(
                "must be 64 bytes for Ed25519, not {} bytes",
                signature.len()
            ),
        )
    })?;

    let key = keys
        .find(&file.key_id)
        .ok_or_else(|| LicenseError::UnknownKey(file.key_id.clone()))?;
    // The strict check also rejects the malleable signatures that plain RFC 8032
    // verification lets through, so one payload has exactly one valid signature per key.
    key.verify_strict(&payload, &signature)
        .map_err(|_| LicenseError::BadSignature)?;

    let parsed: LicensePayload = match crate::http::parse_json(&payload) {
        Ok(parsed) => parsed,
        Err(crate::error::ApiError::Validation(errors)) => {
            let errors = errors
                .into_iter()
                .map(|e| FieldError::new(format!("payload.{}", e.field), e.message))
                .collect();
            return Err(LicenseError::Malformed(errors));
        }
        Err(_) => return Err(malformed("payload", "does not hold a JSON object")),
    };
    let problems = parsed.problems();
    if !problems.is_empty() {
        return Err(LicenseError::Malformed(problems));
    }
    Ok(VerifiedLicense {
        key_id: file.key_id,
        payload: parsed,
    })
}

/// Signs `payload` with `key`, as the vendor's signing tool does.
pub fn sign(payload: &LicensePayload, key_id: &str, key: &SigningKey) -> LicenseFile {
    let bytes = serde_json::to_vec(payload).expect("a license payload serializes");
    let signature = key.sign(&bytes);
    LicenseFile {
        key_id: key_id.to_string(),
        payload: STANDARD.encode(&bytes),
        signature: STANDARD.encode(signature.to_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn keys() -> TrustedKeys {
        TrustedKeys::from_list(vec![("unit".into(), key(7).verifying_key())])
    }

    fn payload() -> LicensePayload {
        LicensePayload {
            license_id: "LIC-1".into(),
            licensee: "Example Ltd".into(),
            max_active_users: 100,
            issued_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            expires_on: NaiveDate::from_ymd_opt(2027, 11, 30).unwrap(),
        }
    }

    fn text(file: &LicenseFile) -> Vec<u8> {
        serde_json::to_vec(file).unwrap()
    }

    #[test]
    fn signed_license_verifies() {
        let file = sign(&payload(), "unit", &key(7));
        let verified = verify(&text(&file), &keys()).unwrap();
        assert_eq!(verified.payload, payload());
        assert_eq!(verified.key_id, "unit");
    }

    #[test]
    fn expiry_is_the_end_of_the_last_day() {
        let expected = "2027-12-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(payload().expires_at(), expected);
    }

    #[test]
    fn changed_payload_fails_the_signature() {
        let mut file = sign(&payload(), "unit", &key(7));
        let mut changed = payload();
        changed.max_active_users = 10_000;
        file.payload = STANDARD.encode(serde_json::to_vec(&changed).unwrap());
        assert_eq!(
            verify(&text(&file), &keys()),
            Err(LicenseError::BadSignature)
        );
    }

    #[test]
    fn other_key_under_a_trusted_id_fails() {
        let file = sign(&payload(), "unit", &key(8));
        assert_eq!(
            verify(&text(&file), &keys()),
            Err(LicenseError::BadSignature)
        );
    }

    #[test]
    fn unknown_key_id_is_named() {
        let file = sign(&payload(), "elsewhere", &key(7));
        assert_eq!(
            verify(&text(&file), &keys()),
            Err(LicenseError::UnknownKey("elsewhere".into()))
        );
    }

    #[test]
    fn malformed_files_name_the_field() {
        let cases: [(&[u8], &str); 4] = [
            (b"not json", "body"),
            (br#"{"key_id": "unit", "payload": "AAAA"}"#, "signature"),
            (
                br#"{"key_id": "unit", "payload": "%%%", "signature": "AAAA"}"#,
                "payload",
            ),
            (
                br#"{"key_id": "unit", "payload": "AAAA", "signature": "AAAA"}"#,
                "signature",
            ),
        ];
        for (input, field) in cases {
            let Err(LicenseError::Malformed(errors)) = verify(input, &keys()) else {
                panic!("{} was accepted", String::from_utf8_lossy(input));
            };
            assert_eq!(errors[0].field, field, "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn signed_payload_with_bad_values_is_malformed() {
        let mut bad = payload();
        bad.max_active_users = 0;
        bad.expires_on = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let file = sign(&bad, "unit", &key(7));
        let Err(LicenseError::Malformed(errors)) = verify(&text(&file), &keys()) else {
            panic!("a license with no users was accepted");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["payload.max_active_users", "payload.expires_on"],
            "{errors:?}"
        );
    }
}
