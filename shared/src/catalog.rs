//! Asset definitions: what employees can order and how it is approved and provisioned.

use crate::approvals::ApprovalPolicy;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How an approved order is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Add the requester to directory groups, and remove them at the end.
    GroupAccess,
    /// Run the definition's runbook of steps.
    Runbook,
    /// Add the groups, then run the runbook.
    Composite,
}

/// The way orders of a definition use its pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssignmentModel {
    /// A quota of open orders, with no instances in the pool.
    #[default]
    CapacityPooled,
    /// Instances in the pool, each shared by up to `shared_max_users` people.
    DedicatedShared,
    /// One free instance of the pool per order.
    AssignedPersonal,
}

/// The handling of an order's end: of the access, and of an assigned instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeprovisionPolicy {
    /// Remove the access; an instance goes back to the pool as it is.
    RemoveAccess,
    /// Remove the access; the instance goes back to the pool as it is.
    #[default]
    ReturnToPool,
    /// The instance goes to Reinstall; the reinstall runbook, when set, moves it through
    /// Reinstalling back to Free.
    ReturnWithReinstall,
    /// The instance is deallocated (its VM powered off by the deprovision runbook) and leaves
    /// the pool until an admin brings it back.
    Deallocate,
    /// The instance is deleted by the deprovision runbook and retired from the pool.
    Delete,
    /// The deprovision runbook decides; the instance then goes back to the pool.
    CustomRunbook,
    /// The instance goes to maintenance for an admin to look at.
    Maintenance,
}

impl DeprovisionPolicy {
    pub const ALL: [DeprovisionPolicy; 7] = [
        DeprovisionPolicy::RemoveAccess,
        DeprovisionPolicy::ReturnToPool,
        DeprovisionPolicy::ReturnWithReinstall,
        DeprovisionPolicy::Deallocate,
        DeprovisionPolicy::Delete,
        DeprovisionPolicy::CustomRunbook,
        DeprovisionPolicy::Maintenance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeprovisionPolicy::RemoveAccess => "remove_access",
            DeprovisionPolicy::ReturnToPool => "return_to_pool",
            DeprovisionPolicy::ReturnWithReinstall => "return_with_reinstall",
            DeprovisionPolicy::Deallocate => "deallocate",
            DeprovisionPolicy::Delete => "delete",
            DeprovisionPolicy::CustomRunbook => "custom_runbook",
            DeprovisionPolicy::Maintenance => "maintenance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DeprovisionPolicy::RemoveAccess => "Remove access",
            DeprovisionPolicy::ReturnToPool => "Return to pool",
            DeprovisionPolicy::ReturnWithReinstall => "Return to pool with reinstall",
            DeprovisionPolicy::Deallocate => "Deallocate",
            DeprovisionPolicy::Delete => "Delete",
            DeprovisionPolicy::CustomRunbook => "Custom runbook",
            DeprovisionPolicy::Maintenance => "Maintenance",
        }
    }

    /// Returns whether the policy needs the definition's deprovision runbook.
    pub fn needs_runbook(self) -> bool {
        matches!(
            self,
            DeprovisionPolicy::Deallocate
                | DeprovisionPolicy::Delete
                | DeprovisionPolicy::CustomRunbook
        )
    }
}

/// The picture shown next to a definition in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Icon {
    #[default]
    Key,
    Desktop,
    Server,
    Application,
    Database,
    Network,
    Phone,
    Package,
}

/// The sensitivity of the data behind an attribute. The strictest one on an order is shown on
/// its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    #[default]
    Internal,
    Pii,
    Phi,
    Pci,
}

/// The type of value a requester fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    Text,
    Number,
    Select,
    Boolean,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A person in the directory, by account name or mail address.
    DirectoryUser,
}

/// One field of a definition's order form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttributeDefinition {
    /// The name orders and rules use: a lower-case letter, then letters, digits or `_`.
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub help: String,
    /// For text: the most characters.
    #[serde(default)]
    pub max_length: Option<u32>,
    /// For numbers: the smallest and largest allowed value.
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    /// For select: the choices.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub classification: Classification,
}

/// Whether and how far an active order may be extended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtensionPolicy {
    pub allowed: bool,
    /// The maximum number of days one extension adds.
    pub max_days: i32,
    /// How many times one order may be extended.
    pub max_count: i32,
    /// Whether an extension goes through approval again.
    #[serde(default)]
    pub requires_approval: bool,
}

impl Default for ExtensionPolicy {
    fn default() -> Self {
        ExtensionPolicy {
            allowed: false,
            max_days: 30,
            max_count: 1,
            requires_approval: false,
        }
    }
}

