//! Signed approval links: HMAC-SHA256 over purpose, approval, approver, decision and expiry.
//! A link only identifies a decision; the approval row's state makes it single-use.

use crate::crypto::Keys;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use shared::orders::Decision;
use uuid::Uuid;

/// How long an approval link stays valid.
pub const LINK_LIFETIME_DAYS: i64 = 14;

const PURPOSE_APPROVAL: &str = "approval";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalLink {
    #[serde(rename = "p")]
    purpose: String,
    #[serde(rename = "a")]
    pub approval_id: Uuid,
    #[serde(rename = "e")]
    pub approver_email: String,
    #[serde(rename = "d")]
    pub decision: Decision,
    #[serde(rename = "x")]
    expires_unix: i64,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is not valid; open the link from the latest e-mail")]
    Invalid,
    #[error("the link expired at {0}")]
    Expired(DateTime<Utc>),
}

impl ApprovalLink {
    pub fn new(
        approval_id: Uuid,
        approver_email: &str,
        decision: Decision,
        now: DateTime<Utc>,
    ) -> ApprovalLink {
        ApprovalLink {
            purpose: PURPOSE_APPROVAL.into(),
            approval_id,
            approver_email: approver_email.into(),
            decision,
            expires_unix: (now + Duration::days(LINK_LIFETIME_DAYS)).timestamp(),
        }
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.expires_unix, 0)
            .single()
            .unwrap_or_default()
    }

    pub fn sign(&self, keys: &Keys) -> String {
        keys.sign_link(&serde_json::to_vec(self).expect("links serialize"))
    }

    /// Verifies a token's signature, purpose and expiry.
    pub fn verify(keys: &Keys, token: &str, now: DateTime<Utc>) -> Result<ApprovalLink, LinkError> {
        let payload = keys.verify_link(token).ok_or(LinkError::Invalid)?;
        let link: ApprovalLink =
            serde_json::from_slice(&payload).map_err(|_| LinkError::Invalid)?;
        if link.purpose != PURPOSE_APPROVAL {
            return Err(LinkError::Invalid);
        }
        if now >= link.expires_at() {
            return Err(LinkError::Expired(link.expires_at()));
        }
        Ok(link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_verifies_until_expiry() {
        let keys = Keys::derive("0123456789abcdef0123456789abcdef");
        let now = Utc::now();
        let link = ApprovalLink::new(Uuid::nil(), "m@example.test", Decision::Approve, now);
        let token = link.sign(&keys);

        assert_eq!(ApprovalLink::verify(&keys, &token, now).unwrap(), link);
        let later = now + Duration::days(LINK_LIFETIME_DAYS) + Duration::seconds(1);
        assert!(matches!(
            ApprovalLink::verify(&keys, &token, later),
            Err(LinkError::Expired(_))
        ));
        assert_eq!(
            ApprovalLink::verify(&keys, "garbage", now),
            Err(LinkError::Invalid)
        );
    }
}
