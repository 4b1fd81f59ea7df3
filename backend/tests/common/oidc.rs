//! Signing in to the portal through the test OpenID Connect provider without a browser:
//! follow the redirects, fill in the provider's login form, and hand the callback to the app.

use super::{Session, TestApp, public_url};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("expected a redirect, got {}", response.status()))
        .to_str()
        .unwrap()
        .to_string()
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_string()
    } else {
        format!("{base}{location}")
    }
}

/// Signs `username` in and returns a portal session with its CSRF token.
pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> Session {
    let mut session = app.client();
    let issuer = super::env("OIDC_ISSUER");

    let start = session
        .get("/api/v1/portal/auth/login?return_to=/portal/my-it")
        .await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER, "login redirects");
    let mut next = location(&start);
    assert!(
        next.starts_with(&issuer),
        "login goes to the provider: {next}"
    );
    assert!(next.contains("code_challenge="), "PKCE challenge sent");
    assert!(next.contains("nonce="), "nonce sent");

    let callback = loop {
        if next.starts_with(&public_url()) {
            break next;
        }
        let response = session.http.get(&next).send().await.unwrap();
        if response.status() == StatusCode::OK {
            // The provider's login form.
            let action = next.clone();
            assert!(action.contains("/interaction/"), "a login form at {action}");
            let posted = session
                .http
                .post(format!("{action}/login"))
                .form(&[("username", username), ("password", password)])
                .send()
                .await
                .unwrap();
            assert!(
                posted.status().is_redirection(),
                "login accepted: {}",
                posted.status()
            );
            next = absolute(&issuer, &location(&posted));
            continue;
        }
        assert!(
            response.status().is_redirection(),
            "unexpected {}",
            response.status()
        );
        next = absolute(&issuer, &location(&response));
    };

    let callback = callback.replacen(&public_url(), &app.url, 1);
    let finished = session.http.get(&callback).send().await.unwrap();
    if finished.status() != StatusCode::SEE_OTHER {
        let status = finished.status();
        panic!(
            "callback failed with {status}: {}",
            finished.text().await.unwrap()
        );
    }
    assert_eq!(location(&finished), "/portal/my-it");

    let me: serde_json::Value = session
        .get("/api/v1/portal/session")
        .await
        .json()
        .await
        .unwrap();
    session.csrf = Some(me["csrf_token"].as_str().unwrap().to_string());
    session
}
