use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::permissions::Permission;
use shared::settings::{LdapSettings, LdapSettingsInput, LdapTls};
use shared::validation;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, SelectField, Status, StatusMessage, TextField};
use crate::forms::{FieldErrors, non_blank, parse_number};
use crate::state::AdminAuth;

/// Renders the directory settings form with its save and test buttons.
#[component]
pub fn LdapForm(settings: LdapSettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let host = RwSignal::new(settings.host);
    let port = RwSignal::new(settings.port.to_string());
    let tls = RwSignal::new(settings.tls);
    let bind_dn = RwSignal::new(settings.bind_dn);
    let bind_password = RwSignal::new(String::new());
    let bind_password_set = RwSignal::new(settings.bind_password_set);
    let base_dn = RwSignal::new(settings.base_dn);
    let manager_attribute = RwSignal::new(settings.manager_attribute);

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
        if let Some(message) = validation::distinguished_name(&base_dn.get_untracked()) {
            field_errors.push("base_dn", message);
        }
        if manager_attribute.get_untracked().trim().is_empty() {
            field_errors.push("manager_attribute", "is required");
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return None;
        }

        // A blank password field leaves the stored password in place.
        let password = bind_password.get_untracked();
        Some(LdapSettingsInput {
            host: host.get_untracked().trim().to_string(),
            port: port_number.unwrap_or_default(),
            tls: tls.get_untracked(),
            bind_dn: bind_dn.get_untracked().trim().to_string(),
            bind_password: (!password.is_empty()).then_some(password),
            base_dn: base_dn.get_untracked().trim().to_string(),
            manager_attribute: non_blank(&manager_attribute.get_untracked()).unwrap_or_default(),
        })
    };

    let show_failure = move |failure: ApiError| {
        errors.set(FieldErrors::from_api(&failure));
        error.set(Some(failure));
    };

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        let request = async move { api.save_ldap_settings(&input).await };
        super::run_request(request, None, pending, status, show_failure, move |saved| {
            bind_password.set(String::new());
            bind_password_set.set(saved.bind_password_set);
            Status::success("Saved")
        });
    };

    let test = move |_| {
        let Some(input) = read_input() else { return };
        let request = async move { api.test_ldap_settings(&input).await };
        super::run_connection_test(
            request,
            "Testing the connection…",
            pending,
            status,
            show_failure,
        );
    };

    let password_placeholder = Signal::derive(move || {
        bind_password_set
            .get()
            .then(|| super::STORED_SECRET_PLACEHOLDER.to_string())
    });
    let tls_options = vec![
        (LdapTls::None, "None"),
        (LdapTls::Starttls, "StartTLS"),
        (LdapTls::Ldaps, "LDAPS"),
    ];

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <div class="form-grid">
                <TextField id="ldap-host" label="Server" value=host errors field="host" disabled=read_only />
                <TextField
                    id="ldap-port"
                    label="Port"
                    value=port
                    errors
                    field="port"
                    input_type="number"
                    disabled=read_only
                />
                <SelectField id="ldap-tls" label="TLS" value=tls options=tls_options disabled=read_only />
                <TextField
                    id="ldap-bind-dn"
                    label="Bind DN"
                    value=bind_dn
                    errors
                    field="bind_dn"
                    disabled=read_only
                />
                <TextField
                    id="ldap-bind-password"
                    label="Bind password"
                    value=bind_password
                    errors
                    field="bind_password"
                    input_type="password"
                    autocomplete="new-password"
                    placeholder=password_placeholder
                    disabled=read_only
                />
                <TextField
                    id="ldap-base-dn"
                    label="Base DN"
                    value=base_dn
                    errors
                    field="base_dn"
                    disabled=read_only
                />
                <TextField
                    id="ldap-manager-attribute"
                    label="Manager attribute"
                    value=manager_attribute
                    errors
                    field="manager_attribute"
                    disabled=read_only
                    hint="The attribute on a person's entry that holds their manager's DN."
                />
            </div>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save directory settings"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=move || pending.get()
                        on:click=test
                    >
                        "Test directory connection"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}
