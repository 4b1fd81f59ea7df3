use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::catalog::CatalogItem;
use uuid::Uuid;

use super::form::OrderForm;
use crate::api::{ApiError, PortalApi};
use crate::components::{ErrorBanner, Loading};

/// Pages of the catalog read while looking for one entry, so a server that ignores the cursor
/// cannot keep the loop going.
const MAX_CATALOG_PAGES: usize = 20;

/// Loads the catalog entry named in the path, then shows its order form.
#[component]
pub fn OrderFormPage() -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let params = use_params_map();
    let id =
        move || params.with(|params| params.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let item = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => find_item(api, id).await,
                None => Ok(None),
            }
        }
    });

    view! {
        <p class="breadcrumb">
            <A href="/portal/">"← Back to all items"</A>
        </p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match item.await {
                    Ok(Some(item)) => view! { <OrderForm item /> }.into_any(),
                    Ok(None) => view! {
                        <h1>"Not in the catalog"</h1>
                        <p>"This item cannot be ordered. It may have been withdrawn."</p>
                    }
                        .into_any(),
                    Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

// NOTE: the portal API has no endpoint for a single catalog entry, so this reads catalog pages
// until it finds the entry.
async fn find_item(api: PortalApi, id: Uuid) -> Result<Option<CatalogItem>, ApiError> {
    let mut cursor = None;
    for _ in 0..MAX_CATALOG_PAGES {
        let page = api.catalog(cursor.clone()).await?;
        if let Some(item) = page.items.into_iter().find(|item| item.id == id) {
            return Ok(Some(item));
        }
        if page.next_cursor.is_none() || page.next_cursor == cursor {
            break;
        }
        cursor = page.next_cursor;
    }
    Ok(None)
}
