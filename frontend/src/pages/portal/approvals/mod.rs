//! `/portal/approvals`: the approvals inbox of the signed-in person.

mod decision_form;
mod inbox_card;
mod page;

pub use page::ApprovalsPage;
