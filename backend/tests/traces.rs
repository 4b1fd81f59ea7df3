//! OpenTelemetry trace export over OTLP/HTTP: an order placed through the API and the job that
//! provisions it appear in one trace at a fake collector that decodes the protobuf requests
//! the way a real one does.
//!
//! The test installs the process-wide `tracing` subscriber, so this file contains a single test.

mod common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use common::{TestApp, directory, oidc};
use ipsolis::observability::traces::{self, TraceConfig};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use prost::Message;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Received = Arc<Mutex<Vec<ResourceSpans>>>;

/// Accepts `POST /v1/traces` with an `application/x-protobuf` body, as an OpenTelemetry
/// collector does, and keeps what it decoded.
async fn collect(
    State(received): State<Received>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != "application/x-protobuf" {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, Vec::new()).into_response();
    }
    let Ok(request) = ExportTraceServiceRequest::decode(body) else {
        return (StatusCode::BAD_REQUEST, Vec::new()).into_response();
    };
    received.lock().unwrap().extend(request.resource_spans);
    let response = ExportTraceServiceResponse::default().encode_to_vec();
    ([(header::CONTENT_TYPE, "application/x-protobuf")], response).into_response()
}

/// A received span with what the test checks.
#[derive(Debug, Clone)]
struct Span {
    service: String,
    name: String,
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    attributes: Vec<(String, String)>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(value: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(text)) => text.clone(),
        Some(any_value::Value::IntValue(number)) => number.to_string(),
        Some(any_value::Value::BoolValue(flag)) => flag.to_string(),
        other => format!("{other:?}"),
    }
}

fn spans(received: &Received) -> Vec<Span> {
    let mut spans = Vec::new();
    for resource_spans in received.lock().unwrap().iter() {
        let service = resource_spans
            .resource
            .iter()
            .flat_map(|resource| &resource.attributes)
            .find(|kv| kv.key == "service.name")
            .map(|kv| text(kv.value.as_ref()))
            .unwrap_or_default();
        for scope in &resource_spans.scope_spans {
            for span in &scope.spans {
                spans.push(Span {
                    service: service.clone(),
                    name: span.name.clone(),
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                    attributes: span
                        .attributes
                        .iter()
                        .map(|kv| (kv.key.clone(), text(kv.value.as_ref())))
                        .collect(),
                });
            }
        }
    }
    spans
}

fn attribute<'a>(span: &'a Span, key: &str) -> Option<&'a str> {
    span.attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_and_its_job_share_one_trace() {
    let received = Received::default();
    let collector = axum::Router::new()
        .route("/v1/traces", axum::routing::post(collect))
        .with_state(received.clone());
    let address = common::serve_fake(collector).await;
    let telemetry = traces::init(
        false,
        "warn".into(),
        Some(TraceConfig {
            endpoint: format!("http://{address}/v1/traces"),
            service_name: "ipsolis-trace-test".into(),
            timeout: Duration::from_secs(5),
            batch_delay: Some(Duration::from_millis(200)),
        }),
    )
    .expect("install the trace pipeline");

    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let group = directory::create_group("Traced access").await;
    let definition: Value = admin
        .post(
            "/api/v1/asset-definitions",
            &json!({
                "name": format!("Traced access {}", uuid::Uuid::now_v7().simple()),
                "category": "Trace tests",
                "strategy": "group_access",
                "group_dns": [group],
                "approval": {},
                "default_duration_days": 30,
                "max_duration_days": 90,
                "justification": "off",
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let body = json!({ "definition_id": definition["id"], "duration_days": 10 });
    let response = employee.post("/api/v1/portal/orders", &body).await;
    assert_eq!(
        response.status(),
        reqwest::StatusCode::CREATED,
        "order placed"
    );
    let order: Value = response.json().await.unwrap();
    let order_id = order["id"].as_str().unwrap().to_string();
    app.wait_for_order_state(&admin, &order_id, "active").await;

    // A caller's trace context continues into the request span.
    let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let traced = app
        .client()
        .http
        .get(format!("{}/health", app.url))
        .header("traceparent", format!("00-{caller_trace}-{caller_span}-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(traced.status(), reqwest::StatusCode::OK);

    telemetry.flush().await;
    let (place, job) = TestApp::eventually(20, "the order's spans", || async {
        let all = spans(&received);
        let place = all
            .iter()
            .find(|s| s.name == "POST /api/v1/portal/orders")?
            .clone();
        let job = all
            .iter()
            .find(|s| s.name == "job order.provision")?
            .clone();
        Some((place, job))
    })
    .await;

    assert_eq!(place.service, "ipsolis-trace-test");
    assert_eq!(
        attribute(&place, "http.route"),
        Some("/api/v1/portal/orders")
    );
    assert_eq!(attribute(&place, "http.response.status_code"), Some("201"));
    assert_eq!(
        job.trace_id, place.trace_id,
        "the job continues the order's trace"
    );
    let all = spans(&received);
    assert!(
        all.iter()
            .any(|s| s.span_id == job.parent_span_id && s.trace_id == place.trace_id),
        "the job's parent is a span of the order's trace"
    );
    assert_eq!(attribute(&job, "kind"), Some("order.provision"));

    let stored: Option<String> = sqlx::query_scalar(
        "select traceparent from jobs where kind = 'order.provision' and payload->>'order_id' = $1",
    )
    .bind(&order_id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    let stored = stored.expect("the job row keeps the trace context");
    assert!(
        stored.contains(&place.trace_id),
        "{stored} names trace {}",
        place.trace_id
    );

    let health = TestApp::eventually(20, "the health check span", || async {
        spans(&received)
            .into_iter()
            .find(|s| s.name == "GET /health" && s.trace_id == caller_trace)
    })
    .await;
    assert_eq!(health.parent_span_id, caller_span);

    drop(app);
    telemetry.shutdown().await;
}
