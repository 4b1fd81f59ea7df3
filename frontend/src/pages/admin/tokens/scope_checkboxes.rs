use leptos::prelude::*;
use shared::tokens::Scope;

use crate::components::FieldErrorText;
use crate::forms::FieldErrors;

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

/// Renders one checkbox per scope, labelled with the scope's wire name, and the errors of the
/// `scopes` field under them.
#[component]
pub fn ScopeCheckboxes(
    selected: RwSignal<Vec<Scope>>,
    #[prop(into)] errors: Signal<FieldErrors>,
) -> impl IntoView {
    let has_error = move || errors.with(|errors| !errors.messages_for("scopes").is_empty());
    let checkboxes = Scope::ALL
        .into_iter()
        .map(|scope| {
            let id = format!("new-token-scope-{}", scope.as_str().replace(':', "-"));
            let description_id = format!("{id}-description");
            let is_checked = move || selected.with(|scopes| scopes.contains(&scope));
            let toggle = move |event| {
                let checked = event_target_checked(&event);
                selected.update(|scopes| {
                    scopes.retain(|each| *each != scope);
                    if checked {
                        scopes.push(scope);
                    }
                });
            };
            view! {
                <div class="field checkbox">
                    <input
                        id=id.clone()
                        type="checkbox"
                        aria-describedby=description_id.clone()
                        prop:checked=is_checked
                        on:change=toggle
                    />
                    <label for=id>{scope.as_str()}</label>
                    <span class="hint" id=description_id>
                        {scope_description(scope)}
                    </span>
                </div>
            }
        })
        .collect_view();

    view! {
        <fieldset
            class="field"
            aria-invalid=move || has_error().then_some("true")
            aria-describedby=move || has_error().then_some("new-token-scopes-error")
        >
            <legend>"Scopes"</legend>
            {checkboxes}
            <FieldErrorText errors field="scopes" id="new-token-scopes-error".to_string() />
        </fieldset>
    }
}
