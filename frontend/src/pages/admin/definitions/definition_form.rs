use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::approvals::rule_fields;
use shared::catalog::{AssetDefinitionInput, AssignmentModel, JustificationRule, Strategy};
use shared::permissions::Permission;
use uuid::Uuid;

use super::approval::{ApprovalPreview, ApprovalSection, ReplayPanel, form_errors};
use super::attribute_editor::AttributeEditor;
use super::definition_draft::DefinitionDraft;
use super::provisioning_section::ProvisioningSection;
use crate::api::{AdminApi, ApiError};
use crate::components::{
    CheckboxField, ErrorBanner, FieldErrorText, SelectField, Status, StatusMessage, TextAreaField,
    TextField,
};
use crate::forms::FieldErrors;
use crate::labels;
use crate::state::AdminAuth;

/// Renders the asset definition form. With `id` it updates that definition and stays on the
/// page. Without `id` it creates a definition and goes back to the list. `help_html` is the
/// server's rendering of the saved help text, which the preview shows.
#[component]
pub fn DefinitionForm(
    initial: AssetDefinitionInput,
    id: Option<Uuid>,
    #[prop(optional)] help_html: String,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let navigate = use_navigate();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::CatalogWrite));

    let draft = DefinitionDraft::new(initial);
    let DefinitionDraft {
        name,
        description,
        category,
        strategy,
        group_dns,
        default_days,
        max_days,
        justification,
        active,
        icon,
        help_text,
        assignment,
        capacity,
        shared_max_users,
        max_per_user,
        eligible_group_dns,
        attributes,
        extension_allowed,
        extension_days,
        extension_count,
        extension_approval,
        modification_approval,
        cost_amount,
        cost_currency,
        cost_center,
        reminder_days,
        ..
    } = draft;
    let saved_help_html = RwSignal::new(help_html);
    // The attributes as the rows hold them now, which rules test and the preview fills in.
    let current_attributes = Memo::new(move |_| draft.current_attributes());
    let fields = Memo::new(move |_| current_attributes.with(|attributes| rule_fields(attributes)));

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let (input, field_errors) = draft.read();
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            status.set(Some(Status::failure(
                "Not saved: correct the fields marked below.",
            )));
            return;
        }

        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match id {
                Some(id) => api.update_asset_definition(id, &input).await,
                None => api.create_asset_definition(&input).await,
            };
            match result {
                Ok(_) if id.is_none() => navigate("/ui/definitions", Default::default()),
                Ok(saved) => {
                    saved_help_html.set(saved.help_html);
                    status.set(Some(Status::success("Saved")));
                }
                Err(failure) => {
                    errors.set(form_errors(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    let strategy_options = [
        Strategy::GroupAccess,
        Strategy::Runbook,
        Strategy::Composite,
    ]
    .map(|each| (each, labels::strategy(each)))
    .to_vec();
    let justification_options = [
        JustificationRule::Off,
        JustificationRule::Optional,
        JustificationRule::Required,
    ]
    .map(|rule| (rule, labels::justification_rule(rule)))
    .to_vec();
    let has_help_preview = move || saved_help_html.with(|html| !html.trim().is_empty());

    view! {
        <form class="card" on:submit=submit novalidate=true>
            <ErrorBanner error />
            <TextField id="definition-name" label="Name" value=name errors field="name" required=true disabled=read_only />
            <TextAreaField
                id="definition-description"
                label="Description"
                value=description
                errors
                field="description"
                rows=3
                disabled=read_only
            />
            <div class="form-grid">
                <TextField
                    id="definition-category"
                    label="Category"
                    value=category
                    errors
                    field="category"
                    required=true
                    disabled=read_only
                />
                <SelectField
                    id="definition-strategy"
                    label="Strategy"
                    value=strategy
                    options=strategy_options
                    disabled=read_only
                />
            </div>
            <TextAreaField
                id="definition-group-dns"
                label="Group DNs"
                value=group_dns
                errors
                field="group_dns"
                rows=4
                required=Signal::derive(move || strategy.get() != Strategy::Runbook)
                disabled=read_only
                hint="One distinguished name per line, for example cn=App Users,ou=Groups,dc=example,dc=com."
            />
            <SelectField
                id="definition-justification"
                label="Justification"
                value=justification
                options=justification_options
                disabled=read_only
            />
            <div class="form-grid">
                <TextField
                    id="definition-default-duration"
                    label="Default duration (days)"
                    value=default_days
                    errors
                    field="default_duration_days"
                    input_type="number"
                    required=true
                    disabled=read_only
                />
                <TextField
                    id="definition-max-duration"
                    label="Maximum duration (days)"
                    value=max_days
                    errors
                    field="max_duration_days"
                    input_type="number"
                    required=true
                    disabled=read_only
                />
            </div>
            <CheckboxField id="definition-active" label="Active" checked=active disabled=read_only />
            <FieldErrorText errors field="active" id="definition-active-error".to_string() />

            <fieldset class="field form-section">
                <legend>"Catalog entry"</legend>
                <SelectField
                    id="definition-icon"
                    label="Icon"
                    value=icon
                    options=labels::icon_options()
                    disabled=read_only
                />
                <TextAreaField
                    id="definition-help-text"
                    label="Help text"
                    value=help_text
                    errors
                    field="help_text"
                    rows=5
                    disabled=read_only
                    hint="Markdown, shown on the order form. Links are kept; scripts and other markup are removed."
                />
                <Show when=has_help_preview>
                    <div class="help-preview-box">
                        <p class="field-label" id="definition-help-preview-label">
                            "Help preview (as saved)"
                        </p>
                        <div
                            class="help-preview"
                            role="region"
                            aria-labelledby="definition-help-preview-label"
                            inner_html=move || saved_help_html.get()
                        ></div>
                    </div>
                </Show>
            </fieldset>

            <fieldset class="field form-section">
                <legend>"Assignment and limits"</legend>
                <SelectField
                    id="definition-assignment"
                    label="Assignment"
                    value=assignment
                    options=labels::assignment_options()
                    disabled=read_only
                />
                <div class="form-grid">
                    <Show when=move || assignment.get() == AssignmentModel::CapacityPooled>
                        <TextField
                            id="definition-capacity"
                            label="Capacity"
                            value=capacity
                            errors
                            field="capacity"
                            input_type="number"
                            disabled=read_only
                            hint="How many orders may be open at once. Leave empty for no limit."
                        />
                    </Show>
                    <Show when=move || assignment.get() == AssignmentModel::DedicatedShared>
                        <TextField
                            id="definition-shared-max-users"
                            label="Users per instance"
                            value=shared_max_users
                            errors
                            field="shared_max_users"
                            input_type="number"
                            required=true
                            disabled=read_only
                        />
                    </Show>
                    <TextField
                        id="definition-max-per-user"
                        label="Maximum open orders per person"
                        value=max_per_user
                        errors
                        field="max_per_user"
                        input_type="number"
                        disabled=read_only
                        hint="Leave empty for no limit."
                    />
                </div>
                <TextAreaField
                    id="definition-eligible-group-dns"
                    label="Eligible groups"
                    value=eligible_group_dns
                    errors
                    field="eligible_group_dns"
                    rows=3
                    disabled=read_only
                    hint="Only members of these groups may order, one DN per line. Leave empty to let everyone order."
                />
            </fieldset>

            <ProvisioningSection draft errors read_only />

            <AttributeEditor rows=attributes errors read_only />

            <div class="approval-layout">
                <ApprovalSection draft=draft.approval fields errors read_only />
                <Show when=move || !read_only.get()>
                    <ApprovalPreview draft attributes=current_attributes errors />
                </Show>
            </div>
            {id.map(|definition_id| {
                view! {
                    <Show when=move || !read_only.get()>
                        <ReplayPanel definition_id draft errors />
                    </Show>
                }
            })}

            <fieldset class="field form-section">
                <legend>"Extensions and reminders"</legend>
                <CheckboxField
                    id="definition-extension-allowed"
                    label="Allow extensions"
                    checked=extension_allowed
                    disabled=read_only
                />
                <Show when=move || extension_allowed.get()>
                    <div class="form-grid">
                        <TextField
                            id="definition-extension-days"
                            label="Maximum days per extension"
                            value=extension_days
                            errors
                            field="extension.max_days"
                            input_type="number"
                            required=true
                            disabled=read_only
                        />
                        <TextField
                            id="definition-extension-count"
                            label="Maximum extensions per order"
                            value=extension_count
                            errors
                            field="extension.max_count"
                            input_type="number"
                            required=true
                            disabled=read_only
                        />
                    </div>
                    <CheckboxField
                        id="definition-extension-approval"
                        label="Extensions need approval"
                        checked=extension_approval
                        disabled=read_only
                    />
                </Show>
                <CheckboxField
                    id="definition-modification-approval"
                    label="Changes of an order's details need approval"
                    checked=modification_approval
                    disabled=read_only
                />
                <TextField
                    id="definition-reminder-days"
                    label="Reminder days"
                    value=reminder_days
                    errors
                    field="reminder_days"
                    disabled=read_only
                    hint="Days before expiry at which the requester is reminded, separated by commas, such as 7, 1."
                />
            </fieldset>

            <fieldset class="field form-section">
                <legend>"Monthly cost"</legend>
                <p class="hint">"Leave the amount empty when orders cost nothing."</p>
                <div class="form-grid">
                    <TextField
                        id="definition-cost-amount"
                        label="Amount per month"
                        value=cost_amount
                        errors
                        field="monthly_cost.amount_minor"
                        placeholder="45.00"
                        disabled=read_only
                    />
                    <TextField
                        id="definition-cost-currency"
                        label="Currency"
                        value=cost_currency
                        errors
                        field="monthly_cost.currency"
                        placeholder="EUR"
                        disabled=read_only
                    />
                    <TextField
                        id="definition-cost-center"
                        label="Cost center"
                        value=cost_center
                        errors
                        field="monthly_cost.cost_center"
                        disabled=read_only
                    />
                </div>
            </fieldset>

            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save asset definition"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}
