//! The asset definition form's fields as signals, and the reading of them into the request
//! body that saving, the approval preview and the replay send.

use leptos::prelude::*;
use shared::catalog::{
    AssetDefinitionInput, AssignmentModel, AttributeDefinition, DeprovisionPolicy, ExtensionPolicy,
    MonthlyCost, Strategy,
};
use shared::runbooks::PortalSteps;
use shared::validation;
use uuid::Uuid;

use super::approval::ApprovalDraft;
use super::attribute_editor::AttributeDraft;
use crate::forms::{
    FieldErrors, format_amount, parse_amount, parse_number, parse_number_list,
    parse_optional_number, split_lines,
};

/// The asset definition form's fields. Each is its own signal, so a form section can take
/// the ones it shows.
#[derive(Debug, Clone, Copy)]
pub struct DefinitionDraft {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub category: RwSignal<String>,
    pub strategy: RwSignal<shared::catalog::Strategy>,
    pub group_dns: RwSignal<String>,
    pub approval: ApprovalDraft,
    pub default_days: RwSignal<String>,
    pub max_days: RwSignal<String>,
    pub justification: RwSignal<shared::catalog::JustificationRule>,
    pub active: RwSignal<bool>,
    pub icon: RwSignal<shared::catalog::Icon>,
    pub help_text: RwSignal<String>,
    pub assignment: RwSignal<AssignmentModel>,
    pub capacity: RwSignal<String>,
    pub shared_max_users: RwSignal<String>,
    pub max_per_user: RwSignal<String>,
    pub eligible_group_dns: RwSignal<String>,
    pub deprovision: RwSignal<shared::catalog::DeprovisionPolicy>,
    pub attributes: RwSignal<Vec<AttributeDraft>>,
    pub extension_allowed: RwSignal<bool>,
    pub extension_days: RwSignal<String>,
    pub extension_count: RwSignal<String>,
    pub extension_approval: RwSignal<bool>,
    pub modification_approval: RwSignal<bool>,
    stored_extension: StoredValue<ExtensionPolicy>,
    pub cost_amount: RwSignal<String>,
    pub cost_currency: RwSignal<String>,
    pub cost_center: RwSignal<String>,
    pub reminder_days: RwSignal<String>,
    pub provision_runbook_id: RwSignal<Option<Uuid>>,
    pub deprovision_runbook_id: RwSignal<Option<Uuid>>,
    pub reinstall_runbook_id: RwSignal<Option<Uuid>>,
    pub remove_pre_existing: RwSignal<bool>,
    pub portal_steps: RwSignal<PortalSteps>,
}

impl DefinitionDraft {
    pub fn new(initial: AssetDefinitionInput) -> Self {
        let (amount, currency, cost_center) = match initial.monthly_cost {
            Some(cost) => (
                format_amount(cost.amount_minor, &cost.currency),
                cost.currency,
                cost.cost_center,
            ),
            None => (String::new(), String::new(), String::new()),
        };
        let reminder_days = initial
            .reminder_days
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let attributes = initial
            .attributes
            .into_iter()
            .enumerate()
            .map(|(uid, attribute)| AttributeDraft::new(uid as u64, attribute))
            .collect::<Vec<_>>();

        Self {
            name: RwSignal::new(initial.name),
            description: RwSignal::new(initial.description),
            category: RwSignal::new(initial.category),
            strategy: RwSignal::new(initial.strategy),
            group_dns: RwSignal::new(initial.group_dns.join("\n")),
            approval: ApprovalDraft::new(initial.approval),
            default_days: RwSignal::new(initial.default_duration_days.to_string()),
            max_days: RwSignal::new(initial.max_duration_days.to_string()),
            justification: RwSignal::new(initial.justification),
            active: RwSignal::new(initial.active),
            icon: RwSignal::new(initial.icon),
            help_text: RwSignal::new(initial.help_text),
            assignment: RwSignal::new(initial.assignment),
            capacity: RwSignal::new(optional_text(initial.capacity)),
            shared_max_users: RwSignal::new(optional_text(initial.shared_max_users)),
            max_per_user: RwSignal::new(optional_text(initial.max_per_user)),
            eligible_group_dns: RwSignal::new(initial.eligible_group_dns.join("\n")),
            deprovision: RwSignal::new(initial.deprovision),
            attributes: RwSignal::new(attributes),
            extension_allowed: RwSignal::new(initial.extension.allowed),
            extension_days: RwSignal::new(initial.extension.max_days.to_string()),
            extension_count: RwSignal::new(initial.extension.max_count.to_string()),
            extension_approval: RwSignal::new(initial.extension.requires_approval),
            modification_approval: RwSignal::new(initial.modification_requires_approval),
            stored_extension: StoredValue::new(initial.extension),
            cost_amount: RwSignal::new(amount),
            cost_currency: RwSignal::new(currency),
            cost_center: RwSignal::new(cost_center),
            reminder_days: RwSignal::new(reminder_days),
            provision_runbook_id: RwSignal::new(initial.provision_runbook_id),
            deprovision_runbook_id: RwSignal::new(initial.deprovision_runbook_id),
            reinstall_runbook_id: RwSignal::new(initial.reinstall_runbook_id),
            remove_pre_existing: RwSignal::new(initial.remove_pre_existing),
            portal_steps: RwSignal::new(initial.portal_steps),
        }
    }

