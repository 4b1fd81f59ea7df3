//! `/ui/settings/mail-templates`: the texts of the approval e-mails, with placeholders, a
//! preview and a reset to the built-in default.

mod editor;
mod page;
mod placeholder_list;
mod preview_pane;

pub use page::MailTemplatesPage;
