use leptos::prelude::*;
use uuid::Uuid;

use crate::components::{FieldErrorText, TextSelectInput};
use crate::forms::FieldErrors;

/// Renders a labelled select of runbooks whose value is a runbook id, or none.
#[component]
pub fn RunbookSelect(
    id: &'static str,
    label: &'static str,
    value: RwSignal<Option<Uuid>>,
    /// The runbooks to choose from, as id and name.
    #[prop(into)]
    runbooks: Signal<Vec<(Uuid, String)>>,
    #[prop(into)] errors: Signal<FieldErrors>,
    /// The field's name as the API and the validation functions spell it.
    field: &'static str,
    #[prop(into)] required: Signal<bool>,
    hint: &'static str,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let text = RwSignal::new(
        value
            .get_untracked()
            .map(|id| id.to_string())
            .unwrap_or_default(),
    );
    let options = Signal::derive(move || {
        let blank = if required.get() {
            "Choose a runbook"
        } else {
            "None"
        };
        let mut options = vec![(String::new(), blank.to_string())];
        options.extend(
            runbooks
                .get()
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        );
        // A runbook the list does not hold, such as one the signed-in role may not list,
        // stays chosen under its id.
        let chosen = text.get();
        if !chosen.is_empty() && !options.iter().any(|(id, _)| *id == chosen) {
            options.push((chosen.clone(), format!("Runbook {chosen}")));
        }
        options
    });
    let on_choose = Callback::new(move |chosen: String| {
        value.set(Uuid::parse_str(&chosen).ok());
        text.set(chosen);
    });
    let invalid =
        Signal::derive(move || errors.with(|errors| !errors.messages_for(field).is_empty()));
    let hint_id = format!("{id}-hint");

    view! {
        <div class="field">
            <div class="label-row">
                <label for=id>{label}</label>
                <Show when=move || required.get()>
                    <span class="required" aria-hidden="true">"*"</span>
                </Show>
            </div>
            <p class="hint" id=hint_id>{hint}</p>
            <TextSelectInput id=id value=text options on_choose disabled invalid />
            <FieldErrorText errors field id=format!("{id}-error") />
        </div>
    }
}
