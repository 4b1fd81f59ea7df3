//! `/portal/decide#<token>`: an approver confirms the decision of an e-mailed link. The token
//! is in the URL fragment, which browsers do not send to the server with the page request, so it
//! stays out of access logs. The page passes it to the API itself.

mod app;
mod decision_card;
mod page;

pub use app::DecideApp;
