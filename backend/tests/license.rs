//! Licensing: the evaluation and the free tier without a license, a signed license and its
//! band, expiry with its grace period and daily alert mail, rejected files, and a license file
//! replaced while the server runs. Licenses are made with `ipsolis license keygen` and
//! `ipsolis license sign`, and the server trusts the test key through
//! `IPSOLIS_LICENSE_TEST_KEYS`, which debug builds honour.

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::{Options, Session, TestApp, error_fields, mail, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use uuid::Uuid;

const LEGACY_KEY: &str = "license-test-admin-key-0123456789abcdef";
const KEY_ID: &str = "test-key";

/// A folder of its own per test for key and license files, deleted when dropped.
struct Workspace {
    dir: PathBuf,
    /// The `IPSOLIS_LICENSE_TEST_KEYS` entry of the key in `key.json`.
    trusted: String,
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ipsolis(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ipsolis"))
        .args(arguments)
        .env_remove("IPSOLIS_LICENSE_TEST_KEYS")
        .output()
        .expect("run the ipsolis binary")
}

#[track_caller]
fn succeeded(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "ipsolis failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

impl Workspace {
    /// Makes the folder and a key pair with `ipsolis license keygen`.
    fn new() -> Workspace {
        let dir = std::env::temp_dir().join(format!("ipsolis-license-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("key.json");
        let printed = succeeded(&ipsolis(&[
            "license",
            "keygen",
            "--key-id",
            KEY_ID,
            "--out",
            key.to_str().unwrap(),
        ]));
        let public: Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(public["key_id"], KEY_ID);
        let trusted = format!("{KEY_ID}={}", public["public_key"].as_str().unwrap());
        Workspace { dir, trusted }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Signs `payload` with `key` (a file in this folder) and returns the license file.
    fn sign_with(&self, key: &str, payload: &Value) -> String {
        let payload_path = self.path(&format!("payload-{}.json", Uuid::now_v7().simple()));
        std::fs::write(&payload_path, payload.to_string()).unwrap();
        succeeded(&ipsolis(&[
            "license",
            "sign",
            "--key",
            self.path(key).to_str().unwrap(),
            payload_path.to_str().unwrap(),
        ]))
    }

    /// Signs `payload` with the trusted test key.
    fn sign(&self, payload: &Value) -> String {
        self.sign_with("key.json", payload)
    }

    fn options(&self) -> Options {
        Options::quiet().with_env(self.env())
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("IPSOLIS_LICENSE_TEST_KEYS", self.trusted.clone()),
            ("ADMIN_API_KEY", LEGACY_KEY.to_string()),
        ]
    }
}

/// Builds a payload for `licensee` with a band of `band` that expires `days` days from today
/// (UTC).
fn payload(licensee: &str, band: u32, days: i64) -> Value {
    let today = Utc::now().date_naive();
    json!({
        "license_id": format!("LIC-{}", Uuid::now_v7().simple()),
        "licensee": licensee,
        "max_active_users": band,
        "issued_on": today - Duration::days(60),
        "expires_on": today + Duration::days(days),
    })
}

/// Reads the license status with the legacy key, which has no session to time out when a test
/// moves the clock by days.
async fn status(app: &TestApp) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/license", app.url))
        .header("X-Admin-Key", LEGACY_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET /api/v1/license");
    response.json().await.unwrap()
}

async fn upload(admin: &Session, license: &str) -> reqwest::Response {
    let mut request = admin
        .http
        .put(admin.url("/api/v1/license"))
        .header("Content-Type", "application/json")
        .body(license.to_string());
    if let Some(csrf) = &admin.csrf {
        request = request.header("X-CSRF-Token", csrf);
    }
    request.send().await.unwrap()
}

#[track_caller]
fn assert_state(status: &Value, state: &str) {
    assert_eq!(status["state"], state, "status: {status:#}");
}

/// Gives `count` new people an order of `definition` each, in `state`, expiring in ten years
/// so the expiry check leaves them while a test moves the clock.
async fn add_people(app: &TestApp, definition: &Value, count: usize, state: &str) {
    let definition_id: Uuid = definition["id"].as_str().unwrap().parse().unwrap();
    for _ in 0..count {
        let person = Uuid::now_v7();
        sqlx::query(
            "insert into portal_users (id, issuer, subject, email, display_name, directory_dn,
                created_at, last_sign_in_at)
             values ($1, 'test', $1::text, $1::text || '@example.test', 'Test person',
                'cn=' || $1::text || ',ou=People,dc=example,dc=test', now(), now())",
        )
        .bind(person)
        .execute(&app.state.db)
        .await
        .unwrap();
        sqlx::query(
            "insert into orders (id, definition_id, requester_id, requester_name, requester_email,
                requester_dn, state, duration_days, group_dns, created_at, updated_at,
                activated_at, expires_at, placed_by_id)
             select $1, d.id, u.id, u.display_name, u.email, u.directory_dn, $4, 3650,
                d.group_dns, now(), now(), now(), now() + interval '10 years', u.id
             from asset_definitions d, portal_users u where d.id = $2 and u.id = $3",
        )
        .bind(Uuid::now_v7())
        .bind(definition_id)
        .bind(person)
        .bind(state)
        .execute(&app.state.db)
        .await
        .unwrap();
    }
}

async fn add_active_users(app: &TestApp, definition: &Value, count: usize) {
    add_people(app, definition, count, "active").await;
}

async fn definition(app: &TestApp, admin: &Session) -> Value {
    let name = format!("Licensed app {}", Uuid::now_v7().simple());
    let group = "cn=Licensed App,ou=Groups,dc=example,dc=test";
    app.create_definition(admin, &name, group).await
}

#[tokio::test]
async fn evaluation_then_free_tier() {
    let options = Options::quiet().with_env(vec![("ADMIN_API_KEY", LEGACY_KEY.to_string())]);
    let app = TestApp::start_with(options).await;
    let admin = app.admin().await;
    let definition = definition(&app, &admin).await;

    let first = status(&app).await;
    assert_state(&first, "evaluation");
    assert_eq!(first["days_left"], 30);
    assert_eq!(first["banner"], Value::Null);
    assert_eq!(first["licensee"], Value::Null);
    assert!(
        first["explanation"].as_str().unwrap().contains("30 days"),
        "{first:#}"
    );

    // Any number of people may hold access during the evaluation.
    add_active_users(&app, &definition, 25).await;
    assert_eq!(status(&app).await["active_users"], 25);

    // The last week of the evaluation shows a banner.
    app.state.clock.advance(Duration::hours(23 * 24 + 12));
    let ending = status(&app).await;
    assert_state(&ending, "evaluation");
    assert_eq!(ending["days_left"], 7);
    assert_eq!(ending["banner"]["level"], "warning");

    // Afterwards, 25 people fit the free tier.
    app.state.clock.advance(Duration::days(7));
    let free = status(&app).await;
    assert_state(&free, "free");
    assert_eq!(free["max_active_users"], 25);
    assert_eq!(free["days_left"], Value::Null);
    assert_eq!(free["banner"], Value::Null);

    // A person with two active orders counts once. Orders waiting for approval and completed
    // orders do not count, an active order with a change pending does, and an order whose
    // access is being removed does not.
    sqlx::query(
        "insert into orders (id, definition_id, requester_id, requester_name, requester_email,
            requester_dn, state, duration_days, group_dns, created_at, updated_at, activated_at,
            expires_at, placed_by_id)
         select $1, definition_id, requester_id, requester_name, requester_email, requester_dn,
            state, duration_days, group_dns, now(), now(), now(), expires_at, placed_by_id
         from orders limit 1",
    )
    .bind(Uuid::now_v7())
    .execute(&app.state.db)
    .await
    .unwrap();
    add_people(&app, &definition, 1, "pending_approval").await;
    add_people(&app, &definition, 1, "completed").await;
    add_people(&app, &definition, 1, "modification_pending").await;
    assert_eq!(status(&app).await["active_users"], 26);
    sqlx::query("update orders set state = 'active' where state = 'modification_pending'")
        .execute(&app.state.db)
        .await
        .unwrap();
    sqlx::query(
        "update orders set state = 'deprovisioning' where requester_id = (
            select requester_id from orders where state = 'active' limit 1)",
    )
    .execute(&app.state.db)
    .await
    .unwrap();
    assert_eq!(status(&app).await["active_users"], 25);

    // The 26th person exceeds the free tier.
    add_active_users(&app, &definition, 1).await;
    let over = status(&app).await;
    assert_state(&over, "free_tier_exceeded");
    assert_eq!(over["active_users"], 26);
    assert_eq!(over["banner"]["level"], "critical");
    assert!(
        over["banner"]["message"]
            .as_str()
            .unwrap()
            .contains("26 people"),
        "{over:#}"
    );
}

#[tokio::test]
async fn status_is_read_by_admins_and_auditors() {
    let app = TestApp::start_with(Options::quiet()).await;
    let superadmin = app.admin().await;
    for (role, allowed) in [
        ("admin", true),
        ("auditor", true),
        ("approver", false),
        ("helpdesk", false),
    ] {
        let username = format!("license.{role}");
        app.create_admin_user(&superadmin, json!({ "username": username, "role": role }))
            .await;
        let session = app
            .sign_in_admin(&username, &format!("{username}-password-1"))
            .await;
        let read = session.get("/api/v1/license").await.status();
        assert_eq!(read == StatusCode::OK, allowed, "{role} reads: {read}");
        let removed = session.delete("/api/v1/license").await.status();
        assert_eq!(removed, StatusCode::FORBIDDEN, "{role} removes");
    }
}

#[tokio::test]
async fn valid_license_and_band() {
    let files = Workspace::new();
    let app = TestApp::start_with(files.options()).await;
    let admin = app.admin().await;
    let definition = definition(&app, &admin).await;
    let license = payload("Example Ltd", 3, 200);

    let response = upload(&admin, &files.sign(&license)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let uploaded: Value = response.json().await.unwrap();
    assert_state(&uploaded, "licensed");
    assert_eq!(uploaded["licensee"], "Example Ltd");
    assert_eq!(uploaded["license_id"], license["license_id"]);
    assert_eq!(uploaded["max_active_users"], 3);
    assert_eq!(uploaded["source"], "upload");
    assert_eq!(uploaded["key_id"], KEY_ID);
    assert_eq!(uploaded["expires_on"], license["expires_on"]);
    assert_eq!(uploaded["days_left"], 201);
    assert_eq!(uploaded["upload_present"], true);
    assert_eq!(uploaded["banner"], Value::Null);

    let actor: String = sqlx::query_scalar(
        "select actor from audit_log where action = 'license.upload' and entity_id = $1",
    )
    .bind(license["license_id"].as_str().unwrap())
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(actor, "admin:session:root.admin:superadmin");

    // A license applies during the evaluation and after it.
    app.state.clock.advance(Duration::days(40));
    add_active_users(&app, &definition, 3).await;
    assert_state(&status(&app).await, "licensed");

    add_active_users(&app, &definition, 1).await;
    let over = status(&app).await;
    assert_state(&over, "over_band");
    assert_eq!(over["active_users"], 4);
    assert_eq!(over["banner"]["level"], "warning");
    let message = over["banner"]["message"].as_str().unwrap();
    assert!(message.starts_with("Over the licensed band"), "{message}");

    // Without the upload the installation is past its evaluation with four people: free.
    let admin = app
        .sign_in_admin("root.admin", "correct-horse-battery")
        .await;
    let removed = admin.delete("/api/v1/license").await;
    assert_eq!(removed.status(), StatusCode::OK);
    let removed: Value = removed.json().await.unwrap();
    assert_state(&removed, "free");
    assert_eq!(removed["upload_present"], false);
    assert_eq!(app.audit_count("license.remove").await, 1);

    let again = admin.delete("/api/v1/license").await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rejected_files_have_problem_types() {
    let files = Workspace::new();
    let app = TestApp::start_with(files.options()).await;
    let admin = app.admin().await;
    let signed = files.sign(&payload("Example Ltd", 50, 100));
    let envelope: Value = serde_json::from_str(&signed).unwrap();

    // A payload changed after signing: a larger band under the original signature.
    let mut tampered = envelope.clone();
    let mut bigger = payload("Example Ltd", 5000, 100);
    bigger["license_id"] = json!("LIC-TAMPERED");
    tampered["payload"] = json!(base64_encode(bigger.to_string().as_bytes()));

    // Signed by a key the server does not trust, once under the trusted key's id and once
    // under its own.
    let other = files.path("other.json");
    let printed = succeeded(&ipsolis(&[
        "license",
        "keygen",
        "--key-id",
        "other-key",
        "--out",
        other.to_str().unwrap(),
    ]));
    assert!(printed.contains("other-key"), "{printed}");
    let unknown: Value =
        serde_json::from_str(&files.sign_with("other.json", &payload("Example Ltd", 50, 100)))
            .unwrap();
    let mut impostor = unknown.clone();
    impostor["key_id"] = json!(KEY_ID);

    let cases = [
        (tampered.to_string(), "license-bad-signature", "signature"),
        (impostor.to_string(), "license-bad-signature", "signature"),
        (unknown.to_string(), "license-unknown-key", "key_id"),
        ("not a license".to_string(), "license-malformed", "body"),
        (
            json!({ "key_id": KEY_ID, "payload": envelope["payload"] }).to_string(),
            "license-malformed",
            "signature",
        ),
        (
            json!({ "key_id": KEY_ID, "payload": "@@@", "signature": envelope["signature"] })
                .to_string(),
            "license-malformed",
            "payload",
        ),
    ];
    for (body, kind, field) in cases {
        let response = upload(&admin, &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let problem = problem(response).await;
        assert_eq!(
            problem["type"],
            format!("urn:ipsolis:problem:{kind}"),
            "{body}"
        );
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    assert_eq!(app.audit_count("license.upload").await, 0);
    assert_state(&status(&app).await, "evaluation");

    // Writes with a session need the CSRF token.
    let mut without_csrf = app.client();
    without_csrf.http = admin.http.clone();
    assert_eq!(
        upload(&without_csrf, &signed).await.status(),
        StatusCode::FORBIDDEN
    );

    // An admin below superadmin may not upload.
    app.create_admin_user(
        &admin,
        json!({ "username": "license.admin", "role": "admin" }),
    )
    .await;
    let plain_admin = app
        .sign_in_admin("license.admin", "license.admin-password-1")
        .await;
    assert_eq!(
        upload(&plain_admin, &signed).await.status(),
        StatusCode::FORBIDDEN
    );

    // A license that expired before it arrived is accepted and shown as such.
    let expired = files.sign(&payload("Late Ltd", 50, -3));
    let response = upload(&admin, &expired).await;
    assert_eq!(response.status(), StatusCode::OK);
    let shown: Value = response.json().await.unwrap();
    assert_state(&shown, "grace");
    assert_eq!(shown["banner"]["level"], "warning");
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Counts the mails to `to` whose subject is the grace period alert.
async fn alerts(to: &str) -> usize {
    mail::count(to, "ip·Solis license expired").await
}

#[tokio::test]
async fn grace_period_mails_once_a_day() {
    let files = Workspace::new();
    let mut env = files.env();
    env.push(("IPSOLIS_LICENSE_CHECK_CRON", "* * * * * *".to_string()));
    let app = TestApp::start_with(Options::default().with_env(env)).await;
    let admin = app.admin().await;
    let smtp = json!({
        "host": common::env("SMTP_HOST"),
        "port": common::env("SMTP_PORT").parse::<u16>().unwrap(),
        "tls": "none",
        "from": "ip·Solis <ipsolis@example.test>",
    });
    let saved = admin.put("/api/v1/settings/smtp", &smtp).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let run = Uuid::now_v7().simple().to_string();
    let superadmin_mail = format!("owner-{run}@example.test");
    let admin_mail = format!("helper-{run}@example.test");
    app.create_admin_user(
        &admin,
        json!({ "username": "license.owner", "role": "superadmin", "email": superadmin_mail }),
    )
    .await;
    app.create_admin_user(
        &admin,
        json!({ "username": "license.helper", "role": "admin", "email": admin_mail }),
    )
    .await;

    let license = payload("Example Ltd", 50, 2);
    assert_eq!(
        upload(&admin, &files.sign(&license)).await.status(),
        StatusCode::OK
    );
    let expires_on: NaiveDate = license["expires_on"].as_str().unwrap().parse().unwrap();

    // Within the license no alert goes out.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(alerts(&superadmin_mail).await, 0);

    // Move past the end of the last licensed day, into the grace period.
    let expiry = expires_on
        .succ_opt()
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let into_grace = expiry - app.state.clock.now() + Duration::hours(1);
    app.state.clock.advance(into_grace);
    let grace = status(&app).await;
    assert_state(&grace, "grace");
    assert_eq!(grace["days_left"], 30);
    assert_eq!(grace["banner"]["level"], "warning");

    let first = mail::wait_for(&superadmin_mail, "ip·Solis license expired").await;
    assert!(
        first.text.contains(license["license_id"].as_str().unwrap()),
        "{}",
        first.text
    );
    assert!(
        first.text.contains("/ui/settings/license"),
        "{}",
        first.text
    );
    // The check runs every second; the day's alert still goes out once.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    assert_eq!(alerts(&superadmin_mail).await, 1);
    assert_eq!(
        alerts(&admin_mail).await,
        0,
        "only superadmins get the alert"
    );

    app.state.clock.advance(Duration::days(1));
    TestApp::eventually(20, "the second day's alert", || async {
        (alerts(&superadmin_mail).await == 2).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(alerts(&superadmin_mail).await, 2);
    let days: i64 = sqlx::query_scalar("select count(*) from license_alert_days")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(days, 2);

    // After the grace period the installation is unlicensed and the reminders stop.
    app.state.clock.advance(Duration::days(29));
    let unlicensed = status(&app).await;
    assert_state(&unlicensed, "unlicensed");
    assert_eq!(unlicensed["banner"]["level"], "critical");
    assert_eq!(unlicensed["max_active_users"], Value::Null);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(alerts(&superadmin_mail).await, 2);
}

fn write_file(path: &Path, text: &str) {
    // Written beside and renamed, as a configuration manager replaces a mounted file.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text).unwrap();
    std::fs::rename(&partial, path).unwrap();
}

#[tokio::test]
async fn replaced_license_file_applies_without_restart() {
    let files = Workspace::new();
    let license_path = files.path("license.json");
    write_file(&license_path, &files.sign(&payload("First Ltd", 10, 100)));
    let mut env = files.env();
    env.push(("IPSOLIS_LICENSE_PATH", license_path.display().to_string()));
    let app = TestApp::start_with(Options::quiet().with_env(env)).await;
    let admin = app.admin().await;

    let first = status(&app).await;
    assert_state(&first, "licensed");
    assert_eq!(first["licensee"], "First Ltd");
    assert_eq!(first["source"], "file");

    // A valid file takes precedence over an upload.
    let uploaded = upload(&admin, &files.sign(&payload("Uploaded Ltd", 10, 100))).await;
    assert_eq!(uploaded.status(), StatusCode::OK);
    let both: Value = uploaded.json().await.unwrap();
    assert_eq!(both["licensee"], "First Ltd");
    assert_eq!(both["upload_present"], true);
    assert!(
        both["notes"][0]
            .as_str()
            .unwrap()
            .contains("takes precedence"),
        "{both:#}"
    );

    // The file is read again within a minute of business time.
    write_file(&license_path, &files.sign(&payload("Second Ltd", 20, 100)));
    assert_eq!(status(&app).await["licensee"], "First Ltd");
    app.state.clock.advance(Duration::seconds(61));
    let second = status(&app).await;
    assert_eq!(second["licensee"], "Second Ltd");
    assert_eq!(second["max_active_users"], 20);

    // A broken file is reported, and the uploaded license applies meanwhile.
    write_file(&license_path, "{ broken");
    app.state.clock.advance(Duration::seconds(61));
    let broken = status(&app).await;
    assert_eq!(broken["licensee"], "Uploaded Ltd");
    assert_eq!(broken["source"], "upload");
    let note = broken["notes"][0].as_str().unwrap();
    assert!(note.contains("license.json is not used"), "{note}");
}

#[test]
fn signing_tool_checks_its_input() {
    let files = Workspace::new();

    let again = ipsolis(&[
        "license",
        "keygen",
        "--key-id",
        KEY_ID,
        "--out",
        files.path("key.json").to_str().unwrap(),
    ]);
    assert!(!again.status.success(), "keygen overwrote a key file");

    let bad = files.path("bad-payload.json");
    std::fs::write(
        &bad,
        json!({ "license_id": "LIC-1", "licensee": "" }).to_string(),
    )
    .unwrap();
    let refused = ipsolis(&[
        "license",
        "sign",
        "--key",
        files.path("key.json").to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("max_active_users"), "{message}");

    // `verify` trusts only the built-in keys unless the test keys are set.
    let license = files.path("license.json");
    std::fs::write(&license, files.sign(&payload("Example Ltd", 5, 10))).unwrap();
    let untrusted = ipsolis(&["license", "verify", license.to_str().unwrap()]);
    assert!(!untrusted.status.success());
    assert!(String::from_utf8_lossy(&untrusted.stderr).contains("does not trust"));
    let trusted = Command::new(env!("CARGO_BIN_EXE_ipsolis"))
        .args(["license", "verify", license.to_str().unwrap()])
        .env("IPSOLIS_LICENSE_TEST_KEYS", &files.trusted)
        .output()
        .unwrap();
    let shown: Value = serde_json::from_str(&succeeded(&trusted)).unwrap();
    assert_eq!(shown["payload"]["licensee"], "Example Ltd");
}
