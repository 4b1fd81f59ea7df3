//! The self-service portal under `/portal/`, and the approval-link page.

mod app;
mod approvals;
pub(crate) mod attribute_fields;
mod catalog;
mod decide;
mod delegations_page;
mod gate;
mod layout;
mod load_failed;
mod my_it;
mod not_found_page;
mod order_action_button;
mod order_detail;
mod order_form;
mod sign_in_page;

pub use app::PortalApp;
pub use decide::DecideApp;