/// The monthly cost of an order, charged to a cost center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MonthlyCost {
    /// In minor units, such as cents.
    pub amount_minor: i64,
    /// ISO 4217, such as `EUR`.
    pub currency: String,
    #[serde(default)]
    pub cost_center: String,
}

impl MonthlyCost {
    /// Returns how many decimal places the currency's minor unit has, after ISO 4217: none for the yen
    /// or the won, three for the Bahraini or Kuwaiti dinar, two for most others.
    pub fn decimals(currency: &str) -> u32 {
        const NONE: &[&str] = &[
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
            "VND", "VUV", "XAF", "XOF", "XPF",
        ];
        const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
        const FOUR: &[&str] = &["CLF", "UYW"];
        let code = currency.trim().to_ascii_uppercase();
        let code = code.as_str();
        if NONE.contains(&code) {
            0
        } else if THREE.contains(&code) {
            3
        } else if FOUR.contains(&code) {
            4
        } else {
            2
        }
    }

    /// Formats the amount with its currency, such as `45.00 EUR` or `4500 JPY`.
    pub fn display(&self) -> String {
        let decimals = MonthlyCost::decimals(&self.currency);
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let minor = self.amount_minor.unsigned_abs();
        if decimals == 0 {
            return format!("{sign}{minor} {}", self.currency);
        }
        let unit = 10_u64.pow(decimals);
        let width = decimals as usize;
        format!(
            "{sign}{}.{:0width$} {}",
            minor / unit,
            minor % unit,
            self.currency
        )
    }
}

/// Whether a requester must explain an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JustificationRule {
    Off,
    Optional,
    Required,
}

/// An asset definition as the admin API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetDefinition {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub category: String,
    pub strategy: Strategy,
    /// DNs of the directory groups a Group Access order grants.
    pub group_dns: Vec<String>,
    /// The approval policy: sources, quorums, stages and rules.
    pub approval: ApprovalPolicy,
    /// Set when the daily check found that the policy can no longer be met, saying why.
    pub policy_problem: Option<String>,
    pub default_duration_days: i32,
    pub max_duration_days: i32,
    pub justification: JustificationRule,
    pub active: bool,
    pub icon: Icon,
    /// Markdown shown on the order form.
    pub help_text: String,
    /// `help_text` rendered to HTML with only safe tags and links kept.
    pub help_html: String,
    pub assignment: AssignmentModel,
    /// For `capacity_pooled`: how many orders may be open at once; none means no limit.
    pub capacity: Option<i32>,
    /// For `dedicated_shared`: how many people share one instance.
    pub shared_max_users: Option<i32>,
    pub max_per_user: Option<i32>,
    /// Only members of these groups (nested membership included) may order; empty lets
    /// everyone order.
    pub eligible_group_dns: Vec<String>,
    pub attributes: Vec<AttributeDefinition>,
    pub extension: ExtensionPolicy,
    pub monthly_cost: Option<MonthlyCost>,
    /// Days before expiry at which the requester is reminded.
    pub reminder_days: Vec<i32>,
    pub deprovision: DeprovisionPolicy,
    /// Whether a change of an active order's attributes goes through approval again.
    pub modification_requires_approval: bool,
    /// The runbook a Runbook or Composite strategy runs to provision an order.
    pub provision_runbook_id: Option<Uuid>,
    /// The runbook a Runbook or Composite strategy, or a deallocate, delete or custom policy,
    /// runs when an order ends.
    pub deprovision_runbook_id: Option<Uuid>,
    /// The runbook that reinstalls an instance returned with the reinstall policy.
    pub reinstall_runbook_id: Option<Uuid>,
    /// Also remove, at the end, group memberships the person held before the order.
    pub remove_pre_existing: bool,
    /// How much of the provisioning run the portal shows.
    pub portal_steps: crate::runbooks::PortalSteps,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl AssetDefinition {
    /// Returns the editable part, as a create or update sends it.
    pub fn to_input(&self) -> AssetDefinitionInput {
        AssetDefinitionInput {
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            strategy: self.strategy,
            group_dns: self.group_dns.clone(),
            approval: self.approval.clone(),
            default_duration_days: self.default_duration_days,
            max_duration_days: self.max_duration_days,
            justification: self.justification,
            active: self.active,
            icon: self.icon,
            help_text: self.help_text.clone(),
            assignment: self.assignment,
            capacity: self.capacity,
            shared_max_users: self.shared_max_users,
            max_per_user: self.max_per_user,
            eligible_group_dns: self.eligible_group_dns.clone(),
            attributes: self.attributes.clone(),
            extension: self.extension.clone(),
            monthly_cost: self.monthly_cost.clone(),
            reminder_days: self.reminder_days.clone(),
            deprovision: self.deprovision,
            modification_requires_approval: self.modification_requires_approval,
            provision_runbook_id: self.provision_runbook_id,
            deprovision_runbook_id: self.deprovision_runbook_id,
            reinstall_runbook_id: self.reinstall_runbook_id,
            remove_pre_existing: self.remove_pre_existing,
            portal_steps: self.portal_steps,
        }
    }
}

