use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::permissions::Permission;
use shared::settings::{ChannelSettings, ChannelSettingsInput};

use crate::api::admin::ChatService;
use crate::api::{AdminApi, ApiError};
use crate::components::{CheckboxField, ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

const URL_HINT: &str = "Anyone who reads the channel can open the Approve and Decline buttons, \
                        so use a channel that only approvers read. The URL is stored encrypted \
                        and never shown again.";

fn labels(service: ChatService) -> (&'static str, &'static str, &'static str, &'static str) {
    match service {
        ChatService::Teams => (
            "Post approvals to Microsoft Teams",
            "Teams webhook URL",
            "Save Teams settings",
            "Send Teams test message",
        ),
        ChatService::Slack => (
            "Post approvals to Slack",
            "Slack webhook URL",
            "Save Slack settings",
            "Send Slack test message",
        ),
    }
}

/// Renders a chat channel's form: on or off, the incoming-webhook URL, and the save and test
/// buttons.
#[component]
pub fn WebhookForm(service: ChatService, settings: ChannelSettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));
    let (enabled_label, url_label, save_label, test_label) = labels(service);
    let id = service.id();

    let enabled = RwSignal::new(settings.enabled);
    let url = RwSignal::new(String::new());
    let url_set = RwSignal::new(settings.webhook_url_set);
    let remove_url = RwSignal::new(false);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    // Builds the request body, or shows the field errors and returns `None`. Leaving the URL
    // out keeps the stored one, and an empty string removes it.
    let read_input = move || {
        let typed = url.get_untracked().trim().to_string();
        let webhook_url = if remove_url.get_untracked() {
            Some(String::new())
        } else {
            (!typed.is_empty()).then_some(typed)
        };
        let input = ChannelSettingsInput {
            enabled: enabled.get_untracked(),
            webhook_url,
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
        let request = async move { api.save_channel_settings(service, &input).await };
        super::run_request(request, None, pending, status, show_failure, move |saved| {
            url.set(String::new());
            remove_url.set(false);
            url_set.set(saved.webhook_url_set);
            enabled.set(saved.enabled);
            Status::success("Saved")
        });
    };

    let test = move |_| {
        let Some(input) = read_input() else { return };
        let request = async move { api.test_channel_settings(service, &input).await };
        super::run_connection_test(
            request,
            "Sending a test message…",
            pending,
            status,
            show_failure,
        );
    };

    let url_placeholder = Signal::derive(move || {
        url_set
            .get()
            .then(|| super::STORED_SECRET_PLACEHOLDER.to_string())
    });

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <CheckboxField
                id=format!("{id}-enabled")
                label=enabled_label
                checked=enabled
                disabled=read_only
            />
            <TextField
                id=format!("{id}-webhook-url")
                label=url_label
                value=url
                errors
                field="webhook_url"
                input_type="password"
                autocomplete="off"
                placeholder=url_placeholder
                disabled=read_only
                hint=URL_HINT
            />
            <Show when=move || url_set.get() && !read_only.get()>
                <CheckboxField
                    id=format!("{id}-remove-url")
                    label="Remove the stored webhook URL on save"
                    checked=remove_url
                />
            </Show>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        {save_label}
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=move || pending.get()
                        on:click=test
                    >
                        {test_label}
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}
