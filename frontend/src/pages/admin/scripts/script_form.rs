use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::permissions::Permission;
use shared::runbooks::{ScriptInput, ScriptLanguage, script_problems};
use uuid::Uuid;

use crate::api::{AdminApi, ApiError};
use crate::components::{
    ConfirmAction, ErrorBanner, SelectField, Status, StatusMessage, TextAreaField, TextField,
};
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

/// The saved state of a script that the form updates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SavedScript {
    pub id: Uuid,
    pub version: i32,
}

/// Renders the script editor. With `saved` each save stores a new version and stays on the
/// page, and Delete removes the script; without, it creates one and opens it.
#[component]
pub fn ScriptForm(
    initial: ScriptInput,
    saved: Option<SavedScript>,
    /// Runs after each save of an existing script, with its name as saved.
    #[prop(optional)]
    on_saved: Option<Callback<String>>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let navigate = use_navigate();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let name = RwSignal::new(initial.name);
    let language = RwSignal::new(initial.language);
    let description = RwSignal::new(initial.description);
    let body = RwSignal::new(initial.body);
    let saved = RwSignal::new(saved);
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = {
        let navigate = navigate.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            let input = ScriptInput {
                name: name.get_untracked().trim().to_string(),
                language: language.get_untracked(),
                description: description.get_untracked().trim().to_string(),
                body: body.get_untracked(),
            };
            let field_errors = FieldErrors::new(script_problems(&input));
            errors.set(field_errors.clone());
            error.set(None);
            status.set(None);
            if !field_errors.is_empty() {
                status.set(Some(Status::failure(
                    "Not saved: correct the fields marked below.",
                )));
                return;
            }

            pending.set(true);
            let navigate = navigate.clone();
            let id = saved.get_untracked().map(|saved| saved.id);
            spawn_local(async move {
                let result = match id {
                    Some(id) => api.update_script(id, &input).await,
                    None => api.create_script(&input).await,
                };
                match result {
                    Ok(created) if id.is_none() => {
                        navigate(&format!("/ui/scripts/{}", created.id), Default::default())
                    }
                    Ok(updated) => {
                        saved.set(Some(SavedScript {
                            id: updated.id,
                            version: updated.version,
                        }));
                        status.set(Some(Status::success(format!(
                            "Saved as version {}.",
                            updated.version
                        ))));
                        if let Some(on_saved) = on_saved {
                            on_saved.run(updated.name);
                        }
                    }
                    Err(failure) => {
                        errors.set(FieldErrors::from_api(&failure));
                        error.set(Some(failure));
                    }
                }
                pending.set(false);
            });
        }
    };
    let delete = Callback::new(move |()| {
        let Some(id) = saved.get_untracked().map(|saved| saved.id) else {
            return;
        };
        let navigate = navigate.clone();
        pending.set(true);
        spawn_local(async move {
            match api.delete_script(id).await {
                Ok(()) => navigate("/ui/scripts", Default::default()),
                Err(failure) => {
                    error.set(Some(failure));
                    pending.set(false);
                }
            }
        });
    });

    let language_options = ScriptLanguage::ALL
        .map(|language| (language, language.label()))
        .to_vec();
    let version = move || {
        saved
            .get()
            .map(|saved| format!("Current version: {}", saved.version))
    };

    view! {
        <form class="card" on:submit=submit novalidate=true>
            <ErrorBanner error />
            <p class="muted">{version}</p>
            <div class="form-grid">
                <TextField id="script-name" label="Name" value=name errors field="name" required=true disabled=read_only hint="Steps name the script by this." />
                <SelectField
                    id="script-language"
                    label="Language"
                    value=language
                    options=language_options
                    disabled=read_only
                />
            </div>
            <TextAreaField
                id="script-description"
                label="Description"
                value=description
                errors
                field="description"
                rows=2
                disabled=read_only
            />
            <TextAreaField
                id="script-body"
                label="Body"
                value=body
                errors
                field="body"
                rows=18
                required=true
                disabled=read_only
                hint="The step's arguments arrive as JSON on standard input and in the file $IPSOLIS_PARAMS; a JSON object written to the file $IPSOLIS_RESULT becomes the step's output. The script starts with an empty environment."
            />
            <Show when=move || !read_only.get()>
                <ConfirmAction
                    button_label="Delete script"
                    question="Delete this script and its versions? A script that a runbook's step runs is kept until the step names another."
                    confirm_label="Confirm delete"
                    keep_label="Keep script"
                    pending
                    on_confirm=delete
                    hidden=Signal::derive(move || saved.with(Option::is_none))
                    class="actions"
                >
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save script"
                    </button>
                </ConfirmAction>
            </Show>
            <StatusMessage status />
        </form>
    }
}
