//! `/ui/scripts`: the stored scripts that runbook steps run, with every saved version.

mod edit_page;
mod list_page;
mod new_page;
mod script_form;
mod version_history;

pub use edit_page::EditScriptPage;
pub use list_page::ScriptListPage;
pub use new_page::NewScriptPage;
