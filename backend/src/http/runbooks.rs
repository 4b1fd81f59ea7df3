//! Runbooks and their runs: edit, copy, dry-run, start by hand, follow the journal, cancel,
//! retry a failed step and keep notes. Runbooks run scripts and reach every system on the
//! workers' network, so changing or starting one needs an administrator without a narrowed
//! access scope. Auditors read them.

use super::{ApiJson, PageParams};
use crate::auth::admin::{Admin, perm};
use crate::db::violated_constraint;
use crate::error::{ApiError, ApiResult};
use crate::jobs::schedule::{check_schedule, parse_cron};
use crate::runbooks::{dry_run, engine};
use crate::state::AppState;
use crate::store::runs::{self, NewRun, RunRow};
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared::Page;
use shared::runbooks::{
    DryRun, DryRunRequest, NewRun as NewRunInput, RunNote, RunPurpose, RunState, RunSummary,
    Runbook, RunbookInput, RunbookRun, RunbookSummary, runbook_problems,
};
use utoipa::IntoParams;
use uuid::Uuid;

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("There is no runbook with the id {id}."))
}

fn run_not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("There is no runbook run with the id {id}."))
}

/// Returns the next time a schedule fires after `now`.
fn next_run(schedule: Option<&str>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let cron = parse_cron(schedule?).ok()?;
    let whole_seconds = DateTime::from_timestamp(now.timestamp(), 0)?;
    cron.find_next_occurrence(&whole_seconds, false).ok()
}

fn check(input: &RunbookInput) -> ApiResult<()> {
    let mut errors = runbook_problems(input);
    if let Some(schedule) = input.schedule.as_deref()
        && let Err(message) = check_schedule(schedule.trim(), chrono::Duration::minutes(5))
    {
        errors.push(shared::FieldError::new("schedule", message));
    }
    ApiError::check(errors)
}

fn name_taken(error: sqlx::Error, name: &str) -> ApiError {
    if violated_constraint(&error) == Some("runbooks_name_key") {
        ApiError::field("name", format!("a runbook named {name:?} exists already"))
    } else {
        error.into()
    }
}

async fn load(state: &AppState, id: Uuid) -> ApiResult<Runbook> {
    let row = store::runbooks::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(row.dto(next_run(row.schedule.as_deref(), state.clock.now())))
}

