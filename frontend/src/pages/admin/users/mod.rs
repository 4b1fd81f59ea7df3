//! `/ui/users`: the admin user accounts, which only superadmins manage.

mod access_section;
mod delete_section;
mod detail_page;
mod list_page;
mod new_user_form;
mod password_reset_section;
mod role_section;
mod scope_editor;
mod scope_text;
mod status_badge;
mod status_section;
mod user_row;

pub use detail_page::AdminUserDetailPage;
pub use list_page::AdminUserListPage;

use shared::admin_users::{AdminUser, AdminUserUpdate};

/// Returns the update that keeps every stored value of `user`. The API replaces all of them
/// at once, so each section of the user page changes its own values on top of this.
fn stored_update(user: &AdminUser) -> AdminUserUpdate {
    AdminUserUpdate {
        role: user.role,
        active: user.active,
        email: user.email.clone(),
        scope: user.scope.clone(),
    }
}