/// The body of a create or update of an asset definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssetDefinitionInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_category")]
    pub category: String,
    pub strategy: Strategy,
    pub group_dns: Vec<String>,
    /// The approval policy. Left out, the requester's manager approves.
    #[serde(default = "ApprovalPolicy::manager_only")]
    pub approval: ApprovalPolicy,
    pub default_duration_days: i32,
    pub max_duration_days: i32,
    pub justification: JustificationRule,
    #[serde(default = "default_active")]
    pub active: bool,
    #[serde(default)]
    pub icon: Icon,
    #[serde(default)]
    pub help_text: String,
    #[serde(default)]
    pub assignment: AssignmentModel,
    #[serde(default)]
    pub capacity: Option<i32>,
    #[serde(default)]
    pub shared_max_users: Option<i32>,
    #[serde(default)]
    pub max_per_user: Option<i32>,
    #[serde(default)]
    pub eligible_group_dns: Vec<String>,
    #[serde(default)]
    pub attributes: Vec<AttributeDefinition>,
    #[serde(default)]
    pub extension: ExtensionPolicy,
    #[serde(default)]
    pub monthly_cost: Option<MonthlyCost>,
    #[serde(default = "default_reminder_days")]
    pub reminder_days: Vec<i32>,
    #[serde(default)]
    pub deprovision: DeprovisionPolicy,
    #[serde(default = "default_reapproval")]
    pub modification_requires_approval: bool,
    #[serde(default)]
    pub provision_runbook_id: Option<Uuid>,
    #[serde(default)]
    pub deprovision_runbook_id: Option<Uuid>,
    #[serde(default)]
    pub reinstall_runbook_id: Option<Uuid>,
    #[serde(default)]
    pub remove_pre_existing: bool,
    #[serde(default)]
    pub portal_steps: crate::runbooks::PortalSteps,
}

impl Default for AssetDefinitionInput {
    fn default() -> Self {
        AssetDefinitionInput {
            name: String::new(),
            description: String::new(),
            category: default_category(),
            strategy: Strategy::GroupAccess,
            group_dns: Vec::new(),
            approval: ApprovalPolicy::manager_only(),
            default_duration_days: 30,
            max_duration_days: 90,
            justification: JustificationRule::Optional,
            active: true,
            icon: Icon::default(),
            help_text: String::new(),
            assignment: AssignmentModel::default(),
            capacity: None,
            shared_max_users: None,
            max_per_user: None,
            eligible_group_dns: Vec::new(),
            attributes: Vec::new(),
            extension: ExtensionPolicy::default(),
            monthly_cost: None,
            reminder_days: default_reminder_days(),
            deprovision: DeprovisionPolicy::default(),
            modification_requires_approval: true,
            provision_runbook_id: None,
            deprovision_runbook_id: None,
            reinstall_runbook_id: None,
            remove_pre_existing: false,
            portal_steps: crate::runbooks::PortalSteps::Off,
        }
    }
}

fn default_reminder_days() -> Vec<i32> {
    vec![7, 1]
}

fn default_category() -> String {
    "Access".to_string()
}

fn default_active() -> bool {
    true
}

fn default_reapproval() -> bool {
    true
}

/// A catalog entry as the portal shows it to employees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogItem {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub category: String,
    /// Whether orders wait for approval; false when the policy names no approver.
    pub needs_approval: bool,
    /// The approvers, one line per source, for the requester to read.
    pub approvers: Vec<String>,
    pub default_duration_days: i32,
    pub max_duration_days: i32,
    pub justification: JustificationRule,
    pub icon: Icon,
    pub help_html: String,
    pub attributes: Vec<AttributeDefinition>,
    /// The strictest classification among the attributes.
    pub classification: Classification,
    pub extension: ExtensionPolicy,
    pub monthly_cost: Option<MonthlyCost>,
    /// Whether a change of an order's details goes through approval again.
    pub modification_requires_approval: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(amount_minor: i64, currency: &str) -> MonthlyCost {
        MonthlyCost {
            amount_minor,
            currency: currency.into(),
            cost_center: String::new(),
        }
    }

    #[test]
    fn cost_display_follows_minor_units() {
        assert_eq!(cost(4500, "EUR").display(), "45.00 EUR");
        assert_eq!(cost(5, "USD").display(), "0.05 USD");
        assert_eq!(cost(4500, "JPY").display(), "4500 JPY");
        assert_eq!(cost(45_000, "KWD").display(), "45.000 KWD");
    }
}
