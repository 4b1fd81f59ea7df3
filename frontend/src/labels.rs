//! Labels for people for the enums that `shared` does not label itself.

use shared::catalog::{ApprovalPolicy, JustificationRule, Strategy};
use shared::orders::ApprovalState;
use shared::permissions::Role;

pub fn approval_state(state: ApprovalState) -> &'static str {
    match state {
        ApprovalState::Pending => "Pending",
        ApprovalState::Approved => "Approved",
        ApprovalState::Declined => "Declined",
        ApprovalState::Superseded => "No longer needed",
    }
}

pub fn approval_policy(policy: ApprovalPolicy) -> &'static str {
    match policy {
        ApprovalPolicy::Manager => "Requester's manager",
        ApprovalPolicy::None => "No approval",
    }
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
