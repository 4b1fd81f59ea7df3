//! Database backups with the real pg_dump, pg_restore and psql of this machine: a backup is
//! written by a worker, listed and downloaded; a restore brings the data back as it was at
//! backup time, and a wrong confirmation or a foreign name changes nothing.

mod common;

use common::{Options, Session, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// Starts an app with workers and a backup folder of its own.
async fn backup_app(extra: Vec<(&'static str, String)>) -> (TestApp, Session, PathBuf) {
    let dir = std::env::temp_dir().join(format!("ipsolis-backups-{}", uuid::Uuid::now_v7()));
    let mut env = vec![("IPSOLIS_BACKUP_DIR", dir.display().to_string())];
    env.extend(extra);
    let app = TestApp::start_with(Options::default().with_env(env)).await;
    let admin = app.admin().await;
    (app, admin, dir)
}

/// Starts a backup and waits until its run is done; returns the run.
async fn back_up(admin: &Session) -> Value {
    let response = admin.post_empty("/api/v1/backups").await;
    assert_eq!(response.status(), StatusCode::ACCEPTED, "back up now");
    let run: Value = response.json().await.unwrap();
    assert_eq!(run["state"], "pending");
    wait_for_run(admin, &run["id"], "done").await
}

async fn wait_for_run(admin: &Session, id: &Value, state: &str) -> Value {
    let what = format!("backup run {id} to be {state}");
    TestApp::eventually(60, &what, || async {
        let runs: Value = admin
            .get("/api/v1/backups/runs")
            .await
            .json()
            .await
            .unwrap();
        let run = runs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|run| run["id"] == *id)
            .cloned()?;
        (run["state"] == state).then_some(run)
    })
    .await
}

async fn usernames(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("select username from admin_users order by username")
        .fetch_all(&app.state.db)
        .await
        .unwrap()
}

async fn restore(admin: &Session, name: &str, confirmation: &str) -> reqwest::Response {
    let body = json!({ "confirmation": confirmation });
    admin
        .post(&format!("/api/v1/backups/{name}/restore"), &body)
        .await
}

#[tokio::test]
async fn restore_brings_data_back() {
    let (app, admin, dir) = backup_app(Vec::new()).await;
    let kept = app
        .create_admin_user(
            &admin,
            json!({ "username": "kept.user", "role": "approver" }),
        )
        .await;

    let run = back_up(&admin).await;
    let name = run["file_name"].as_str().unwrap().to_string();
    assert!(run["size_bytes"].as_i64().unwrap() > 0, "{run}");
    let mode = std::fs::metadata(dir.join(&name))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "only the server's user reads a backup");
    let listed: Value = admin.get("/api/v1/backups").await.json().await.unwrap();
    assert_eq!(listed["items"][0]["name"], name.as_str());
    assert_eq!(
        listed["items"][0]["made_by"],
        "admin:session:root.admin:superadmin"
    );
    assert_eq!(listed["items"][0]["trigger"], "manual");

    // Changes after the backup: one user deleted, another added.
    let id = kept["id"].as_str().unwrap();
    let response = admin.delete(&format!("/api/v1/admin-users/{id}")).await;
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "delete kept.user"
    );
    app.create_admin_user(
        &admin,
        json!({ "username": "added.later", "role": "auditor" }),
    )
    .await;
    assert_eq!(usernames(&app).await, ["added.later", "root.admin"]);

    let response = restore(&admin, &name, "yes").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(response).await;
    assert_eq!(error_fields(&body), ["confirmation"]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(&format!("type {name}")), "{message}");
    assert_eq!(usernames(&app).await, ["added.later", "root.admin"]);
    assert_eq!(app.audit_count("backup.restore").await, 0);

    let response = restore(&admin, &name, &name).await;
    assert_eq!(response.status(), StatusCode::OK, "restore");
    let restored: Value = response.json().await.unwrap();
    assert_eq!(restored["name"], name.as_str());
    assert_eq!(restored["migrations_applied"], 0);

    assert_eq!(usernames(&app).await, ["kept.user", "root.admin"]);
    assert_eq!(
        app.audit_count("admin_user.delete").await,
        0,
        "rows after the backup"
    );
    let (actor, after): (String, Value) = sqlx::query_as(
        "select actor, after from audit_log where action = 'backup.restore' and entity_id = $1",
    )
    .bind(&name)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(actor, "admin:session:root.admin:superadmin");
    assert_eq!(after["outcome"], "restored");

    // The session was open at backup time, so it still works, and so does the queue: the
    // backup's own job was running in the archive, and a worker finishes it again.
    let listed = admin.get("/api/v1/backups").await;
    assert_eq!(listed.status(), StatusCode::OK);
    wait_for_run(&admin, &run["id"], "done").await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn restore_keeps_siem_forwarding_and_queue() {
    let (app, admin, dir) = backup_app(Vec::new()).await;
    let run = back_up(&admin).await;
    let name = run["file_name"].as_str().unwrap().to_string();

    // Forwarding is turned on after the backup, to a receiver that is down, so events queue.
    let siem = json!({ "enabled": true, "format": "syslog", "endpoint": "tcp://127.0.0.1:9" });
    let response = admin.put("/api/v1/settings/siem", &siem).await;
    assert_eq!(response.status(), StatusCode::OK);
    app.create_admin_user(
        &admin,
        json!({ "username": "queued.user", "role": "auditor" }),
    )
    .await;
    let queued_before: Vec<uuid::Uuid> = sqlx::query_scalar("select audit_id from siem_outbox")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        queued_before.len(),
        2,
        "the settings change and the new user"
    );

    let response = restore(&admin, &name, &name).await;
    assert_eq!(response.status(), StatusCode::OK, "restore");

    let settings: Value = admin
        .get("/api/v1/settings/siem")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        settings["enabled"], true,
        "a restore does not turn forwarding off"
    );
    let queued: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        "select audit_id, event ->> 'action' from siem_outbox order by queued_at, audit_id",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let ids: Vec<uuid::Uuid> = queued.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        &ids[..2],
        &queued_before[..],
        "events queued before the restore stay"
    );
    assert_eq!(
        queued[2].1, "backup.restore",
        "the restore itself is forwarded"
    );
    assert_eq!(
        app.audit_count("admin_user.create").await,
        0,
        "the audit log was restored"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn older_backup_is_migrated_after_restore() {
    let (app, admin, dir) = backup_app(Vec::new()).await;
    // Make the database look like one made before the newest migration of the health checks.
    let version: i64 = 20261207000021;
    sqlx::raw_sql("drop table health_checks")
        .execute(&app.state.db)
        .await
        .unwrap();
    sqlx::query("delete from _sqlx_migrations where version = $1")
        .bind(version)
        .execute(&app.state.db)
        .await
        .unwrap();
    let run = back_up(&admin).await;
    let name = run["file_name"].as_str().unwrap().to_string();

    // The current schema has the table again, with a row the restore must discard.
    ipsolis::db::migrate(&app.state.db).await.unwrap();
    sqlx::query(
        "insert into health_checks (component, status, detail, streak, checked_at, changed_at)
         values ('redis', 'ok', 'fine', 1, now(), now())",
    )
    .execute(&app.state.db)
    .await
    .unwrap();

    let response = restore(&admin, &name, &name).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "restore the older backup"
    );
    let restored: Value = response.json().await.unwrap();
    assert_eq!(restored["migrations_applied"], 1);
    let rows: i64 = sqlx::query_scalar("select count(*) from health_checks")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows, 0, "the table was created again by its migration");
    let applied: bool =
        sqlx::query_scalar("select exists (select 1 from _sqlx_migrations where version = $1)")
            .bind(version)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(applied);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn foreign_and_traversal_names_are_rejected() {
    let (app, admin, dir) = backup_app(Vec::new()).await;
    let run = back_up(&admin).await;
    let name = run["file_name"].as_str().unwrap().to_string();
    std::fs::write(dir.join("notes.txt"), b"not a backup").unwrap();
    let linked = "ipsolis-20200101T000000Z-0000.dump";
    std::os::unix::fs::symlink("/etc/hostname", dir.join(linked)).unwrap();

    let listed: Value = admin.get("/api/v1/backups").await.json().await.unwrap();
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [name.as_str()], "only complete backups are listed");

    for path in [
        "notes.txt",
        linked,
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2E%2E",
        "ipsolis-20261207T030000Z-0a1f.dump",
    ] {
        let download = admin.get(&format!("/api/v1/backups/{path}")).await;
        assert_eq!(download.status(), StatusCode::NOT_FOUND, "download {path}");
        let delete = admin.delete(&format!("/api/v1/backups/{path}")).await;
        assert_eq!(delete.status(), StatusCode::NOT_FOUND, "delete {path}");
        let restored = restore(&admin, path, path).await;
        assert_eq!(restored.status(), StatusCode::NOT_FOUND, "restore {path}");
    }
    assert!(dir.join("notes.txt").exists());
    assert_eq!(app.audit_count("backup.restore").await, 0);

    let download = admin.get(&format!("/api/v1/backups/{name}")).await;
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, format!("attachment; filename=\"{name}\""));
    let bytes = download.bytes().await.unwrap();
    assert_eq!(&bytes[..5], b"PGDMP", "a pg_dump custom archive");
    assert_eq!(app.audit_count("backup.download").await, 1);

    let response = admin.delete(&format!("/api/v1/backups/{name}")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(!dir.join(&name).exists());
    assert!(!dir.join(format!("{name}.json")).exists());
    assert_eq!(app.audit_count("backup.delete").await, 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn schedule_backs_up_and_prunes() {
    let (app, admin, dir) = backup_app(Vec::new()).await;
    let too_often = json!({ "schedule": "0 */10 * * * *" });
    let response = admin.put("/api/v1/backups/settings", &too_often).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem(response).await), ["schedule"]);

    let settings = json!({ "schedule": "0 0 3 * * *", "keep_count": 1 });
    let response = admin.put("/api/v1/backups/settings", &settings).await;
    assert_eq!(response.status(), StatusCode::OK, "save the schedule");
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["keep_count"], 1);
    assert!(view["next_run_at"].is_string(), "{view}");

    let old = back_up(&admin).await;
    let foreign = dir.join("ipsolis-manual-copy.dump");
    std::fs::write(&foreign, b"kept by hand").unwrap();

    // A day later the leader finds the 03:00 slot; a second tick of another replica does not
    // enqueue it again.
    app.state.clock.advance(chrono::Duration::days(1));
    // Moving the clock ended the session, so the admin signs in again.
    let admin = app
        .sign_in_admin("root.admin", "correct-horse-battery")
        .await;
    ipsolis::backups::schedule::tick(&app.state, &mut None)
        .await
        .unwrap();
    ipsolis::backups::schedule::tick(&app.state, &mut None)
        .await
        .unwrap();
    let runs: Vec<(String, String)> =
        sqlx::query_as("select file_name, trigger from backup_runs where trigger = 'schedule'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(runs.len(), 1, "one run per slot");
    let scheduled = runs[0].0.clone();

    let what = "the scheduled backup to replace the older one";
    TestApp::eventually(60, what, || async {
        let listed: Value = admin.get("/api/v1/backups").await.json().await.unwrap();
        let items = listed["items"].as_array().unwrap().clone();
        (items.len() == 1 && items[0]["name"] == scheduled.as_str()).then_some(items)
    })
    .await;
    let listed: Value = admin.get("/api/v1/backups").await.json().await.unwrap();
    assert_eq!(listed["items"][0]["made_by"], "schedule");
    assert!(!dir.join(old["file_name"].as_str().unwrap()).exists());
    assert!(foreign.exists(), "a file ip·Solis did not make stays");
    let pruned: Value =
        sqlx::query_scalar("select before from audit_log where action = 'backup.prune'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(pruned["names"], json!([old["file_name"]]));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn missing_pg_dump_fails_the_run() {
    let extra = vec![("IPSOLIS_PG_DUMP", "/nonexistent/pg_dump".to_string())];
    let (_app, admin, dir) = backup_app(extra).await;
    let response = admin.post_empty("/api/v1/backups").await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let run: Value = response.json().await.unwrap();
    let failed = wait_for_run(&admin, &run["id"], "failed").await;
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("IPSOLIS_PG_DUMP"), "{error}");
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 0, "no partial file stays");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn roles_for_backups() {
    let (app, admin, dir) = backup_app(Vec::new()).await;
    let run = back_up(&admin).await;
    let name = run["file_name"].as_str().unwrap().to_string();
    app.create_admin_user(&admin, json!({ "username": "audit.or", "role": "auditor" }))
        .await;
    app.create_admin_user(&admin, json!({ "username": "ad.min", "role": "admin" }))
        .await;
    let auditor = app.sign_in_admin("audit.or", "audit.or-password-1").await;
    let other_admin = app.sign_in_admin("ad.min", "ad.min-password-1").await;

    assert_eq!(
        auditor.get("/api/v1/backups").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        auditor.post_empty("/api/v1/backups").await.status(),
        StatusCode::FORBIDDEN
    );
    back_up(&other_admin).await;
    let download = other_admin.get(&format!("/api/v1/backups/{name}")).await;
    assert_eq!(download.status(), StatusCode::FORBIDDEN);
    let restored = restore(&other_admin, &name, &name).await;
    assert_eq!(restored.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count("backup.restore").await, 0);
    std::fs::remove_dir_all(dir).unwrap();
}
