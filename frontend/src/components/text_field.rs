use leptos::prelude::*;

use super::FieldErrorText;
use crate::forms::FieldErrors;

/// Renders a labelled input bound to `value`, with the field's errors under it.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] errors: Signal<FieldErrors>,
    /// The field's name as the API and the validation functions spell it.
    #[prop(into)]
    field: String,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional, into)] placeholder: MaybeProp<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// A line of help under the label.
    #[prop(into, default = None)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let field = StoredValue::new(field);
    let has_error = move || {
        errors.with(|errors| field.with_value(|field| !errors.messages_for(field).is_empty()))
    };
    let described_by = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if has_error() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };

    view! {
        <div class="field">
            // The marker sits outside the label so the label text is exactly `label`. The
            // input's `required` attribute marks the field for assistive technology.
            <div class="label-row">
                <label for=id.clone()>{label}</label>
                {required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
            </div>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            <input
                id=id
                name=field.get_value()
                type=input_type
                placeholder=move || placeholder.get()
                autocomplete=autocomplete
                disabled=move || disabled.get()
                required=required
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=described_by
                bind:value=value
            />
            <FieldErrorText errors field=field.get_value() id=error_id />
        </div>
    }
}
