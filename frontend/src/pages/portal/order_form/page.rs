use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::form::OrderForm;
use crate::api::PortalApi;
use crate::components::{ErrorBanner, Loading};

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
                Some(id) => api.catalog_item(id).await,
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
