//! SQL queries, one module per aggregate.

pub mod admins;
pub mod approvals;
pub mod audit;
pub mod definitions;
pub mod orders;
pub mod portal_users;
pub mod sessions;
pub mod settings;
pub mod tokens;

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

    pub fn decode(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (at, id) = text.split_once('|')?;
        let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        Some((at, id.parse().ok()?))
    }
}
