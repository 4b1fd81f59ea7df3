use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::tokens::ApiToken;

use super::status_badge::{TokenStatus, TokenStatusBadge};
use crate::api::{AdminApi, ApiError};
use crate::components::ErrorBanner;
use crate::format::{browser_now, local_date_time};
use crate::labels;

/// Renders one API token in the list. An active token has "Revoke", then "Confirm revoke".
#[component]
pub fn TokenRow(token: ApiToken, on_revoked: Callback<()>) -> impl IntoView {
    let status = TokenStatus::of(&token, browser_now());
    let scopes = token
        .scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let role = token
        .role
        .map_or("Same as creator", |role| labels::role(role));
    let last_used = token.last_used_at.map(|at| {
        let address = token.last_used_address.clone().unwrap_or_default();
        view! {
            <time datetime=at.to_rfc3339()>{local_date_time(at)}</time>
            <br />
            <span class="muted small">{address}</span>
        }
    });

    view! {
        <tr>
            <td>{token.name.clone()}</td>
            <td>
                <code>{token.prefix.clone()}</code>
            </td>
            <td>{scopes}</td>
            <td>{role}</td>
            <td>
                {token.created_by.clone()}
                <br />
                <time class="muted small" datetime=token.created_at.to_rfc3339()>
                    {local_date_time(token.created_at)}
                </time>
            </td>
            <td class="nowrap">
                <time datetime=token.expires_at.to_rfc3339()>{local_date_time(token.expires_at)}</time>
            </td>
            <td class="nowrap">{last_used.map_or_else(|| "Never".into_any(), IntoAny::into_any)}</td>
            <td>
                <TokenStatusBadge status />
            </td>
            <td>
                {(status == TokenStatus::Active).then(|| view! { <RevokeAction token on_revoked /> })}
            </td>
        </tr>
    }
}

/// Renders "Revoke" and its confirmation step for one active token.
#[component]
fn RevokeAction(token: ApiToken, on_revoked: Callback<()>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = token.id;

    let confirm = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.revoke_api_token(id).await {
                Ok(()) => on_revoked.run(()),
                // Another admin revoked it meanwhile, so reloading shows it as revoked.
                Err(failure) if failure.status == 409 => on_revoked.run(()),
                Err(failure) => {
                    error.set(Some(failure));
                    confirming.set(false);
                    pending.set(false);
                }
            }
        });
    };
    let question = format!(
        "Revoke {}? Requests that send it are rejected at once.",
        token.name
    );

    view! {
        <ErrorBanner error />
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <div class="row-actions">
                        <button type="button" class="button danger" on:click=move |_| confirming.set(true)>
                            "Revoke"
                        </button>
                    </div>
                }
            }
        >
            <p class="confirm-question">{question.clone()}</p>
            // `actions` wraps the two buttons in a narrow cell, where `row-actions` would not.
            <div class="actions">
                <button type="button" class="button danger" disabled=move || pending.get() on:click=confirm>
                    "Confirm revoke"
                </button>
                <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                    "Keep token"
                </button>
            </div>
        </Show>
    }
}
