use leptos::prelude::*;

use super::decision_card::DecisionCard;
use crate::api::approval_link;
use crate::components::{ErrorBanner, Loading};

/// Reads the token from the URL fragment and shows what the link decides.
#[component]
pub fn DecidePage() -> impl IntoView {
    let token = web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .map(|hash| hash.trim_start_matches('#').to_string())
        .unwrap_or_default();

    if token.is_empty() {
        return view! {
            <div class="card narrow">
                <h1>"Incomplete approval link"</h1>
                <p>
                    "This address does not contain an approval token. Open the link from the e-mail again, or copy the whole address into the browser."
                </p>
            </div>
        }
        .into_any();
    }

    let link_token = token.clone();
    let link = LocalResource::new(move || {
        let token = link_token.clone();
        async move { approval_link::view(&token).await }
    });

    view! {
        <Suspense fallback=Loading>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match link.await {
                        Ok(link) => view! { <DecisionCard link token /> }.into_any(),
                        Err(error) => view! {
                            <div class="card narrow">
                                <h1>"This approval link cannot be used"</h1>
                                <ErrorBanner error=Some(error) />
                            </div>
                        }
                            .into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}
