//! `/ui/orders`: every order, with its approvals and timeline, and the decision on one that
//! waits for approval.

mod decision_buttons;
mod detail_page;
mod filters;
mod grants_section;
mod list_page;
mod order_actions;
mod order_row;
mod order_summary;

pub use detail_page::OrderDetailPage;
pub use list_page::OrderListPage;
