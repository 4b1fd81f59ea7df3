//! The editor of the typed fields on a definition's order form.

use leptos::prelude::*;
use shared::catalog::{AttributeDefinition, AttributeKind};

use crate::components::{CheckboxField, FieldErrorText, SelectInput, TextAreaField, TextField};
use crate::forms::{FieldErrors, parse_optional_number};
use crate::labels;

/// One attribute as the form edits it. Each part is its own signal, so typing in one row does
/// not redraw the list. The list changes only when a row is added, removed or moved.
#[derive(Debug, Clone, Copy)]
pub struct AttributeDraft {
    /// Identifies the row while rows move. The API never sees it.
    uid: u64,
    key: RwSignal<String>,
    label: RwSignal<String>,
    kind: RwSignal<AttributeKind>,
    required: RwSignal<bool>,
    help: RwSignal<String>,
    classification: RwSignal<shared::catalog::Classification>,
    max_length: RwSignal<String>,
    min: RwSignal<String>,
    max: RwSignal<String>,
    /// The choices of a select, one per line.
    options: RwSignal<String>,
}

fn optional_text<T: ToString>(value: Option<T>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

impl AttributeDraft {
    pub fn new(uid: u64, attribute: AttributeDefinition) -> Self {
        Self {
            uid,
            key: RwSignal::new(attribute.key),
            label: RwSignal::new(attribute.label),
            kind: RwSignal::new(attribute.kind),
            required: RwSignal::new(attribute.required),
            help: RwSignal::new(attribute.help),
            classification: RwSignal::new(attribute.classification),
            max_length: RwSignal::new(optional_text(attribute.max_length)),
            min: RwSignal::new(optional_text(attribute.min)),
            max: RwSignal::new(optional_text(attribute.max)),
            options: RwSignal::new(attribute.options.join("\n")),
        }
    }

    pub fn blank(uid: u64) -> Self {
        Self::new(
            uid,
            AttributeDefinition {
                key: String::new(),
                label: String::new(),
                kind: AttributeKind::Text,
                required: false,
                help: String::new(),
                max_length: None,
                min: None,
                max: None,
                options: Vec::new(),
                classification: Default::default(),
            },
        )
    }

    /// Subscribes the calling view to the parts that rule fields are made of: key, label,
    /// kind and choices.
    pub fn track(&self) {
        self.key.track();
        self.label.track();
        self.kind.track();
        self.options.track();
    }

    /// Reads the row as the API takes it. The form hides the limits of other kinds than the
    /// chosen one, so they are left out. Numbers that do not parse get a field error.
    pub fn read(&self, index: usize, errors: &mut FieldErrors) -> AttributeDefinition {
        let field = move |name: &str| format!("attributes[{index}].{name}");
        let kind = self.kind.get_untracked();
        let mut attribute = AttributeDefinition {
            key: self.key.get_untracked().trim().to_string(),
            label: self.label.get_untracked().trim().to_string(),
            kind,
            required: self.required.get_untracked(),
            help: self.help.get_untracked().trim().to_string(),
            max_length: None,
            min: None,
            max: None,
            options: Vec::new(),
            classification: self.classification.get_untracked(),
        };
        match kind {
            AttributeKind::Text => {
                attribute.max_length = parse_optional_number(
                    &self.max_length.get_untracked(),
                    &field("max_length"),
                    errors,
                );
            }
            AttributeKind::Number => {
                attribute.min =
                    parse_optional_number(&self.min.get_untracked(), &field("min"), errors);
                attribute.max =
                    parse_optional_number(&self.max.get_untracked(), &field("max"), errors);
            }
            AttributeKind::Select => {
                attribute.options = self
                    .options
                    .get_untracked()
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            AttributeKind::Boolean | AttributeKind::Date | AttributeKind::DirectoryUser => {}
        }
        attribute
    }
}

/// Renders the attribute rows with buttons to add, remove and reorder them.
#[component]
pub fn AttributeEditor(
    rows: RwSignal<Vec<AttributeDraft>>,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(into)] read_only: Signal<bool>,
) -> impl IntoView {
    // Rows added later belong to the form, not to the click that added them.
    let owner = StoredValue::new(Owner::current());
    let next_uid = StoredValue::new(rows.with_untracked(|rows| rows.len() as u64));
    let add = move |_| {
        let uid = next_uid.get_value();
        next_uid.set_value(uid + 1);
        let draft = match owner.get_value() {
            Some(owner) => owner.with(|| AttributeDraft::blank(uid)),
            None => AttributeDraft::blank(uid),
        };
        rows.update(|rows| rows.push(draft));
    };

    let list = move || {
        let count = rows.with(Vec::len);
        rows.get()
            .into_iter()
            .enumerate()
            .map(|(index, draft)| {
                view! { <AttributeRow draft index count rows errors read_only /> }
            })
            .collect_view()
    };

    view! {
        <fieldset class="field form-section">
            <legend>"Order form attributes"</legend>
            <p class="hint">
                "Fields the requester fills in when ordering. The key is the name rules and reports use."
            </p>
            {list}
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="muted">"No attributes: the order form asks only for duration and justification."</p>
            </Show>
            <FieldErrorText errors field="attributes" id="definition-attributes-error".to_string() />
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="button" class="button secondary" on:click=add>
                        "Add attribute"
                    </button>
                </div>
            </Show>
        </fieldset>
    }
}

#[component]
fn AttributeRow(
    draft: AttributeDraft,
    index: usize,
    count: usize,
    rows: RwSignal<Vec<AttributeDraft>>,
    errors: Signal<FieldErrors>,
    read_only: Signal<bool>,
) -> impl IntoView {
    let id = move |name: &str| format!("attribute-{}-{name}", draft.uid);
    let field = move |name: &str| format!("attributes[{index}].{name}");
    let uid = draft.uid;
    let position = move || rows.with(|rows| rows.iter().position(|row| row.uid == uid));
    let swap = move |offset: isize| {
        rows.update(|rows| {
            let Some(from) = rows.iter().position(|row| row.uid == uid) else {
                return;
            };
            let to = from as isize + offset;
            if (0..rows.len() as isize).contains(&to) {
                rows.swap(from, to as usize);
            }
        });
    };
    let remove = move |_| rows.update(|rows| rows.retain(|row| row.uid != uid));
    let kind = draft.kind;
    let legend = format!("Attribute {}", index + 1);
    let kind_id = id("kind");
    let classification_id = id("classification");

    view! {
        <fieldset class="attribute-row">
            <legend>{legend}</legend>
            <div class="form-grid">
                <TextField
                    id=id("key")
                    label="Key"
                    value=draft.key
                    errors
                    field=field("key")
                    required=true
                    disabled=read_only
                />
                <TextField
                    id=id("label")
                    label="Label"
                    value=draft.label
                    errors
                    field=field("label")
                    required=true
                    disabled=read_only
                />
            </div>
            <div class="form-grid">
                <div class="field">
                    <label for=kind_id.clone()>"Kind"</label>
                    <SelectInput
                        id=kind_id
                        value=kind
                        on_choose=Callback::new(move |chosen| kind.set(chosen))
                        options=labels::attribute_kind_options()
                        disabled=read_only
                    />
                </div>
                <div class="field">
                    <label for=classification_id.clone()>"Classification"</label>
                    <SelectInput
                        id=classification_id
                        value=draft.classification
                        on_choose=Callback::new(move |chosen| draft.classification.set(chosen))
                        options=labels::classification_options()
                        disabled=read_only
                    />
                </div>
            </div>
            <Show when=move || kind.get() == AttributeKind::Text>
                <TextField
                    id=id("max-length")
                    label="Maximum length"
                    value=draft.max_length
                    errors
                    field=field("max_length")
                    input_type="number"
                    disabled=read_only
                    hint="Leave empty for no limit."
                />
            </Show>
            <Show when=move || kind.get() == AttributeKind::Number>
                <div class="form-grid">
                    <TextField
                        id=id("min")
                        label="Smallest value"
                        value=draft.min
                        errors
                        field=field("min")
                        input_type="number"
                        disabled=read_only
                    />
                    <TextField
                        id=id("max")
                        label="Largest value"
                        value=draft.max
                        errors
                        field=field("max")
                        input_type="number"
                        disabled=read_only
                    />
                </div>
            </Show>
            <Show when=move || kind.get() == AttributeKind::Select>
                <TextAreaField
                    id=id("options")
                    label="Choices"
                    value=draft.options
                    errors
                    field=field("options")
                    rows=3
                    required=true
                    disabled=read_only
                    hint="One choice per line."
                />
            </Show>
            <TextField
                id=id("help")
                label="Help"
                value=draft.help
                errors
                field=field("help")
                disabled=read_only
            />
            <CheckboxField id=id("required") label="Required" checked=draft.required disabled=read_only />
            <Show when=move || !read_only.get()>
                <div class="row-actions">
                    <button
                        type="button"
                        class="button secondary"
                        disabled=move || position() == Some(0)
                        on:click=move |_| swap(-1)
                    >
                        "Move up"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=move || position().is_none_or(|at| at + 1 >= count)
                        on:click=move |_| swap(1)
                    >
                        "Move down"
                    </button>
                    <button type="button" class="button secondary" on:click=remove>
                        "Remove"
                    </button>
                </div>
            </Show>
        </fieldset>
    }
}
