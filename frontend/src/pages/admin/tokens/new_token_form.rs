use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::permissions::Role;
use shared::tokens::{CreatedApiToken, NewApiToken, Scope};

use crate::api::{AdminApi, ApiError};
use crate::components::{
    CheckboxList, Choice, ErrorBanner, FieldErrorText, SelectField, TextField,
};
use crate::forms::{FieldErrors, parse_number};
use crate::labels;
use crate::state::AdminAuth;

/// Limits that the server enforces on a new token. The form checks them too, to show the
/// errors without a request.
const NAME_MAX_CHARS: usize = 120;
const EXPIRES_MAX_DAYS: i32 = 730;
const DEFAULT_EXPIRES_DAYS: &str = "90";

/// Returns the help text for `scope`, which describes what a request with it may do within the
/// permissions of the token's role.
fn scope_description(scope: Scope) -> &'static str {
    match scope {
        Scope::OrdersRead => "Read orders.",
        Scope::OrdersWrite => "Read orders and act on them.",
        Scope::CatalogRead => "Read asset definitions.",
        Scope::CatalogWrite => "Read and change asset definitions.",
        Scope::AuditRead => "Read the audit log.",
        Scope::HrLeaver | Scope::ScimRead | Scope::ScimWrite | Scope::MetricsRead => {
            "Grants no admin route yet."
        }
        Scope::Admin => "Everything the token's role may do.",
    }
}

/// Returns one checkbox per scope, labelled with the scope's wire name.
fn scope_choices() -> Vec<Choice<Scope>> {
    Scope::ALL
        .into_iter()
        .map(|scope| Choice::new(scope, scope.as_str()).with_hint(scope_description(scope)))
        .collect()
}

/// Renders the form that creates an API token, and clears it after each success.
#[component]
pub fn NewTokenForm(on_created: Callback<CreatedApiToken>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();

    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(Vec::<Scope>::new());
    let role = RwSignal::new(None::<Role>);
    let expires_in_days = RwSignal::new(DEFAULT_EXPIRES_DAYS.to_string());

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    // Builds the request body, or shows the field errors and returns `None`.
    let read_input = move || {
        let mut field_errors = FieldErrors::default();
        let trimmed_name = name.get_untracked().trim().to_string();
        let name_chars = trimmed_name.chars().count();
        if !(1..=NAME_MAX_CHARS).contains(&name_chars) {
            let message = format!("must be 1 to {NAME_MAX_CHARS} characters long");
            field_errors.push("name", message);
        }
        // The checkboxes push in the order they were ticked, so the body lists the scopes in
        // the order of `Scope::ALL`.
        let selected = scopes.with_untracked(|scopes| {
            Scope::ALL
                .into_iter()
                .filter(|scope| scopes.contains(scope))
                .collect::<Vec<_>>()
        });
        if selected.is_empty() {
            field_errors.push("scopes", "must name at least one scope");
        }
        let days = parse_number::<i32>(
            &expires_in_days.get_untracked(),
            "expires_in_days",
            &mut field_errors,
        );
        if let Some(days) = days
            && !(1..=EXPIRES_MAX_DAYS).contains(&days)
        {
            let message = format!("must be between 1 and {EXPIRES_MAX_DAYS} days");
            field_errors.push("expires_in_days", message);
        }
        error.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return None;
        }

        Some(NewApiToken {
            name: trimmed_name,
            scopes: selected,
            role: role.get_untracked(),
            expires_in_days: days.unwrap_or_default(),
        })
    };

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        pending.set(true);
        spawn_local(async move {
            match api.create_api_token(&input).await {
                Ok(created) => {
                    name.set(String::new());
                    scopes.set(Vec::new());
                    role.set(None);
                    expires_in_days.set(DEFAULT_EXPIRES_DAYS.to_string());
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

    // The server accepts only roles that the creator's own role covers.
    let own_role = untrack(|| auth.session()).map(|session| session.role);
    let mut role_options = vec![(None, "Same as mine")];
    role_options.extend(
        labels::role_options()
            .into_iter()
            .filter(|(each, _)| own_role.is_some_and(|own| own.covers(*each)))
            .map(|(each, label)| (Some(each), label)),
    );

    view! {
        <form on:submit=submit novalidate=true>
            <ErrorBanner error />
            <div class="form-grid">
                <TextField
                    id="new-token-name"
                    label="Name"
                    value=name
                    errors
                    field="name"
                    autocomplete="off"
                    required=true
                    hint="Up to 120 characters, such as the script or system that sends the token."
                />
                <div>
                    <SelectField id="new-token-role" label="Role" value=role options=role_options />
                    <FieldErrorText errors field="role" id="new-token-role-error".to_string() />
                </div>
                <TextField
                    id="new-token-expires-in-days"
                    label="Expires in (days)"
                    value=expires_in_days
                    errors
                    field="expires_in_days"
                    input_type="number"
                    required=true
                    hint="1 to 730 days."
                />
            </div>
            <CheckboxList
                id="new-token-scopes"
                legend="Scopes"
                selected=scopes
                choices=scope_choices()
                errors
                field="scopes"
                hint="A request with the token passes only when one of its scopes and the token's role both allow it."
            />
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Create token"
                </button>
            </div>
        </form>
    }
}
