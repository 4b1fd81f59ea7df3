use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::approvals::{Delegation, NewDelegation, delegation_errors};

use crate::api::{ApiError, DelegationClient};
use crate::components::{ErrorBanner, TextAreaField, TextField};
use crate::format::browser_now;
use crate::forms::{FieldErrors, non_blank, read_time};

/// Renders the form for a new out-of-office window. Admins name the absent person; in the
/// portal the window covers the signed-in person. `on_created` receives the saved window.
#[component]
pub fn DelegationForm(client: DelegationClient, on_created: Callback<Delegation>) -> impl IntoView {
    let person = RwSignal::new(String::new());
    let delegate = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let names_person = client.names_person();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        let person_text = non_blank(&person.get_untracked());
        if names_person && person_text.is_none() {
            field_errors.push("person", "is required: an account name or mail address");
        }
        let starts_at = read_time(&starts.get_untracked(), "starts_at", &mut field_errors);
        let ends_at = read_time(&ends.get_untracked(), "ends_at", &mut field_errors);
        if starts.get_untracked().trim().is_empty() {
            field_errors.push("starts_at", "is required");
        }
        if ends.get_untracked().trim().is_empty() {
            field_errors.push("ends_at", "is required");
        }
        let input = match (starts_at, ends_at) {
            (Some(starts_at), Some(ends_at)) => Some(NewDelegation {
                person: person_text.filter(|_| names_person),
                delegate: delegate.get_untracked().trim().to_string(),
                starts_at,
                ends_at,
                note: note.get_untracked().trim().to_string(),
            }),
            _ => None,
        };
        if let Some(input) = &input {
            for rule_error in delegation_errors(input, browser_now()) {
                field_errors.push(&rule_error.field, rule_error.message);
            }
        }
        error.set(None);
        errors.set(field_errors.clone());
        let Some(input) = input.filter(|_| field_errors.is_empty()) else {
            return;
        };

        pending.set(true);
        spawn_local(async move {
            match client.create(&input).await {
                Ok(created) => {
                    person.set(String::new());
                    delegate.set(String::new());
                    starts.set(String::new());
                    ends.set(String::new());
                    note.set(String::new());
                    on_created.run(created);
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
        <form class="card" on:submit=submit novalidate=true aria-labelledby="delegation-form-heading">
            <h2 id="delegation-form-heading">"New window"</h2>
            <ErrorBanner error />
            <div class="form-grid">
                {names_person
                    .then(|| {
                        view! {
                            <TextField
                                id="delegation-person"
                                label="Absent person"
                                value=person
                                errors
                                field="person"
                                required=true
                                hint="Account name or mail address."
                            />
                        }
                    })}
                <TextField
                    id="delegation-delegate"
                    label="Stand-in"
                    value=delegate
                    errors
                    field="delegate"
                    required=true
                    hint="Account name or mail address of the person who approves meanwhile."
                />
                <TextField
                    id="delegation-starts"
                    label="From"
                    value=starts
                    errors
                    field="starts_at"
                    input_type="datetime-local"
                    required=true
                />
                <TextField
                    id="delegation-ends"
                    label="Until"
                    value=ends
                    errors
                    field="ends_at"
                    input_type="datetime-local"
                    required=true
                />
            </div>
            <TextAreaField
                id="delegation-note"
                label="Note (optional)"
                value=note
                errors
                field="note"
                rows=2
                hint="Shown with the approvals the stand-in receives, such as \"on leave\"."
            />
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Save window"
                </button>
            </div>
        </form>
    }
}
