//! `/ui/audit`: the audit log with filters, CSV export and each row's changes.

mod changes;
mod entry_row;
mod filter_form;
mod page;

pub use page::AuditPage;
