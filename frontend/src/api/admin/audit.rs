use shared::Page;
use shared::audit::AuditEntry;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

/// Filters of the audit log. An empty field does not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub entity_type: String,
    pub entity_id: String,
    pub actor: String,
}

impl AdminApi {
    pub async fn audit_entries(
        self,
        filter: &AuditFilter,
        cursor: Option<String>,
    ) -> Result<Page<AuditEntry>, ApiError> {
        let parameters = [
            ("entity_type", Some(filter.entity_type.trim().to_string())),
            ("entity_id", Some(filter.entity_id.trim().to_string())),
            ("actor", Some(filter.actor.trim().to_string())),
            ("limit", Some(PAGE_SIZE.to_string())),
            ("cursor", cursor),
        ];
        let url = with_query("/api/v1/audit", &parameters);
        self.get(&url).await
    }
}
