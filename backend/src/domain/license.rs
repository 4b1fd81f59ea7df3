//! The licensing state of the installation, from the license that applies, the installation's
//! start and the number of active users at one instant.

use crate::license::document::LicensePayload;
use chrono::{DateTime, Duration, Utc};
use shared::license::{
    BannerLevel, EVALUATION_DAYS, EVALUATION_WARNING_DAYS, FREE_TIER_MAX_ACTIVE_USERS, GRACE_DAYS,
    LicenseBanner, LicenseSource, LicenseState, LicenseStatus,
};

/// A verified license and where it was found.
#[derive(Debug, Clone)]
pub struct AppliedLicense {
    pub source: LicenseSource,
    pub key_id: String,
    pub payload: LicensePayload,
}

/// Everything the status depends on.
#[derive(Debug, Clone)]
pub struct Facts {
    pub now: DateTime<Utc>,
    pub installed_at: DateTime<Utc>,
    pub active_users: i64,
    pub license: Option<AppliedLicense>,
    pub upload_present: bool,
    pub notes: Vec<String>,
}

/// Returns the whole days from `now` until `end`, rounded up, and zero once `end` has passed.
pub fn days_until(now: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    let seconds = (end - now).num_seconds().max(0);
    (seconds + 86_399) / 86_400
}

