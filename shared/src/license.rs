//! Licensing as the API reports it. The status is computed on every request from the license
//! that applies, the installation's start and the number of active users, and never stored.
//! No state switches a feature off: the states only say whether the use is licensed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The most active users an installation may have without a license once the evaluation ends.
pub const FREE_TIER_MAX_ACTIVE_USERS: i64 = 25;
/// Days from the installation's first start during which any number of users is allowed.
pub const EVALUATION_DAYS: i64 = 30;
/// Days after a license expires before the installation reports itself unlicensed.
pub const GRACE_DAYS: i64 = 30;
/// Days before the evaluation ends from which the admin SPA shows a banner.
pub const EVALUATION_WARNING_DAYS: i64 = 7;

/// The problem type of a license file that is not a license: not JSON, a field missing, or
/// not valid base64.
pub const MALFORMED_TYPE: &str = "urn:ipsolis:problem:license-malformed";
/// The problem type of a license signed with a key that this build does not trust.
pub const UNKNOWN_KEY_TYPE: &str = "urn:ipsolis:problem:license-unknown-key";
/// The problem type of a license whose signature does not match its payload.
pub const BAD_SIGNATURE_TYPE: &str = "urn:ipsolis:problem:license-bad-signature";

/// A license file: a payload and an Ed25519 signature over the payload's exact bytes. Both
/// are standard base64 with padding. The payload is compact JSON with `license_id`,
/// `licensee`, `max_active_users` (the band), `issued_on` and `expires_on` (dates, UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseFile {
    /// The id of the vendor key that signed the payload.
    pub key_id: String,
    /// Base64 of the payload's JSON bytes.
    pub payload: String,
    /// Base64 of the 64-byte Ed25519 signature over the decoded payload bytes.
    pub signature: String,
}

/// The origin of the license in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenseSource {
    /// The file at `IPSOLIS_LICENSE_PATH`.
    File,
    /// A license uploaded through the API and stored in the database.
    Upload,
}

/// The licensing state of the installation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenseState {
    /// No license, within the evaluation that starts when the installation first starts.
    Evaluation,
    /// No license, the evaluation is over, and the active users fit the free tier.
    Free,
    /// No license, the evaluation is over, and more people are active than the free tier allows.
    FreeTierExceeded,
    /// A license that has not expired, with no more active users than its band.
    Licensed,
    /// A license that has not expired, with more active users than its band.
    OverBand,
    /// The license expired less than the grace period ago.
    Grace,
    /// The license expired and its grace period is over.
    Unlicensed,
}

impl LicenseState {
    pub const ALL: [LicenseState; 7] = [
        LicenseState::Evaluation,
        LicenseState::Free,
        LicenseState::FreeTierExceeded,
        LicenseState::Licensed,
        LicenseState::OverBand,
        LicenseState::Grace,
        LicenseState::Unlicensed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LicenseState::Evaluation => "evaluation",
            LicenseState::Free => "free",
            LicenseState::FreeTierExceeded => "free_tier_exceeded",
            LicenseState::Licensed => "licensed",
            LicenseState::OverBand => "over_band",
            LicenseState::Grace => "grace",
            LicenseState::Unlicensed => "unlicensed",
        }
    }

    /// Returns the state's name for people.
    pub fn label(self) -> &'static str {
        match self {
            LicenseState::Evaluation => "Evaluation",
            LicenseState::Free => "Free tier",
            LicenseState::FreeTierExceeded => "Over the free tier",
            LicenseState::Licensed => "Licensed",
            LicenseState::OverBand => "Over the licensed band",
            LicenseState::Grace => "Grace period",
            LicenseState::Unlicensed => "Unlicensed",
        }
    }

    /// Returns what the state means and what to do about it, as the License page explains it.
    pub fn meaning(self) -> &'static str {
        match self {
            LicenseState::Evaluation => {
                "No license is installed. For 30 days after the installation first started, any \
                 number of people may hold active access while you evaluate ip·Solis."
            }
            LicenseState::Free => {
                "No license is installed and the evaluation has ended. Up to 25 people may hold \
                 active access without a license."
            }
            LicenseState::FreeTierExceeded => {
                "No license is installed, the evaluation has ended, and more than 25 people hold \
                 active access. Upload a license whose band covers them."
            }
            LicenseState::Licensed => {
                "A valid license is installed and the number of people holding active access is \
                 within its band."
            }
            LicenseState::OverBand => {
                "A valid license is installed, but more people hold active access than its band \
                 allows. Ask for a license with a larger band."
            }
            LicenseState::Grace => {
                "The license has expired. For 30 days after its expiry the installation stays \
                 licensed while you renew, and superadmins get a daily reminder by e-mail."
            }
            LicenseState::Unlicensed => {
                "The license expired more than 30 days ago. Upload a renewed license, or remove \
                 the expired one to return to the free tier if 25 or fewer people hold active \
                 access."
            }
        }
    }
}

/// The urgency of a license banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BannerLevel {
    /// Amber: something needs attention soon.
    Warning,
    /// Red: the installation is used beyond what is licensed.
    Critical,
}

/// The banner the admin SPA shows on every page while the license needs attention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseBanner {
    pub level: BannerLevel,
    pub message: String,
}

/// The licensing status of the installation, computed when it is requested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseStatus {
    pub state: LicenseState,
    /// The meaning of the current state, the text of [`LicenseState::meaning`].
    pub explanation: String,
    /// Set while the state needs attention: grace, unlicensed, over the band or the free tier,
    /// and the last days of the evaluation.
    pub banner: Option<LicenseBanner>,
    /// People holding at least one active order (active or with a change pending).
    pub active_users: i64,
    /// The most active users allowed now: the license's band, or the free tier's 25 once the
    /// evaluation is over. Absent during the evaluation and when unlicensed.
    pub max_active_users: Option<i64>,
    /// The origin of the license in use, absent without a license.
    pub source: Option<LicenseSource>,
    pub license_id: Option<String>,
    pub licensee: Option<String>,
    /// The id of the key that signed the license in use.
    pub key_id: Option<String>,
    pub issued_on: Option<NaiveDate>,
    /// The last day the license is valid, in UTC.
    pub expires_on: Option<NaiveDate>,
    /// The instant the license expires: the end of `expires_on` in UTC.
    pub expires_at: Option<DateTime<Utc>>,
    /// The end of the grace period, `GRACE_DAYS` after `expires_at`.
    pub grace_ends_at: Option<DateTime<Utc>>,
    /// When the installation first started.
    pub installed_at: DateTime<Utc>,
    /// The end of the evaluation, `EVALUATION_DAYS` after `installed_at`.
    pub evaluation_ends_at: DateTime<Utc>,
    /// Whole days, rounded up, until the end of the current state: the evaluation, the
    /// license or the grace period. Absent in the free tier and when unlicensed.
    pub days_left: Option<i64>,
    /// Whether a license was uploaded, which a superadmin may remove, even when another
    /// license applies.
    pub upload_present: bool,
    /// Problems with a license that could not be used, such as an invalid license file.
    pub notes: Vec<String>,
}
