use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::mail_templates::{MailPreview, MailTemplate, MailTemplateInput};
use shared::permissions::Permission;

use super::placeholder_list::PlaceholderList;
use super::preview_pane::PreviewPane;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextAreaField, TextField};
use crate::format;
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

fn origin(template: &MailTemplate) -> String {
    match (&template.updated_by, template.updated_at) {
        (Some(by), Some(at)) if template.customized => {
            format!("Changed by {by} on {}.", format::local_date_time(at))
        }
        _ => "The built-in text is in use.".to_string(),
    }
}

/// Renders the form of one mail template: subject, plain-text and HTML bodies, with preview,
/// save and reset to the default.
#[component]
pub fn TemplateEditor(template: MailTemplate, on_saved: Callback<MailTemplate>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));
    let kind = template.kind;

    let subject = RwSignal::new(template.subject.clone());
    let text = RwSignal::new(template.text.clone());
    let html = RwSignal::new(template.html.clone());
    let customized = RwSignal::new(template.customized);
    let origin_text = RwSignal::new(origin(&template));

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let preview = RwSignal::new(None::<MailPreview>);
    let pending = RwSignal::new(false);

    // Builds the request body, or shows the field errors and returns `None`.
    let read_input = move || {
        let input = MailTemplateInput {
            subject: subject.get_untracked(),
            text: text.get_untracked(),
            html: html.get_untracked(),
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
    let show_saved = move |saved: MailTemplate, message: &'static str| {
        subject.set(saved.subject.clone());
        text.set(saved.text.clone());
        html.set(saved.html.clone());
        customized.set(saved.customized);
        origin_text.set(origin(&saved));
        status.set(Some(Status::success(message)));
        on_saved.run(saved);
    };

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        pending.set(true);
        spawn_local(async move {
            match api.save_mail_template(kind, &input).await {
                Ok(saved) => show_saved(saved, "Saved"),
                Err(failure) => show_failure(failure),
            }
            pending.set(false);
        });
    };

    let show_preview = move |_| {
        let Some(input) = read_input() else { return };
        pending.set(true);
        spawn_local(async move {
            match api.preview_mail_template(kind, &input).await {
                Ok(rendered) => preview.set(Some(rendered)),
                Err(failure) => {
                    preview.set(None);
                    show_failure(failure);
                }
            }
            pending.set(false);
        });
    };

    let reset = move |_| {
        error.set(None);
        errors.set(FieldErrors::default());
        pending.set(true);
        spawn_local(async move {
            match api.reset_mail_template(kind).await {
                Ok(default) => show_saved(default, "Reset to the built-in text"),
                Err(failure) => show_failure(failure),
            }
            pending.set(false);
        });
    };

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <p class="hint">{move || origin_text.get()}</p>
            <TextField
                id="template-subject"
                label="Subject"
                value=subject
                errors
                field="subject"
                disabled=read_only
            />
            <TextAreaField
                id="template-text"
                label="Plain-text body"
                value=text
                errors
                field="text"
                rows=14
                disabled=read_only
            />
            <TextAreaField
                id="template-html"
                label="HTML body"
                value=html
                errors
                field="html"
                rows=14
                disabled=read_only
            />
            <div class="actions">
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || pending.get()
                    on:click=show_preview
                >
                    "Preview"
                </button>
                <Show when=move || !read_only.get()>
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save template"
                    </button>
                    <Show when=move || customized.get()>
                        <button
                            type="button"
                            class="button secondary"
                            disabled=move || pending.get()
                            on:click=reset
                        >
                            "Reset to default"
                        </button>
                    </Show>
                </Show>
            </div>
            <StatusMessage status />
        </form>
        <PlaceholderList placeholders=template.placeholders />
        {move || preview.get().map(|preview| view! { <PreviewPane preview /> })}
    }
}
