use leptos::prelude::*;
use shared::runbooks::ParamKind;

use super::step_draft::ParamDraft;
use crate::components::{FieldErrorText, TextAreaField, TextField, TextSelectInput};
use crate::forms::FieldErrors;

/// Renders the input of one module parameter, drawn from its kind: a text input, a text area
/// for several lines or JSON, or a select for a choice or a stored script. `errors` are the
/// step's own, with field names such as `params.group_dn`.
#[component]
pub fn ParamField(
    draft: ParamDraft,
    /// Prefixes the input's id, such as `step-3`.
    id_prefix: String,
    #[prop(into)] errors: Signal<FieldErrors>,
    /// The names of the stored scripts, for a script parameter.
    #[prop(into)]
    scripts: Signal<Vec<String>>,
    #[prop(into)] read_only: Signal<bool>,
) -> impl IntoView {
    let spec = draft.spec;
    let id = format!("{id_prefix}-param-{}", spec.name);
    let field = format!("params.{}", spec.name);
    let hint = [spec.help, kind_hint(spec.kind)]
        .into_iter()
        .find(|text| !text.is_empty());

    match spec.kind {
        ParamKind::Text | ParamKind::Number | ParamKind::Flag => view! {
            <TextField
                id
                label=spec.label
                value=draft.text
                errors
                field
                required=spec.required
                disabled=read_only
                hint
            />
        }
        .into_any(),
        ParamKind::Multiline | ParamKind::Json => {
            let rows = if spec.kind == ParamKind::Json { 3 } else { 5 };
            view! {
                <TextAreaField
                    id
                    label=spec.label
                    value=draft.text
                    errors
                    field
                    rows
                    required=spec.required
                    disabled=read_only
                    hint
                />
            }
            .into_any()
        }
        ParamKind::Choice(words) => {
            let options = Signal::derive(move || {
                let mut options = blank_option(spec.required, "Not set");
                options.extend(
                    words
                        .iter()
                        .map(|word| (word.to_string(), word.to_string())),
                );
                keep_current(&mut options, &draft.text.get());
                options
            });
            view! { <ParamSelect id field draft errors options hint read_only /> }.into_any()
        }
        ParamKind::Script => {
            let options = Signal::derive(move || {
                let mut options = blank_option(true, "Choose a script");
                options.extend(scripts.get().into_iter().map(|name| (name.clone(), name)));
                keep_current(&mut options, &draft.text.get());
                options
            });
            view! { <ParamSelect id field draft errors options hint read_only /> }.into_any()
        }
    }
}

/// Returns help for the kinds whose inputs accept more than their label suggests, for
/// parameters without help of their own.
fn kind_hint(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Flag => "true or false, or a template.",
        ParamKind::Number => "A whole number, or a template.",
        ParamKind::Json => "A JSON object, or a template.",
        _ => "",
    }
}

fn blank_option(include: bool, label: &str) -> Vec<(String, String)> {
    if include {
        vec![(String::new(), label.to_string())]
    } else {
        Vec::new()
    }
}

/// Adds the current value to the options when it is not one of them, such as a template or
/// a script deleted since, so that opening a step never changes it.
fn keep_current(options: &mut Vec<(String, String)>, current: &str) {
    if !current.is_empty() && !options.iter().any(|(value, _)| value == current) {
        options.push((current.to_string(), current.to_string()));
    }
}

/// Renders a labelled select for a choice or a script parameter, with its help and errors.
#[component]
fn ParamSelect(
    id: String,
    field: String,
    draft: ParamDraft,
    errors: Signal<FieldErrors>,
    options: Signal<Vec<(String, String)>>,
    hint: Option<&'static str>,
    read_only: Signal<bool>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let field = StoredValue::new(field);
    let invalid = Signal::derive(move || {
        errors.with(|errors| field.with_value(|field| !errors.messages_for(field).is_empty()))
    });

    view! {
        <div class="field">
            <div class="label-row">
                <label for=id.clone()>{draft.spec.label}</label>
                {draft.spec.required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
            </div>
            {hint.map(|text| view! { <p class="hint">{text}</p> })}
            <TextSelectInput id value=draft.text options disabled=read_only invalid />
            <FieldErrorText errors field=field.get_value() id=error_id />
        </div>
    }
}
