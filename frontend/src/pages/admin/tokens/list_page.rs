use leptos::prelude::*;
use leptos_router::components::A;
use shared::permissions::Role;
use shared::tokens::{ApiToken, CreatedApiToken};

use super::created_secret::CreatedTokenSecret;
use super::new_token_form::NewTokenForm;
use super::token_row::TokenRow;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::paging::PagedList;
use crate::state::AdminAuth;

/// Renders `/ui/tokens`: the API tokens of the signed-in admin, or every admin's for a
/// superadmin, and the form that creates one. Every signed-in admin may use it. A sign-in with
/// the legacy admin key gets a note in place of the form, because a token needs an account
/// that owns it and the server rejects the key.
#[component]
pub fn ApiTokenListPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let list = PagedList::<ApiToken>::new();
    // A change reloads from the first page, where a new token appears.
    let reload = move || list.reload(move |cursor| api.api_tokens(cursor));
    reload();
    let load_more = Callback::new(move |()| list.load_more(move |cursor| api.api_tokens(cursor)));

    let created = RwSignal::new(None::<CreatedApiToken>);
    let on_created = Callback::new(move |token: CreatedApiToken| {
        created.set(Some(token));
        reload();
    });
    let on_revoked = Callback::new(move |()| reload());
    let on_done = Callback::new(move |()| created.set(None));
    let legacy_key = Memo::new(move |_| auth.is_legacy_key());

    let listed_tokens_note = move || {
        let role = auth.session().map(|session| session.role);
        if role == Some(Role::Superadmin) {
            "Every admin's tokens, newest first."
        } else {
            "Your tokens, newest first."
        }
    };

    view! {
        <h1>"API tokens"</h1>
        <p class="muted">
            "Scripts send a token in the header Authorization: Bearer <secret>. It acts with its role, limited to its scopes, until it expires or is revoked. "
            {listed_tokens_note}
        </p>
        <ErrorBanner error=list.error />
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Prefix"</th>
                    <th scope="col">"Scopes"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Created by"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">
                        <span class="visually-hidden">"Actions"</span>
                    </th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || list.items.get()
                    key=|token| (token.id, token.revoked_at, token.last_used_at)
                    children=move |token| view! { <TokenRow token on_revoked /> }
                />
            </tbody>
        </table>
        <Show when=move || list.loading.get()>
            <Loading />
        </Show>
        <Show when=move || !list.loading.get() && list.items.with(Vec::is_empty)>
            <p class="muted">"No API tokens yet."</p>
        </Show>
        <LoadMoreButton
            has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
            loading=list.loading
            on_click=load_more
        />
        <section class="card" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">"New API token"</h2>
            <Show when=move || !legacy_key.get() fallback=LegacyKeyTokenNote>
                {move || match created.get() {
                    Some(created) => view! { <CreatedTokenSecret created on_done /> }.into_any(),
                    None => view! { <NewTokenForm on_created /> }.into_any(),
                }}
            </Show>
        </section>
    }
}

/// Explains why a sign-in with the legacy admin key cannot create a token, and what to do.
#[component]
fn LegacyKeyTokenNote() -> impl IntoView {
    view! {
        <p>
            "The legacy admin key belongs to no account, so it cannot own API tokens; create an admin user for yourself under "
            <A href="/ui/users">"Admin users"</A>
            " and sign in with that account to create one."
        </p>
    }
}
