use leptos::prelude::*;
use leptos_router::components::A;
use shared::permissions::Permission;
use shared::runbooks::Script;

use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};
use crate::format::local_date_time;
use crate::pages::admin::require_permission::RequirePermission;
use crate::state::AdminAuth;

/// Renders `/ui/scripts`: every stored script in its current version.
#[component]
pub fn ScriptListPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let scripts = LocalResource::new(move || async move { api.scripts().await });

    view! {
        <div class="page-header">
            <h1>"Scripts"</h1>
            <Show when=move || auth.allows(Permission::SettingsWrite)>
                <A href="/ui/scripts/new" attr:class="button">
                    "New script"
                </A>
            </Show>
        </div>
        <RequirePermission permission=Permission::SettingsRead>
            <p class="muted">
                "A runbook step of the module Run script runs one of these by name. Each save keeps the earlier version."
            </p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match scripts.await {
                        Ok(scripts) if scripts.is_empty() => {
                            view! { <p class="muted">"No scripts yet."</p> }.into_any()
                        }
                        Ok(scripts) => view! { <ScriptTable scripts /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </RequirePermission>
    }
}

#[component]
fn ScriptTable(scripts: Vec<Script>) -> impl IntoView {
    let rows = scripts
        .into_iter()
        .map(|script| {
            view! {
                <tr>
                    <td>
                        <A href=format!("/ui/scripts/{}", script.id)>{script.name}</A>
                        <br />
                        <span class="muted small">{script.description}</span>
                    </td>
                    <td>{script.language.label()}</td>
                    <td>{script.version}</td>
                    <td>
                        {script.updated_by}
                        <br />
                        <time class="muted small" datetime=script.updated_at.to_rfc3339()>
                            {local_date_time(script.updated_at)}
                        </time>
                    </td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Language"</th>
                    <th scope="col">"Version"</th>
                    <th scope="col">"Saved by"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
