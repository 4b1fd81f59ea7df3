use leptos::prelude::*;

use super::FieldErrorText;
use crate::forms::FieldErrors;

/// One checkbox of a [`CheckboxList`].
#[derive(Debug, Clone, PartialEq)]
pub struct Choice<T> {
    pub value: T,
    pub label: String,
    /// A short description after the label, which describes the checkbox to screen readers.
    pub hint: Option<String>,
}

impl<T> Choice<T> {
    pub fn new(value: T, label: impl Into<String>) -> Self {
        Self {
            value,
            label: label.into(),
            hint: None,
        }
    }

    /// Adds `hint` after the label.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Renders a group of checkboxes, one per choice, whose ticked values are `selected`, with
/// the errors of `field` under them.
#[component]
pub fn CheckboxList<T>(
    /// Prefixes the ids of the checkboxes, which end in their index.
    #[prop(into)]
    id: String,
    legend: &'static str,
    selected: RwSignal<Vec<T>>,
    #[prop(into)] choices: Signal<Vec<Choice<T>>>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional, into)] errors: Signal<FieldErrors>,
    /// The field's name as the API and the validation functions spell it.
    #[prop(optional)]
    field: Option<&'static str>,
    /// A line of help under the legend.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_error = move || {
        field.is_some_and(|field| errors.with(|errors| !errors.messages_for(field).is_empty()))
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
    let checkboxes = move || {
        choices
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, choice)| {
                let value = choice.value;
                let checkbox_id = format!("{id}-{index}");
                let choice_hint_id = format!("{checkbox_id}-hint");
                let described_by = choice.hint.is_some().then(|| choice_hint_id.clone());
                let is_checked = move || selected.with(|values| values.contains(&value));
                let toggle = move |event| {
                    let checked = event_target_checked(&event);
                    selected.update(|values| {
                        values.retain(|each| *each != value);
                        if checked {
                            values.push(value);
                        }
                    });
                };
                view! {
                    <div class="field checkbox">
                        <input
                            id=checkbox_id.clone()
                            type="checkbox"
                            aria-describedby=described_by
                            disabled=move || disabled.get()
                            prop:checked=is_checked
                            on:change=toggle
                        />
                        <label for=checkbox_id>{choice.label}</label>
                        {choice
                            .hint
                            .map(|text| view! { <span class="hint" id=choice_hint_id>{text}</span> })}
                    </div>
                }
            })
            .collect_view()
    };

    view! {
        <fieldset
            class="field checkbox-list"
            aria-invalid=move || has_error().then_some("true")
            aria-describedby=described_by
        >
            <legend>{legend}</legend>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            {checkboxes}
            {field.map(|field| view! { <FieldErrorText errors field id=error_id.clone() /> })}
        </fieldset>
    }
}
