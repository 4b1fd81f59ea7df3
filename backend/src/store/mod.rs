//! SQL queries, one module per aggregate.

pub mod admins;
pub mod approval_groups;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod backups;
pub mod branding;
pub mod checklist;
pub mod definitions;
pub mod delegations;
pub mod jobs;
pub mod license;
pub mod mail_templates;
pub mod orders;
pub mod portal_users;
pub mod runbooks;
pub mod runs;
pub mod scripts;
pub mod sessions;
pub mod settings;
pub mod siem;
pub mod tokens;
pub mod variables;

pub use sqlx::{PgPool, Postgres, Transaction};

pub type Tx<'a> = Transaction<'a, Postgres>;

/// Keyset cursors encode the sort key of the last row of a page.
pub mod cursor {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    pub fn encode(at: DateTime<Utc>, id: Uuid) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{id}", at.to_rfc3339()))
    }

    /// A cursor over a text sort key, such as a lower-cased name.
    pub fn encode_text(key: &str, id: Uuid) -> String {
        URL_SAFE_NO_PAD.encode(format!("{key}|{id}"))
    }

    pub fn decode_text(cursor: &str) -> Option<(String, Uuid)> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        // The id never contains `|`, so the last one separates it even when the key has one.
        let (key, id) = text.rsplit_once('|')?;
        Some((key.to_string(), id.parse().ok()?))
    }

    pub fn decode(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (at, id) = text.split_once('|')?;
        let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        Some((at, id.parse().ok()?))
    }
}
