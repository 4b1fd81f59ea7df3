//! `/ui/account`: the signed-in admin's own account.

mod page;
mod password_form;

pub use page::AccountPage;
