//! Dry runs: the whole plan of a runbook with every parameter resolved, for an order or an
//! instance, without calling any module. Secrets show masked and the outputs of earlier steps
//! as placeholders.

use super::context::{self, ContextError};
use super::template::{Context, Renderer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use serde_json::{Value, json};
use shared::runbooks::{DryRun, DryRunRequest, PlannedStep, Step, steps_problems};

pub async fn plan(state: &AppState, request: &DryRunRequest) -> ApiResult<DryRun> {
    let steps: Vec<Step> = match (&request.steps, request.runbook_id) {
        (Some(steps), _) => steps.clone(),
        (None, Some(id)) => {
            store::runbooks::find(&state.db, id)
                .await?
                .ok_or_else(|| {
                    ApiError::NotFound(format!("There is no runbook with the id {id}."))
                })?
                .steps
                .0
        }
        (None, None) => {
            return Err(ApiError::field(
                "runbook_id",
                "name a saved runbook, or send the steps to render",
            ));
        }
    };
    let failed = |e: ContextError| match e {
        ContextError::Retry(e) => ApiError::Internal(e),
        ContextError::Fail(message) => ApiError::field("order_id", message),
    };
    let (vars, secrets) = context::variables(state).await.map_err(failed)?;
    let mut ctx = Context {
        vars,
        secrets,
        run: json!({ "id": "<run id>", "purpose": "dry_run", "runbook": "<runbook>" }),
        ..Context::default()
    };
    context::subjects(state, &mut ctx, request.order_id, request.asset_id)
        .await
        .map_err(failed)?;
    if request.order_id.is_none() {
        ctx.placeholders.extend(["order", "requester"]);
    }
    if ctx.asset.is_null() {
        ctx.placeholders.push("asset");
    }

    let checks = steps_problems(&steps);
    let renderer = Renderer::dry(&ctx);
    let mut planned = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let prefix = format!("steps[{i}].");
        let mut problems: Vec<String> = checks
            .iter()
            .filter(|e| e.field.starts_with(&prefix))
            .map(|e| format!("{}: {}", &e.field[prefix.len()..], e.message))
            .collect();
        let params = match renderer.params(&step.params) {
            Ok(params) => params,
            Err(message) => {
                problems.push(message);
                step.params.clone()
            }
        };
        if step.module == "script" {
            script_problems(state, &params, &mut problems).await?;
        }
        planned.push(PlannedStep {
            key: step.key.clone(),
            name: step.name.clone(),
            module: step.module.clone(),
            enabled: step.enabled,
            params,
            problems,
        });
    }
    let ready = planned.iter().all(|s| s.problems.is_empty());
    Ok(DryRun {
        steps: planned,
        ready,
    })
}

async fn script_problems(
    state: &AppState,
    params: &serde_json::Map<String, Value>,
    problems: &mut Vec<String>,
) -> ApiResult<()> {
    let Some(name) = params.get("script").and_then(Value::as_str) else {
        return Ok(());
    };
    match store::scripts::find_by_name(&state.db, name).await? {
        None => problems.push(format!("there is no script named {name:?}")),
        Some(script) if !state.config.script_languages.contains(&script.language()) => {
            problems.push(format!(
                "{} scripts are not allowed on this installation (IPSOLIS_SCRIPT_LANGUAGES)",
                script.language().label()
            ));
        }
        Some(_) => {}
    }
    Ok(())
}
