//! `/ui/runbooks`: ordered steps of built-in modules and scripts that provision and reclaim
//! assets or run by hand and on a schedule, with their editor, dry run and run history.

mod dry_run_panel;
mod edit_page;
mod list_page;
mod module_picker;
mod new_page;
mod param_field;
mod run_history;
mod run_now_form;
mod runbook_draft;
mod runbook_form;
mod runbook_row;
mod step_card;
mod step_draft;
mod step_list;
mod subject_fields;

pub use edit_page::EditRunbookPage;
pub use list_page::RunbookListPage;
pub use new_page::NewRunbookPage;