/// Lists runbooks with their last run.
#[utoipa::path(get, path = "/api/v1/runbooks", tag = "runbooks",
    responses((status = 200, body = Vec<RunbookSummary>)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<Vec<RunbookSummary>>> {
    let rows = store::runbooks::list(&state.db).await?;
    Ok(Json(rows.iter().map(|r| r.dto()).collect()))
}

/// Creates a runbook.
#[utoipa::path(post, path = "/api/v1/runbooks", tag = "runbooks",
    request_body = RunbookInput,
    responses((status = 201, body = Runbook), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<RunbookInput>,
) -> ApiResult<(StatusCode, Json<Runbook>)> {
    check(&input)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = store::runbooks::insert(&mut tx, &input, now)
        .await
        .map_err(|e| name_taken(e, &input.name))?;
    let change = Change {
        action: "runbook.create",
        entity_type: "runbook",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!(input)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    tracing::info!(runbook_id = %id, "runbook created");
    Ok((StatusCode::CREATED, Json(load(&state, id).await?)))
}

/// Returns a runbook with its steps.
#[utoipa::path(get, path = "/api/v1/runbooks/{id}", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Runbook id")),
    responses((status = 200, body = Runbook), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Runbook>> {
    Ok(Json(load(&state, id).await?))
}

/// Saves a runbook. Runs under way keep the steps they started with. With `base_version`, a
/// runbook saved since that version is left as it is and the response is 409.
#[utoipa::path(put, path = "/api/v1/runbooks/{id}", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Runbook id")),
    request_body = RunbookInput,
    responses((status = 200, body = Runbook), (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem,
            description = "The runbook was saved after `base_version`"),
        (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<RunbookInput>,
) -> ApiResult<Json<Runbook>> {
    check(&input)?;
    let before = store::runbooks::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let updated = store::runbooks::update(&mut tx, id, &input, now)
        .await
        .map_err(|e| name_taken(e, &input.name))?;
    if !updated {
        let current = store::runbooks::find_in(&mut tx, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        return Err(ApiError::conflict(format!(
            "The runbook was saved as version {} after you opened version {}. Reload it to \
             see that change, then make yours again.",
            current.version,
            input.base_version.unwrap_or_default()
        )));
    }
    let before_input = before.dto(None).to_input();
    let change = Change {
        action: "runbook.update",
        entity_type: "runbook",
        entity_id: id.to_string(),
        before: Some(json!(before_input)),
        after: Some(json!(input)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(Json(load(&state, id).await?))
}

/// Deletes a runbook no definition uses; its runs keep their journal.
#[utoipa::path(delete, path = "/api/v1/runbooks/{id}", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Runbook id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "A definition uses it")),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let before = store::runbooks::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let users = store::runbooks::in_use(&mut tx, id).await?;
    if !users.is_empty() {
        return Err(ApiError::conflict(format!(
            "The runbook is used by {}; choose another runbook there first.",
            users.join(", ")
        )));
    }
    if !store::runbooks::delete(&mut tx, id).await? {
        return Err(not_found(id));
    }
    let change = Change {
        action: "runbook.delete",
        entity_type: "runbook",
        entity_id: id.to_string(),
        before: Some(json!(before.dto(None).to_input())),
        after: None,
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Copies a runbook, such as the seeded example, under a new name.
#[utoipa::path(post, path = "/api/v1/runbooks/{id}/copy", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Runbook id")),
    responses((status = 201, body = Runbook), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn copy(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<(StatusCode, Json<Runbook>)> {
    let source = store::runbooks::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut input = source.dto(None).to_input();
    // A copy never starts firing on the original's schedule by surprise.
    input.schedule = None;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let mut copy_id = None;
    for n in 1..=20 {
        let name = if n == 1 {
            format!("Copy of {}", source.name)
        } else {
            format!("Copy {n} of {}", source.name)
        };
        input.name = name.chars().take(shared::validation::NAME_MAX).collect();
        let taken: bool = sqlx::query_scalar(
            "select exists (select 1 from runbooks where lower(name) = lower($1))",
        )
        .bind(&input.name)
        .fetch_one(&mut *tx)
        .await?;
        if !taken {
            copy_id = Some(store::runbooks::insert(&mut tx, &input, now).await?);
            break;
        }
    }
    let copy_id = copy_id.ok_or_else(|| {
        ApiError::conflict("Twenty copies of this runbook exist already; rename some first.")
    })?;
    let change = Change {
        action: "runbook.create",
        entity_type: "runbook",
        entity_id: copy_id.to_string(),
        before: None,
        after: Some(json!({ "copied_from": id, "name": input.name })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(load(&state, copy_id).await?)))
}

/// Renders a runbook's whole plan with every parameter resolved, without running anything:
/// a saved runbook or the editor's unsaved steps, for an order or an instance.
#[utoipa::path(post, path = "/api/v1/runbook-dry-runs", tag = "runbooks",
    request_body = DryRunRequest,
    responses((status = 200, body = DryRun), (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn dry_run(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsRead>,
    ApiJson(request): ApiJson<DryRunRequest>,
) -> ApiResult<Json<DryRun>> {
    if let Some(order_id) = request.order_id {
        let visible = store::orders::find(&state.db, order_id)
            .await?
            .is_some_and(|o| admin.covers(o.definition_id, &o.definition_category));
        if !visible {
            return Err(ApiError::field("order_id", "names no order"));
        }
    }
    if let Some(asset_id) = request.asset_id {
        let visible = store::assets::find(&state.db, asset_id)
            .await?
            .is_some_and(|a| admin.covers(a.definition_id, &a.definition_category));
        if !visible {
            return Err(ApiError::field("asset_id", "names no pool instance"));
        }
    }
    if let Some(steps) = &request.steps
        && steps.len() > shared::runbooks::STEPS_MAX
    {
        return Err(ApiError::field(
            "steps",
            format!("must have at most {} steps", shared::runbooks::STEPS_MAX),
        ));
    }
    Ok(Json(dry_run::plan(&state, &request).await?))
}

async fn run_detail(state: &AppState, row: &RunRow) -> ApiResult<RunbookRun> {
    let steps = runs::steps(&state.db, row.id).await?;
    Ok(row.dto(steps.iter().map(|s| s.dto()).collect()))
}

async fn load_run(state: &AppState, id: Uuid) -> ApiResult<RunbookRun> {
    let row = runs::find(&state.db, id)
        .await?
        .ok_or_else(|| run_not_found(id))?;
    run_detail(state, &row).await
}

/// Starts a runbook by hand, optionally for an order or an instance its templates read.
#[utoipa::path(post, path = "/api/v1/runbooks/{id}/runs", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Runbook id")),
    request_body = shared::runbooks::NewRun,
    responses((status = 201, body = RunbookRun), (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn start(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<NewRunInput>,
) -> ApiResult<(StatusCode, Json<RunbookRun>)> {
    let runbook = store::runbooks::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if input.note.chars().count() > 2000 {
        return Err(ApiError::field(
            "note",
            "must be at most 2000 characters long",
        ));
    }
    if let Some(order_id) = input.order_id
        && store::orders::find(&state.db, order_id).await?.is_none()
    {
        return Err(ApiError::field("order_id", "names no order"));
    }
    if let Some(asset_id) = input.asset_id
        && store::assets::find(&state.db, asset_id).await?.is_none()
    {
        return Err(ApiError::field("asset_id", "names no pool instance"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let new = NewRun {
        runbook_id: runbook.id,
        runbook_name: &runbook.name,
        runbook_version: runbook.version,
        steps: &runbook.steps.0,
        purpose: RunPurpose::Manual,
        order_id: input.order_id,
        asset_id: input.asset_id,
        started_by: admin.actor.as_str(),
        note: input.note.trim(),
        schedule_slot: None,
        continuation: None,
    };
    let run_id = runs::insert(&mut tx, &new, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a manual run cannot conflict"))?;
    engine::enqueue(
        &mut tx,
        run_id,
        RunPurpose::Manual,
        chrono::Duration::zero(),
        now,
    )
    .await?;
    let change = Change {
        action: "runbook_run.start",
        entity_type: "runbook_run",
        entity_id: run_id.to_string(),
        before: None,
        after: Some(json!({
            "runbook_id": runbook.id, "runbook": runbook.name, "version": runbook.version,
            "order_id": input.order_id, "asset_id": input.asset_id, "note": input.note.trim(),
        })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    tracing::info!(run_id = %run_id, runbook = %runbook.name, "run started by hand");
    Ok((StatusCode::CREATED, Json(load_run(&state, run_id).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// Only runs of this runbook.
    pub runbook_id: Option<Uuid>,
    /// Only runs in this state: queued, running, succeeded, failed or cancelled.
    pub state: Option<String>,
}

/// Lists runs, newest first: the run history.
#[utoipa::path(get, path = "/api/v1/runbook-runs", tag = "runbooks",
    params(PageParams, RunQuery),
    responses((status = 200, body = Page<RunSummary>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn list_runs(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsRead>,
    Query(page): Query<PageParams>,
    Query(query): Query<RunQuery>,
) -> ApiResult<Json<Page<RunSummary>>> {
    let run_state = match query.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => Some(RunState::parse(name).ok_or_else(|| {
            ApiError::field(
                "state",
                "is not a run state: queued, running, succeeded, failed or cancelled",
            )
        })?),
    };
    let limit = page.limit()?;
    // A narrowed scope lists only the runs that serve no order.
    let without_orders = !admin.scope.is_everywhere();
    let mut rows = runs::list(
        &state.db,
        query.runbook_id,
        run_state,
        without_orders,
        page.after()?,
        limit + 1,
    )
    .await?;
    let next_cursor = store::audit::page_cursor(&mut rows, limit, |row| {
        store::cursor::encode(row.created_at, row.id)
    });
    Ok(Json(Page {
        items: rows.iter().map(RunRow::summary).collect(),
        next_cursor,
    }))
}

/// Returns a run with its journal.
#[utoipa::path(get, path = "/api/v1/runbook-runs/{id}", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Run id")),
    responses((status = 200, body = RunbookRun), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_run(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RunbookRun>> {
    let row = runs::find(&state.db, id)
        .await?
        .ok_or_else(|| run_not_found(id))?;
    // An order's run reveals the order, which a narrowed scope may not cover.
    if let Some(order_id) = row.order_id {
        let visible = store::orders::find(&state.db, order_id)
            .await?
            .is_some_and(|o| admin.covers(o.definition_id, &o.definition_category));
        if !visible {
            return Err(run_not_found(id));
        }
    }
    Ok(Json(run_detail(&state, &row).await?))
}

/// Cancels a run: it stops before its next step, and a step under way is stopped. An order's
/// run that is cancelled leaves the order failed, for an admin to retry or end.
#[utoipa::path(post, path = "/api/v1/runbook-runs/{id}/cancel", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Run id")),
    responses((status = 200, body = RunbookRun), (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "The run has finished")),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn cancel(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RunbookRun>> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let run = runs::lock(&mut tx, id)
        .await?
        .ok_or_else(|| run_not_found(id))?;
    if !runs::request_cancel(&mut tx, id).await? {
        return Err(ApiError::Conflict {
            detail: format!(
                "The run has finished ({}); there is nothing to cancel.",
                run.state().label().to_lowercase()
            ),
            current_state: Some(run.state.clone()),
        });
    }
    let change = Change {
        action: "runbook_run.cancel",
        entity_type: "runbook_run",
        entity_id: id.to_string(),
        before: Some(json!({ "state": run.state })),
        after: Some(json!({ "cancel_requested": true })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    // A job running the run stops its step and finishes the run as cancelled within seconds,
    // so the run is cancelled only once nothing of it runs. A run waiting out a retry's
    // backoff, or not yet started, gets a new job that ends it now.
    if !runs::job_running(&mut tx, id, now).await? {
        engine::enqueue(&mut tx, id, run.purpose(), chrono::Duration::zero(), now).await?;
    }
    tx.commit().await?;
    Ok(Json(load_run(&state, id).await?))
}

/// Retries a failed or cancelled run from its failed step; the steps that succeeded are not
/// run again. For an order's run the order, which failed with it, is retried.
#[utoipa::path(post, path = "/api/v1/runbook-runs/{id}/retry", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Run id")),
    responses((status = 200, body = RunbookRun), (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "The run has not failed")),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn retry(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RunbookRun>> {
    let run = runs::find(&state.db, id)
        .await?
        .ok_or_else(|| run_not_found(id))?;
    let not_failed = || ApiError::Conflict {
        detail: format!(
            "Only a failed or cancelled run can be retried; this one is {}.",
            run.state().label().to_lowercase()
        ),
        current_state: Some(run.state.clone()),
    };
    if !matches!(run.state(), RunState::Failed | RunState::Cancelled) {
        return Err(not_failed());
    }
    let order_run = matches!(
        run.purpose(),
        RunPurpose::Provision | RunPurpose::Deprovision
    );
    if let (true, Some(order_id)) = (order_run, run.order_id) {
        // The order failed with its run; retrying the order reopens the run from its failed
        // step through the order's own job, so the order's state machine stays in charge.
        let order = store::orders::find(&state.db, order_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("order {order_id} of run {id} vanished"))?;
        let failed_in = crate::lifecycle::admin::failed_during(&state, order_id).await?;
        let matching = match run.purpose() {
            RunPurpose::Provision => failed_in == Some(shared::orders::OrderState::Provisioning),
            _ => failed_in == Some(shared::orders::OrderState::Deprovisioning),
        };
        if order.state() == shared::orders::OrderState::Failed && !matching {
            return Err(ApiError::conflict(
                "The order failed in its other run; retry that run or the order instead.",
            ));
        }
        crate::lifecycle::admin::retry(&state, &admin.actor, &order).await?;
    } else {
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        if run.purpose() == RunPurpose::Reinstall
            && let Some(asset_id) = run.asset_id
        {
            use shared::pool::AssetStatus;
            let moved = store::assets::set_status(
                &mut tx,
                asset_id,
                AssetStatus::Failed,
                AssetStatus::Reinstall,
                now,
            )
            .await?
                && store::assets::set_status(
                    &mut tx,
                    asset_id,
                    AssetStatus::Reinstall,
                    AssetStatus::Reinstalling,
                    now,
                )
                .await?;
            if !moved {
                return Err(ApiError::conflict(
                    "The instance is no longer failed; set its status in the pool instead.",
                ));
            }
        }
        if !runs::reopen(&mut tx, id).await? {
            return Err(not_failed());
        }
        engine::enqueue(&mut tx, id, run.purpose(), chrono::Duration::zero(), now).await?;
        let change = Change {
            action: "runbook_run.retry",
            entity_type: "runbook_run",
            entity_id: id.to_string(),
            before: Some(json!({ "state": run.state, "error": run.error })),
            after: Some(json!({ "state": "queued" })),
        };
        store::audit::record(&mut tx, &admin.actor, now, change).await?;
        tx.commit().await?;
    }
    Ok(Json(load_run(&state, id).await?))
}

/// Adds a note to a run, such as what was checked after a failure.
#[utoipa::path(post, path = "/api/v1/runbook-runs/{id}/notes", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Run id")),
    request_body = RunNote,
    responses((status = 200, body = RunbookRun), (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn add_note(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<RunNote>,
) -> ApiResult<Json<RunbookRun>> {
    let note = input.note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(ApiError::field("note", "must be 1 to 2000 characters long"));
    }
    let now = state.clock.now();
    let stamped = format!(
        "{} {}: {note}",
        now.format("%Y-%m-%d %H:%M UTC"),
        admin.actor.as_str()
    );
    let mut tx = state.db.begin().await?;
    if !runs::add_note(&mut tx, id, &stamped).await? {
        return Err(run_not_found(id));
    }
    let change = Change {
        action: "runbook_run.note",
        entity_type: "runbook_run",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({ "note": note })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(Json(load_run(&state, id).await?))
}
