//! The connection test of portal sign-in: reads the provider's discovery document and signing
//! keys the way sign-in does, and checks that the token endpoint accepts the client.

use super::oidc::error_chain;
use crate::settings::OidcConfig;
use rand::Rng;
use rand::distributions::Alphanumeric;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use url::form_urlencoded::byte_serialize;

const TIMEOUT: Duration = Duration::from_secs(10);

/// The client authentication that portal sign-in uses at the token endpoint (the default of
/// the `openidconnect` crate, which the sign-in flow does not change).
const AUTH_METHOD: &str = "client_secret_basic";

fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        // Sign-in follows no redirect either, so a test that did would pass where sign-in fails.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| format!("The HTTP client cannot be set up: {e}"))
}

/// Checks the provider behind `config` and returns what succeeded, or the first failure.
pub async fn test(config: &OidcConfig, redirect_uri: &str) -> Result<String, String> {
    let http = http_client()?;
    let discovery_url = format!(
        "{}/.well-known/openid-configuration",
        config.issuer_url.trim_end_matches('/')
    );
    let document = fetch_json(&http, &discovery_url, "The discovery document").await?;

    let issuer = required_text(&document, "issuer", &discovery_url)?;
    // Sign-in compares the two strings exactly, as OpenID Connect Discovery 1.0 (section 4.3)
    // requires, so the test does too.
    if issuer != config.issuer_url {
        return Err(format!(
            "The discovery document at {discovery_url} names the issuer {issuer}, but the \
             settings say {}; enter {issuer} as the issuer URL.",
            config.issuer_url
        ));
    }

    let jwks_uri = required_text(&document, "jwks_uri", &discovery_url)?;
    let jwks = fetch_json(&http, jwks_uri, "The signing keys (JWKS)").await?;
    let key_count = jwks["keys"].as_array().map_or(0, Vec::len);
    if key_count == 0 {
        return Err(format!(
            "The signing keys (JWKS) at {jwks_uri} list no key, so ID tokens cannot be verified."
        ));
    }

    let token_endpoint = required_text(&document, "token_endpoint", &discovery_url)?;
    let client = match config.client_secret.as_deref() {
        Some(secret) => {
            check_auth_method(&document)?;
            probe_client(
                &http,
                token_endpoint,
                &config.client_id,
                secret,
                redirect_uri,
            )
            .await?
        }
        None => format!(
            "no client secret is set, so the token endpoint was not asked about client {}",
            config.client_id
        ),
    };
    let keys = if key_count == 1 { "key" } else { "keys" };
    Ok(format!(
        "Found the provider {issuer}: read its discovery document and {key_count} signing \
         {keys}; {client}."
    ))
}

/// Fetches `url` and parses its body as JSON; `what` names the document in messages.
async fn fetch_json(http: &reqwest::Client, url: &str, what: &str) -> Result<Value, String> {
    let response = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| format!("{what} at {url} cannot be read: {}", error_chain(&e)))?;
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("an address it does not name");
        return Err(format!(
            "{what} at {url} redirects to {location}; enter the issuer URL exactly as the \
             provider names it, since sign-in follows no redirects."
        ));
    }
    if !status.is_success() {
        return Err(format!("{what} at {url} returned HTTP {status}."));
    }
    response
        .json()
        .await
        .map_err(|e| format!("{what} at {url} is not valid JSON: {}", error_chain(&e)))
}

fn required_text<'a>(document: &'a Value, field: &str, url: &str) -> Result<&'a str, String> {
    document[field]
        .as_str()
        .filter(|value| !value.is_empty())
        .ok_or_else(|| format!("The discovery document at {url} has no {field}."))
}

/// Fails when the provider lists its token endpoint's client authentication methods and
/// sign-in's is not among them.
fn check_auth_method(document: &Value) -> Result<(), String> {
    let Some(methods) = document["token_endpoint_auth_methods_supported"].as_array() else {
        // Absent, the default is client_secret_basic (OpenID Connect Discovery 1.0, section 3).
        return Ok(());
    };
    let methods: Vec<&str> = methods.iter().filter_map(Value::as_str).collect();
    if methods.contains(&AUTH_METHOD) {
        return Ok(());
    }
    Err(format!(
        "The provider's token endpoint accepts {} but not {AUTH_METHOD}, which portal sign-in \
         uses; allow {AUTH_METHOD} for the client.",
        methods.join(", ")
    ))
}

fn random_text(length: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

/// Redeems a made-up authorization code with the client's credentials. A provider
/// authenticates the client before it looks at the code, so `invalid_client` means wrong
/// credentials, and `invalid_grant` means the client was accepted and only the code was not.
// NOTE: a provider that checks the code before the client would return invalid_grant for a
// wrong secret too. Node oidc-provider 9 authenticates the client first.
async fn probe_client(
    http: &reqwest::Client,
    token_endpoint: &str,
    client_id: &str,
    secret: &str,
    redirect_uri: &str,
) -> Result<String, String> {
    let code = random_text(32);
    let verifier = random_text(64);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier.as_str()),
    ];
    // RFC 6749, section 2.3.1: both parts are form-encoded before Basic encoding.
    let user: String = byte_serialize(client_id.as_bytes()).collect();
    let password: String = byte_serialize(secret.as_bytes()).collect();
    let response = http
        .post(token_endpoint)
        .basic_auth(user, Some(password))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .send()
        .await
        .map_err(|e| {
            let cause = error_chain(&e);
            format!("The token endpoint at {token_endpoint} cannot be reached: {cause}")
        })?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let error = body["error"].as_str().unwrap_or_default();
    let description = body["error_description"]
        .as_str()
        .map(|text| format!(" ({text})"))
        .unwrap_or_default();

    if status.is_success() {
        return Ok(format!("the token endpoint accepted client {client_id}"));
    }
    if error == "invalid_client" || status == StatusCode::UNAUTHORIZED {
        let error = if error.is_empty() { "HTTP 401" } else { error };
        return Err(format!(
            "The token endpoint at {token_endpoint} rejected client {client_id}: \
             {error}{description}. Check the client ID and the client secret."
        ));
    }
    if error == "unauthorized_client" {
        return Err(format!(
            "The token endpoint at {token_endpoint} accepted client {client_id} but does not \
             allow it the authorization code grant{description}, which portal sign-in uses."
        ));
    }
    if status == StatusCode::BAD_REQUEST && !error.is_empty() {
        return Ok(format!(
            "the token endpoint accepted client {client_id} and rejected only the test's \
             made-up code ({error})"
        ));
    }
    Err(format!(
        "The token endpoint at {token_endpoint} returned HTTP {status} without an OAuth error \
         code."
    ))
}
