//! The setup checklist on the admin dashboard: what an installation still needs, worked out
//! from its current state on every request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How much an item matters for a working installation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemImportance {
    /// People cannot order, be approved or sign in without it.
    Essential,
    /// The installation works without it, but most sites want it.
    Recommended,
}

/// The state of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Done,
    /// Not set up yet.
    Pending,
    /// Set up, but a live check failed, and `detail` contains the reason.
    Broken,
}

impl ItemStatus {
    /// Returns the word shown next to the item, so the state does not rest on colour alone.
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Done => "Done",
            ItemStatus::Pending => "To do",
            ItemStatus::Broken => "Broken",
        }
    }
}

/// One thing to set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistItem {
    /// A stable name such as `smtp` or `pool_assets`.
    pub id: String,
    pub title: String,
    pub importance: ItemImportance,
    pub status: ItemStatus,
    /// One line: what was found, or the failure of the live check.
    pub detail: String,
    /// The admin SPA page that fixes the item, such as `/ui/settings#smtp-heading`.
    pub fix_path: String,
}

/// The setup checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupChecklist {
    /// Essential items first, each group in setup order.
    pub items: Vec<ChecklistItem>,
    /// Whether every item, essential and recommended, is done.
    pub complete: bool,
    pub checked_at: DateTime<Utc>,
}

impl SetupChecklist {
    /// Counts the items that are done.
    pub fn done_count(&self) -> usize {
        self.items
            .iter()
            .filter(|item| item.status == ItemStatus::Done)
            .count()
    }
}
