use leptos::prelude::*;

use crate::components::{FieldErrorText, SelectInput};
use crate::forms::FieldErrors;
use crate::labels;

/// Renders the stage select of an approval group, with the errors of `field`.
#[component]
pub fn StageField(
    #[prop(into)] id: String,
    value: RwSignal<u8>,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(into)] field: String,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let error_id = format!("{id}-error");

    view! {
        <div class="field">
            <label for=id.clone()>"Stage"</label>
            <SelectInput
                id=id
                value
                on_choose=Callback::new(move |stage| value.set(stage))
                options=labels::stage_options()
                disabled
            />
            <FieldErrorText errors field id=error_id />
        </div>
    }
}
