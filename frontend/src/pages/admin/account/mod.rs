//! `/ui/account`: the signed-in admin's own account.

mod page;
mod password_form;
mod recovery_codes;
mod session_row;
mod sessions_section;
mod totp_disable_form;
mod totp_setup_form;
mod two_factor_section;

pub use page::AccountPage;
