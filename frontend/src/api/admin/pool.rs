use gloo_net::http::Method;
use shared::Page;
use shared::pool::{Asset, AssetInput, AssetStatus, AssetStatusChange, CapacityTile, ImportReport};
use uuid::Uuid;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE, http};

/// The filters of the pool list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolFilter {
    pub definition_id: Option<Uuid>,
    pub status: Option<AssetStatus>,
    /// Text the instance name contains.
    pub search: String,
}

impl AdminApi {
    pub async fn assets(
        self,
        filter: PoolFilter,
        cursor: Option<String>,
    ) -> Result<Page<Asset>, ApiError> {
        let parameters = [
            (
                "definition_id",
                filter.definition_id.map(|id| id.to_string()),
            ),
            ("status", filter.status.map(|s| s.as_str().to_string())),
            ("q", Some(filter.search.trim().to_string())),
            ("limit", Some(PAGE_SIZE.to_string())),
            ("cursor", cursor),
        ];
        let url = with_query("/api/v1/assets", &parameters);
        self.get(&url).await
    }

    pub async fn create_asset(self, input: &AssetInput) -> Result<Asset, ApiError> {
        self.post("/api/v1/assets", Some(input)).await
    }

    pub async fn set_asset_status(self, id: Uuid, status: AssetStatus) -> Result<Asset, ApiError> {
        let body = AssetStatusChange { status };
        self.post(&format!("/api/v1/assets/{id}/status"), Some(&body))
            .await
    }

    /// Lists how full each active definition is, by name.
    pub async fn capacity(self, cursor: Option<String>) -> Result<Page<CapacityTile>, ApiError> {
        let parameters = [("limit", Some(PAGE_SIZE.to_string())), ("cursor", cursor)];
        let url = with_query("/api/v1/dashboard/capacity", &parameters);
        self.get(&url).await
    }

    /// Lists every capacity tile, following `next_cursor` to the last page.
    pub async fn all_capacity(self) -> Result<Vec<CapacityTile>, ApiError> {
        let mut tiles = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.capacity(cursor).await?;
            tiles.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(tiles),
            }
        }
    }

    /// Sends a CSV file of instances for `definition_id`. A dry run only checks the file and
    /// previews it; a real import creates every row or, when any row is wrong, none.
    pub async fn import_assets(
        self,
        definition_id: Uuid,
        csv: &str,
        dry_run: bool,
    ) -> Result<ImportReport, ApiError> {
        let url = format!("/api/v1/assets/import?definition_id={definition_id}&dry_run={dry_run}");
        let csrf_token = self.auth.csrf_token_untracked();
        let result =
            http::send_text(Method::POST, &url, "text/csv", csv, csrf_token.as_deref()).await;
        self.sign_out_on_401(result)
    }
}
