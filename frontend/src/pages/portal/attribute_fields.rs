//! The fields a catalog entry's attributes add to the order form and to the form that changes
//! active access, and the way the portal shows attribute values.

use leptos::prelude::*;
use serde_json::{Map, Value};
use shared::catalog::{AttributeDefinition, AttributeKind, Classification};

use crate::components::FieldErrorText;
use crate::forms::FieldErrors;
use crate::labels;

/// The hint under every directory user field.
const DIRECTORY_USER_HINT: &str = "Account name or mail address.";

/// The signal an attribute's input is bound to: text for most kinds, a flag for yes or no.
#[derive(Debug, Clone, Copy)]
enum Input {
    Text(RwSignal<String>),
    Flag(RwSignal<bool>),
}

/// One attribute with the signal its input is bound to.
#[derive(Debug, Clone)]
pub struct AttributeInput {
    definition: AttributeDefinition,
    input: Input,
}

/// Creates the inputs of a set of attributes, prefilled from `current` (an order's values) when
/// given. Directory users are prefilled with their account name.
pub fn attribute_inputs(
    definitions: &[AttributeDefinition],
    current: Option<&Value>,
) -> Vec<AttributeInput> {
    definitions
        .iter()
        .map(|definition| {
            let value = current.and_then(|values| values.get(&definition.key));
            let input = match definition.kind {
                AttributeKind::Boolean => Input::Flag(RwSignal::new(
                    value.and_then(Value::as_bool).unwrap_or(false),
                )),
                _ => Input::Text(RwSignal::new(value.map(input_text).unwrap_or_default())),
            };
            AttributeInput {
                definition: definition.clone(),
                input,
            }
        })
        .collect()
}

/// Returns the text an input shows for a stored value.
fn input_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Object(user) => user
            .get("account")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

/// Reads the inputs into the values the API takes by key, leaving blank fields out. A number
/// that does not parse adds a field error instead.
pub fn attribute_values(inputs: &[AttributeInput], errors: &mut FieldErrors) -> Map<String, Value> {
    let mut values = Map::new();
    for AttributeInput { definition, input } in inputs {
        let key = definition.key.clone();
        match input {
            Input::Flag(checked) => {
                values.insert(key, Value::Bool(checked.get_untracked()));
            }
            Input::Text(text) => {
                let text = text.get_untracked().trim().to_string();
                if text.is_empty() {
                    continue;
                }
                if definition.kind == AttributeKind::Number {
                    match text.parse::<i64>() {
                        Ok(number) => {
                            values.insert(key, Value::from(number));
                        }
                        Err(_) => errors.push(
                            &format!("attributes.{}", definition.key),
                            "must be a whole number",
                        ),
                    }
                } else {
                    values.insert(key, Value::String(text));
                }
            }
        }
    }
    values
}

/// Returns the short name of a classification for a badge, or `None` for internal data.
pub fn classification_tag(classification: Classification) -> Option<&'static str> {
    match classification {
        Classification::Internal => None,
        Classification::Pii => Some("PII"),
        Classification::Phi => Some("PHI"),
        Classification::Pci => Some("PCI"),
    }
}

/// Renders a badge for data more sensitive than internal, such as "PII".
#[component]
pub fn ClassificationBadge(classification: Classification) -> impl IntoView {
    classification_tag(classification).map(|tag| {
        view! {
            <span class="badge badge-classified" title=labels::classification(classification)>
                {tag}
            </span>
        }
    })
}

/// Renders a line saying how sensitive the data of a form is, for the strictest classification.
#[component]
pub fn ClassificationNote(classification: Classification) -> impl IntoView {
    classification_tag(classification).map(|_| {
        view! {
            <p class="classification-note">
                <ClassificationBadge classification />
                {format!(" This form asks for {}.", labels::classification(classification))}
            </p>
        }
    })
}

/// Renders one field per attribute, with its errors at `attributes.<key>`. `id_prefix` keeps
/// the ids apart when a page has two forms.
#[component]
pub fn AttributeFields(
    inputs: Vec<AttributeInput>,
    #[prop(into)] errors: Signal<FieldErrors>,
    id_prefix: &'static str,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    inputs
        .into_iter()
        .map(|input| view! { <AttributeField input errors id_prefix disabled /> })
        .collect_view()
}

