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
    let messages = Signal::derive(move || {
        errors.with(|errors| field.with_value(|field| errors.messages_for(field)))
    });

    view! { <ErrorMessages messages id /> }
}

/// Renders error messages, one paragraph each, or nothing while there are none.
#[component]
pub fn ErrorMessages(
    #[prop(into)] messages: Signal<Vec<String>>,
    /// The id that inputs name in `aria-describedby`.
    id: String,
) -> impl IntoView {
    view! {
        <Show when=move || messages.with(|messages| !messages.is_empty())>
            <div class="field-error" id=id.clone()>
                {move || {
                    messages
                        .get()
                        .into_iter()
                        .map(|message| view! { <p>{message}</p> })
                        .collect_view()
                }}
            </div>
        </Show>
    }
}
