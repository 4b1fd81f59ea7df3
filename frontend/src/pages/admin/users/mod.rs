//! `/ui/users`: the admin user accounts, which only superadmins manage.

mod delete_section;
mod detail_page;
mod list_page;
mod new_user_form;
mod password_reset_section;
mod role_section;
mod status_badge;
mod status_section;
mod user_row;

pub use detail_page::AdminUserDetailPage;
pub use list_page::AdminUserListPage;
