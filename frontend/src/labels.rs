//! Labels for people for the enums that `shared` does not label itself.

use shared::approvals::{ApprovalPolicy, GroupState, Op};
use shared::catalog::{
    AssignmentModel, AttributeKind, Classification, DeprovisionPolicy, Icon, JustificationRule,
    Strategy,
};
use shared::orders::{ApprovalState, Decision};
use shared::permissions::Role;
use shared::pool::FillLevel;

pub fn approval_state(state: ApprovalState) -> &'static str {
    match state {
        ApprovalState::Pending => "Pending",
        ApprovalState::Approved => "Approved",
        ApprovalState::Declined => "Declined",
        ApprovalState::Superseded => "No longer needed",
    }
}

/// Returns the labels of a decision's first button and of the button that confirms it.
pub fn decision_buttons(decision: Decision) -> (&'static str, &'static str) {
    match decision {
        Decision::Approve => ("Approve", "Confirm approval"),
        Decision::Decline => ("Decline", "Confirm decline"),
    }
}

/// Returns the past tense of a decision, for the line that reports it.
pub fn decision_taken(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "Approved",
        Decision::Decline => "Declined",
    }
}

/// Summarises who approves under a policy for the definition list, such as
/// "Requester's manager, 2 of 3 owners".
pub fn approval_summary(policy: &ApprovalPolicy) -> String {
    let mut parts = Vec::new();
    if policy.manager.is_some() {
        parts.push("Requester's manager".to_string());
    }
    if let Some(owners) = &policy.owners {
        parts.push(format!(
            "{} of {} owners",
            owners.quorum,
            owners.approvers.len()
        ));
    }
    if policy.compliance.is_some() {
        parts.push("Compliance".to_string());
    }
    match policy.rules.len() {
        0 => {}
        1 => parts.push("1 rule".to_string()),
        count => parts.push(format!("{count} rules")),
    }
    if parts.is_empty() {
        "No approval".to_string()
    } else {
        parts.join(", ")
    }
}

/// Returns the label of a rule comparison, with its symbol.
pub fn op(op: Op) -> &'static str {
    match op {
        Op::Eq => "equals (=)",
        Op::Ne => "does not equal (≠)",
        Op::Gt => "greater than (>)",
        Op::Gte => "at least (≥)",
        Op::Lt => "less than (<)",
        Op::Lte => "at most (≤)",
        Op::In => "is one of",
        Op::Contains => "contains",
    }
}

pub fn group_state(state: GroupState) -> &'static str {
    match state {
        GroupState::Waiting => "Waiting for an earlier stage",
        GroupState::Pending => "Pending",
        GroupState::Satisfied => "Approved",
        GroupState::Declined => "Declined",
        GroupState::Closed => "Closed",
    }
}

/// Returns the badge class for a group's state, matching the approval badges.
pub fn group_state_badge(state: GroupState) -> &'static str {
    match state {
        GroupState::Waiting => "badge badge-closed",
        GroupState::Pending => "badge badge-waiting",
        GroupState::Satisfied => "badge badge-active",
        GroupState::Declined => "badge badge-failed",
        GroupState::Closed => "badge badge-closed",
    }
}

/// Lists the stages an approval group can be placed in, for a stage `<select>`.
pub fn stage_options() -> Vec<(u8, &'static str)> {
    const LABELS: [&str; shared::approvals::MAX_STAGE as usize] =
        ["Stage 1", "Stage 2", "Stage 3", "Stage 4", "Stage 5"];
    (1..=shared::approvals::MAX_STAGE).zip(LABELS).collect()
}

pub fn escalation_mode_options() -> Vec<(shared::settings::EscalationMode, &'static str)> {
    use shared::settings::EscalationMode;
    vec![
        (
            EscalationMode::NotifyOnly,
            "Tell the contacts; the approver still decides",
        ),
        (
            EscalationMode::Approve,
            "Ask the contacts too; any of them may decide",
        ),
    ]
}

pub fn justification_rule(rule: JustificationRule) -> &'static str {
    match rule {
        JustificationRule::Off => "Off",
        JustificationRule::Optional => "Optional",
        JustificationRule::Required => "Required",
    }
}