fn day_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn plural(count: i64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Computes the licensing status.
pub fn status(facts: Facts) -> LicenseStatus {
    let now = facts.now;
    let evaluation_ends_at = facts.installed_at + Duration::days(EVALUATION_DAYS);
    let expires_at = facts.license.as_ref().map(|l| l.payload.expires_at());
    let grace_ends_at = expires_at.map(|at| at + Duration::days(GRACE_DAYS));
    let band = facts
        .license
        .as_ref()
        .map(|l| i64::from(l.payload.max_active_users));
    let users = facts.active_users;

    let (state, max_active_users, days_left) = match (band, expires_at, grace_ends_at) {
        (Some(band), Some(expires_at), Some(grace_ends_at)) => {
            if now < expires_at {
                let state = if users > band {
                    LicenseState::OverBand
                } else {
                    LicenseState::Licensed
                };
                (state, Some(band), Some(days_until(now, expires_at)))
            } else if now < grace_ends_at {
                (
                    LicenseState::Grace,
                    Some(band),
                    Some(days_until(now, grace_ends_at)),
                )
            } else {
                (LicenseState::Unlicensed, None, None)
            }
        }
        _ if now < evaluation_ends_at => (
            LicenseState::Evaluation,
            None,
            Some(days_until(now, evaluation_ends_at)),
        ),
        _ if users > FREE_TIER_MAX_ACTIVE_USERS => (
            LicenseState::FreeTierExceeded,
            Some(FREE_TIER_MAX_ACTIVE_USERS),
            None,
        ),
        _ => (LicenseState::Free, Some(FREE_TIER_MAX_ACTIVE_USERS), None),
    };

    let people = plural(users, "person holds", "people hold");
    let banner = match state {
        LicenseState::Evaluation => days_left
            .filter(|days| *days <= EVALUATION_WARNING_DAYS)
            .map(|days| LicenseBanner {
                level: BannerLevel::Warning,
                message: format!(
                    "The evaluation ends in {} ({}). Upload a license before then, or keep to \
                     {FREE_TIER_MAX_ACTIVE_USERS} active users for the free tier.",
                    plural(days, "day", "days"),
                    day_text(evaluation_ends_at)
                ),
            }),
        LicenseState::FreeTierExceeded => Some(LicenseBanner {
            level: BannerLevel::Critical,
            message: format!(
                "Unlicensed use: {people} active access, more than the free tier's \
                 {FREE_TIER_MAX_ACTIVE_USERS}. Upload a license on the License page."
            ),
        }),
        LicenseState::OverBand => Some(LicenseBanner {
            level: BannerLevel::Warning,
            message: format!(
                "Over the licensed band: {people} active access and the license allows {}.",
                band.unwrap_or_default()
            ),
        }),
        LicenseState::Grace => {
            let mut message = format!(
                "The license expired at {}. The grace period ends at {} ({} left); upload a \
                 renewed license before then.",
                expires_at.map(day_text).unwrap_or_default(),
                grace_ends_at.map(day_text).unwrap_or_default(),
                plural(days_left.unwrap_or_default(), "day", "days"),
            );
            if band.is_some_and(|band| users > band) {
                message.push_str(&format!(" Also, {people} active access, above the band."));
            }
            Some(LicenseBanner {
                level: BannerLevel::Warning,
                message,
            })
        }
        LicenseState::Unlicensed => Some(LicenseBanner {
            level: BannerLevel::Critical,
            message: format!(
                "Unlicensed: the license expired at {} and its grace period ended at {}. \
                 Upload a renewed license on the License page.",
                expires_at.map(day_text).unwrap_or_default(),
                grace_ends_at.map(day_text).unwrap_or_default(),
            ),
        }),
        LicenseState::Free | LicenseState::Licensed => None,
    };

    let license = facts.license;
    LicenseStatus {
        state,
        explanation: state.meaning().to_string(),
        banner,
        active_users: users,
        max_active_users,
        source: license.as_ref().map(|l| l.source),
        license_id: license.as_ref().map(|l| l.payload.license_id.clone()),
        licensee: license.as_ref().map(|l| l.payload.licensee.clone()),
        key_id: license.as_ref().map(|l| l.key_id.clone()),
        issued_on: license.as_ref().map(|l| l.payload.issued_on),
        expires_on: license.as_ref().map(|l| l.payload.expires_on),
        expires_at,
        grace_ends_at,
        installed_at: facts.installed_at,
        evaluation_ends_at,
        days_left,
        upload_present: facts.upload_present,
        notes: facts.notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn facts(now: &str, users: i64, license: Option<AppliedLicense>) -> Facts {
        Facts {
            now: at(now),
            installed_at: at("2026-01-01T00:00:00Z"),
            active_users: users,
            license,
            upload_present: false,
            notes: Vec::new(),
        }
    }

    fn license(band: u32) -> Option<AppliedLicense> {
        Some(AppliedLicense {
            source: LicenseSource::Upload,
            key_id: "unit".into(),
            payload: LicensePayload {
                license_id: "LIC-1".into(),
                licensee: "Example Ltd".into(),
                max_active_users: band,
                issued_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                expires_on: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            },
        })
    }

    #[test]
    fn evaluation_allows_any_number_of_users() {
        let status = status(facts("2026-01-10T00:00:00Z", 500, None));
        assert_eq!(status.state, LicenseState::Evaluation);
        assert_eq!(status.days_left, Some(21));
        assert_eq!(status.banner, None);
    }

    #[test]
    fn last_week_of_evaluation_shows_a_banner() {
        let status = status(facts("2026-01-24T12:00:00Z", 0, None));
        assert_eq!(status.days_left, Some(7));
        let banner = status.banner.expect("a banner");
        assert_eq!(banner.level, BannerLevel::Warning);
        assert!(
            banner.message.contains("ends in 7 days"),
            "{}",
            banner.message
        );
    }

    #[test]
    fn free_tier_holds_twenty_five() {
        let free = status(facts("2026-03-01T00:00:00Z", 25, None));
        assert_eq!(free.state, LicenseState::Free);
        assert_eq!(free.max_active_users, Some(25));
        assert_eq!(free.banner, None);
        let over = status(facts("2026-03-01T00:00:00Z", 26, None));
        assert_eq!(over.state, LicenseState::FreeTierExceeded);
        assert_eq!(over.banner.unwrap().level, BannerLevel::Critical);
    }

    #[test]
    fn license_states_follow_expiry_and_band() {
        let cases = [
            ("2026-06-30T23:59:59Z", 10, LicenseState::Licensed, Some(1)),
            ("2026-06-01T00:00:00Z", 11, LicenseState::OverBand, Some(30)),
            ("2026-07-01T00:00:00Z", 10, LicenseState::Grace, Some(30)),
            ("2026-07-30T23:00:00Z", 10, LicenseState::Grace, Some(1)),
            ("2026-07-31T00:00:00Z", 10, LicenseState::Unlicensed, None),
        ];
        for (now, users, state, days_left) in cases {
            let status = status(facts(now, users, license(10)));
            assert_eq!(status.state, state, "{now}");
            assert_eq!(status.days_left, days_left, "{now}");
        }
    }

    #[test]
    fn license_applies_during_evaluation() {
        let status = status(facts("2026-01-02T00:00:00Z", 3, license(10)));
        assert_eq!(status.state, LicenseState::Licensed);
        assert_eq!(status.licensee.as_deref(), Some("Example Ltd"));
        assert_eq!(status.max_active_users, Some(10));
    }

    #[test]
    fn grace_banner_names_both_dates() {
        let status = status(facts("2026-07-05T00:00:00Z", 12, license(10)));
        let banner = status.banner.unwrap();
        assert_eq!(banner.level, BannerLevel::Warning);
        assert!(
            banner.message.contains("2026-07-01 00:00 UTC"),
            "{}",
            banner.message
        );
        assert!(
            banner.message.contains("2026-07-31 00:00 UTC"),
            "{}",
            banner.message
        );
        assert!(
            banner.message.contains("above the band"),
            "{}",
            banner.message
        );
    }
}
