//! Instrumentation of every HTTP request: its counter and latency in the metrics, and its span,
//! which becomes an OpenTelemetry server span when trace export is on.

use super::metrics::{HTTP_DURATION, HTTP_REQUESTS, UNMATCHED_ROUTE};
use super::traces;
use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::time::{Duration, Instant};
use tower_http::trace::{DefaultOnResponse, OnResponse};
use tracing::Span;
use tracing::field::Empty;

/// Returns the route template the request matched, such as `/api/v1/orders/{id}`, or
/// [`UNMATCHED_ROUTE`]. Only middleware added with `Router::layer` can read the matched path.
pub fn route<B>(request: &axum::http::Request<B>) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE, MatchedPath::as_str)
}

/// Returns the method as a label value. Methods outside the standard set share one value,
/// because a client may send any token as a method.
fn method_label(method: &Method) -> String {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    if STANDARD.contains(method) {
        method.as_str().to_owned()
    } else {
        "OTHER".to_owned()
    }
}

/// Middleware that counts each request and records its latency by method, route template and
/// status code.
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = route(&request).to_owned();

    let response = next.run(request).await;

    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_str().to_owned()),
    ];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Builds the span of a request. With trace export on, the span carries the OpenTelemetry
/// name (`GET /api/v1/orders/{id}`), kind and route, and continues the caller's trace when the
/// request has a `traceparent` header. Without it, logs show the same fields as always.
pub fn request_span<B>(request: &axum::http::Request<B>) -> Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let path = crate::app::loggable_path(request.uri().path());
    let method = request.method();
    if !traces::is_enabled() {
        return tracing::info_span!("request", method = %method, path = %path, request_id = %id);
    }

    let route = route(request);
    let span = tracing::info_span!(
        "request",
        method = %method,
        path = %path,
        request_id = %id,
        otel.name = %format!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = Empty,
        http.route = %route,
        http.response.status_code = Empty,
    );
    traces::continue_request_trace(&span, request.headers());
    span
}

/// Records the status on the request span, then logs as tower-http does by default.
pub fn on_response<B>(response: &axum::http::Response<B>, latency: Duration, span: &Span) {
    span.record("http.response.status_code", response.status().as_u16());
    if response.status().is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    DefaultOnResponse::default().on_response(response, latency, span);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_keep_their_name() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
    }

    #[test]
    fn other_methods_share_one_label() {
        let custom = Method::from_bytes(b"PROPFIND").unwrap();
        assert_eq!(method_label(&custom), "OTHER");
    }

    #[test]
    fn request_without_matched_path_is_unmatched() {
        let request = axum::http::Request::get("/api/v1/orders/123")
            .body(())
            .unwrap();
        assert_eq!(route(&request), UNMATCHED_ROUTE);
    }
}
