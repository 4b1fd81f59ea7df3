use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::branding::{LOGO_MAX_BYTES, LogoInfo};
use shared::permissions::Permission;

use crate::api::{AdminApi, ApiError};
use crate::components::{ConfirmAction, ErrorBanner, FieldErrorText, Status, StatusMessage};
use crate::forms::FieldErrors;
use crate::state::{AdminAuth, BrandingState};

const INPUT_ID: &str = "general-logo-file";

/// Renders the current logo with a form to upload a new one or remove it. The server decides
/// whether a file is PNG, JPEG or WebP from its first bytes; the form checks only its size.
#[component]
pub fn LogoField(logo: Option<LogoInfo>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let branding = expect_context::<BrandingState>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let logo = RwSignal::new(logo);
    let chosen = RwSignal::new_local(None::<web_sys::File>);
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let choose = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        chosen.set(input.files().and_then(|files| files.get(0)));
        errors.set(FieldErrors::default());
        status.set(None);
    };

    let show_failure = move |failure: ApiError| {
        errors.set(FieldErrors::from_api(&failure));
        error.set(Some(failure));
    };

    let upload = move |_| {
        error.set(None);
        status.set(None);
        let mut field_errors = FieldErrors::default();
        let file = chosen.get_untracked();
        match &file {
            None => field_errors.push("logo", "choose a PNG, JPEG or WebP file first"),
            Some(file) if file.size() == 0.0 => {
                field_errors.push("logo", "is empty: choose a PNG, JPEG or WebP file");
            }
            Some(file) if file.size() > LOGO_MAX_BYTES as f64 => field_errors.push(
                "logo",
                format!(
                    "is {} KiB, larger than the maximum of {} KiB; shrink or compress the image",
                    (file.size() / 1024.0).ceil(),
                    LOGO_MAX_BYTES / 1024
                ),
            ),
            Some(_) => {}
        }
        errors.set(field_errors.clone());
        let Some(file) = file.filter(|_| field_errors.is_empty()) else {
            return;
        };

        pending.set(true);
        spawn_local(async move {
            match api.upload_logo(&file).await {
                Ok(saved) => {
                    logo.set(saved.logo);
                    chosen.set(None);
                    clear_file_input();
                    branding.reload();
                    status.set(Some(Status::success("Logo uploaded")));
                }
                Err(failure) => show_failure(failure),
            }
            pending.set(false);
        });
    };

    let remove = Callback::new(move |()| {
        error.set(None);
        status.set(None);
        pending.set(true);
        spawn_local(async move {
            match api.delete_logo().await {
                Ok(saved) => {
                    logo.set(saved.logo);
                    branding.reload();
                    status.set(Some(Status::success("Logo removed")));
                }
                Err(failure) => show_failure(failure),
            }
            pending.set(false);
        });
    });

    let current = move || {
        logo.get().map(|logo| {
            let url = format!("/api/v1/branding/logo?v={}", logo.version);
            let facts = format!(
                "{}, {} KiB",
                logo.content_type,
                logo.size_bytes.div_ceil(1024)
            );
            view! {
                <img class="logo-preview" src=url alt="Current logo" />
                <p class="hint">{facts}</p>
            }
        })
    };

    view! {
        <div class="settings-form logo-field">
            <h3>"Logo"</h3>
            <ErrorBanner error />
            {current}
            <Show when=move || logo.with(Option::is_none)>
                <p class="muted">"No logo is set; the pages show the title alone."</p>
            </Show>
            <Show when=move || !read_only.get()>
                <div class="field">
                    <label for=INPUT_ID>"Logo file"</label>
                    <p class="hint" id="general-logo-file-hint">
                        "PNG, JPEG or WebP, at most 512 KiB. SVG is not accepted, because it can carry script."
                    </p>
                    <input
                        id=INPUT_ID
                        type="file"
                        accept="image/png,image/jpeg,image/webp"
                        aria-describedby="general-logo-file-hint general-logo-file-error"
                        on:change=choose
                    />
                    <FieldErrorText errors field="logo" id=String::from("general-logo-file-error") />
                </div>
                <ConfirmAction
                    button_label="Remove logo"
                    question="Remove the logo? The pages then show the title alone."
                    confirm_label="Remove logo"
                    keep_label="Keep logo"
                    pending
                    on_confirm=remove
                    hidden=Signal::derive(move || logo.with(Option::is_none))
                    class="actions"
                >
                    <button
                        type="button"
                        class="button"
                        disabled=move || pending.get()
                        on:click=upload
                    >
                        "Upload logo"
                    </button>
                </ConfirmAction>
            </Show>
            <StatusMessage status />
        </div>
    }
}

/// Empties the file input, so the same file can be chosen again after a failed upload.
fn clear_file_input() {
    use leptos::wasm_bindgen::JsCast;
    let input = document()
        .get_element_by_id(INPUT_ID)
        .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok());
    if let Some(input) = input {
        input.set_value("");
    }
}
