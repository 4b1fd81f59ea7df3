use chrono::{DateTime, SecondsFormat, Utc};
use shared::Page;
use shared::audit::AuditEntry;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

/// Filters of the audit log. An empty text field or a missing time does not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub entity_type: String,
    pub entity_id: String,
    pub actor: String,
    pub action: String,
    /// Rows at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Rows before this time.
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// Returns the query parameters that both the list and the CSV export read. Times are
    /// RFC 3339 in UTC, such as `2026-12-01T09:00:00Z`.
    fn parameters(&self) -> Vec<(&'static str, Option<String>)> {
        let time =
            |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true));
        vec![
            ("entity_type", Some(self.entity_type.trim().to_string())),
            ("entity_id", Some(self.entity_id.trim().to_string())),
            ("actor", Some(self.actor.trim().to_string())),
            ("action", Some(self.action.trim().to_string())),
            ("from", time(self.from)),
            ("until", time(self.until)),
        ]
    }

    /// Returns the address of the CSV export of the rows this filter matches. A plain link
    /// works, because the browser sends the session cookie with a same-origin GET.
    pub fn export_url(&self) -> String {
        with_query("/api/v1/audit/export", &self.parameters())
    }
}

impl AdminApi {
    pub async fn audit_entries(
        self,
        filter: &AuditFilter,
        cursor: Option<String>,
    ) -> Result<Page<AuditEntry>, ApiError> {
        let mut parameters = filter.parameters();
        parameters.push(("limit", Some(PAGE_SIZE.to_string())));
        parameters.push(("cursor", cursor));
        let url = with_query("/api/v1/audit", &parameters);
        self.get(&url).await
    }
}
