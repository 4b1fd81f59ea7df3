use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::permissions::Permission;
use shared::settings::{OidcSettings, OidcSettingsInput};

use crate::api::{AdminApi, ApiError};
use crate::components::{CheckboxField, ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

/// Renders the portal sign-in settings form, with the redirect URI to register at the provider.
#[component]
pub fn OidcForm(settings: OidcSettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let enabled = RwSignal::new(settings.enabled);
    let issuer_url = RwSignal::new(settings.issuer_url);
    let client_id = RwSignal::new(settings.client_id);
    let client_secret = RwSignal::new(String::new());
    let client_secret_set = RwSignal::new(settings.client_secret_set);
    let allowed_domains = RwSignal::new(settings.allowed_email_domains.join(", "));
    let redirect_uri = RwSignal::new(settings.redirect_uri);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    // Builds the request body, or shows the field errors and returns `None`.
    let read_input = move || {
        let issuer = issuer_url.get_untracked().trim().to_string();
        let client = client_id.get_untracked().trim().to_string();

        let mut field_errors = FieldErrors::default();
        if enabled.get_untracked() {
            if issuer.is_empty() {
                field_errors.push("issuer_url", "is required to enable sign-in");
            }
            if client.is_empty() {
                field_errors.push("client_id", "is required to enable sign-in");
            }
        }
        let has_scheme = issuer.starts_with("https://") || issuer.starts_with("http://");
        if !issuer.is_empty() && !has_scheme {
            field_errors.push("issuer_url", "must start with https:// or http://");
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return None;
        }

        // A blank secret field leaves the stored secret in place.
        let secret = client_secret.get_untracked();
        Some(OidcSettingsInput {
            enabled: enabled.get_untracked(),
            issuer_url: issuer,
            client_id: client,
            client_secret: (!secret.is_empty()).then_some(secret),
            allowed_email_domains: split_domains(&allowed_domains.get_untracked()),
        })
    };

    let show_failure = move |failure: ApiError| {
        errors.set(FieldErrors::from_api(&failure));
        error.set(Some(failure));
    };

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        let request = async move { api.save_oidc_settings(&input).await };
        super::run_request(request, None, pending, status, show_failure, move |saved| {
            client_secret.set(String::new());
            client_secret_set.set(saved.client_secret_set);
            allowed_domains.set(saved.allowed_email_domains.join(", "));
            redirect_uri.set(saved.redirect_uri);
            Status::success("Saved")
        });
    };

    let test = move |_| {
        let Some(input) = read_input() else { return };
        // The test needs an issuer and a client even when sign-in stays off.
        if input.issuer_url.is_empty() || input.client_id.is_empty() {
            let mut field_errors = FieldErrors::default();
            if input.issuer_url.is_empty() {
                field_errors.push("issuer_url", "is required to test the connection");
            }
            if input.client_id.is_empty() {
                field_errors.push("client_id", "is required to test the connection");
            }
            errors.set(field_errors);
            return;
        }
        let request = async move { api.test_oidc_settings(&input).await };
        super::run_connection_test(
            request,
            "Testing the connection…",
            pending,
            status,
            show_failure,
        );
    };

    let secret_placeholder = Signal::derive(move || {
        client_secret_set
            .get()
            .then(|| super::STORED_SECRET_PLACEHOLDER.to_string())
    });

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <CheckboxField
                id="oidc-enabled"
                label="Enable portal sign-in"
                checked=enabled
                disabled=read_only
            />
            <div class="form-grid">
                <TextField
                    id="oidc-issuer-url"
                    label="Issuer URL"
                    value=issuer_url
                    errors
                    field="issuer_url"
                    input_type="url"
                    disabled=read_only
                />
                <TextField
                    id="oidc-client-id"
                    label="Client ID"
                    value=client_id
                    errors
                    field="client_id"
                    autocomplete="off"
                    disabled=read_only
                />
                <TextField
                    id="oidc-client-secret"
                    label="Client secret"
                    value=client_secret
                    errors
                    field="client_secret"
                    input_type="password"
                    autocomplete="new-password"
                    placeholder=secret_placeholder
                    disabled=read_only
                />
                <TextField
                    id="oidc-allowed-domains"
                    label="Allowed e-mail domains"
                    value=allowed_domains
                    errors
                    field="allowed_email_domains"
                    disabled=read_only
                    hint="Comma separated, for example example.com, example.org. Leave blank to allow every domain."
                />
            </div>
            <div class="field">
                <label for="oidc-redirect-uri">"Redirect URI"</label>
                <p class="hint" id="oidc-redirect-uri-hint">
                    "Register this address at the provider as the client's redirect URI."
                </p>
                <input
                    id="oidc-redirect-uri"
                    type="text"
                    readonly=true
                    aria-describedby="oidc-redirect-uri-hint"
                    prop:value=move || redirect_uri.get()
                />
            </div>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save sign-in settings"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=move || pending.get()
                        on:click=test
                    >
                        "Test sign-in connection"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}

/// Splits comma-separated domains, dropping blanks and a leading `@`.
fn split_domains(text: &str) -> Vec<String> {
    text.split(',')
        .map(|domain| domain.trim().trim_start_matches('@').to_lowercase())
        .filter(|domain| !domain.is_empty())
        .collect()
}
