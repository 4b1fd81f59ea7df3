//! `/ui/orders`: every order, with its approvals and timeline.

mod detail_page;
mod list_page;
mod order_row;
mod order_summary;
mod state_filter;

pub use detail_page::OrderDetailPage;
pub use list_page::OrderListPage;
