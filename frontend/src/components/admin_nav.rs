use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::permissions::Permission;

use crate::api::AdminApi;
use crate::components::{BrandMark, BrandPlace};
use crate::labels;
use crate::state::AdminAuth;

/// Renders the admin SPA's left navigation: the pages the signed-in admin may open, the
/// signed-in user and the sign-out button. A restricted session gets only My account.
#[component]
pub fn AdminNav() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let api = expect_context::<AdminApi>();
    let navigate = use_navigate();

    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // The session is cleared locally even when the server call fails, so the
            // sign-in form always appears.
            let _ = api.logout().await;
            navigate("/ui/", Default::default());
        });
    };
    let restricted = Memo::new(move |_| auth.restriction().is_some());
    let signed_in_user = move || {
        auth.session()
            .map(|session| (session.username, labels::role(session.role)))
    };

    view! {
        <nav class="admin-nav" aria-label="Main">
            <div class="brand">
                <BrandMark place=BrandPlace::Header />
            </div>
            <ul>
                <Show when=move || !restricted.get()>
                    <li>
                        <A href="/ui/" exact=true>
                            "Dashboard"
                        </A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::OrdersRead)>
                    <li>
                        <A href="/ui/orders">"Orders"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::OrdersRead)>
                    <li>
                        <A href="/ui/delegations">"Delegations"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::CatalogRead)>
                    <li>
                        <A href="/ui/definitions">"Asset definitions"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::CatalogRead)>
                    <li>
                        <A href="/ui/pool">"Pool"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::SettingsRead)>
                    <li>
                        <A href="/ui/settings" exact=true>
                            "Settings"
                        </A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::SettingsRead)>
                    <li>
                        <A href="/ui/settings/mail-templates">"Mail templates"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::SettingsRead)>
                    <li>
                        <A href="/ui/runbooks">"Runbooks"</A>
                    </li>
                    <li>
                        <A href="/ui/scripts">"Scripts"</A>
                    </li>
                    <li>
                        <A href="/ui/runbook-variables">"Variables"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::LicenseRead)>
                    <li>
                        <A href="/ui/settings/license">"License"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::AuditRead)>
                    <li>
                        <A href="/ui/audit">"Audit log"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::JobsRead)>
                    <li>
                        <A href="/ui/jobs">"Jobs"</A>
                    </li>
                </Show>
                <Show when=move || {
                    auth.allows(Permission::BackupsRead) || auth.allows(Permission::HealthRead)
                }>
                    <li class="nav-group" aria-hidden="true">"Maintenance"</li>
                </Show>
                <Show when=move || auth.allows(Permission::BackupsRead)>
                    <li>
                        <A href="/ui/backups">"Backups"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::HealthRead)>
                    <li>
                        <A href="/ui/health">"Health"</A>
                    </li>
                </Show>
                <Show when=move || auth.allows(Permission::UsersWrite)>
                    <li>
                        <A href="/ui/users">"Admin users"</A>
                    </li>
                </Show>
                <Show when=move || !restricted.get()>
                    <li>
                        <A href="/ui/tokens">"API tokens"</A>
                    </li>
                </Show>
                <li>
                    <A href="/ui/account">"My account"</A>
                </li>
            </ul>
            <div class="signed-in-user">
                {move || {
                    signed_in_user()
                        .map(|(username, role)| {
                            view! {
                                <p class="username">{username}</p>
                                <p class="role">{role}</p>
                            }
                        })
                }}
                <button type="button" class="button secondary" on:click=sign_out>
                    "Sign out"
                </button>
            </div>
        </nav>
    }
}
