use leptos::prelude::*;

use crate::forms::FieldErrors;

/// Renders the errors of one form field under its input.
#[component]
pub fn FieldErrorText(
    #[prop(into)] errors: Signal<FieldErrors>,
    /// The field's name as the API and the validation functions spell it.
    #[prop(into)]
    field: String,
    /// The id the input names in `aria-describedby`.
    id: String,
) -> impl IntoView {
    let field = StoredValue::new(field);
    let messages =
        move || errors.with(|errors| field.with_value(|field| errors.messages_for(field)));

    view! {
        <Show when=move || !messages().is_empty()>
            <div class="field-error" id=id.clone()>
                {move || {
                    messages()
                        .into_iter()
                        .map(|message| view! { <p>{message}</p> })
                        .collect_view()
                }}
            </div>
        </Show>
    }
}
