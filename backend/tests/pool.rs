//! The asset pool and the limits of a definition: capacity, the per-person limit and
//! instances assigned to orders, all enforced in the database under racing requests.

mod common;

use common::{Options, Session, TestApp, directory, error_fields, oidc, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    admin: Session,
    employee: Session,
}

async fn world(options: Options) -> World {
    let app = TestApp::start_with(options).await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    World {
        app,
        admin,
        employee,
    }
}

async fn definition(w: &World, label: &str, extra: Value) -> Value {
    let group = directory::create_group(label).await;
    let mut body = json!({
        "name": format!("{label} {}", uuid::Uuid::now_v7().simple()),
        "category": "Pool tests",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": {"manager": {}},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "off",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = w.admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "create {label}");
    response.json().await.unwrap()
}

async fn add_asset(w: &World, definition: &Value, name: &str) -> Value {
    let body =
        json!({ "definition_id": definition["id"], "name": name, "metadata": { "host": name } });
    let response = w.admin.post("/api/v1/assets", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "add {name}");
    response.json().await.unwrap()
}

async fn order(employee: &Session, definition: &Value) -> reqwest::Response {
    let body = json!({ "definition_id": definition["id"], "duration_days": 10 });
    employee.post("/api/v1/portal/orders", &body).await
}

/// Places `count` orders at once and returns how many were created and the 409 details.
async fn race(employee: &Session, definition: &Value, count: usize) -> (usize, Vec<String>) {
    let requests = (0..count).map(|_| order(employee, definition));
    let responses = futures::future::join_all(requests).await;
    let mut created = 0;
    let mut refusals = Vec::new();
    for response in responses {
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => refusals.push(
                problem(response).await["detail"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            ),
            other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
        }
    }
    (created, refusals)
}

#[tokio::test]
async fn fifty_orders_race_for_the_last_slot() {
    let w = world(Options::quiet()).await;
    let quota = definition(&w, "Quota", json!({ "capacity": 3 })).await;
    for _ in 0..2 {
        assert_eq!(
            order(&w.employee, &quota).await.status(),
            StatusCode::CREATED
        );
    }
    let (created, refusals) = race(&w.employee, &quota, 50).await;
    assert_eq!(created, 1);
    assert_eq!(refusals.len(), 49);
    let name = quota["name"].as_str().unwrap();
    assert!(
        refusals[0].starts_with(&format!("No capacity left for {name}")),
        "{}",
        refusals[0]
    );
    let open: i64 = sqlx::query_scalar("select count(*) from orders where definition_id = $1")
        .bind(uuid::Uuid::parse_str(quota["id"].as_str().unwrap()).unwrap())
        .fetch_one(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(open, 3);

    // A cancelled order frees its slot.
    let mine: Value = w
        .employee
        .get("/api/v1/portal/orders")
        .await
        .json()
        .await
        .unwrap();
    let first = mine["items"][0]["id"].as_str().unwrap();
    let cancelled = w
        .employee
        .post_empty(&format!("/api/v1/portal/orders/{first}/cancel"))
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(
        order(&w.employee, &quota).await.status(),
        StatusCode::CREATED
    );
}

/// Inserts an order of `definition` for the employee in a transaction that stays open, as a
/// request does between its insert and its commit.
async fn open_order_insert(
    w: &World,
    definition: &Value,
) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let definition_id = uuid::Uuid::parse_str(definition["id"].as_str().unwrap()).unwrap();
    let mut tx = w.app.state.db.begin().await.unwrap();
    sqlx::query(
        "insert into orders (id, definition_id, requester_id, requester_name, requester_email,
            requester_dn, state, duration_days, group_dns, created_at, updated_at, placed_by_id)
         select $1, d.id, u.id, u.display_name, u.email, u.directory_dn, 'submitted', 10,
            d.group_dns, now(), now(), u.id
         from asset_definitions d, portal_users u where d.id = $2",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(definition_id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx
}

#[tokio::test]
async fn orders_without_limits_do_not_wait() {
    let w = world(Options::quiet()).await;
    let open = definition(&w, "Open", json!({})).await;
    let _in_flight = open_order_insert(&w, &open).await;
    let placed = tokio::time::timeout(std::time::Duration::from_secs(5), order(&w.employee, &open))
        .await
        .expect("an order of a definition without limits waited for another one to commit");
    assert_eq!(placed.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn orders_with_limits_take_turns() {
    let w = world(Options::quiet()).await;
    let quota = definition(&w, "Quota", json!({ "capacity": 1 })).await;
    let in_flight = open_order_insert(&w, &quota).await;
    let waiting = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        order(&w.employee, &quota),
    )
    .await;
    assert!(
        waiting.is_err(),
        "the second order of a capacity-limited definition did not wait"
    );
    in_flight.commit().await.unwrap();
    let refused = order(&w.employee, &quota).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn one_person_holds_at_most_max_per_user() {
    let w = world(Options::quiet()).await;
    let limited = definition(&w, "Per person", json!({ "max_per_user": 2 })).await;
    let (created, refusals) = race(&w.employee, &limited, 10).await;
    assert_eq!(created, 2);
    assert_eq!(refusals.len(), 8);
    assert!(
        refusals[0].contains("as many open orders of"),
        "{}",
        refusals[0]
    );
}

#[tokio::test]
async fn personal_instances_are_assigned_once_and_come_back() {
    let w = world(Options::quiet()).await;
    let vdi = definition(
        &w,
        "Personal VDI",
        json!({ "assignment": "assigned_personal" }),
    )
    .await;
    add_asset(&w, &vdi, "vdi-002").await;
    add_asset(&w, &vdi, "VDI-001").await;

    let (created, refusals) = race(&w.employee, &vdi, 5).await;
    assert_eq!((created, refusals.len()), (2, 3));
    let path = format!(
        "/api/v1/assets?definition_id={}",
        vdi["id"].as_str().unwrap()
    );
    let pool: Value = w.admin.get(&path).await.json().await.unwrap();
    let statuses: Vec<(&str, &str, i64)> = pool["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["status"].as_str().unwrap(),
                a["holders"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [("VDI-001", "in_use", 1), ("vdi-002", "in_use", 1)]
    );

    // Cancelling before anything was provisioned gives the instance straight back.
    let mine: Value = w
        .employee
        .get("/api/v1/portal/orders")
        .await
        .json()
        .await
        .unwrap();
    // Which racing order took which instance depends on commit order.
    let holder = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["asset_name"] == "vdi-002")
        .expect("an order holds vdi-002");
    let id = holder["id"].as_str().unwrap();
    w.employee
        .post_empty(&format!("/api/v1/portal/orders/{id}/cancel"))
        .await;
    let path = format!("{path}&status=free");
    let free: Value = w.admin.get(&path).await.json().await.unwrap();
    assert_eq!(free["items"][0]["name"], "vdi-002");
    assert_eq!(free["items"][0]["holders"], 0);
}

#[tokio::test]
async fn shared_instances_spread_people_up_to_their_limit() {
    let w = world(Options::quiet()).await;
    let jump = definition(
        &w,
        "Jump host",
        json!({ "assignment": "dedicated_shared", "shared_max_users": 2 }),
    )
    .await;
    add_asset(&w, &jump, "jump-a").await;
    add_asset(&w, &jump, "jump-b").await;
    let mut names = Vec::new();
    for _ in 0..4 {
        let response = order(&w.employee, &jump).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let placed: Value = response.json().await.unwrap();
        names.push(placed["asset_name"].as_str().unwrap().to_string());
    }
    assert_eq!(names, ["jump-a", "jump-b", "jump-a", "jump-b"]);
    assert_eq!(
        order(&w.employee, &jump).await.status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn statuses_move_only_along_the_table() {
    let w = world(Options::quiet()).await;
    let vdi = definition(
        &w,
        "Status VDI",
        json!({ "assignment": "assigned_personal" }),
    )
    .await;
    let asset = add_asset(&w, &vdi, "vdi-100").await;
    let id = asset["id"].as_str().unwrap();
    let status = |to: &str| json!({ "status": to });
    let path = format!("/api/v1/assets/{id}/status");

    let moved = w.admin.post(&path, &status("maintenance")).await;
    assert_eq!(moved.status(), StatusCode::OK);
    let refused = w.admin.post(&path, &status("in_use")).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let detail = problem(refused).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("free, reinstall"), "{detail}");
    let bad = w.admin.post(&path, &status("broken")).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The database refuses a move outside the table whatever code tries it.
    let direct = sqlx::query("update assets set status = 'reinstalling' where id = $1")
        .bind(uuid::Uuid::parse_str(id).unwrap())
        .execute(&w.app.state.db)
        .await
        .unwrap_err();
    assert_eq!(
        ipsolis::db::violated_constraint(&direct),
        Some("asset_status_transition")
    );

    let rows: Vec<(String, String)> =
        sqlx::query_as("select from_status, to_status from asset_status_transitions")
            .fetch_all(&w.app.state.db)
            .await
            .unwrap();
    let mut stored: Vec<(String, String)> = rows;
    stored.sort();
    let mut table: Vec<(String, String)> = shared::pool::ASSET_TRANSITIONS
        .iter()
        .map(|(a, b)| (a.as_str().to_string(), b.as_str().to_string()))
        .collect();
    table.sort();
    assert_eq!(stored, table);
}

#[tokio::test]
async fn pool_lists_search_and_page() {
    let w = world(Options::quiet()).await;
    let vdi = definition(
        &w,
        "Paged VDI",
        json!({ "assignment": "assigned_personal" }),
    )
    .await;
    for n in 0..7 {
        add_asset(&w, &vdi, &format!("desk-{n:02}")).await;
    }
    add_asset(&w, &vdi, "lab_50%").await;
    let mut names = Vec::new();
    let mut path = "/api/v1/assets?q=DESK&limit=3".to_string();
    loop {
        let page: Value = w.admin.get(&path).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            names.push(item["name"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/assets?q=DESK&limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(names.len(), 7);
    assert_eq!(names[0], "desk-00");
    assert_eq!(names[6], "desk-06");
    // Wildcards in the search are plain characters.
    let literal: Value = w
        .admin
        .get("/api/v1/assets?q=_50%25")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(literal["items"].as_array().unwrap().len(), 1);

    let duplicate = json!({ "definition_id": vdi["id"], "name": "DESK-00" });
    let response = w.admin.post("/api/v1/assets", &duplicate).await;
    assert_eq!(error_fields(&problem(response).await), ["name"]);

    let quota = definition(&w, "No instances", json!({ "capacity": 5 })).await;
    let response = w
        .admin
        .post(
            "/api/v1/assets",
            &json!({ "definition_id": quota["id"], "name": "x", "metadata": [] }),
        )
        .await;
    assert_eq!(error_fields(&problem(response).await), ["metadata"]);
    let response = w
        .admin
        .post(
            "/api/v1/assets",
            &json!({ "definition_id": quota["id"], "name": "x" }),
        )
        .await;
    assert_eq!(error_fields(&problem(response).await), ["definition_id"]);
}

#[tokio::test]
async fn returned_instance_follows_deprovision_policy() {
    let w = world(Options::default()).await;
    let vdi = definition(
        &w,
        "Reinstalled VDI",
        json!({
            "assignment": "assigned_personal",
            "approval": {},
            "deprovision": "return_with_reinstall",
        }),
    )
    .await;
    let asset = add_asset(&w, &vdi, "vdi-900").await;
    let response = order(&w.employee, &vdi).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let placed: Value = response.json().await.unwrap();
    let id = placed["id"].as_str().unwrap();
    w.app.wait_for_order_state(&w.admin, id, "active").await;
    let returned = w
        .employee
        .post_empty(&format!("/api/v1/portal/orders/{id}/return"))
        .await;
    assert_eq!(returned.status(), StatusCode::OK);
    w.app.wait_for_order_state(&w.admin, id, "completed").await;
    let path = format!("/api/v1/assets/{}", asset["id"].as_str().unwrap());
    let after: Value = w.admin.get(&path).await.json().await.unwrap();
    assert_eq!(after["status"], "reinstall");
    assert_eq!(after["holders"], 0);
}

async fn import(w: &World, definition: &Value, dry_run: bool, csv: &str) -> reqwest::Response {
    let url = w.admin.url(&format!(
        "/api/v1/assets/import?definition_id={}&dry_run={dry_run}",
        definition["id"].as_str().unwrap()
    ));
    w.admin
        .http
        .post(url)
        .header("Content-Type", "text/csv")
        .header("X-CSRF-Token", w.admin.csrf.clone().unwrap())
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn csv_import_previews_then_creates_all_or_nothing() {
    let w = world(Options::quiet()).await;
    let vdi = definition(
        &w,
        "Imported VDI",
        json!({ "assignment": "assigned_personal" }),
    )
    .await;
    add_asset(&w, &vdi, "vdi-existing").await;
    let bad = "name,status,host\nvdi-a,,h-a\nVDI-EXISTING,,h-x\nvdi-b,in_use,h-b\n";

    let preview = import(&w, &vdi, true, bad).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let report: Value = preview.json().await.unwrap();
    assert_eq!(report["rows"], 3);
    assert_eq!(report["created"], 0);
    let lines: Vec<(i64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [(3, "name"), (4, "status")]);
    assert_eq!(report["preview"][0]["metadata"], json!({ "host": "h-a" }));

    let refused = import(&w, &vdi, false, bad).await;
    assert_eq!(
        error_fields(&problem(refused).await),
        ["line[3].name", "line[4].status"]
    );
    let path = format!(
        "/api/v1/assets?definition_id={}",
        vdi["id"].as_str().unwrap()
    );
    let pool: Value = w.admin.get(&path).await.json().await.unwrap();
    assert_eq!(pool["items"].as_array().unwrap().len(), 1);

    let good = "name,status,host\nvdi-a,,h-a\nvdi-b,maintenance,h-b\n";
    let created = import(&w, &vdi, false, good).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let report: Value = created.json().await.unwrap();
    assert_eq!(report["created"], 2);
    let pool: Value = w.admin.get(&path).await.json().await.unwrap();
    let statuses: Vec<&str> = pool["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["free", "maintenance", "free"]);
    assert_eq!(w.app.audit_count("asset.import").await, 1);

    let wrong_type = w
        .admin
        .post(
            &format!(
                "/api/v1/assets/import?definition_id={}",
                vdi["id"].as_str().unwrap()
            ),
            &json!({ "name": "x" }),
        )
        .await;
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn admins_retry_failed_orders_and_end_access() {
    let w = world(Options::quiet()).await;
    let vdi = definition(
        &w,
        "Retried VDI",
        json!({ "assignment": "assigned_personal", "approval": {} }),
    )
    .await;
    let asset = add_asset(&w, &vdi, "vdi-retry").await;
    let placed: Value = order(&w.employee, &vdi).await.json().await.unwrap();
    let id = placed["id"].as_str().unwrap();
    let order_id = uuid::Uuid::parse_str(id).unwrap();
    w.app
        .wait_for_order_state(&w.admin, id, "provisioning")
        .await;

    let refused = w
        .admin
        .post_empty(&format!("/api/v1/orders/{id}/retry"))
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);

    // The provisioning job gave up: the order fails but keeps its instance.
    let mut tx = w.app.state.db.begin().await.unwrap();
    let now = w.app.state.clock.now();
    ipsolis::lifecycle::mark_failed(&mut tx, order_id, "order.provision", "group missing", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let asset_path = format!("/api/v1/assets/{}", asset["id"].as_str().unwrap());
    let held: Value = w.admin.get(&asset_path).await.json().await.unwrap();
    assert_eq!(
        (held["status"].as_str(), held["holders"].as_i64()),
        (Some("in_use"), Some(1))
    );

    let retried = w
        .admin
        .post_empty(&format!("/api/v1/orders/{id}/retry"))
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    let body: Value = retried.json().await.unwrap();
    assert_eq!(body["state"], "provisioning");
    let jobs: i64 = sqlx::query_scalar(
        "select count(*) from jobs where kind = 'order.provision' and payload->>'order_id' = $1",
    )
    .bind(id)
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(jobs, 2);

    let mut tx = w.app.state.db.begin().await.unwrap();
    ipsolis::lifecycle::mark_failed(&mut tx, order_id, "order.provision", "again", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let ended = w
        .admin
        .post_empty(&format!("/api/v1/orders/{id}/end"))
        .await;
    assert_eq!(ended.status(), StatusCode::OK);
    let body: Value = ended.json().await.unwrap();
    assert_eq!(body["state"], "deprovisioning");
    let again = w
        .admin
        .post_empty(&format!("/api/v1/orders/{id}/end"))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn dashboard_tiles_warn_as_slots_fill() {
    let w = world(Options::quiet()).await;
    let quota = definition(&w, "Tile quota", json!({ "capacity": 5 })).await;
    for _ in 0..4 {
        assert_eq!(
            order(&w.employee, &quota).await.status(),
            StatusCode::CREATED
        );
    }
    let vdi = definition(&w, "Tile VDI", json!({ "assignment": "assigned_personal" })).await;
    add_asset(&w, &vdi, "tile-1").await;
    add_asset(&w, &vdi, "tile-2").await;
    for _ in 0..2 {
        assert_eq!(order(&w.employee, &vdi).await.status(), StatusCode::CREATED);
    }
    let open = definition(&w, "Tile unlimited", json!({})).await;
    order(&w.employee, &open).await;

    let page: Value = w
        .admin
        .get("/api/v1/dashboard/capacity")
        .await
        .json()
        .await
        .unwrap();
    let tile = |definition: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["definition_id"] == definition["id"])
            .unwrap()
            .clone()
    };
    let quota_tile = tile(&quota);
    assert_eq!(
        (
            quota_tile["total"].as_i64(),
            quota_tile["used"].as_i64(),
            quota_tile["free"].as_i64()
        ),
        (Some(5), Some(4), Some(1))
    );
    assert_eq!(quota_tile["level"], "warning");
    assert_eq!(tile(&vdi)["level"], "critical");
    assert_eq!(tile(&open)["total"], Value::Null);
    assert_eq!(tile(&open)["level"], "ok");

    // The admin order list filters by definition, requester text and day.
    let filtered = |query: String| {
        let admin = &w.admin;
        async move {
            let page: Value = admin
                .get(&format!("/api/v1/orders?{query}"))
                .await
                .json()
                .await
                .unwrap();
            page["items"].as_array().unwrap().len()
        }
    };
    let quota_id = quota["id"].as_str().unwrap();
    assert_eq!(filtered(format!("definition_id={quota_id}")).await, 4);
    assert_eq!(
        filtered(format!("definition_id={quota_id}&requester=JANE")).await,
        4
    );
    assert_eq!(
        filtered(format!("definition_id={quota_id}&requester=martha")).await,
        0
    );
    let today = w.app.state.clock.now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(filtered(format!("from={today}&to={today}")).await, 7);
    assert_eq!(filtered(format!("from={tomorrow}")).await, 0);
    let backwards = w
        .admin
        .get(&format!("/api/v1/orders?from={tomorrow}&to={today}"))
        .await;
    assert_eq!(error_fields(&problem(backwards).await), ["from"]);
}

#[tokio::test]
async fn admins_move_an_order_to_another_instance() {
    let w = world(Options::quiet()).await;
    let vdi = definition(
        &w,
        "Moved VDI",
        json!({ "assignment": "assigned_personal" }),
    )
    .await;
    let first = add_asset(&w, &vdi, "move-1").await;
    let second = add_asset(&w, &vdi, "move-2").await;
    let placed: Value = order(&w.employee, &vdi).await.json().await.unwrap();
    let id = placed["id"].as_str().unwrap();
    assert_eq!(placed["asset_name"], "move-1");
    let path = format!("/api/v1/orders/{id}/asset");

    let same = w
        .admin
        .post(&path, &json!({ "asset_id": first["id"] }))
        .await;
    assert_eq!(error_fields(&problem(same).await), ["asset_id"]);
    let moved = w
        .admin
        .post(&path, &json!({ "asset_id": second["id"] }))
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let body: Value = moved.json().await.unwrap();
    assert_eq!(body["asset_name"], "move-2");

    let status = |asset: &Value| {
        let admin = &w.admin;
        let path = format!("/api/v1/assets/{}", asset["id"].as_str().unwrap());
        async move {
            let asset: Value = admin.get(&path).await.json().await.unwrap();
            asset["status"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(status(&first).await, "maintenance");
    assert_eq!(status(&second).await, "in_use");
    // The instance now in maintenance cannot take the order back.
    let back = w
        .admin
        .post(
            &path,
            &json!({ "asset_id": first["id"], "release_to": "free" }),
        )
        .await;
    assert_eq!(back.status(), StatusCode::CONFLICT);
    assert_eq!(w.app.audit_count("order.reassign").await, 1);
}
