//! `/ui/tokens`: the API tokens that scripts send as `Authorization: Bearer <secret>`, and the
//! form that creates one.

mod created_secret;
mod list_page;
mod new_token_form;
mod status_badge;
mod token_row;

pub use list_page::ApiTokenListPage;
