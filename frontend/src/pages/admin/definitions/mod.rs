//! `/ui/definitions`: what employees can order.

mod approval;
mod attribute_editor;
mod definition_draft;
mod definition_form;
mod definition_row;
mod edit_page;
mod list_page;
mod new_page;
mod provisioning_section;
mod runbook_select;

pub use edit_page::EditDefinitionPage;
pub use list_page::DefinitionListPage;
pub use new_page::NewDefinitionPage;
