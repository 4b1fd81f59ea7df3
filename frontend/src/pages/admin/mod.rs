//! The admin SPA under `/ui/`.

mod account;
mod app;
mod audit;
mod dashboard;
mod definitions;
mod delegations_page;
mod first_admin_page;
mod gate;
mod jobs;
mod layout;
mod license;
mod load_failed;
mod maintenance;
mod not_found_page;
mod orders;
mod pool;
mod require_permission;
mod runbook_runs;
mod runbook_variables;
mod runbooks;
mod scripts;
mod settings;
mod sign_in_page;
mod tokens;
mod users;

pub use app::AdminApp;
