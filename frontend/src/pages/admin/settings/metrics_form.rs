use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::metrics::{MetricsSettings, MetricsSettingsInput};
use shared::permissions::Permission;

use crate::api::{AdminApi, ApiError};
use crate::components::{CheckboxField, ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

const ENABLED_HINT: &str = "Prometheus scrapes /metrics at the server's root, for example \
                            https://ipsolis.example.com/metrics. When off, /metrics answers 404.";
const TOKEN_HINT: &str = "Optional. When set, scrapes must send Authorization: Bearer <token>; \
                          use 32 to 256 characters, such as the output of openssl rand -hex 32. \
                          The token is stored encrypted and never shown again.";

/// Renders the `/metrics` form: on or off, the optional bearer token, and the save button.
#[component]
pub fn MetricsForm(settings: MetricsSettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let enabled = RwSignal::new(settings.enabled);
    let token = RwSignal::new(String::new());
    let token_set = RwSignal::new(settings.token_set);
    let remove_token = RwSignal::new(false);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    // Builds the request body, or shows the field errors and returns `None`. Leaving the token
    // out keeps the stored one, and an empty string removes it.
    let read_input = move || {
        let typed = token.get_untracked().trim().to_string();
        let token = if remove_token.get_untracked() {
            Some(String::new())
        } else {
            (!typed.is_empty()).then_some(typed)
        };
        let input = MetricsSettingsInput {
            enabled: enabled.get_untracked(),
            token,
        };
        let field_errors = FieldErrors::new(input.validate());
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        field_errors.is_empty().then_some(input)
    };

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        pending.set(true);
        spawn_local(async move {
            match api.save_metrics_settings(&input).await {
                Ok(saved) => {
                    token.set(String::new());
                    remove_token.set(false);
                    token_set.set(saved.token_set);
                    enabled.set(saved.enabled);
                    status.set(Some(Status::success("Saved")));
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    let token_placeholder = Signal::derive(move || {
        token_set
            .get()
            .then(|| super::STORED_SECRET_PLACEHOLDER.to_string())
    });

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <CheckboxField
                id="metrics-enabled"
                label="Serve Prometheus metrics at /metrics"
                checked=enabled
                disabled=read_only
            />
            <p class="hint">{ENABLED_HINT}</p>
            <TextField
                id="metrics-token"
                label="Bearer token"
                value=token
                errors
                field="token"
                input_type="password"
                autocomplete="off"
                placeholder=token_placeholder
                disabled=read_only
                hint=TOKEN_HINT
            />
            <Show when=move || token_set.get() && !read_only.get()>
                <CheckboxField
                    id="metrics-remove-token"
                    label="Remove the stored token on save"
                    checked=remove_token
                />
            </Show>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save metrics settings"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}
