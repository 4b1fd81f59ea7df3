use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::permissions::Permission;
use shared::settings::{SmtpSettings, SmtpSettingsInput, SmtpTls};

use crate::api::{AdminApi, ApiError};
use crate::components::{
    CheckboxField, ErrorBanner, SelectField, Status, StatusMessage, TextField,
};
use crate::forms::{FieldErrors, non_blank, parse_number};
use crate::state::AdminAuth;

/// Renders the mail settings form with its save and test buttons.
#[component]
pub fn SmtpForm(settings: SmtpSettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let host = RwSignal::new(settings.host);
    let port = RwSignal::new(settings.port.to_string());
    let tls = RwSignal::new(settings.tls);
    let username = RwSignal::new(settings.username.unwrap_or_default());
    let password = RwSignal::new(String::new());
    let password_set = RwSignal::new(settings.password_set);
    let remove_password = RwSignal::new(false);
    let from = RwSignal::new(settings.from);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    // Builds the request body, or shows the field errors and returns `None`.
    let read_input = move || {
        let mut field_errors = FieldErrors::default();
        if host.get_untracked().trim().is_empty() {
            field_errors.push("host", "is required");
        }
        let port_number = parse_number::<u16>(&port.get_untracked(), "port", &mut field_errors);
        if port_number == Some(0) {
            field_errors.push("port", "must be between 1 and 65535");
        }
        if from.get_untracked().trim().is_empty() {
            field_errors.push("from", "is required");
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return None;
        }

        // Leaving the password out keeps the stored one, and an empty string removes it.
        let typed_password = password.get_untracked();
        let password_change = if remove_password.get_untracked() {
            Some(String::new())
        } else {
            (!typed_password.is_empty()).then_some(typed_password)
        };
        Some(SmtpSettingsInput {
            host: host.get_untracked().trim().to_string(),
            port: port_number.unwrap_or_default(),
            tls: tls.get_untracked(),
            username: non_blank(&username.get_untracked()),
            password: password_change,
            from: from.get_untracked().trim().to_string(),
        })
    };

    let show_failure = move |failure: ApiError| {
        errors.set(FieldErrors::from_api(&failure));
        error.set(Some(failure));
    };

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        let request = async move { api.save_smtp_settings(&input).await };
        super::run_request(request, None, pending, status, show_failure, move |saved| {
            password.set(String::new());
            remove_password.set(false);
            password_set.set(saved.password_set);
            Status::success("Saved")
        });
    };

    let test = move |_| {
        let Some(input) = read_input() else { return };
        let request = async move { api.test_smtp_settings(&input).await };
        super::run_connection_test(
            request,
            "Testing the connection…",
            pending,
            status,
            show_failure,
        );
    };

    let password_placeholder = Signal::derive(move || {
        password_set
            .get()
            .then(|| super::STORED_SECRET_PLACEHOLDER.to_string())
    });
    let tls_options = vec![
        (SmtpTls::None, "None"),
        (SmtpTls::Starttls, "StartTLS"),
        (SmtpTls::Tls, "TLS"),
    ];

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <div class="form-grid">
                <TextField id="smtp-host" label="SMTP server" value=host errors field="host" disabled=read_only />
                <TextField
                    id="smtp-port"
                    label="SMTP port"
                    value=port
                    errors
                    field="port"
                    input_type="number"
                    disabled=read_only
                />
                <SelectField id="smtp-tls" label="SMTP TLS" value=tls options=tls_options disabled=read_only />
                <TextField
                    id="smtp-username"
                    label="SMTP username"
                    value=username
                    errors
                    field="username"
                    autocomplete="off"
                    disabled=read_only
                    hint="Leave blank when the server accepts mail without signing in."
                />
                <TextField
                    id="smtp-password"
                    label="SMTP password"
                    value=password
                    errors
                    field="password"
                    input_type="password"
                    autocomplete="new-password"
                    placeholder=password_placeholder
                    disabled=read_only
                />
                <TextField
                    id="smtp-from"
                    label="Sender address"
                    value=from
                    errors
                    field="from"
                    disabled=read_only
                    hint="An address, or Name <address>."
                />
            </div>
            <Show when=move || password_set.get() && !read_only.get()>
                <CheckboxField
                    id="smtp-remove-password"
                    label="Remove the stored password on save"
                    checked=remove_password
                />
            </Show>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save e-mail settings"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=move || pending.get()
                        on:click=test
                    >
                        "Test e-mail connection"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}