pub fn strategy(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::GroupAccess => "Group Access",
        Strategy::Runbook => "Runbook",
        Strategy::Composite => "Composite",
    }
}

pub fn approval_purpose(purpose: shared::orders::ApprovalPurpose) -> &'static str {
    match purpose {
        shared::orders::ApprovalPurpose::Order => "The order",
        shared::orders::ApprovalPurpose::Change => "A change",
    }
}

pub fn role(role: Role) -> &'static str {
    match role {
        Role::Superadmin => "Superadmin",
        Role::Admin => "Admin",
        Role::Approver => "Approver",
        Role::Auditor => "Auditor",
        Role::Helpdesk => "Helpdesk",
    }
}

/// Returns the label for an admin user's active flag. A deactivated admin user cannot sign in.
pub fn admin_user_status(active: bool) -> &'static str {
    if active { "Active" } else { "Deactivated" }
}

/// Lists every role with its label, highest role first, for a role `<select>`.
pub fn role_options() -> Vec<(Role, &'static str)> {
    Role::ALL.map(|each| (each, role(each))).to_vec()
}

pub fn icon(icon: Icon) -> &'static str {
    match icon {
        Icon::Key => "Key",
        Icon::Desktop => "Desktop",
        Icon::Server => "Server",
        Icon::Application => "Application",
        Icon::Database => "Database",
        Icon::Network => "Network",
        Icon::Phone => "Phone",
        Icon::Package => "Package",
    }
}

pub fn icon_options() -> Vec<(Icon, &'static str)> {
    [
        Icon::Key,
        Icon::Desktop,
        Icon::Server,
        Icon::Application,
        Icon::Database,
        Icon::Network,
        Icon::Phone,
        Icon::Package,
    ]
    .map(|each| (each, icon(each)))
    .to_vec()
}

pub fn assignment(model: AssignmentModel) -> &'static str {
    match model {
        AssignmentModel::CapacityPooled => "Capacity pooled: a quota of orders, no instances",
        AssignmentModel::DedicatedShared => "Dedicated shared: instances shared by several people",
        AssignmentModel::AssignedPersonal => "Assigned personal: one instance per order",
    }
}

pub fn assignment_options() -> Vec<(AssignmentModel, &'static str)> {
    [
        AssignmentModel::CapacityPooled,
        AssignmentModel::DedicatedShared,
        AssignmentModel::AssignedPersonal,
    ]
    .map(|each| (each, assignment(each)))
    .to_vec()
}

pub fn deprovision_options() -> Vec<(DeprovisionPolicy, &'static str)> {
    DeprovisionPolicy::ALL
        .map(|each| (each, each.label()))
        .to_vec()
}

pub fn attribute_kind(kind: AttributeKind) -> &'static str {
    match kind {
        AttributeKind::Text => "Text",
        AttributeKind::Number => "Number",
        AttributeKind::Select => "Select",
        AttributeKind::Boolean => "Yes or no",
        AttributeKind::Date => "Date",
        AttributeKind::DirectoryUser => "Directory user",
    }
}

pub fn attribute_kind_options() -> Vec<(AttributeKind, &'static str)> {
    [
        AttributeKind::Text,
        AttributeKind::Number,
        AttributeKind::Select,
        AttributeKind::Boolean,
        AttributeKind::Date,
        AttributeKind::DirectoryUser,
    ]
    .map(|each| (each, attribute_kind(each)))
    .to_vec()
}

pub fn classification(classification: Classification) -> &'static str {
    match classification {
        Classification::Internal => "Internal",
        Classification::Pii => "PII (personal data)",
        Classification::Phi => "PHI (health data)",
        Classification::Pci => "PCI (card data)",
    }
}

pub fn classification_options() -> Vec<(Classification, &'static str)> {
    [
        Classification::Internal,
        Classification::Pii,
        Classification::Phi,
        Classification::Pci,
    ]
    .map(|each| (each, classification(each)))
    .to_vec()
}

/// Returns the word that goes with a definition's fill level on the dashboard.
pub fn fill_level(level: FillLevel) -> &'static str {
    match level {
        FillLevel::Ok => "Room left",
        FillLevel::Warning => "Almost full",
        FillLevel::Critical => "Full",
    }
}
