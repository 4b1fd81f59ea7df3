use shared::Page;
use shared::catalog::CatalogItem;
use uuid::Uuid;

use super::PortalApi;
use crate::api::ApiError;
use crate::api::query::with_query;

/// The filters of the catalog list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogFilter {
    /// Text the name or description contains.
    pub search: String,
    /// One category, or all when empty.
    pub category: String,
}

impl PortalApi {
    pub async fn catalog(
        self,
        filter: CatalogFilter,
        cursor: Option<String>,
    ) -> Result<Page<CatalogItem>, ApiError> {
        let parameters = [
            ("q", Some(filter.search.trim().to_string())),
            ("category", Some(filter.category)),
            ("cursor", cursor),
        ];
        let url = with_query("/api/v1/portal/catalog", &parameters);
        self.get(&url).await
    }

    /// Lists the catalog's categories, for its filter.
    pub async fn categories(self) -> Result<Vec<String>, ApiError> {
        self.get("/api/v1/portal/categories").await
    }

    /// Finds one catalog entry; `None` when it is not (or no longer) orderable.
    pub async fn catalog_item(self, id: Uuid) -> Result<Option<CatalogItem>, ApiError> {
        match self.get(&format!("/api/v1/portal/catalog/{id}")).await {
            Ok(item) => Ok(Some(item)),
            Err(error) if error.status == 404 => Ok(None),
            Err(error) => Err(error),
        }
    }
}
