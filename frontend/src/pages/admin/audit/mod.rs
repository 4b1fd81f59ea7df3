//! `/ui/audit`: the audit log with filters.

mod entry_row;
mod filter_form;
mod page;

pub use page::AuditPage;
