use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::admin_users::AdminUser;
use shared::permissions::Permission;
use uuid::Uuid;

use super::access_section::AccessSection;
use super::delete_section::DeleteSection;
use super::password_reset_section::PasswordResetSection;
use super::role_section::RoleSection;
use super::scope_editor::{definition_names, load_definitions};
use super::scope_text;
use super::status_badge::UserStatusBadge;
use super::status_section::StatusSection;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Loading};
use crate::format::local_date_time;
use crate::labels;
use crate::pages::admin::require_permission::RequirePermission;
use crate::state::{AdminAuth, AdminAuthState};

/// Renders `/ui/users/:id`: one admin user with the forms that change their role, mail
/// address, access scope, status and password or delete them.
#[component]
pub fn AdminUserDetailPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let params = use_params_map();
    let id =
        move || params.with(|params| params.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let loaded = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api.admin_user(id).await,
                None => Err(ApiError::not_found("This admin user ID is not valid.")),
            }
        }
    });

    view! {
        <p class="breadcrumb">
            <A href="/ui/users">"← Back to the admin user list"</A>
        </p>
        <RequirePermission permission=Permission::UsersWrite>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(user) => view! { <UserDetail user /> }.into_any(),
                        Err(error) => {
                            view! {
                                <h1>"Admin user"</h1>
                                <ErrorBanner error=Some(error) />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </RequirePermission>
    }
}

/// Renders the facts of one admin user and the sections that change them. Each section
/// replaces `user` with the server's response.
#[component]
fn UserDetail(user: AdminUser) -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let is_own_account = auth.state.with_untracked(
        |state| matches!(state, AdminAuthState::SignedIn(session) if session.user_id == Some(user.id)),
    );
    let username = user.username.clone();
    let created_at = user.created_at;
    let user = RwSignal::new(user);
    let active = Signal::derive(move || user.with(|user| user.active));
    let definitions = load_definitions();
    let email = move || {
        user.with(|user| user.email.clone())
            .unwrap_or_else(|| "Not set".to_string())
    };
    let scope_lines = move || {
        let names = definition_names(definitions);
        user.with(|user| scope_text::in_words(&user.scope, names.as_ref()))
            .join("\n")
    };
    let two_factor = move || {
        if user.with(|user| user.totp_enabled) {
            "On"
        } else {
            "Off"
        }
    };

    view! {
        <h1>{username}</h1>
        <dl class="facts">
            <dt>"Role"</dt>
            <dd>{move || user.with(|user| labels::role(user.role))}</dd>
            <dt>"Access scope"</dt>
            <dd class="preserve-lines">{scope_lines}</dd>
            <dt>"Mail address"</dt>
            <dd>{email}</dd>
            <dt>"Status"</dt>
            <dd>
                <UserStatusBadge active />
            </dd>
            <dt>"Two-factor sign-in"</dt>
            <dd>{two_factor}</dd>
            <dt>"Password last changed"</dt>
            <dd>{move || user.with(|user| local_date_time(user.password_changed_at))}</dd>
            <dt>"Created"</dt>
            <dd>{local_date_time(created_at)}</dd>
            <dt>"Last changed"</dt>
            <dd>{move || user.with(|user| local_date_time(user.updated_at))}</dd>
        </dl>
        {is_own_account
            .then(|| {
                view! {
                    <p class="muted">
                        "This is your own account. Another superadmin must change its role, access scope or status or delete it. "
                        "Change your password under "
                        <A href="/ui/account">"My account"</A>
                        "."
                    </p>
                }
            })}
        <RoleSection user />
        <AccessSection user definitions is_own_account />
        <StatusSection user />
        <PasswordResetSection user />
        <DeleteSection user />
    }
}
