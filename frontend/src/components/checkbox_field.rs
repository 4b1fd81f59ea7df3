use leptos::prelude::*;

/// Renders a checkbox with its label to the right.
#[component]
pub fn CheckboxField(
    #[prop(into)] id: String,
    label: &'static str,
    checked: RwSignal<bool>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="field checkbox">
            <input id=id.clone() type="checkbox" disabled=move || disabled.get() bind:checked=checked />
            <label for=id>{label}</label>
        </div>
    }
}
