//! `/ui/runbook-runs/:id`: one run of a runbook and its journal, with Cancel, Retry and notes.

mod json_details;
mod run_actions;
mod run_header;
mod run_page;
mod step_entry;

pub use run_page::RunPage;
