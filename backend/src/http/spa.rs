//! Serves the built single-page app: assets under `/ui/`, and `index.html` for every admin
//! and portal route so deep links work.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <title>ip·Solis</title></head><body><h1>The web app is not built</h1>\
    <p>Build it with <code>trunk build --release</code> from the repository root, or set \
    IPSOLIS_SPA_DIR to the folder that holds index.html.</p></body></html>";

pub fn router<S: Clone + Send + Sync + 'static>(dist: &Path) -> Router<S> {
    let root = Router::new().route("/", get(|| async { Redirect::to("/ui/") }));
    let index = dist.join("index.html");
    if !index.exists() {
        tracing::warn!(dir = %dist.display(), "no built SPA found; /ui/ and /portal/ show a notice");
        let missing =
            || async { (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response() };
        return root
            .route("/ui", get(missing))
            .route("/ui/{*path}", get(missing))
            .route("/portal", get(missing))
            .route("/portal/{*path}", get(missing));
    }
    let assets = ServeDir::new(dist).fallback(ServeFile::new(&index));
    root.nest_service("/ui", assets)
        .route_service("/portal", ServeFile::new(&index))
        .nest_service("/portal/", ServeFile::new(&index))
}
