use leptos::prelude::*;
use shared::approvals::{MAX_RULES, RuleField};

use super::approval_draft::ApprovalDraft;
use super::editor_context::EditorContext;
use super::rule_card::RuleCard;
use super::stage_field::StageField;
use crate::components::{CheckboxField, FieldErrorText, TextAreaField, TextField};
use crate::forms::FieldErrors;

/// Renders the approval sources of a definition: the manager, the application owners,
/// compliance and the rules with their conditions. `fields` lists what rules can test, including
/// the attributes as they are in the form now.
#[component]
pub fn ApprovalSection(
    draft: ApprovalDraft,
    fields: Memo<Vec<RuleField>>,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(into)] read_only: Signal<bool>,
) -> impl IntoView {
    let context = EditorContext {
        factory: draft.factory,
        fields,
        errors,
        read_only,
    };
    let rules = draft.rules;
    let add_rule = move |_| {
        let first = fields.with_untracked(|fields| fields[0].clone());
        draft.add_rule(first);
    };
    let rule_list = move || {
        rules
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, rule)| view! { <RuleCard rule index rules context /> })
            .collect_view()
    };
    let full = move || rules.with(Vec::len) >= MAX_RULES;
    let nobody = move || {
        !draft.manager.get()
            && !draft.owners.get()
            && !draft.compliance.get()
            && rules.with(Vec::is_empty)
    };

    view! {
        <fieldset class="field form-section approval-section">
            <legend>"Approval"</legend>
            <p class="hint">
                "Each source that is on adds an approval group. Stages run in order: the groups of stage 2 are asked once every group of stage 1 has approved. A decline by anyone rejects the order."
            </p>
            <FieldErrorText errors field="approval" id="definition-approval-error".to_string() />

            <CheckboxField
                id="approval-manager"
                label="The requester's manager approves"
                checked=draft.manager
                disabled=read_only
            />
            <Show when=move || draft.manager.get()>
                <StageField
                    id="approval-manager-stage"
                    value=draft.manager_stage
                    errors
                    field="approval.manager.stage"
                    disabled=read_only
                />
            </Show>

            <CheckboxField
                id="approval-owners"
                label="Application owners approve"
                checked=draft.owners
                disabled=read_only
            />
            <Show when=move || draft.owners.get()>
                <TextAreaField
                    id="approval-owner-list"
                    label="Application owners"
                    value=draft.owner_list
                    errors
                    field="approval.owners.approvers"
                    rows=3
                    required=true
                    disabled=read_only
                    hint="One account name or mail address per line."
                />
                <div class="form-grid">
                    <TextField
                        id="approval-owner-quorum"
                        label="Owner quorum"
                        value=draft.owner_quorum
                        errors
                        field="approval.owners.quorum"
                        input_type="number"
                        required=true
                        disabled=read_only
                        hint="How many of the owners must approve."
                    />
                    <StageField
                        id="approval-owner-stage"
                        value=draft.owner_stage
                        errors
                        field="approval.owners.stage"
                        disabled=read_only
                    />
                </div>
            </Show>

            <CheckboxField
                id="approval-compliance"
                label="Compliance approves orders with personal, health or card data"
                checked=draft.compliance
                disabled=read_only
            />
            <Show when=move || draft.compliance.get()>
                <StageField
                    id="approval-compliance-stage"
                    value=draft.compliance_stage
                    errors
                    field="approval.compliance.stage"
                    disabled=read_only
                />
                <p class="hint">
                    "The owner of record decides for a classification named here; the compliance officer of the approval settings decides for the others."
                </p>
                <div class="form-grid">
                    <TextField
                        id="approval-compliance-pii"
                        label="Owner of record for PII"
                        value=draft.pii_owner
                        errors
                        field="approval.compliance.pii"
                        disabled=read_only
                    />
                    <TextField
                        id="approval-compliance-phi"
                        label="Owner of record for PHI"
                        value=draft.phi_owner
                        errors
                        field="approval.compliance.phi"
                        disabled=read_only
                    />
                    <TextField
                        id="approval-compliance-pci"
                        label="Owner of record for PCI"
                        value=draft.pci_owner
                        errors
                        field="approval.compliance.pci"
                        disabled=read_only
                    />
                </div>
            </Show>

            <h3>"Rules"</h3>
            <p class="hint">
                "A rule adds its approvers when its condition holds for the order. Attributes of this form appear as attr.<key>."
            </p>
            {rule_list}
            <FieldErrorText errors field="approval.rules" id="definition-rules-error".to_string() />
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button
                        type="button"
                        class="button secondary"
                        disabled=full
                        on:click=add_rule
                    >
                        "Add rule"
                    </button>
                </div>
            </Show>
            <Show when=nobody>
                <p class="muted">"No source is on: orders are approved as soon as they are placed."</p>
            </Show>
        </fieldset>
    }
}
