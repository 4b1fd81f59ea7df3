//! `/ui/runbook-variables`: the variables and secrets every runbook template reads as
//! `vars.<name>` and `secrets.<name>`.

mod page;
mod variable_form;
mod variable_row;

pub use page::RunbookVariablesPage;
