//! General settings: the application title, the logo upload with its checks, the public
//! branding routes with their caching headers, the audit rows and who may change what.

mod common;

use common::{Session, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A 2×2 PNG image.
const PNG: [u8; 74] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0,
    0, 0, 114, 182, 13, 36, 0, 0, 0, 17, 73, 68, 65, 84, 120, 156, 99, 144, 143, 95, 247, 31, 132,
    25, 96, 12, 0, 72, 64, 8, 173, 13, 127, 97, 207, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// The start of a JPEG file (SOI and a JFIF APP0 segment), which is all the check reads.
const JPEG_START: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";

const LOGO: &str = "/api/v1/settings/general/logo";

async fn upload(admin: &Session, content_type: &str, bytes: Vec<u8>) -> reqwest::Response {
    admin.put_bytes(LOGO, content_type, bytes).await
}

/// Fetches the logo as a browser that has the copies `if_none_match` names.
async fn get_logo(session: &Session, if_none_match: &str) -> reqwest::Response {
    let request = session.http.get(session.url("/api/v1/branding/logo"));
    let request = request.header("If-None-Match", if_none_match);
    request.send().await.unwrap()
}

async fn audit_rows(app: &TestApp, action: &str) -> Vec<(String, Option<Value>, Option<Value>)> {
    sqlx::query_as("select actor, before, after from audit_log where action = $1 order by at, id")
        .bind(action)
        .fetch_all(&app.state.db)
        .await
        .unwrap()
}

async fn logo_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from branding_logo")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// Checks that `response` is a problem document of `status` naming only the `logo` field, and
/// returns its message.
async fn logo_error(response: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let problem = problem(response).await;
    assert_eq!(error_fields(&problem), ["logo"], "{problem}");
    problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn title_is_validated_saved_and_audited() {
    let (app, admin) = common::quiet_app().await;
    let anonymous = app.client();

    let defaults: Value = admin
        .get("/api/v1/settings/general")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(defaults["title"], "ip·Solis");
    assert_eq!(defaults["logo_position"], "left");
    assert_eq!(defaults["logo"], Value::Null);

    let invalid = [
        "   ".to_string(),
        "x".repeat(81),
        "Contoso\nIT".to_string(),
        "Contoso\u{0007}IT".to_string(),
    ];
    for title in invalid {
        let body = json!({ "title": title, "logo_position": "left" });
        let response = admin.put("/api/v1/settings/general", &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{title:?}"
        );
        assert_eq!(
            error_fields(&problem(response).await),
            ["title"],
            "{title:?}"
        );
    }
    let response = admin
        .put(
            "/api/v1/settings/general",
            &json!({ "title": "Contoso IT", "logo_position": "top" }),
        )
        .await;
    assert_eq!(error_fields(&problem(response).await), ["logo_position"]);
    assert_eq!(app.audit_count("settings.update").await, 0);

    let body = json!({ "title": "  Contoso IT  ", "logo_position": "center" });
    let saved: Value = admin
        .put("/api/v1/settings/general", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["title"], "Contoso IT", "trimmed");
    assert_eq!(saved["logo_position"], "center");

    let branding: Value = anonymous
        .get("/api/v1/branding")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(branding["title"], "Contoso IT");
    assert_eq!(branding["logo_position"], "center");
    assert_eq!(branding["logo_set"], false);
    assert_eq!(branding["logo_url"], Value::Null);

    let rows = audit_rows(&app, "settings.update").await;
    assert_eq!(rows.len(), 1);
    let (actor, before, after) = &rows[0];
    assert_eq!(actor, "admin:session:root.admin:superadmin");
    assert_eq!(before, &None);
    let after = after.as_ref().unwrap();
    assert_eq!(after["title"], "Contoso IT");
    assert_eq!(after["logo_position"], "center");
}

#[tokio::test]
async fn logo_upload_rejects_wrong_files() {
    let (app, admin) = common::quiet_app().await;

    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!".to_vec();
    let message = logo_error(
        upload(&admin, "image/png", gif).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(message.contains("GIF"), "{message}");

    // An SVG file named logo.png: the browser sends image/png, but the bytes are SVG.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>"#;
    let message = logo_error(
        upload(&admin, "image/png", svg.to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(message.contains("SVG"), "{message}");
    assert!(message.contains("PNG, JPEG or WebP"), "{message}");

    let text = b"just some text, not an image".to_vec();
    let message = logo_error(
        upload(&admin, "image/webp", text).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        message.contains("not a PNG, JPEG or WebP image"),
        "{message}"
    );

    let message = logo_error(
        upload(&admin, "image/png", Vec::new()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(message.starts_with("is empty"), "{message}");

    let mut large = PNG.to_vec();
    large.resize(600 * 1024, 0);
    let message = logo_error(
        upload(&admin, "image/png", large).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(message.contains("600 KiB"), "{message}");
    assert!(message.contains("maximum of 512 KiB"), "{message}");

    // Beyond the server's general 2 MiB limit the field is still named.
    let mut huge = PNG.to_vec();
    huge.resize(3 * 1024 * 1024, 0);
    let message = logo_error(
        upload(&admin, "image/png", huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(message.contains("maximum of 512 KiB"), "{message}");

    assert_eq!(logo_rows(&app).await, 0);
    assert_eq!(app.audit_count("settings.logo_upload").await, 0);
}

#[tokio::test]
async fn logo_is_served_publicly_with_etag() {
    let (app, admin) = common::quiet_app().await;
    let anonymous = app.client();
    let response = anonymous.get("/api/v1/branding/logo").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(problem(response).await["detail"], "No logo is set.");

    // The content type the client sends is ignored: the bytes decide.
    let response = upload(&admin, "application/octet-stream", PNG.to_vec()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["logo"]["content_type"], "image/png");
    assert_eq!(saved["logo"]["size_bytes"], PNG.len());
    assert_eq!(
        saved["logo"]["updated_by"],
        "admin:session:root.admin:superadmin"
    );
    let version = saved["logo"]["version"].as_str().unwrap().to_string();

    let branding: Value = anonymous
        .get("/api/v1/branding")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(branding["logo_set"], true);
    assert_eq!(branding["logo_version"], version.as_str());
    let logo_url = branding["logo_url"].as_str().unwrap().to_string();
    assert_eq!(logo_url, format!("/api/v1/branding/logo?v={version}"));

    let response = anonymous.get("/api/v1/branding/logo").await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(header(&response, "content-type"), "image/png");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "cache-control"), "no-cache");
    let etag = header(&response, "etag");
    assert!(
        etag.starts_with('"') && etag.len() == 66,
        "a quoted SHA-256: {etag}"
    );
    assert!(etag.contains(&version));
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG.as_slice());

    let versioned = anonymous.get(&logo_url).await;
    assert_eq!(
        header(&versioned, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    let revalidated = get_logo(&anonymous, &etag).await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&revalidated, "etag"), etag);
    assert!(revalidated.bytes().await.unwrap().is_empty());
    let weak_list = format!("\"{}\", W/{etag}", "0".repeat(64));
    let revalidated = get_logo(&anonymous, &weak_list).await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    let stale = get_logo(&anonymous, &format!("\"{}\"", "0".repeat(64))).await;
    assert_eq!(stale.status(), StatusCode::OK);

    // A new logo changes the ETag, and the audit row records what it replaced.
    let mut jpeg = JPEG_START.to_vec();
    jpeg.extend_from_slice(&[0; 64]);
    let saved: Value = upload(&admin, "image/jpeg", jpeg.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["logo"]["content_type"], "image/jpeg");
    let replaced = get_logo(&anonymous, &etag).await;
    assert_eq!(replaced.status(), StatusCode::OK);
    assert_eq!(header(&replaced, "content-type"), "image/jpeg");
    assert_ne!(header(&replaced, "etag"), etag);

    let uploads = audit_rows(&app, "settings.logo_upload").await;
    assert_eq!(uploads.len(), 2);
    let (actor, before, after) = &uploads[1];
    assert_eq!(actor, "admin:session:root.admin:superadmin");
    assert_eq!(before.as_ref().unwrap()["content_type"], "image/png");
    assert_eq!(after.as_ref().unwrap()["content_type"], "image/jpeg");
    assert_eq!(after.as_ref().unwrap()["size_bytes"], jpeg.len());

    let removed = admin.delete(LOGO).await;
    assert_eq!(removed.status(), StatusCode::OK);
    let removed: Value = removed.json().await.unwrap();
    assert_eq!(removed["logo"], Value::Null);
    let gone = anonymous.get("/api/v1/branding/logo").await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&gone, "cache-control"), "no-store");
    let branding: Value = anonymous
        .get("/api/v1/branding")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(branding["logo_set"], false);
    let deletions = audit_rows(&app, "settings.logo_delete").await;
    assert_eq!(deletions.len(), 1);
    assert_eq!(deletions[0].0, "admin:session:root.admin:superadmin");
    assert_eq!(
        deletions[0].1.as_ref().unwrap()["content_type"],
        "image/jpeg"
    );
    let again = admin.delete(LOGO).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn general_settings_need_permission_and_csrf() {
    let (app, admin) = common::quiet_app().await;
    app.create_admin_user(
        &admin,
        json!({ "username": "audit.reader", "role": "auditor" }),
    )
    .await;
    app.create_admin_user(
        &admin,
        json!({ "username": "help.desk", "role": "helpdesk" }),
    )
    .await;
    let auditor = app
        .sign_in_admin("audit.reader", "audit.reader-password-1")
        .await;
    let helpdesk = app.sign_in_admin("help.desk", "help.desk-password-1").await;
    let body = json!({ "title": "Contoso IT", "logo_position": "left" });

    assert_eq!(
        auditor.get("/api/v1/settings/general").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        auditor
            .put("/api/v1/settings/general", &body)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        upload(&auditor, "image/png", PNG.to_vec()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(auditor.delete(LOGO).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        helpdesk.get("/api/v1/settings/general").await.status(),
        StatusCode::FORBIDDEN
    );

    let anonymous = app.client();
    assert_eq!(
        upload(&anonymous, "image/png", PNG.to_vec()).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The admin's own cookie without the CSRF header, as a cross-site request would send it.
    let mut no_csrf = Session {
        base: admin.base.clone(),
        http: admin.http.clone(),
        csrf: None,
    };
    let response = upload(&no_csrf, "image/png", PNG.to_vec()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        problem(response).await["detail"]
            .as_str()
            .unwrap()
            .contains("X-CSRF-Token")
    );
    assert_eq!(
        no_csrf
            .put("/api/v1/settings/general", &body)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    no_csrf.csrf = Some("not-the-token".into());
    assert_eq!(no_csrf.delete(LOGO).await.status(), StatusCode::FORBIDDEN);

    assert_eq!(logo_rows(&app).await, 0);
    assert_eq!(app.audit_count("settings.update").await, 0);
}
