//! Makes every API error a problem document: errors raised by axum itself (unknown routes,
//! wrong methods, unparsable path or query parameters) arrive as plain text or empty bodies,
//! and this middleware rewrites them. It also rejects URLs carrying NUL characters, which
//! PostgreSQL cannot store, before any handler runs.

use crate::error::problem_response;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use shared::Problem;

/// Plain-text error bodies longer than this are cut, since they only carry a short reason.
const DETAIL_MAX_BYTES: usize = 2048;

fn is_api(path: &str) -> bool {
    path.starts_with("/api/v1") || path == "/health"
}

fn problem(status: StatusCode, detail: String) -> Response {
    problem_response(Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
        current_state: None,
    })
}

pub async fn problem_documents(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if !is_api(&path) {
        return next.run(request).await;
    }
    let mut response = rewrite(request, next, &path).await;
    // API responses carry session state and CSRF tokens, so no cache may keep them. A handler
    // that sets its own Cache-Control on a success keeps it; only the public logo route does.
    let own_caching = !(response.status().is_client_error() || response.status().is_server_error())
        && response.headers().contains_key(header::CACHE_CONTROL);
    if !own_caching {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    response
}

async fn rewrite(request: Request, next: Next, path: &str) -> Response {
    let uri = request.uri().to_string();
    if uri.to_ascii_lowercase().contains("%00") {
        return problem(
            StatusCode::BAD_REQUEST,
            "The URL contains a NUL character (%00); remove it.".into(),
        );
    }
    let method = request.method().clone();

    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    // `/health` keeps its own body, which monitors read, also when it is a 503.
    if !(status.is_client_error() || status.is_server_error()) || is_problem || path == "/health" {
        return response;
    }

    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, DETAIL_MAX_BYTES * 4)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_string())
        .unwrap_or_default();
    let detail = match (status, text.is_empty()) {
        (StatusCode::NOT_FOUND, true) => format!("No API route matches {method} {path}."),
        (StatusCode::METHOD_NOT_ALLOWED, true) => {
            format!("{path} does not accept {method}; see /openapi.json for its methods.")
        }
        (_, true) => status.canonical_reason().unwrap_or("Error").to_string(),
        (_, false) => text.chars().take(DETAIL_MAX_BYTES).collect(),
    };
    let mut rewritten = problem(status, detail);
    rewritten.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        rewritten.headers_mut().insert(header::ALLOW, allow.clone());
    }
    rewritten
}
