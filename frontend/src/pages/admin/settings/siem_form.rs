use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::permissions::Permission;
use shared::siem::{SiemDelivery, SiemFormat, SiemSettings, SiemSettingsInput};

use crate::api::{AdminApi, ApiError};
use crate::components::{
    CheckboxField, ErrorBanner, SelectField, Status, StatusMessage, TextField,
};
use crate::format::optional_date_time;
use crate::forms::{FieldErrors, non_blank};
use crate::state::AdminAuth;

const ENDPOINT_HINT: &str = "HEC: the collector's base URL, such as \
                             https://splunk.example.com:8088. Syslog: tcp://host:port.";
const TOKEN_HINT: &str = "The HEC token Splunk shows under Data inputs > HTTP Event Collector. \
                          It is stored encrypted and never shown again.";
const INDEX_HINT: &str = "Optional. Without one, events go to the token's default index.";

/// Renders the SIEM form: on or off, format, endpoint, HEC token and index, with save and test
/// buttons and how forwarding is going.
#[component]
pub fn SiemForm(settings: SiemSettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let enabled = RwSignal::new(settings.enabled);
    let format = RwSignal::new(settings.format);
    let endpoint = RwSignal::new(settings.endpoint);
    let token = RwSignal::new(String::new());
    let token_set = RwSignal::new(settings.token_set);
    let remove_token = RwSignal::new(false);
    let index = RwSignal::new(settings.index.unwrap_or_default());
    let delivery = RwSignal::new(settings.delivery);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    let hec = Signal::derive(move || format.get() == SiemFormat::SplunkHec);

    // Builds the request body, or shows the field errors and returns `None`. Leaving the token
    // out keeps the stored one, and an empty string removes it.
    let read_input = move || {
        let is_hec = format.get_untracked() == SiemFormat::SplunkHec;
        let typed = token.get_untracked().trim().to_string();
        let token = if !is_hec {
            None
        } else if remove_token.get_untracked() {
            Some(String::new())
        } else {
            (!typed.is_empty()).then_some(typed)
        };
        let input = SiemSettingsInput {
            enabled: enabled.get_untracked(),
            format: format.get_untracked(),
            endpoint: endpoint.get_untracked().trim().to_string(),
            token,
            index: non_blank(&index.get_untracked()).filter(|_| is_hec),
        };
        let field_errors = FieldErrors::new(input.validate());
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        field_errors.is_empty().then_some(input)
    };

    let show_failure = move |failure: ApiError| {
        errors.set(FieldErrors::from_api(&failure));
        error.set(Some(failure));
    };

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        let request = async move { api.save_siem_settings(&input).await };
        super::run_request(request, None, pending, status, show_failure, move |saved| {
            token.set(String::new());
            remove_token.set(false);
            token_set.set(saved.token_set);
            delivery.set(saved.delivery);
            Status::success("Saved")
        });
    };

    let test = move |_| {
        let Some(input) = read_input() else { return };
        let request = async move { api.test_siem_settings(&input).await };
        super::run_connection_test(
            request,
            "Sending a test event…",
            pending,
            status,
            show_failure,
        );
    };

    let token_placeholder = Signal::derive(move || {
        token_set
            .get()
            .then(|| super::STORED_SECRET_PLACEHOLDER.to_string())
    });
    let format_options = vec![
        (SiemFormat::SplunkHec, SiemFormat::SplunkHec.label()),
        (SiemFormat::Syslog, SiemFormat::Syslog.label()),
    ];

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <CheckboxField
                id="siem-enabled"
                label="Forward audit events to the SIEM"
                checked=enabled
                disabled=read_only
            />
            <div class="form-grid">
                <SelectField
                    id="siem-format"
                    label="Format"
                    value=format
                    options=format_options
                    disabled=read_only
                />
                <TextField
                    id="siem-endpoint"
                    label="Endpoint"
                    value=endpoint
                    errors
                    field="endpoint"
                    disabled=read_only
                    hint=ENDPOINT_HINT
                />
                <Show when=move || hec.get()>
                    <TextField
                        id="siem-token"
                        label="HEC token"
                        value=token
                        errors
                        field="token"
                        input_type="password"
                        autocomplete="off"
                        placeholder=token_placeholder
                        disabled=read_only
                        hint=TOKEN_HINT
                    />
                    <TextField
                        id="siem-index"
                        label="Index"
                        value=index
                        errors
                        field="index"
                        disabled=read_only
                        hint=INDEX_HINT
                    />
                </Show>
            </div>
            <Show when=move || hec.get() && token_set.get() && !read_only.get()>
                <CheckboxField
                    id="siem-remove-token"
                    label="Remove the stored token on save"
                    checked=remove_token
                />
            </Show>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save SIEM settings"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=move || pending.get()
                        on:click=test
                    >
                        "Send test event"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
            {move || delivery_summary(&delivery.get())}
        </form>
    }
}

/// Lists the queue and the outcome of the latest attempt.
fn delivery_summary(delivery: &SiemDelivery) -> impl IntoView + use<> {
    let failure = delivery.last_error.clone().map(|error| {
        view! {
            <p class="status-message failure" role="alert">
                {format!(
                    "The latest attempt failed ({}): {error}",
                    optional_date_time(delivery.last_error_at),
                )}
            </p>
        }
    });
    view! {
        <dl class="facts" id="siem-delivery">
            <dt>"Waiting to be sent"</dt>
            <dd>{delivery.pending}</dd>
            <dt>"Oldest waiting since"</dt>
            <dd>{optional_date_time(delivery.oldest_pending_at)}</dd>
            <dt>"Sent in all"</dt>
            <dd>{delivery.delivered_total}</dd>
            <dt>"Last sent"</dt>
            <dd>{optional_date_time(delivery.last_delivered_at)}</dd>
        </dl>
        {failure}
    }
}
