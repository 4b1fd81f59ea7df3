//! Asset definitions with every field: typed attributes, limits, extension, cost, reminders,
//! and help text rendered to safe HTML for the portal.

mod common;

use common::{Options, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn full_definition() -> Value {
    json!({
        "name": "Engineering VDI",
        "description": "A personal virtual desktop",
        "category": "Virtual desktops",
        "strategy": "group_access",
        "group_dns": ["cn=VDI Users,ou=Groups,dc=example,dc=test"],
        "approval": {"manager": {}},
        "default_duration_days": 30,
        "max_duration_days": 180,
        "justification": "required",
        "icon": "desktop",
        "help_text": "Read the [guide](https://intranet.example/vdi) first.<script>alert(1)</script>",
        "assignment": "assigned_personal",
        "max_per_user": 1,
        "eligible_group_dns": ["cn=Engineering,ou=Groups,dc=example,dc=test"],
        "attributes": [
            { "key": "size", "label": "Size", "kind": "select", "required": true,
              "options": ["Small", "Large"] },
            { "key": "patient_data", "label": "Works with patient data", "kind": "boolean",
              "classification": "phi" },
            { "key": "local_admin", "label": "Local administrator", "kind": "directory_user" },
        ],
        "extension": { "allowed": true, "max_days": 30, "max_count": 2 },
        "monthly_cost": { "amount_minor": 4500, "currency": "EUR", "cost_center": "IT-4711" },
        "reminder_days": [14, 3],
        "deprovision": "return_with_reinstall",
    })
}

#[tokio::test]
async fn every_field_round_trips_and_help_is_sanitized() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let response = admin
        .post("/api/v1/asset-definitions", &full_definition())
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    for key in [
        "icon",
        "assignment",
        "max_per_user",
        "eligible_group_dns",
        "monthly_cost",
        "reminder_days",
        "deprovision",
    ] {
        assert_eq!(created[key], full_definition()[key], "{key}");
    }
    assert_eq!(created["attributes"][1]["classification"], "phi");
    assert_eq!(created["attributes"][0]["classification"], "internal");
    assert_eq!(created["extension"]["requires_approval"], false);
    let html = created["help_html"].as_str().unwrap();
    assert!(
        html.contains("href=\"https://intranet.example/vdi\""),
        "{html}"
    );
    assert!(!html.contains("script"), "{html}");

    // The edit form sends back what it read.
    let id = created["id"].as_str().unwrap();
    let mut edited = full_definition();
    edited["monthly_cost"] = Value::Null;
    edited["reminder_days"] = json!([]);
    let response = admin
        .put(&format!("/api/v1/asset-definitions/{id}"), &edited)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["monthly_cost"], Value::Null);
    assert_eq!(updated["reminder_days"], json!([]));
}

#[tokio::test]
async fn bad_definitions_name_each_field_and_change_nothing() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let mut bad = full_definition();
    bad["capacity"] = json!(10);
    bad["attributes"][0]["options"] = json!([]);
    bad["attributes"][1]["key"] = json!("Patient Data");
    bad["monthly_cost"]["currency"] = json!("euro");
    bad["strategy"] = json!("runbook");
    let response = admin.post("/api/v1/asset-definitions", &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem(response).await),
        [
            "provision_runbook_id",
            "capacity",
            "attributes[0].options",
            "attributes[1].key",
            "monthly_cost.currency"
        ]
    );
    let mut unknown = full_definition();
    unknown["attributes"][0]["kind"] = json!("colour");
    let response = admin.post("/api/v1/asset-definitions", &unknown).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let count: i64 = sqlx::query_scalar("select count(*) from asset_definitions")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

async fn portal_world() -> (TestApp, common::Session, common::Session) {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let employee = common::oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    (app, admin, employee)
}

