use shared::Page;
use shared::catalog::{AssetDefinition, AssetDefinitionInput};
use uuid::Uuid;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

impl AdminApi {
    pub async fn asset_definitions(
        self,
        cursor: Option<String>,
    ) -> Result<Page<AssetDefinition>, ApiError> {
        let parameters = [("limit", Some(PAGE_SIZE.to_string())), ("cursor", cursor)];
        let url = with_query("/api/v1/asset-definitions", &parameters);
        self.get(&url).await
    }

    /// Lists every asset definition, following `next_cursor` to the last page.
    pub async fn all_asset_definitions(self) -> Result<Vec<AssetDefinition>, ApiError> {
        let mut definitions = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.asset_definitions(cursor).await?;
            definitions.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(definitions),
            }
        }
    }

    pub async fn asset_definition(self, id: Uuid) -> Result<AssetDefinition, ApiError> {
        self.get(&format!("/api/v1/asset-definitions/{id}")).await
    }

    pub async fn create_asset_definition(
        self,
        input: &AssetDefinitionInput,
    ) -> Result<AssetDefinition, ApiError> {
        self.post("/api/v1/asset-definitions", Some(input)).await
    }

    pub async fn update_asset_definition(
        self,
        id: Uuid,
        input: &AssetDefinitionInput,
    ) -> Result<AssetDefinition, ApiError> {
        self.put(&format!("/api/v1/asset-definitions/{id}"), input)
            .await
    }
}
