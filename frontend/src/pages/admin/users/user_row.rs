use leptos::prelude::*;
use leptos_router::components::A;
use shared::admin_users::AdminUser;

use super::scope_text;
use super::status_badge::UserStatusBadge;
use crate::format::local_date_time;
use crate::labels;

/// Renders one admin user in the list. The username links to the page that manages the user.
#[component]
pub fn UserRow(user: AdminUser) -> impl IntoView {
    let href = format!("/ui/users/{}", user.id);
    let scope = scope_text::summary(&user.scope);

    view! {
        <tr>
            <td>
                <A href=href>{user.username}</A>
            </td>
            <td>{labels::role(user.role)}</td>
            <td>
                <UserStatusBadge active=user.active />
            </td>
            <td>{scope}</td>
            <td>{user.email}</td>
            <td class="nowrap">
                <time datetime=user.created_at.to_rfc3339()>{local_date_time(user.created_at)}</time>
            </td>
        </tr>
    }
}