async fn create(admin: &common::Session, body: Value) -> Value {
    let response = admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

fn simple_definition(name: &str, group: &str) -> Value {
    json!({
        "name": name,
        "category": "Catalog tests",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": {"manager": {}},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "off",
    })
}

#[tokio::test]
async fn order_attributes_are_checked_and_resolved() {
    let (_app, admin, employee) = portal_world().await;
    let group = common::directory::create_group("Attribute test").await;
    let mut body = simple_definition(&format!("Attributes {}", uuid::Uuid::now_v7()), &group);
    body["attributes"] = json!([
        { "key": "size", "label": "Size", "kind": "select", "required": true,
          "options": ["Small", "Large"] },
        { "key": "cores", "label": "Cores", "kind": "number", "min": 1, "max": 16 },
        { "key": "deputy", "label": "Deputy", "kind": "directory_user", "classification": "pii" },
    ]);
    let definition = create(&admin, body).await;
    let order = |attributes: Value| json!({ "definition_id": definition["id"], "duration_days": 10, "attributes": attributes });

    let response = employee
        .post(
            "/api/v1/portal/orders",
            &order(json!({ "size": "Huge", "cores": 40, "shoe": 9 })),
        )
        .await;
    assert_eq!(
        error_fields(&problem(response).await),
        ["attributes.shoe", "attributes.size", "attributes.cores"]
    );
    for (account, expected) in [("nobody-here", "no single person"), ("bcarter", "disabled")] {
        let response = employee
            .post(
                "/api/v1/portal/orders",
                &order(json!({ "size": "Small", "deputy": account })),
            )
            .await;
        let problem = problem(response).await;
        assert_eq!(error_fields(&problem), ["attributes.deputy"], "{account}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
    }

    let response = employee
        .post(
            "/api/v1/portal/orders",
            &order(json!({ "size": "Small", "cores": 4, "deputy": " mfinch " })),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let placed: Value = response.json().await.unwrap();
    assert_eq!(placed["attributes"]["size"], "Small");
    assert_eq!(placed["attributes"]["cores"], 4);
    assert_eq!(placed["attributes"]["deputy"]["account"], "mfinch");
    assert_eq!(
        placed["attributes"]["deputy"]["display_name"],
        "Martha Finch"
    );

    let catalog: Value = employee
        .get(&format!(
            "/api/v1/portal/catalog/{}",
            definition["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["classification"], "pii");
}

#[tokio::test]
async fn only_members_of_eligible_groups_may_order() {
    let (_app, admin, employee) = portal_world().await;
    let jane = common::directory::dn_of("jdoe").await;
    let team = common::directory::create_group("Eligible team").await;
    let department = common::directory::create_group("Eligible department").await;
    let outsiders = common::directory::create_group("Eligible outsiders").await;
    common::directory::add_member(&team, &jane).await;
    common::directory::add_member(&department, &team).await;
    let access = common::directory::create_group("Eligible access").await;

    let mut nested = simple_definition(&format!("Nested {}", uuid::Uuid::now_v7()), &access);
    nested["eligible_group_dns"] = json!([department]);
    let nested = create(&admin, nested).await;
    let mut closed = simple_definition(&format!("Closed {}", uuid::Uuid::now_v7()), &access);
    closed["eligible_group_dns"] = json!([outsiders]);
    let closed_category = format!("Outsiders only {}", uuid::Uuid::now_v7().simple());
    closed["category"] = json!(closed_category);
    let closed = create(&admin, closed).await;

    // The catalog and its categories show only what Jane may order.
    let catalog: Value = employee
        .get("/api/v1/portal/catalog?limit=200")
        .await
        .json()
        .await
        .unwrap();
    let listed: Vec<&Value> = catalog["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["id"])
        .collect();
    assert!(listed.contains(&&nested["id"]), "{catalog}");
    assert!(!listed.contains(&&closed["id"]), "{catalog}");
    let categories: Vec<String> = employee
        .get("/api/v1/portal/categories")
        .await
        .json()
        .await
        .unwrap();
    assert!(!categories.contains(&closed_category), "{categories:?}");
    let hidden = employee
        .get(&format!(
            "/api/v1/portal/catalog/{}",
            closed["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);

    let body =
        |definition: &Value| json!({ "definition_id": definition["id"], "duration_days": 5 });
    let allowed = employee.post("/api/v1/portal/orders", &body(&nested)).await;
    assert_eq!(allowed.status(), StatusCode::CREATED);
    let refused = employee.post("/api/v1/portal/orders", &body(&closed)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let detail = problem(refused).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains("may be ordered only by members of"),
        "{detail}"
    );
}

#[tokio::test]
async fn expiry_reminders_go_out_once_at_each_offset() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let employee = common::oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let group = common::directory::create_group("Reminder test").await;
    let name = format!("Reminded {}", uuid::Uuid::now_v7().simple());
    let mut body = simple_definition(&name, &group);
    body["approval"] = json!({});
    // 30 days is longer than the order, so that reminder would come before the access
    // started and is skipped.
    body["reminder_days"] = json!([7, 2, 30]);
    let definition = create(&admin, body).await;
    let order = json!({ "definition_id": definition["id"], "duration_days": 10 });
    let placed: Value = employee
        .post("/api/v1/portal/orders", &order)
        .await
        .json()
        .await
        .unwrap();
    let id = placed["id"].as_str().unwrap();
    app.wait_for_order_state(&admin, id, "active").await;
    let reminders = || async {
        common::mail::all()
            .await
            .iter()
            .filter(|m| m.subject.starts_with("Access expiring on") && m.subject.contains(&name))
            .count()
    };

    app.state
        .clock
        .advance(chrono::Duration::days(3) + chrono::Duration::hours(1));
    TestApp::eventually(20, "the 7-day reminder", || async {
        (reminders().await == 1).then_some(())
    })
    .await;
    // Another check of the same moment, as a second replica would run it, sends nothing.
    ipsolis::lifecycle::reminders::run(&app.state)
        .await
        .unwrap();
    app.state.clock.advance(chrono::Duration::days(5));
    TestApp::eventually(20, "the 2-day reminder", || async {
        (reminders().await == 2).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(reminders().await, 2);
    let rows: i64 = sqlx::query_scalar("select count(*) from order_reminders")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows, 2);
}

#[tokio::test]
async fn portal_catalog_search_and_category() {
    let (_app, admin, employee) = portal_world().await;
    let group = common::directory::create_group("Catalog filter").await;
    let marker = uuid::Uuid::now_v7().simple().to_string();
    for (name, category) in [
        (format!("Jump host {marker}"), "Infrastructure"),
        (format!("Ledger {marker}"), "Applications"),
        (format!("Printer {marker}"), " applications "),
    ] {
        let mut body = simple_definition(&name, &group);
        body["category"] = json!(category);
        body["description"] = json!(format!("Access for {name}"));
        create(&admin, body).await;
    }
    let names = |query: String| {
        let employee = &employee;
        async move {
            let page: Value = employee
                .get(&format!("/api/v1/portal/catalog?{query}"))
                .await
                .json()
                .await
                .unwrap();
            let mut names: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(
        names(format!("q=LEDGER%20{marker}")).await,
        [format!("Ledger {marker}")]
    );
    assert_eq!(
        names(format!("q={marker}&category=applications")).await,
        [format!("Ledger {marker}"), format!("Printer {marker}")]
    );
    assert!(names("q=%25%25nothing".to_string()).await.is_empty());
    let categories: Vec<String> = employee
        .get("/api/v1/portal/categories")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(categories, ["Applications", "Infrastructure"]);
}
