//! Orders, their states and their timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The state of an order in its life cycle. The allowed moves between states are one table in the
/// backend's `domain::order_state` module, and the database enforces the same table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Submitted,
    PendingApproval,
    Approved,
    Scheduled,
    Provisioning,
    Active,
    ModificationPending,
    Deprovisioning,
    Completed,
    Rejected,
    Cancelled,
    Failed,
}

impl OrderState {
    pub const ALL: [OrderState; 12] = [
        OrderState::Submitted,
        OrderState::PendingApproval,
        OrderState::Approved,
        OrderState::Scheduled,
        OrderState::Provisioning,
        OrderState::Active,
        OrderState::ModificationPending,
        OrderState::Deprovisioning,
        OrderState::Completed,
        OrderState::Rejected,
        OrderState::Cancelled,
        OrderState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Submitted => "submitted",
            OrderState::PendingApproval => "pending_approval",
            OrderState::Approved => "approved",
            OrderState::Scheduled => "scheduled",
            OrderState::Provisioning => "provisioning",
            OrderState::Active => "active",
            OrderState::ModificationPending => "modification_pending",
            OrderState::Deprovisioning => "deprovisioning",
            OrderState::Completed => "completed",
            OrderState::Rejected => "rejected",
            OrderState::Cancelled => "cancelled",
            OrderState::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Returns a label for people, as the portal and the admin SPA show it.
    pub fn label(self) -> &'static str {
        match self {
            OrderState::Submitted => "Submitted",
            OrderState::PendingApproval => "Waiting for approval",
            OrderState::Approved => "Approved",
            OrderState::Scheduled => "Scheduled",
            OrderState::Provisioning => "Provisioning",
            OrderState::Active => "Active",
            OrderState::ModificationPending => "Modification pending",
            OrderState::Deprovisioning => "Removing access",
            OrderState::Completed => "Completed",
            OrderState::Rejected => "Rejected",
            OrderState::Cancelled => "Cancelled",
            OrderState::Failed => "Failed",
        }
    }

    /// Returns whether the order has ended and no further move is possible except an admin retry.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            OrderState::Completed | OrderState::Rejected | OrderState::Cancelled
        )
    }
}

/// A person as recorded on an order at the time it was placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub display_name: String,
    pub email: String,
    pub directory_dn: String,
}

/// An order as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: Uuid,
    pub definition_id: Uuid,
    pub definition_name: String,
    pub definition_category: String,
    /// The pool instance assigned to this order, for definitions with instances.
    pub asset_name: Option<String>,
    /// The attribute values given with the order; directory users are stored resolved, with
    /// their account name, display name and DN.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: serde_json::Value,
    /// How many times the access was extended.
    pub extension_count: i32,
    /// An extension or change waiting for approval.
    pub pending_change: Option<PendingChange>,
    /// When a scheduled order starts.
    pub start_at: Option<DateTime<Utc>>,
    /// The person who gets the access.
    pub requester: Person,
    /// The deputy who placed the order for the requester, when that was someone else.
    pub placed_by: Option<Person>,
    pub state: OrderState,
    pub duration_days: i32,
    pub justification: Option<String>,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Order {
    /// Describes the deputy and the requester, when a deputy placed the order.
    pub fn deputy_note(&self) -> Option<String> {
        self.placed_by.as_ref().map(|deputy| {
            format!(
                "placed by {} for {}",
                deputy.display_name, self.requester.display_name
            )
        })
    }
}

/// One step of an order's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderEvent {
    pub at: DateTime<Utc>,
    pub from_state: Option<OrderState>,
    pub to_state: OrderState,
    /// The actor that caused the move, as written to the audit log.
    pub actor: String,
    pub note: Option<String>,
}

/// The state of an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    Pending,
    Approved,
    Declined,
    /// No longer needed because the order was decided or closed another way.
    Superseded,
}

