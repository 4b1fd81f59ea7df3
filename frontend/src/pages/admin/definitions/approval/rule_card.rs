use leptos::prelude::*;

use super::approval_draft::RuleDraft;
use super::condition_node::ConditionNode;
use super::editor_context::{EditorContext, Place};
use super::stage_field::StageField;
use crate::components::{TextAreaField, TextField};

/// Renders one rule: its name, approvers, quorum and stage, and the editor of its condition.
#[component]
pub fn RuleCard(
    rule: RuleDraft,
    index: usize,
    rules: RwSignal<Vec<RuleDraft>>,
    context: EditorContext,
) -> impl IntoView {
    let path = format!("approval.rules[{index}]");
    let field = {
        let path = path.clone();
        move |name: &str| format!("{path}.{name}")
    };
    let id = move |name: &str| format!("rule-{}-{name}", rule.uid);
    let errors = context.errors;
    let read_only = context.read_only;
    let uid = rule.uid;
    let remove = move |_| rules.update(|rules| rules.retain(|rule| rule.uid != uid));
    let condition_path = Signal::stored(field("when"));
    let condition = move || {
        let node = rule.root.get();
        view! { <ConditionNode node path=condition_path place=Place::Root(rule.root) context /> }
    };

    view! {
        <fieldset class="rule-card" data-testid="approval-rule" data-path=path>
            <legend>{format!("Rule {}", index + 1)}</legend>
            <TextField
                id=id("name")
                label="Rule name"
                value=rule.name
                errors
                field=field("name")
                required=true
                disabled=read_only
            />
            <TextAreaField
                id=id("approvers")
                label="Rule approvers"
                value=rule.approvers
                errors
                field=field("approvers")
                rows=3
                required=true
                disabled=read_only
                hint="One account name or mail address per line."
            />
            <div class="form-grid">
                <TextField
                    id=id("quorum")
                    label="Rule quorum"
                    value=rule.quorum
                    errors
                    field=field("quorum")
                    input_type="number"
                    required=true
                    disabled=read_only
                    hint="How many of the approvers must approve."
                />
                <StageField id=id("stage") value=rule.stage errors field=field("stage") disabled=read_only />
            </div>
            <div class="field">
                <p class="field-label">"Applies when"</p>
                {condition}
            </div>
            <Show when=move || !read_only.get()>
                <div class="row-actions">
                    <button type="button" class="button secondary" on:click=remove>
                        "Remove rule"
                    </button>
                </div>
            </Show>
        </fieldset>
    }
}
