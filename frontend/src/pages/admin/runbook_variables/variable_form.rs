use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::runbooks::{
    RunbookVariable, SECRET_MIN, VARIABLE_VALUE_MAX, VariableInput, variable_name_problem,
};

use crate::api::{AdminApi, ApiError};
use crate::components::{CheckboxField, ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::FieldErrors;

/// The form's fields, which Edit in the list fills.
#[derive(Debug, Clone, Copy)]
pub struct VariableDraft {
    name: RwSignal<String>,
    value: RwSignal<String>,
    secret: RwSignal<bool>,
}

impl VariableDraft {
    pub fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
            secret: RwSignal::new(false),
        }
    }

    /// Loads `variable` into the form. A secret's value is never sent to the SPA, so its field
    /// stays empty for a new value.
    pub fn edit(self, variable: &RunbookVariable) {
        self.name.set(variable.name.clone());
        self.secret.set(variable.secret);
        self.value.set(variable.value.clone().unwrap_or_default());
        if let Some(input) = document().get_element_by_id("variable-value") {
            input.scroll_into_view();
        }
    }

    fn clear(self) {
        self.name.set(String::new());
        self.value.set(String::new());
        self.secret.set(false);
    }
}

impl Default for VariableDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// Renders the form that adds a variable or replaces one of the same name. A secret's value
/// goes into a password input and is write-only.
#[component]
pub fn VariableForm(draft: VariableDraft, on_saved: Callback<()>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    let VariableDraft {
        name,
        value,
        secret,
    } = draft;

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let variable_name = name.get_untracked().trim().to_string();
        let input = VariableInput {
            value: value.get_untracked(),
            secret: secret.get_untracked(),
        };
        let mut field_errors = FieldErrors::default();
        if let Some(message) = variable_name_problem(&variable_name) {
            field_errors.push("name", message);
        }
        if input.value.len() > VARIABLE_VALUE_MAX {
            field_errors.push(
                "value",
                format!("must be at most {VARIABLE_VALUE_MAX} bytes long"),
            );
        }
        if input.secret && input.value.chars().count() < SECRET_MIN {
            field_errors.push(
                "value",
                format!(
                    "a secret must be at least {SECRET_MIN} characters long, so it can be masked"
                ),
            );
        }
        errors.set(field_errors.clone());
        error.set(None);
        status.set(None);
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        spawn_local(async move {
            match api.put_runbook_variable(&variable_name, &input).await {
                Ok(saved) => {
                    draft.clear();
                    status.set(Some(Status::success(format!("Saved {}.", saved.name))));
                    on_saved.run(());
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="variable-form-heading">
            <h2 id="variable-form-heading">"Add or replace a variable"</h2>
            <form on:submit=submit novalidate=true>
                <ErrorBanner error />
                <div class="form-grid">
                    <TextField
                        id="variable-name"
                        label="Name"
                        value=name
                        errors
                        field="name"
                        required=true
                        autocomplete="off"
                        hint="a-z, 0-9 and _, starting with a letter. Saving an existing name replaces its value."
                    />
                    <Show
                        when=move || secret.get()
                        fallback=move || {
                            view! {
                                <TextField id="variable-value" label="Value" value errors field="value" autocomplete="off" />
                            }
                        }
                    >
                        <TextField
                            id="variable-value"
                            label="Value"
                            value
                            errors
                            field="value"
                            input_type="password"
                            required=true
                            autocomplete="new-password"
                            hint="Write-only: it cannot be read back once saved."
                        />
                    </Show>
                </div>
                <CheckboxField id="variable-secret" label="Secret" checked=secret />
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save variable"
                    </button>
                </div>
                <StatusMessage status />
            </form>
        </section>
    }
}
