//! Approval links. The token from the e-mail is the credential, so these calls need neither a
//! session nor a CSRF token.

use gloo_net::http::Method;
use shared::orders::{ApprovalLinkView, DecisionOutcome};
use web_sys::js_sys::encode_uri_component;

use super::{ApiError, http};

fn link_url(token: &str) -> String {
    let token = String::from(encode_uri_component(token));
    format!("/api/v1/approval-links/{token}")
}

/// Fetches what the link decides. The server responds 404 or 410 for an unknown or expired link.
pub async fn view(token: &str) -> Result<ApprovalLinkView, ApiError> {
    http::get_json(&link_url(token)).await
}

/// Confirms the link's decision. The server responds 409 with `current_state` when the approval
/// was already decided.
pub async fn confirm(token: &str) -> Result<DecisionOutcome, ApiError> {
    http::send_json::<(), DecisionOutcome>(Method::POST, &link_url(token), None, None).await
}
