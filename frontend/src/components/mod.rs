//! Building blocks shared by the pages of both apps.

mod admin_nav;
mod approval_groups_table;
mod approvals_table;
mod checkbox_field;
mod checkbox_list;
mod delegations;
mod error_banner;
mod field_error;
mod load_more_button;
mod loading;
mod portal_top_bar;
mod select_field;
mod state_badge;
mod status_message;
mod text_area_field;
mod text_field;
mod timeline;

pub use admin_nav::AdminNav;
pub use approval_groups_table::ApprovalGroupsTable;
pub use approvals_table::ApprovalsTable;
pub use checkbox_field::CheckboxField;
pub use checkbox_list::{CheckboxList, Choice};
pub use delegations::DelegationPanel;
pub use error_banner::ErrorBanner;
pub use field_error::{ErrorMessages, FieldErrorText};
pub use load_more_button::LoadMoreButton;
pub use loading::Loading;
pub use portal_top_bar::PortalTopBar;
pub use select_field::{SelectField, SelectInput, TextSelectInput};
pub use state_badge::StateBadge;
pub use status_message::{Status, StatusMessage};
pub use text_area_field::TextAreaField;
pub use text_field::TextField;
pub use timeline::Timeline;
