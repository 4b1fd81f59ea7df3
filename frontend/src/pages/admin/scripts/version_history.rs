use leptos::prelude::*;
use shared::runbooks::ScriptVersion;
use uuid::Uuid;

use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};
use crate::format::local_date_time;

/// Renders every version of a script, newest first, each with its body behind a toggle. A
/// change of `saves` reloads the list.
#[component]
pub fn VersionHistory(script_id: Uuid, #[prop(into)] saves: Signal<u32>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let versions = LocalResource::new(move || {
        saves.track();
        async move { api.script_versions(script_id).await }
    });

    view! {
        <section class="card" aria-labelledby="script-versions-heading">
            <h2 id="script-versions-heading">"Version history"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match versions.await {
                        Ok(versions) => view! { <VersionList versions /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn VersionList(versions: Vec<ScriptVersion>) -> impl IntoView {
    let mut versions = versions;
    versions.sort_by_key(|version| std::cmp::Reverse(version.version));
    let items = versions
        .into_iter()
        .map(|version| {
            let summary = format!(
                "Version {}, saved {} by {}",
                version.version,
                local_date_time(version.created_at),
                version.created_by
            );
            view! {
                <li>
                    <details>
                        <summary>{summary}</summary>
                        <pre>{version.body}</pre>
                    </details>
                </li>
            }
        })
        .collect_view();

    view! { <ul class="script-versions">{items}</ul> }
}
