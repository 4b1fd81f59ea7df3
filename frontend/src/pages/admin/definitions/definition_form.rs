use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::catalog::{
    ApprovalPolicy, AssetDefinitionInput, AssignmentModel, ExtensionPolicy, JustificationRule,
    MonthlyCost, Strategy,
};
use shared::permissions::Permission;
use shared::validation;
use uuid::Uuid;

use super::attribute_editor::{AttributeDraft, AttributeEditor};
use crate::api::{AdminApi, ApiError};
use crate::components::{
    CheckboxField, ErrorBanner, FieldErrorText, SelectField, Status, StatusMessage, TextAreaField,
    TextField,
};
use crate::forms::{
    FieldErrors, format_amount, parse_amount, parse_number, parse_number_list,
    parse_optional_number,
};
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
    let read_only = Signal::derive(move || !auth.allows(Permission::CatalogWrite));

    let name = RwSignal::new(initial.name);
    let description = RwSignal::new(initial.description);
    let category = RwSignal::new(initial.category);
    let strategy = RwSignal::new(initial.strategy);
    let group_dns = RwSignal::new(initial.group_dns.join("\n"));
    let approval = RwSignal::new(initial.approval);
    let default_days = RwSignal::new(initial.default_duration_days.to_string());
    let max_days = RwSignal::new(initial.max_duration_days.to_string());
    let justification = RwSignal::new(initial.justification);
    let active = RwSignal::new(initial.active);

    let icon = RwSignal::new(initial.icon);
    let help_text = RwSignal::new(initial.help_text);
    let saved_help_html = RwSignal::new(help_html);

    let assignment = RwSignal::new(initial.assignment);
    let capacity = RwSignal::new(optional_text(initial.capacity));
    let shared_max_users = RwSignal::new(optional_text(initial.shared_max_users));
    let max_per_user = RwSignal::new(optional_text(initial.max_per_user));
    let eligible_group_dns = RwSignal::new(initial.eligible_group_dns.join("\n"));
    let deprovision = RwSignal::new(initial.deprovision);

    let attributes = RwSignal::new(
        initial
            .attributes
            .into_iter()
            .enumerate()
            .map(|(uid, attribute)| AttributeDraft::new(uid as u64, attribute))
            .collect::<Vec<_>>(),
    );

    let extension_allowed = RwSignal::new(initial.extension.allowed);
    let extension_days = RwSignal::new(initial.extension.max_days.to_string());
    let extension_count = RwSignal::new(initial.extension.max_count.to_string());
    let extension_approval = RwSignal::new(initial.extension.requires_approval);
    let modification_approval = RwSignal::new(initial.modification_requires_approval);
    let stored_extension = StoredValue::new(initial.extension);

    let (amount, currency, cost_center) = match initial.monthly_cost {
        Some(cost) => (
            format_amount(cost.amount_minor, &cost.currency),
            cost.currency,
            cost.cost_center,
        ),
        None => (String::new(), String::new(), String::new()),
    };
    let cost_amount = RwSignal::new(amount);
    let cost_currency = RwSignal::new(currency);
    let cost_center = RwSignal::new(cost_center);
    let reminder_days = RwSignal::new(
        initial
            .reminder_days
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        // Fields whose text is not a number already have their error, so the range rule's
        // message for the same field would only repeat it.
        let mut unparsed: Vec<String> = Vec::new();
        let mut number = |text: &str, field: &str, errors: &mut FieldErrors| {
            let value = parse_number(text, field, errors);
            if value.is_none() {
                unparsed.push(field.to_string());
            }
            value
        };
        let default_duration = number(
            &default_days.get_untracked(),
            "default_duration_days",
            &mut field_errors,
        );
        let max_duration = number(
            &max_days.get_untracked(),
            "max_duration_days",
            &mut field_errors,
        );

        let model = assignment.get_untracked();
        let capacity_value = (model == AssignmentModel::CapacityPooled)
            .then(|| {
                parse_optional_number(&capacity.get_untracked(), "capacity", &mut field_errors)
            })
            .flatten();
        let shared_value = (model == AssignmentModel::DedicatedShared)
            .then(|| {
                parse_optional_number(
                    &shared_max_users.get_untracked(),
                    "shared_max_users",
                    &mut field_errors,
                )
            })
            .flatten();
        let max_per_user_value = parse_optional_number(
            &max_per_user.get_untracked(),
            "max_per_user",
            &mut field_errors,
        );

        let extension = if extension_allowed.get_untracked() {
            ExtensionPolicy {
                allowed: true,
                max_days: number(
                    &extension_days.get_untracked(),
                    "extension.max_days",
                    &mut field_errors,
                )
                .unwrap_or_default(),
                max_count: number(
                    &extension_count.get_untracked(),
                    "extension.max_count",
                    &mut field_errors,
                )
                .unwrap_or_default(),
                requires_approval: extension_approval.get_untracked(),
            }
        } else {
            // While extensions are off, their limits are hidden and keep their last values.
            let stored = stored_extension.get_value();
            ExtensionPolicy {
                allowed: false,
                max_days: extension_days
                    .get_untracked()
                    .trim()
                    .parse()
                    .unwrap_or(stored.max_days),
                max_count: extension_count
                    .get_untracked()
                    .trim()
                    .parse()
                    .unwrap_or(stored.max_count),
                requires_approval: extension_approval.get_untracked(),
            }
        };

        let monthly_cost = read_cost(
            &cost_amount.get_untracked(),
            &cost_currency.get_untracked(),
            &cost_center.get_untracked(),
            &mut field_errors,
            &mut unparsed,
        );
        let reminder_values = parse_number_list(
            &reminder_days.get_untracked(),
            "reminder_days",
            &mut field_errors,
        );
        let attribute_values = attributes.with_untracked(|rows| {
            rows.iter()
                .enumerate()
                .map(|(index, row)| row.read(index, &mut field_errors))
                .collect()
        });

        let input = AssetDefinitionInput {
            name: name.get_untracked().trim().to_string(),
            description: description.get_untracked().trim().to_string(),
            category: category.get_untracked().trim().to_string(),
            strategy: strategy.get_untracked(),
            group_dns: split_lines(&group_dns.get_untracked()),
            approval: approval.get_untracked(),
            default_duration_days: default_duration.unwrap_or_default(),
            max_duration_days: max_duration.unwrap_or_default(),
            justification: justification.get_untracked(),
            active: active.get_untracked(),
            icon: icon.get_untracked(),
            help_text: help_text.get_untracked().trim().to_string(),
            assignment: model,
            capacity: capacity_value,
            shared_max_users: shared_value,
            max_per_user: max_per_user_value,
            eligible_group_dns: split_lines(&eligible_group_dns.get_untracked()),
            attributes: attribute_values,
            extension,
            monthly_cost,
            reminder_days: reminder_values,
            deprovision: deprovision.get_untracked(),
            modification_requires_approval: modification_approval.get_untracked(),
        };
        for rule_error in validation::asset_definition(&input) {
            if !unparsed.contains(&rule_error.field) {
                field_errors.push(&rule_error.field, rule_error.message);
            }
        }
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
                    errors.set(FieldErrors::from_api(&failure));
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
    let approval_options = [ApprovalPolicy::Manager, ApprovalPolicy::None]
        .map(|policy| (policy, labels::approval_policy(policy)))
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
            <div class="form-grid">
                <SelectField
                    id="definition-approval"
                    label="Approval"
                    value=approval
                    options=approval_options
                    disabled=read_only
                />
                <SelectField
                    id="definition-justification"
                    label="Justification"
                    value=justification
                    options=justification_options
                    disabled=read_only
                />
            </div>
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
                <SelectField
                    id="definition-deprovision"
                    label="When an order ends"
                    value=deprovision
                    options=labels::deprovision_options()
                    disabled=read_only
                />
            </fieldset>

            <AttributeEditor rows=attributes errors read_only />

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

fn optional_text(value: Option<i32>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

/// Reads the cost fields. An empty amount means no cost, and a currency or cost center without
/// an amount is an error.
fn read_cost(
    amount: &str,
    currency: &str,
    cost_center: &str,
    errors: &mut FieldErrors,
    unparsed: &mut Vec<String>,
) -> Option<MonthlyCost> {
    const AMOUNT: &str = "monthly_cost.amount_minor";
    let currency = currency.trim().to_uppercase();
    let cost_center = cost_center.trim().to_string();
    if amount.trim().is_empty() {
        if !currency.is_empty() || !cost_center.is_empty() {
            errors.push(
                AMOUNT,
                "is required with a currency or cost center; clear them for no cost",
            );
        }
        return None;
    }
    let amount_minor = match parse_amount(amount, &currency) {
        Ok(minor) => minor,
        Err(message) => {
            errors.push(AMOUNT, message);
            unparsed.push(AMOUNT.to_string());
            0
        }
    };
    Some(MonthlyCost {
        amount_minor,
        currency,
        cost_center,
    })
}

/// Splits a text area into entries, one per non-blank line.
fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}
