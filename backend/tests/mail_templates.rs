//! Editable approval mail templates: the defaults and their placeholders, checks that name the
//! field and line at fault, the preview, and a saved template shaping the next approval mail.

mod common;

use common::{TestApp, directory, error_fields, mail, oidc, problem, quiet_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

const MANAGER: &str = "mfinch@example.test";
const REQUEST: &str = "/api/v1/mail-templates/approval_request";

async fn templates(admin: &common::Session) -> Vec<Value> {
    let response = admin.get("/api/v1/mail-templates").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn template(subject: &str, text: &str, html: &str) -> Value {
    json!({ "subject": subject, "text": text, "html": html })
}

#[tokio::test]
async fn list_shows_defaults_with_placeholders() {
    let (_app, admin) = quiet_app().await;

    let templates = templates(&admin).await;
    let kinds: Vec<&str> = templates
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["approval_request", "approval_reminder", "escalation_notice"]
    );
    for template in &templates {
        assert_eq!(template["customized"], false, "{template}");
        assert!(template["updated_at"].is_null());
    }
    let request = &templates[0];
    assert!(
        request["subject"]
            .as_str()
            .unwrap()
            .starts_with("Approval needed:")
    );
    let names: Vec<&str> = request["placeholders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "approve_url",
        "decline_url",
        "portal_url",
        "monthly_cost",
        "note",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(
        request["placeholders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !p["description"].as_str().unwrap().is_empty())
    );
    let notice: Vec<&str> = templates[2]["placeholders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(notice.contains(&"original_approver"), "{notice:?}");
    assert!(notice.contains(&"waiting_since"), "{notice:?}");
    assert!(!notice.contains(&"approve_url"), "{notice:?}");
}

#[tokio::test]
async fn template_errors_name_field_and_line() {
    let (app, admin) = quiet_app().await;

    let syntax = template(
        "Approve {{ asset }}",
        "Hello\n{% if note %}open",
        "<p>ok</p>",
    );
    let body = problem(admin.put(REQUEST, &syntax).await).await;
    assert_eq!(body["status"], 422);
    assert_eq!(error_fields(&body), ["text"]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("syntax error on line 2"), "{message}");

    let unknown = template("{{ asset }}", "ok", "<p>Hi</p>\n<p>{{ approver_nmae }}</p>");
    let body = problem(admin.put(REQUEST, &unknown).await).await;
    assert_eq!(error_fields(&body), ["html"]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("unknown placeholder `approver_nmae` on line 2"),
        "{message}"
    );

    // A placeholder of another kind of template is unknown here.
    let other = template("{{ waiting_since }}", "ok", "ok");
    let body = problem(admin.put(REQUEST, &other).await).await;
    assert_eq!(error_fields(&body), ["subject"]);

    let long = template(&"x".repeat(501), "", "ok");
    let body = problem(admin.put(REQUEST, &long).await).await;
    assert_eq!(error_fields(&body), ["subject", "text"]);

    let unknown_kind = admin
        .put("/api/v1/mail-templates/welcome", &template("a", "b", "c"))
        .await;
    assert_eq!(unknown_kind.status(), StatusCode::NOT_FOUND);

    let preview = problem(admin.post(&format!("{REQUEST}/preview"), &unknown).await).await;
    assert_eq!(error_fields(&preview), ["html"]);

    assert_eq!(app.audit_count("mail_template.update").await, 0);
    let listed = templates(&admin).await;
    assert_eq!(listed[0]["customized"], false, "nothing was saved");
}

#[tokio::test]
async fn preview_renders_sample_values_escaped() {
    let (_app, admin) = quiet_app().await;
    let body = template(
        "Decide: {{ asset }}\nfor {{ requester_name }}",
        "{{ justification }}\n{{ approve_url }}",
        "<p>{{ justification }}</p><a href=\"{{ approve_url }}\">Approve</a>",
    );

    let response = admin.post(&format!("{REQUEST}/preview"), &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let preview: Value = response.json().await.unwrap();
    assert_eq!(preview["subject"], "Decide: Laptop for Jane Doe");
    let text = preview["text"].as_str().unwrap();
    assert!(
        text.starts_with("Quarter close needs the ledger & the <reports>"),
        "{text}"
    );
    let html = preview["html"].as_str().unwrap();
    assert!(
        html.contains("<p>Quarter close needs the ledger &amp; the &lt;reports&gt;</p>"),
        "{html}"
    );
    assert!(!html.contains("<reports>"), "{html}");

    // The saved defaults preview as they are.
    let listed = templates(&admin).await;
    for current in listed {
        let kind = current["kind"].as_str().unwrap();
        let body = template(
            current["subject"].as_str().unwrap(),
            current["text"].as_str().unwrap(),
            current["html"].as_str().unwrap(),
        );
        let response = admin
            .post(&format!("/api/v1/mail-templates/{kind}/preview"), &body)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{kind}");
    }
}

#[tokio::test]
async fn saved_template_shapes_the_next_mail_until_reset() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let jane = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let name = format!("Templated access {}", uuid::Uuid::now_v7().simple());
    let group = directory::create_group(&name).await;
    let definition = app.create_definition(&admin, &name, &group).await;

    let custom = template(
        "Please decide on {{ asset }} ({{ requester_name }})",
        "Dear {{ approver_name }},\n{{ request }}: {{ justification }}\n\nApprove: {{ approve_url }}\n\nDecline: {{ decline_url }}\nInbox: {{ portal_url }}\n",
        "<p>Dear {{ approver_name }},</p><blockquote>{{ justification }}</blockquote>",
    );
    let response = admin.put(REQUEST, &custom).await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["customized"], true);
    assert_eq!(saved["updated_by"], "admin:session:root.admin:superadmin");
    assert_eq!(app.audit_count("mail_template.update").await, 1);

    let order = json!({
        "definition_id": definition["id"],
        "duration_days": 30,
        "justification": "Ledger <b>now</b> & later",
    });
    let placed = jane.post("/api/v1/portal/orders", &order).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let mail = mail::wait_for(MANAGER, &format!("Please decide on {name}")).await;
    assert_eq!(mail.subject, format!("Please decide on {name} (Jane Doe)"));
    assert!(
        mail.text
            .contains(&format!("{name} for 30 days: Ledger <b>now</b> & later")),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("/portal/approvals"), "{}", mail.text);
    assert!(
        mail.html
            .contains("<blockquote>Ledger &lt;b&gt;now&lt;&#x2f;b&gt; &amp; later</blockquote>"),
        "{}",
        mail.html
    );
    // The links of a custom template decide as well.
    let decided = mail::decide_by_link(&app, &mail.text, "Decline").await;
    assert_eq!(decided.status(), StatusCode::OK);

    let reset = admin.delete(REQUEST).await;
    assert_eq!(reset.status(), StatusCode::OK);
    let reset: Value = reset.json().await.unwrap();
    assert_eq!(reset["customized"], false);
    assert!(
        reset["subject"]
            .as_str()
            .unwrap()
            .starts_with("Approval needed:")
    );
    assert_eq!(app.audit_count("mail_template.reset").await, 1);
    let again = admin.delete(REQUEST).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(
        app.audit_count("mail_template.reset").await,
        1,
        "nothing to reset"
    );

    let placed = jane.post("/api/v1/portal/orders", &order).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let mail = mail::wait_for(MANAGER, &format!("Approval needed: {name}")).await;
    assert!(
        mail.text
            .contains("Justification:\nLedger <b>now</b> & later"),
        "{}",
        mail.text
    );
}
