//! `/ui/account`: the signed-in admin's own account.

mod legacy_key_note;
mod page;
mod password_form;
mod recovery_codes;
mod restriction_banner;
mod session_row;
mod sessions_section;
mod totp_disable_form;
mod totp_setup_form;
mod two_factor_section;

pub use page::AccountPage;

/// The address of My account, the one page a restricted session may open.
pub const ACCOUNT_PATH: &str = "/ui/account";
