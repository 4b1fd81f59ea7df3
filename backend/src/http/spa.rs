//! Serves the built single-page app: assets under `/ui/`, and `index.html` for every admin
//! and portal route so deep links work. Every response carries a Content-Security-Policy that
//! allows scripts from the server only, plus the inline loader script of the build by its hash.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

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
    let app = Router::new()
        .nest_service("/ui", assets)
        .route_service("/portal", ServeFile::new(&index))
        .nest_service("/portal/", ServeFile::new(&index))
        .layer(axum::middleware::from_fn(cache_control));
    // The hashes are taken once: a web app rebuilt while the server runs needs a restart.
    let app = match std::fs::read_to_string(&index) {
        Ok(html) => match HeaderValue::from_str(&content_security_policy(&html)) {
            Ok(policy) => app.layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                policy,
            )),
            Err(error) => {
                tracing::warn!(%error, "the Content-Security-Policy is not a valid header; sending none");
                app
            }
        },
        Err(error) => {
            tracing::warn!(%error, file = %index.display(), "cannot read the SPA's index.html; sending no Content-Security-Policy");
            app
        }
    };
    root.merge(app)
}

/// Lets browsers keep the build's hashed files for a year, since a new build gets new names,
/// and makes them check `index.html` and every page address on each load, so a new build is
/// picked up at once.
async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let value = if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Returns whether `path` names a file whose name Trunk derived from its content, such as
/// `/ui/frontend-3ddecb1ec7ccdb82_bg.wasm` or `/ui/style-3b6f34d7684e3d3d.css`.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(extension, "wasm" | "js" | "css") {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 12 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Builds the policy for the pages of the SPA built into `index_html`. WebAssembly needs
/// `'wasm-unsafe-eval'`; Leptos sets `style` attributes, which need `'unsafe-inline'` styles.
fn content_security_policy(index_html: &str) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for script in inline_scripts(index_html) {
        let digest = Sha256::digest(script.as_bytes());
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        script_src.push_str(&format!(" 'sha256-{hash}'"));
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Returns the bodies of the `<script>` elements without a `src` attribute, exactly as they
/// appear between the tags, which is what a CSP hash covers.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after_tag_name = &rest[start + "<script".len()..];
        let Some(open_end) = after_tag_name.find('>') else {
            break;
        };
        let attributes = &after_tag_name[..open_end];
        let body_and_rest = &after_tag_name[open_end + 1..];
        let Some(close) = body_and_rest.find("</script>") else {
            break;
        };
        if !attributes.contains("src=") {
            scripts.push(&body_and_rest[..close]);
        }
        rest = &body_and_rest[close + "</script>".len()..];
    }
    scripts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_build_files_are_recognised() {
        assert!(is_hashed_asset("/ui/frontend-d05937614e931ae_bg.wasm"));
        assert!(is_hashed_asset("/frontend-d05937614e931ae.js"));
        assert!(is_hashed_asset("/style-3b6f34d7684e3d3d.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/orders/0193-abc"));
        assert!(!is_hashed_asset("/app.js"));
        assert!(!is_hashed_asset("/frontend-notahexvalue.js"));
    }

    #[test]
    fn inline_scripts_skip_external_ones() {
        let html = "<head><script src=\"/ui/a.js\"></script>\
            <script type=\"module\">import init from '/ui/a.js';\n</script></head>\
            <body><script>one()</script></body>";
        assert_eq!(
            inline_scripts(html),
            vec!["import init from '/ui/a.js';\n", "one()"]
        );
    }

    #[test]
    fn policy_lists_each_inline_script_hash() {
        let policy = content_security_policy("<script>alert(1)</script>");
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert!(
            policy.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        let script_src = policy
            .split(';')
            .find(|directive| directive.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    }
}
