use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::license::{LicenseState, LicenseStatus};

use crate::api::{AdminApi, ApiError};
use crate::components::{Status, StatusMessage};

/// The largest file the form reads; a license file is well under 1 KiB and the server
/// accepts up to 64 KiB.
const MAX_FILE_BYTES: f64 = 64.0 * 1024.0;

/// Renders the "Upload a license" section: a file input and a button that sends the file as
/// it was read. A rejected file shows the server's reason; an accepted one replaces the
/// status through `on_uploaded`.
#[component]
pub fn UploadForm(on_uploaded: Callback<LicenseStatus>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let text = RwSignal::new(None::<String>);
    let file_name = RwSignal::new(None::<String>);
    let rejected = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let choose_file = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        let name = file.name();
        text.set(None);
        rejected.set(None);
        status.set(None);
        if file.size() > MAX_FILE_BYTES {
            status.set(Some(Status::failure(format!(
                "{name} is larger than 64 KiB, so it is not a license file."
            ))));
            return;
        }
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(read) => {
                    text.try_set(read.as_string());
                    file_name.try_set(Some(name));
                }
                Err(_) => {
                    status.try_set(Some(Status::failure(format!(
                        "The browser could not read {name}; choose the file again."
                    ))));
                }
            }
        });
    };

    let upload = move |_| {
        let Some(license) = text.get_untracked() else {
            status.set(Some(Status::failure("Choose a license file first.")));
            return;
        };
        rejected.set(None);
        status.set(Some(Status::neutral("Uploading the license…")));
        pending.set(true);
        spawn_local(async move {
            match api.upload_license(&license).await {
                Ok(new_status) => {
                    status.try_set(Some(Status::success(uploaded_text(&new_status))));
                    on_uploaded.run(new_status);
                }
                Err(error) => {
                    status.try_set(None);
                    rejected.try_set(Some(error));
                }
            }
            pending.try_set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="license-upload-heading">
            <h2 id="license-upload-heading">"Upload a license"</h2>
            <p class="hint">
                "Upload the license file exactly as the vendor sent it. It replaces an earlier \
                 upload and applies on every server at once. A license file at \
                 IPSOLIS_LICENSE_PATH takes precedence while it is valid."
            </p>
            <div class="field">
                <label for="license-file">"License file"</label>
                <input id="license-file" type="file" accept=".json,.lic,application/json,text/plain" on:change=choose_file />
                {move || {
                    file_name
                        .get()
                        .filter(|_| text.with(Option::is_some))
                        .map(|name| view! { <p class="hint">{format!("Read {name}.")}</p> })
                }}
            </div>
            <div class="actions">
                <button type="button" class="button" disabled=move || pending.get() on:click=upload>
                    "Upload license"
                </button>
            </div>
            <StatusMessage status />
            {move || rejected.get().map(|error| view! { <RejectedLicense error /> })}
        </section>
    }
}

/// Renders why the server rejected a license file: the problem's title and detail, which
/// tell a bad signature, an unknown key and a malformed file apart, and any field messages.
#[component]
fn RejectedLicense(error: ApiError) -> impl IntoView {
    let fields = error
        .field_errors()
        .iter()
        .map(|e| view! { <li>{format!("{}: {}", e.field, e.message)}</li> })
        .collect_view();
    view! {
        <div class="error-banner" role="alert">
            <strong>{error.problem.title.clone()}</strong>
            <p>{error.problem.detail.clone()}</p>
            <ul>{fields}</ul>
        </div>
    }
}

fn uploaded_text(status: &LicenseStatus) -> String {
    let name = format!(
        "License {} for {}",
        status.license_id.as_deref().unwrap_or("?"),
        status.licensee.as_deref().unwrap_or("?")
    );
    match status.state {
        LicenseState::Grace | LicenseState::Unlicensed => {
            format!(
                "{name} was uploaded, but it has already expired: {}.",
                status.state.label()
            )
        }
        _ => format!("{name} was uploaded."),
    }
}
