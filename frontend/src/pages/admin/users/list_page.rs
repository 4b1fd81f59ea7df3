use leptos::prelude::*;
use shared::admin_users::AdminUser;
use shared::permissions::Permission;

use super::new_user_form::NewUserForm;
use super::user_row::UserRow;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;

/// Renders `/ui/users`: the admin users by username, and the form that creates one.
#[component]
pub fn AdminUserListPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let list = PagedList::<AdminUser>::new();
    list.reload(move |cursor| api.admin_users(cursor));

    let load_more = Callback::new(move |()| list.load_more(move |cursor| api.admin_users(cursor)));
    // The list is sorted by username, so the new user is placed by reloading the list.
    let on_created = Callback::new(move |_: AdminUser| {
        list.reload(move |cursor| api.admin_users(cursor));
    });

    view! {
        <h1>"Admin users"</h1>
        <RequirePermission permission=Permission::UsersWrite>
            <ErrorBanner error=list.error />
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Access scope"</th>
                        <th scope="col">"Mail address"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|user| (user.id, user.updated_at)
                        children=|user| view! { <UserRow user /> }
                    />
                </tbody>
            </table>
            <Show when=move || list.loading.get()>
                <Loading />
            </Show>
            <LoadMoreButton
                has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
                loading=list.loading
                on_click=load_more
            />
            <section class="card" aria-labelledby="new-admin-user-heading">
                <h2 id="new-admin-user-heading">"New admin user"</h2>
                <NewUserForm on_created />
            </section>
        </RequirePermission>
    }
}
