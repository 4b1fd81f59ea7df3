use shared::Page;
use shared::catalog::CatalogItem;

use super::PortalApi;
use crate::api::ApiError;
use crate::api::query::with_query;

impl PortalApi {
    // NOTE: the catalog endpoint is documented without parameters. `cursor` is sent only when
    // the previous page returned a `next_cursor`, and a server that ignores it repeats page one.
    pub async fn catalog(self, cursor: Option<String>) -> Result<Page<CatalogItem>, ApiError> {
        let url = with_query("/api/v1/portal/catalog", &[("cursor", cursor)]);
        self.get(&url).await
    }
}
