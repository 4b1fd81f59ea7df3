use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::branding::{GeneralSettings, GeneralSettingsInput, LogoPosition, title_problem};
use shared::permissions::Permission;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, SelectField, Status, StatusMessage, TextField};
use crate::forms::FieldErrors;
use crate::state::{AdminAuth, BrandingState};

/// Renders the form for the application title and the logo position.
#[component]
pub fn GeneralForm(settings: GeneralSettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let branding = expect_context::<BrandingState>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let title = RwSignal::new(settings.title);
    let position = RwSignal::new(settings.logo_position);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        if let Some(message) = title_problem(&title.get_untracked()) {
            field_errors.push("title", message);
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        let input = GeneralSettingsInput {
            title: title.get_untracked().trim().to_string(),
            logo_position: position.get_untracked(),
        };
        pending.set(true);
        spawn_local(async move {
            match api.save_general_settings(&input).await {
                Ok(saved) => {
                    title.set(saved.title);
                    branding.reload();
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

    let position_options = vec![
        (LogoPosition::Left, "Left of the title"),
        (LogoPosition::Center, "Centred above the title"),
        (
            LogoPosition::HiddenOnSignIn,
            "Left of the title, not on the sign-in pages",
        ),
    ];

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <div class="form-grid">
                <TextField
                    id="general-title"
                    label="Application title"
                    value=title
                    errors
                    field="title"
                    required=true
                    disabled=read_only
                    hint="Shown in the headers, on the sign-in pages and in the browser tab; up to 80 characters."
                />
                <SelectField
                    id="general-logo-position"
                    label="Logo position"
                    value=position
                    options=position_options
                    disabled=read_only
                />
            </div>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save general settings"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}