/// One approver's part in an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approval {
    pub id: Uuid,
    pub purpose: ApprovalPurpose,
    pub approver: Person,
    pub state: ApprovalState,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    /// The approval group it counts towards.
    pub group_id: Option<Uuid>,
    /// Whom the approval was meant for, when a delegation or separation of duties sent it on.
    pub instead_of: Option<Person>,
    /// The reason it was sent on, or the reason an escalation contact was asked.
    pub note: Option<String>,
    /// The approver's comment with the decision.
    pub comment: Option<String>,
    pub reminders_sent: i32,
}

/// What an approval decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalPurpose {
    /// The order itself.
    Order,
    /// A requested extension or change of an active order.
    Change,
}

/// A change of an active order waiting for approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PendingChange {
    Extend {
        days: i32,
    },
    Modify {
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        attributes: serde_json::Value,
    },
}

impl PendingChange {
    /// Describes the change for the person who decides it, with attribute values by key.
    pub fn summary(&self) -> String {
        match self {
            PendingChange::Extend { days } => format!("An extension by {days} days"),
            PendingChange::Modify { attributes } => {
                let values: Vec<String> = attributes
                    .as_object()
                    .map(|values| {
                        values
                            .iter()
                            .map(|(key, value)| {
                                let shown = value
                                    .get("display_name")
                                    .or(Some(value))
                                    .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                                    .unwrap_or_default();
                                format!("{key}: {shown}")
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                format!("New details: {}", values.join(", "))
            }
        }
    }
}

/// The body of an extension request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderExtension {
    /// Days added to the current expiry.
    pub days: i32,
}

/// The body of a change of an active order's attributes: the complete new set of values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderModification {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// An order with its approvals and timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderDetail {
    pub order: Order,
    pub approval_groups: Vec<crate::approvals::ApprovalGroup>,
    pub approvals: Vec<Approval>,
    pub events: Vec<OrderEvent>,
    /// Directory groups this order grants.
    pub group_dns: Vec<String>,
    /// The grants of the order, with the other live orders that also cover each one.
    pub grants: Vec<Grant>,
    /// Runbook runs for the order, newest first. The portal shows them only as the
    /// definition's step visibility allows.
    pub runs: Vec<crate::runbooks::RunbookRun>,
}

/// A directory group membership an order granted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub group_dn: String,
    /// The person was a member before the order, through nothing of ours; the end of the
    /// order leaves the membership in place unless the definition requires its removal.
    pub pre_existing: bool,
    /// Other live orders of the same person that grant the same group; the membership stays
    /// until the last of them ends.
    pub also_covered_by: Vec<Uuid>,
}

/// The body of a new order from the portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub definition_id: Uuid,
    /// Days of access; the definition's default when left out.
    #[serde(default)]
    pub duration_days: Option<i32>,
    #[serde(default)]
    pub justification: Option<String>,
    /// Values of the definition's attributes by key: strings for text, select, date
    /// (`YYYY-MM-DD`) and directory users, integers for numbers, booleans for yes/no.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// A later day on which the access starts (UTC); left out, it starts once approved.
    #[serde(default)]
    pub start_date: Option<chrono::NaiveDate>,
    /// The account name or mail address of the person the order is for, when it is placed on
    /// their behalf; left out, the order is for the sender.
    #[serde(default)]
    pub on_behalf_of: Option<String>,
}

/// The decision a signed approval link allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Decline,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Decline => "decline",
        }
    }
}

/// The request as an approval link's confirmation page shows it before the approver confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalLinkView {
    pub decision: Decision,
    pub approver: Person,
    pub order: Order,
    pub link_expires_at: DateTime<Utc>,
    /// False once the approval was decided, by this link or another way.
    pub open: bool,
    pub approval_state: ApprovalState,
    /// Whether the approval is for the order itself or for a later change of it, which the
    /// order's `pending_change` describes.
    pub purpose: ApprovalPurpose,
}

/// A decision taken in the admin SPA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminDecision {
    pub decision: Decision,
    /// The pending approval to decide; the first pending one of the order when left out.
    #[serde(default)]
    pub approval_id: Option<Uuid>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The result of a decision, through a link or in the admin SPA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionOutcome {
    pub decision: Decision,
    pub order_state: OrderState,
}
