use leptos::prelude::*;
use shared::approvals::{FieldKind, Op};

use super::condition_draft::{LeafDraft, NodeDraft, fitting_value};
use super::condition_node::{NodeActions, NodeErrors};
use super::editor_context::{EditorContext, Place};
use crate::components::{SelectInput, TextSelectInput};
use crate::labels;

/// The error paths below a leaf's own: its field, comparison and value.
const LEAF_PARTS: &[&str] = &["field", "op", "value"];

/// Renders a leaf node: the field it tests, the comparison and a value input that suits the
/// field's kind. Choosing another field keeps the comparison and value where they still fit.
#[component]
pub fn LeafEditor(
    leaf: LeafDraft,
    path: Signal<String>,
    place: Place,
    context: EditorContext,
) -> impl IntoView {
    let fields = context.fields;
    let kind = Memo::new(move |_| {
        let name = leaf.field.get();
        fields.with(|fields| {
            fields
                .iter()
                .find(|field| field.name == name)
                .map(|field| field.kind.clone())
        })
    });
    // A field the definition no longer has, such as a removed attribute, stays listed so the
    // select shows what the rule tests. The shared check reports it as unknown.
    let field_options = Signal::derive(move || {
        let current = leaf.field.get();
        let mut options: Vec<(String, String)> = fields.with(|fields| {
            fields
                .iter()
                .map(|field| {
                    (
                        field.name.clone(),
                        format!("{} ({})", field.label, field.name),
                    )
                })
                .collect()
        });
        if !options.iter().any(|(name, _)| *name == current) {
            options.push((current.clone(), format!("{current} (unknown field)")));
        }
        options
    });
    let choose_field = Callback::new(move |name: String| {
        let chosen_kind = fields.with_untracked(|fields| {
            fields
                .iter()
                .find(|field| field.name == name)
                .map(|field| field.kind.clone())
        });
        leaf.field.set(name);
        if let Some(chosen_kind) = chosen_kind {
            let op = leaf.op.get_untracked();
            let op = if chosen_kind.ops().contains(&op) {
                op
            } else {
                chosen_kind.ops()[0]
            };
            leaf.op.set(op);
            leaf.value
                .update(|value| *value = fitting_value(&chosen_kind, op, value));
        }
    });
    let choose_op = Callback::new(move |op: Op| {
        leaf.op.set(op);
        if let Some(current_kind) = kind.get_untracked() {
            leaf.value
                .update(|value| *value = fitting_value(&current_kind, op, value));
        }
    });

    let invalid = move |part: &'static str| {
        Signal::derive(move || {
            let field = format!("{}.{part}", path.get());
            context
                .errors
                .with(|errors| !errors.exact_messages(&field).is_empty())
        })
    };
    let has_error = move || context.node_has_error(&path.get(), LEAF_PARTS);
    let error_id = format!("condition-{}-error", leaf.uid);
    let op_select = move || {
        let ops = kind.get().map_or(Op::ALL.as_slice(), |kind| kind.ops());
        let options = ops.iter().map(|op| (*op, labels::op(*op))).collect();
        view! {
            <SelectInput
                aria_label="Comparison"
                value=leaf.op
                on_choose=choose_op
                options
                disabled=context.read_only
            />
        }
    };
    let value_input = move || {
        let disabled = context.read_only;
        let value_invalid = invalid("value");
        match (kind.get(), leaf.op.get()) {
            (Some(FieldKind::Boolean), op) if op != Op::In => {
                let options = vec![
                    ("true".to_string(), "true".to_string()),
                    ("false".to_string(), "false".to_string()),
                ];
                view! {
                    <TextSelectInput aria_label="Value" value=leaf.value options disabled invalid=value_invalid />
                }
                .into_any()
            }
            (Some(FieldKind::Choice(choices)), op) if op != Op::In => {
                let options: Vec<(String, String)> = choices
                    .into_iter()
                    .map(|choice| (choice.clone(), choice))
                    .collect();
                view! {
                    <TextSelectInput aria_label="Value" value=leaf.value options disabled invalid=value_invalid />
                }
                .into_any()
            }
            (current_kind, op) => {
                let number = current_kind == Some(FieldKind::Number) && op != Op::In;
                let placeholder = match (&current_kind, op) {
                    (Some(FieldKind::Choice(choices)), Op::In) => choices.join(", "),
                    (_, Op::In) => "Values separated by commas".to_string(),
                    _ => String::new(),
                };
                view! {
                    <input
                        type=if number { "number" } else { "text" }
                        step=number.then_some("any")
                        aria-label="Value"
                        placeholder=placeholder
                        disabled=move || disabled.get()
                        aria-invalid=move || value_invalid.get().then_some("true")
                        bind:value=leaf.value
                    />
                }
                .into_any()
            }
        }
    };

    view! {
        <div
            class="condition-node condition-leaf"
            data-testid="condition-leaf"
            data-path=move || path.get()
            class:has-error=has_error
        >
            <div class="condition-toolbar">
                <TextSelectInput
                    aria_label="Field"
                    value=leaf.field
                    options=field_options
                    on_choose=choose_field
                    disabled=context.read_only
                    invalid=invalid("field")
                />
                {op_select}
                {value_input}
                <NodeActions node=NodeDraft::Leaf(leaf) place context />
            </div>
            <NodeErrors context path parts=LEAF_PARTS id=error_id />
        </div>
    }
}