    /// Returns the attributes as the rows hold them now, tracked by the calling view, for the
    /// rule editor's fields and the preview's sample values.
    pub fn current_attributes(self) -> Vec<AttributeDefinition> {
        let mut ignored = FieldErrors::default();
        self.attributes.with(|rows| {
            rows.iter()
                .enumerate()
                .map(|(index, row)| {
                    row.track();
                    row.read(index, &mut ignored)
                })
                .collect()
        })
    }

    /// Reads the fields into the request body, with the errors of the shared validation rules
    /// and of text that does not parse.
    pub fn read(self) -> (AssetDefinitionInput, FieldErrors) {
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
            &self.default_days.get_untracked(),
            "default_duration_days",
            &mut field_errors,
        );
        let max_duration = number(
            &self.max_days.get_untracked(),
            "max_duration_days",
            &mut field_errors,
        );

        let model = self.assignment.get_untracked();
        let capacity_value = (model == AssignmentModel::CapacityPooled)
            .then(|| {
                parse_optional_number(
                    &self.capacity.get_untracked(),
                    "capacity",
                    &mut field_errors,
                )
            })
            .flatten();
        let shared_value = (model == AssignmentModel::DedicatedShared)
            .then(|| {
                parse_optional_number(
                    &self.shared_max_users.get_untracked(),
                    "shared_max_users",
                    &mut field_errors,
                )
            })
            .flatten();
        let max_per_user_value = parse_optional_number(
            &self.max_per_user.get_untracked(),
            "max_per_user",
            &mut field_errors,
        );

        let extension = if self.extension_allowed.get_untracked() {
            ExtensionPolicy {
                allowed: true,
                max_days: number(
                    &self.extension_days.get_untracked(),
                    "extension.max_days",
                    &mut field_errors,
                )
                .unwrap_or_default(),
                max_count: number(
                    &self.extension_count.get_untracked(),
                    "extension.max_count",
                    &mut field_errors,
                )
                .unwrap_or_default(),
                requires_approval: self.extension_approval.get_untracked(),
            }
        } else {
            // While extensions are off, their limits are hidden and keep their last values.
            let stored = self.stored_extension.get_value();
            ExtensionPolicy {
                allowed: false,
                max_days: self
                    .extension_days
                    .get_untracked()
                    .trim()
                    .parse()
                    .unwrap_or(stored.max_days),
                max_count: self
                    .extension_count
                    .get_untracked()
                    .trim()
                    .parse()
                    .unwrap_or(stored.max_count),
                requires_approval: self.extension_approval.get_untracked(),
            }
        };

        let monthly_cost = read_cost(
            &self.cost_amount.get_untracked(),
            &self.cost_currency.get_untracked(),
            &self.cost_center.get_untracked(),
            &mut field_errors,
            &mut unparsed,
        );
        let reminder_values = parse_number_list(
            &self.reminder_days.get_untracked(),
            "reminder_days",
            &mut field_errors,
        );
        let attribute_values: Vec<AttributeDefinition> = self.attributes.with_untracked(|rows| {
            rows.iter()
                .enumerate()
                .map(|(index, row)| row.read(index, &mut field_errors))
                .collect()
        });
        let approval = self
            .approval
            .read(&attribute_values, &mut field_errors, &mut unparsed);

        // Runbooks whose select the form hides for the chosen strategy and policy are left
        // out, as the form shows them.
        let strategy = self.strategy.get_untracked();
        let policy = self.deprovision.get_untracked();
        let runs_runbooks = strategy != Strategy::GroupAccess;
        let provision_runbook_id = self
            .provision_runbook_id
            .get_untracked()
            .filter(|_| runs_runbooks);
        let deprovision_runbook_id = self
            .deprovision_runbook_id
            .get_untracked()
            .filter(|_| runs_runbooks || policy.needs_runbook());
        let reinstall_runbook_id = self
            .reinstall_runbook_id
            .get_untracked()
            .filter(|_| policy == DeprovisionPolicy::ReturnWithReinstall);
        let input = AssetDefinitionInput {
            name: self.name.get_untracked().trim().to_string(),
            description: self.description.get_untracked().trim().to_string(),
            category: self.category.get_untracked().trim().to_string(),
            strategy,
            group_dns: split_lines(&self.group_dns.get_untracked()),
            approval,
            default_duration_days: default_duration.unwrap_or_default(),
            max_duration_days: max_duration.unwrap_or_default(),
            justification: self.justification.get_untracked(),
            active: self.active.get_untracked(),
            icon: self.icon.get_untracked(),
            help_text: self.help_text.get_untracked().trim().to_string(),
            assignment: model,
            capacity: capacity_value,
            shared_max_users: shared_value,
            max_per_user: max_per_user_value,
            eligible_group_dns: split_lines(&self.eligible_group_dns.get_untracked()),
            attributes: attribute_values,
            extension,
            monthly_cost,
            reminder_days: reminder_values,
            deprovision: policy,
            modification_requires_approval: self.modification_approval.get_untracked(),
            provision_runbook_id,
            deprovision_runbook_id,
            reinstall_runbook_id,
            remove_pre_existing: self.remove_pre_existing.get_untracked(),
            portal_steps: self.portal_steps.get_untracked(),
        };
        for rule_error in validation::asset_definition(&input) {
            if !unparsed.contains(&rule_error.field) {
                field_errors.push(&rule_error.field, rule_error.message);
            }
        }
        (input, field_errors)
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