#[component]
fn AttributeField(
    input: AttributeInput,
    errors: Signal<FieldErrors>,
    id_prefix: &'static str,
    disabled: Signal<bool>,
) -> impl IntoView {
    let AttributeInput { definition, input } = input;
    let id = format!("{id_prefix}-{}", definition.key);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let field = format!("attributes.{}", definition.key);
    let hint = match (definition.kind, definition.help.trim()) {
        (AttributeKind::DirectoryUser, "") => Some(DIRECTORY_USER_HINT.to_string()),
        (AttributeKind::DirectoryUser, help) => Some(format!("{help} {DIRECTORY_USER_HINT}")),
        (_, "") => None,
        (_, help) => Some(help.to_string()),
    };
    let has_hint = hint.is_some();
    let has_error = {
        let field = field.clone();
        move || errors.with(|errors| !errors.messages_for(&field).is_empty())
    };
    let described_by = {
        let (error_id, hint_id, has_error) = (error_id.clone(), hint_id.clone(), has_error.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if has_error() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || has_error().then_some("true");
    let required = definition.required;
    let hint_view = hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> });
    let badge = view! { <ClassificationBadge classification=definition.classification /> };
    let required_mark =
        required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> });

    let control = match (definition.kind, input) {
        (_, Input::Flag(checked)) => {
            return view! {
                <div class="field">
                    <div class="checkbox">
                        <input
                            id=id.clone()
                            name=field.clone()
                            type="checkbox"
                            required=required
                            disabled=move || disabled.get()
                            aria-invalid=invalid
                            aria-describedby=described_by
                            bind:checked=checked
                        />
                        <label for=id>{definition.label}</label>
                        {required_mark}
                        {badge}
                    </div>
                    {hint_view}
                    <FieldErrorText errors field id=error_id />
                </div>
            }
            .into_any();
        }
        (AttributeKind::Select, Input::Text(value)) => {
            let options = definition
                .options
                .iter()
                .map(|option| {
                    let text = option.clone();
                    let selected = {
                        let option = option.clone();
                        move || value.with(|value| value == &option)
                    };
                    view! {
                        <option value=option.clone() prop:selected=selected>
                            {text}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <select
                    id=id.clone()
                    name=field.clone()
                    required=required
                    disabled=move || disabled.get()
                    aria-invalid=invalid
                    aria-describedby=described_by
                    on:change=move |event| value.set(event_target_value(&event))
                >
                    <option value="" prop:selected=move || value.with(String::is_empty)>
                        "Choose…"
                    </option>
                    {options}
                </select>
            }
            .into_any()
        }
        (kind, Input::Text(value)) => {
            let input_type = match kind {
                AttributeKind::Number => "number",
                AttributeKind::Date => "date",
                _ => "text",
            };
            let max_length = (kind == AttributeKind::Text)
                .then_some(definition.max_length)
                .flatten();
            view! {
                <input
                    id=id.clone()
                    name=field.clone()
                    type=input_type
                    maxlength=max_length
                    min=definition.min
                    max=definition.max
                    autocomplete=(kind == AttributeKind::DirectoryUser).then_some("off")
                    required=required
                    disabled=move || disabled.get()
                    aria-invalid=invalid
                    aria-describedby=described_by
                    bind:value=value
                />
            }
            .into_any()
        }
    };

    view! {
        <div class="field">
            // The marks sit outside the label so the label text is exactly the attribute's.
            <div class="label-row">
                <label for=id>{definition.label}</label>
                {required_mark}
                {badge}
            </div>
            {hint_view}
            {control}
            <FieldErrorText errors field id=error_id />
        </div>
    }
    .into_any()
}

/// Returns how the portal shows a stored attribute value: directory users by display name,
/// yes or no for booleans.
pub fn display_value(value: &Value) -> String {
    match value {
        Value::Null => "—".to_string(),
        Value::Bool(true) => "Yes".to_string(),
        Value::Bool(false) => "No".to_string(),
        Value::String(text) if text.trim().is_empty() => "—".to_string(),
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Object(user) => ["display_name", "account", "email"]
            .iter()
            .find_map(|key| user.get(*key).and_then(Value::as_str))
            .filter(|text| !text.is_empty())
            .unwrap_or("—")
            .to_string(),
        Value::Array(_) => value.to_string(),
    }
}

/// Returns the attribute values of `values` as (label, display value) pairs, in the order of
/// `definitions`, then any keys the definitions no longer name.
pub fn labelled_values(
    values: &Value,
    definitions: &[AttributeDefinition],
) -> Vec<(String, String)> {
    let Some(values) = values.as_object() else {
        return Vec::new();
    };
    let mut shown: Vec<(String, String)> = definitions
        .iter()
        .filter_map(|definition| {
            values
                .get(&definition.key)
                .map(|value| (definition.label.clone(), display_value(value)))
        })
        .collect();
    for (key, value) in values {
        if !definitions.iter().any(|definition| &definition.key == key) {
            shown.push((key.clone(), display_value(value)));
        }
    }
    shown
}
