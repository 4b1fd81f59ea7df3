//! The Grafana dashboard and the Prometheus alert rules in `docs/grafana/` name only metrics
//! this server exports, so a renamed metric fails here instead of leaving an empty panel or an
//! alert that never fires.

use ipsolis::observability::metrics::is_exported;
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

const DASHBOARD: &str = include_str!("../../docs/grafana/ipsolis-dashboard.json");
const ALERTS: &str = include_str!("../../docs/grafana/ipsolis-alerts.yml");

/// Returns the metric names a PromQL expression mentions: the identifiers with this server's
/// prefixes, which no label, function or keyword in these files uses.
fn metric_names(expression: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = String::new();
    let mut in_string = false;
    for c in expression.chars().chain(std::iter::once(' ')) {
        if c == '"' {
            in_string = !in_string;
            current.clear();
            continue;
        }
        if !in_string && (c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            current.push(c);
            continue;
        }
        if current.starts_with("ipsolis_") || current.starts_with("process_") {
            names.push(current.clone());
        }
        current.clear();
    }
    names
}

/// Collects every string under a key named `expr` or `query`, at any depth.
fn dashboard_queries(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                match field {
                    Value::String(text) if key == "expr" || key == "query" => {
                        found.push(text.clone())
                    }
                    _ => dashboard_queries(field, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| dashboard_queries(item, found)),
        _ => {}
    }
}

#[test]
fn metric_names_are_found_in_expressions() {
    let names = metric_names(
        r#"sum by (route) (rate(ipsolis_http_requests_total{status=~"5..", route!="ipsolis_x"}[5m])) / process_start_time_seconds"#,
    );
    assert_eq!(
        names,
        ["ipsolis_http_requests_total", "process_start_time_seconds"]
    );
}

#[test]
fn dashboard_uses_exported_metrics() {
    let dashboard: Value = serde_json::from_str(DASHBOARD).expect("the dashboard is JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    let mut queries = Vec::new();
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        let title = panel["title"].as_str().unwrap_or_default();
        let targets = panel["targets"].as_array().map_or(0, Vec::len);
        assert!(targets > 0, "panel {title:?} has no query");
    }
    dashboard_queries(&dashboard, &mut queries);
    assert!(queries.len() > 20, "found {} queries", queries.len());

    let mut used = Vec::new();
    for query in &queries {
        for name in metric_names(query) {
            assert!(
                is_exported(&name),
                "the dashboard queries {name}, which is not exported"
            );
            used.push(name);
        }
    }
    for expected in [
        "ipsolis_http_requests_total",
        "ipsolis_http_request_duration_seconds_bucket",
        "ipsolis_orders",
        "ipsolis_approvals_pending",
        "ipsolis_pool_free",
        "ipsolis_pool_used",
        "ipsolis_jobs_queued",
        "ipsolis_job_failures_total",
        "process_resident_memory_bytes",
    ] {
        assert!(
            used.iter().any(|u| u == expected),
            "no panel shows {expected}"
        );
    }
}

#[test]
fn alert_rules_use_exported_metrics() {
    let documents = YamlLoader::load_from_str(ALERTS).expect("the alert rules are YAML");
    let groups = documents[0]["groups"].as_vec().expect("groups");
    let mut alerts = Vec::new();
    for group in groups {
        for rule in group["rules"].as_vec().expect("rules") {
            let name = rule["alert"].as_str().expect("every rule is an alert");
            let expression = rule["expr"].as_str().expect("every alert has an expr");
            assert!(
                !rule["annotations"]["summary"].is_badvalue(),
                "{name} has no summary"
            );
            assert!(
                matches!(rule["for"], Yaml::String(_)),
                "{name} has no `for`"
            );
            let names = metric_names(expression);
            assert!(
                !names.is_empty() || expression.contains("up{"),
                "{name} names no metric of this server"
            );
            for metric in names {
                assert!(
                    is_exported(&metric),
                    "{name} uses {metric}, which is not exported"
                );
            }
            alerts.push(name.to_string());
        }
    }
    for expected in [
        "IpsolisInstanceDown",
        "IpsolisHighErrorRate",
        "IpsolisSlowRequests",
        "IpsolisJobBacklogGrowing",
        "IpsolisDeadJobs",
        "IpsolisPoolExhausted",
        "IpsolisNoSchedulerLeader",
    ] {
        assert!(alerts.iter().any(|a| a == expected), "no alert {expected}");
    }
}
