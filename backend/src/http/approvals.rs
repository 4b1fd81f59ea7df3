//! The approval engine's admin routes: the policy simulator, the replay of a changed policy
//! over past orders, out-of-office delegations and the approval settings.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::lifecycle::place::{Whose, directory_error, resolve_attributes};
use crate::lifecycle::routing::{self, OrderFacts, Router, Subject};
use crate::state::AppState;
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::FieldError;
use shared::approvals::{
    ApprovalPlan, Delegation, NewDelegation, PlannedGroup, REPLAY_DAYS, ReplayReport,
    ReplayRequest, ReplayRow, SimulationRequest,
};
use shared::catalog::AssetDefinitionInput;
use shared::orders::{ApprovalPurpose, OrderState, Person};
use shared::settings::ApprovalSettings;
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// The maximum number of orders one replay routes.
const REPLAY_LIMIT: i64 = 500;

/// Checks a definition sent inside another body, naming fields below `definition.`.
fn check_definition(input: &AssetDefinitionInput) -> ApiResult<()> {
    let errors: Vec<FieldError> = shared::validation::asset_definition(input)
        .into_iter()
        .map(|e| FieldError::new(format!("definition.{}", e.field), e.message))
        .collect();
    ApiError::check(errors)
}

/// Rejects a policy that cannot be met, naming the group at fault. Policies that name only the
/// manager need no directory lookup here.
pub async fn check_satisfiable(state: &AppState, input: &AssetDefinitionInput) -> ApiResult<()> {
    if !crate::lifecycle::policy_check::names_approvers(&input.approval) {
        return Ok(());
    }
    let router = Router::new(state).await?;
    let problems =
        crate::lifecycle::policy_check::problems(&router, &input.approval, &input.attributes)
            .await?;
    ApiError::check(problems)
}

/// Shows who would approve a sample order of an unsaved definition from the form: every group
/// with its approvers after delegation and separation of duties, and the reason it was added.
#[utoipa::path(post, path = "/api/v1/approval-simulations", tag = "approvals",
    request_body = SimulationRequest,
    responses((status = 200, body = ApprovalPlan), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("catalog_write"))))]
pub async fn simulate(
    State(state): State<AppState>,
    _admin: Admin<perm::CatalogWrite>,
    ApiJson(input): ApiJson<SimulationRequest>,
) -> ApiResult<Json<ApprovalPlan>> {
    check_definition(&input.definition)?;
    let definition = &input.definition;
    let duration_days = input
        .duration_days
        .unwrap_or(definition.default_duration_days);
    let mut errors = Vec::new();
    if !(1..=definition.max_duration_days).contains(&duration_days) {
        errors.push(FieldError::new(
            "duration_days",
            format!(
                "must be between 1 and {} days",
                definition.max_duration_days
            ),
        ));
    }
    if input.requester.trim().is_empty() {
        errors.push(FieldError::new(
            "requester",
            "name a sample requester by account name or mail address",
        ));
    }
    errors.extend(shared::validation::order_attributes(
        &input.attributes,
        &definition.attributes,
    ));
    ApiError::check(errors)?;

    let router = Router::new(&state).await?;
    let requester_entry = find_entry(&router, &input.requester, "requester").await?;
    if requester_entry.disabled {
        return Err(ApiError::field(
            "requester",
            format!(
                "{} is disabled in the directory and cannot order; pick an active account",
                requester_entry.display_name
            ),
        ));
    }
    let requester = routing::person_of(&requester_entry);
    let deputy = match input
        .placed_by
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(account) => {
            let entry = find_entry(&router, account, "placed_by").await?;
            Some(routing::person_of(&entry)).filter(|d| !routing::same_person(d, &requester))
        }
        None => None,
    };
    let item = catalog_item_of(definition);
    let values = resolve_attributes(&router.directory, &item, input.attributes.clone()).await?;
    let facts = router
        .facts(&OrderFacts {
            attributes_defined: &definition.attributes,
            values: &values,
            duration_days,
            monthly_cost: definition.monthly_cost.as_ref(),
            on_behalf: deputy.is_some(),
            department_dn: routing::tests_department(&definition.approval)
                .then_some(&requester_entry.dn),
        })
        .await?;
    let whose = Whose::Of(&requester.display_name);
    let groups = router
        .plan(
            &definition.approval,
            &facts,
            &requester_entry,
            whose,
            &definition.name,
        )
        .await?;
    let subject = Subject {
        requester: requester.clone(),
        deputy,
    };
    let at = input.at.unwrap_or_else(|| state.clock.now());
    let mut planned = router.preview(&groups, &subject, at).await?;
    planned.sort_by_key(|g| g.stage);
    Ok(Json(ApprovalPlan {
        requester,
        classification: facts.classification,
        auto_approved: planned.is_empty(),
        groups: planned,
    }))
}

/// Looks up a person in the directory for a field of the request.
async fn find_entry(
    router: &Router<'_>,
    account: &str,
    field: &str,
) -> ApiResult<crate::integrations::directory::DirectoryPerson> {
    use crate::integrations::directory::DirectoryError;
    match router.directory.find_account(account.trim()).await {
        Ok(entry) => Ok(entry),
        Err(DirectoryError::NotFound(_)) => Err(ApiError::field(
            field,
            format!("nobody in the directory has the account name or mail address {account}"),
        )),
        Err(DirectoryError::Ambiguous(_)) => Err(ApiError::field(
            field,
            format!("several people in the directory match {account}; use the account name"),
        )),
        Err(other) => Err(directory_error(other)),
    }
}

/// Builds the catalog view of an unsaved definition, for attribute handling.
fn catalog_item_of(definition: &AssetDefinitionInput) -> shared::catalog::CatalogItem {
    shared::catalog::CatalogItem {
        id: Uuid::nil(),
        name: definition.name.clone(),
        description: definition.description.clone(),
        category: definition.category.clone(),
        needs_approval: !definition.approval.is_empty(),
        approvers: definition.approval.summary(),
        default_duration_days: definition.default_duration_days,
        max_duration_days: definition.max_duration_days,
        justification: definition.justification,
        icon: definition.icon,
        help_html: String::new(),
        attributes: definition.attributes.clone(),
        classification: definition
            .attributes
            .iter()
            .map(|a| a.classification)
            .max()
            .unwrap_or_default(),
        extension: definition.extension.clone(),
        monthly_cost: definition.monthly_cost.clone(),
        modification_requires_approval: definition.modification_requires_approval,
    }
}

/// Summarizes a group as `Name: 2 of 3 (stage 1)`, the same for what happened and what would.
fn group_summary(name: &str, quorum: u32, members: usize, stage: u8) -> String {
    format!("{name}: {quorum} of {members} (stage {stage})")
}

/// Shows how a changed policy would have routed the definition's orders of the last 90 days
/// and every order still waiting, against what actually happened. Only orders whose routing
/// would change are listed.
#[utoipa::path(post, path = "/api/v1/asset-definitions/{id}/approval-replay", tag = "approvals",
    params(("id" = Uuid, Path, description = "Asset definition id")),
    request_body = ReplayRequest,
    responses(
        (status = 200, body = ReplayReport),
        (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("catalog_write"))))]
pub async fn replay(
    State(state): State<AppState>,
    admin: Admin<perm::CatalogWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<ReplayRequest>,
) -> ApiResult<Json<ReplayReport>> {
    check_definition(&input.definition)?;
    let definition = store::definitions::find(&state.db, id)
        .await?
        .filter(|d| admin.covers(d.id, &d.category))
        .ok_or_else(|| ApiError::NotFound(format!("No asset definition has the id {id}.")))?;
    let proposed = &input.definition;
    let now = state.clock.now();
    let since = now - chrono::Duration::days(REPLAY_DAYS);
    let orders: Vec<store::orders::OrderRow> =
        store::orders::for_replay(&state.db, definition.id, since, REPLAY_LIMIT).await?;
    let router = Router::new(&state).await?;
    let mut entries: HashMap<
        String,
        Result<crate::integrations::directory::DirectoryPerson, String>,
    > = HashMap::new();
    let mut rows = Vec::new();
    let mut pending = 0;
    for order in &orders {
        let state_now = order.state();
        if matches!(
            state_now,
            OrderState::PendingApproval | OrderState::ModificationPending
        ) {
            pending += 1;
        }
        let approvals = store::approvals::for_order(&state.db, order.id).await?;
        let actual: BTreeSet<String> = approvals
            .iter()
            .filter(|a| a.purpose() == ApprovalPurpose::Order)
            .map(|a| a.approver_email.to_lowercase())
            .collect();
        let groups = store::approval_groups::for_order(&state.db, order.id).await?;
        let mut actual_groups: Vec<String> = groups
            .iter()
            .filter(|(g, _)| g.purpose == "order")
            .map(|(g, _)| {
                group_summary(
                    &g.name,
                    u32::try_from(g.quorum).unwrap_or(1),
                    g.members.0.len(),
                    u8::try_from(g.stage).unwrap_or(1),
                )
            })
            .collect();
        if actual_groups.is_empty() && !actual.is_empty() {
            // Orders from before approval groups had one approval by the manager.
            actual_groups.push(group_summary("Manager", 1, 1, 1));
        }
        actual_groups.sort();

        let key = order.requester_dn.to_lowercase();
        if !entries.contains_key(&key) {
            let found = router
                .directory
                .person_by_dn(&order.requester_dn)
                .await
                .map_err(|e| format!("the requester cannot be read from the directory: {e}"));
            entries.insert(key.clone(), found);
        }
        let (proposed_people, proposed_groups, problem) = match &entries[&key] {
            Ok(entry) => {
                let routed = route_order(&router, proposed, order, entry).await?;
                let people: BTreeSet<String> = routed
                    .iter()
                    .flat_map(|(g, _)| g.approvers.iter().map(|a| a.approver.email.to_lowercase()))
                    .collect();
                let mut summaries: Vec<String> = routed
                    .iter()
                    .map(|(g, members)| group_summary(&g.name, g.quorum, *members, g.stage))
                    .collect();
                summaries.sort();
                let problem = routed.iter().find_map(|(g, _)| g.problem.clone());
                (people, summaries, problem)
            }
            Err(problem) => (BTreeSet::new(), Vec::new(), Some(problem.clone())),
        };
        let row = ReplayRow {
            order_id: order.id,
            requester: order.dto().requester,
            state: state_now,
            created_at: order.created_at,
            added: proposed_people.difference(&actual).cloned().collect(),
            removed: actual.difference(&proposed_people).cloned().collect(),
            actual: actual.into_iter().collect(),
            proposed: proposed_people.into_iter().collect(),
            actual_groups,
            proposed_groups,
            problem,
        };
        if row.changed() {
            rows.push(row);
        }
    }
    let changed = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    Ok(Json(ReplayReport {
        truncated: orders.len() as i64 >= REPLAY_LIMIT,
        since,
        orders: u32::try_from(orders.len()).unwrap_or(u32::MAX),
        changed,
        pending,
        rows,
    }))
}

/// Routes a past order with a proposed definition, as of the time it was placed. Returns each
/// group with the number of members it named.
async fn route_order(
    router: &Router<'_>,
    definition: &AssetDefinitionInput,
    order: &store::orders::OrderRow,
    entry: &crate::integrations::directory::DirectoryPerson,
) -> ApiResult<Vec<(PlannedGroup, usize)>> {
    let facts = router
        .facts(&OrderFacts {
            attributes_defined: &definition.attributes,
            values: &order.attributes.0,
            duration_days: order.duration_days,
            monthly_cost: definition.monthly_cost.as_ref(),
            on_behalf: order.deputy().is_some(),
            department_dn: routing::tests_department(&definition.approval).then_some(&entry.dn),
        })
        .await?;
    let requester = order.dto().requester;
    let groups = router
        .plan(
            &definition.approval,
            &facts,
            entry,
            Whose::Of(&requester.display_name),
            &definition.name,
        )
        .await?;
    let subject = Subject {
        requester,
        deputy: order.deputy(),
    };
    let planned = router.preview(&groups, &subject, order.created_at).await?;
    Ok(planned
        .into_iter()
        .zip(groups.iter().map(|g| g.members.len()))
        .collect())
}

/// Lists out-of-office windows that have not ended, soonest first.
#[utoipa::path(get, path = "/api/v1/delegations", tag = "approvals",
    responses((status = 200, body = Vec<Delegation>)),
    extensions(("x-permission" = json!("orders_read"))))]
pub async fn list_delegations(
    State(state): State<AppState>,
    _admin: Admin<perm::OrdersRead>,
) -> ApiResult<Json<Vec<Delegation>>> {
    let rows = store::delegations::current(&state.db, None, state.clock.now()).await?;
    Ok(Json(rows.iter().map(|r| r.dto()).collect()))
}

/// Sets an out-of-office window for anyone: approvals for them created inside it go to the
/// delegate.
#[utoipa::path(post, path = "/api/v1/delegations", tag = "approvals",
    request_body = NewDelegation,
    responses((status = 201, body = Delegation), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("orders_write"))))]
pub async fn create_delegation(
    State(state): State<AppState>,
    admin: Admin<perm::OrdersWrite>,
    ApiJson(input): ApiJson<NewDelegation>,
) -> ApiResult<(StatusCode, Json<Delegation>)> {
    require_full_scope(&admin.scope)?;
    let mut errors = shared::approvals::delegation_errors(&input, state.clock.now());
    let account = input.person.as_deref().map(str::trim).unwrap_or_default();
    if account.is_empty() {
        errors.push(FieldError::new(
            "person",
            "name the absent person by account name or mail address",
        ));
    }
    ApiError::check(errors)?;
    let router = Router::new(&state).await?;
    let person = approver_field(&router, account, "person").await?;
    let row = save_delegation(&state, &router, &person, &input, &admin.actor).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Refuses delegation changes to admins limited to some definitions or categories: a window
/// moves a person's approvals for every asset, beyond any such scope.
fn require_full_scope(scope: &shared::admin_users::AccessScope) -> ApiResult<()> {
    if scope.is_everywhere() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Delegations move a person's approvals for every asset, so only administrators \
             without a narrowed access scope may set or end them."
                .into(),
        ))
    }
}

/// Looks up a person named in a delegation, who must be able to approve.
pub async fn approver_field(router: &Router<'_>, account: &str, field: &str) -> ApiResult<Person> {
    router.person(account).await?.map_err(|reason| {
        ApiError::field(
            field,
            format!("{reason}; name an active directory user with a mail address"),
        )
    })
}

/// Saves a delegation for `person` after checking the delegate.
pub async fn save_delegation(
    state: &AppState,
    router: &Router<'_>,
    person: &Person,
    input: &NewDelegation,
    actor: &crate::auth::Actor,
) -> ApiResult<Delegation> {
    let delegate = approver_field(router, &input.delegate, "delegate").await?;
    if routing::same_person(person, &delegate) {
        return Err(ApiError::field(
            "delegate",
            "must be someone else than the absent person",
        ));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = store::delegations::insert(
        &mut tx,
        &store::delegations::NewDelegationRow {
            person,
            delegate: &delegate,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            note: &input.note,
            created_by: actor.as_str(),
        },
        now,
    )
    .await?;
    let change = Change {
        action: "delegation.create",
        entity_type: "delegation",
        entity_id: row.id.to_string(),
        before: None,
        after: Some(serde_json::to_value(row.dto()).map_err(anyhow::Error::from)?),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    tracing::info!(delegation_id = %row.id, "delegation created");
    Ok(row.dto())
}

/// Ends a window early; it stays in the audit trail.
#[utoipa::path(delete, path = "/api/v1/delegations/{id}", tag = "approvals",
    params(("id" = Uuid, Path, description = "Delegation id")),
    responses((status = 204), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("orders_write"))))]
pub async fn revoke_delegation(
    State(state): State<AppState>,
    admin: Admin<perm::OrdersWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    require_full_scope(&admin.scope)?;
    let row = store::delegations::find(&state.db, id)
        .await?
        .filter(|r| r.revoked_at.is_none())
        .ok_or_else(|| ApiError::NotFound(format!("No current delegation has the id {id}.")))?;
    revoke(&state, &row, &admin.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes a delegation and records it.
pub async fn revoke(
    state: &AppState,
    row: &store::delegations::DelegationRow,
    actor: &crate::auth::Actor,
) -> ApiResult<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !store::delegations::revoke(&mut tx, row.id, actor.as_str(), now).await? {
        return Err(ApiError::NotFound(format!(
            "No current delegation has the id {}.",
            row.id
        )));
    }
    let change = Change {
        action: "delegation.revoke",
        entity_type: "delegation",
        entity_id: row.id.to_string(),
        before: Some(serde_json::to_value(row.dto()).map_err(anyhow::Error::from)?),
        after: None,
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Returns the approval settings.
#[utoipa::path(get, path = "/api/v1/settings/approvals", tag = "settings",
    responses((status = 200, body = ApprovalSettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_settings(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<ApprovalSettings>> {
    Ok(Json(routing::settings(&state).await?))
}

/// Saves the approval settings. Escalation contacts and the compliance officer must be active
/// directory users with a mail address.
#[utoipa::path(put, path = "/api/v1/settings/approvals", tag = "settings",
    request_body = ApprovalSettings,
    responses((status = 200, body = ApprovalSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_settings(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(mut input): ApiJson<ApprovalSettings>,
) -> ApiResult<Json<ApprovalSettings>> {
    input.escalation_contacts = input
        .escalation_contacts
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    input.compliance_officer = input
        .compliance_officer
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    input.department_attribute = input.department_attribute.trim().to_string();
    ApiError::check(input.errors())?;
    let named = !input.escalation_contacts.is_empty() || input.compliance_officer.is_some();
    if named {
        let router = Router::new(&state).await?;
        let mut errors = Vec::new();
        for (i, contact) in input.escalation_contacts.iter().enumerate() {
            if let Err(reason) = router.person(contact).await? {
                errors.push(FieldError::new(format!("escalation_contacts[{i}]"), reason));
            }
        }
        if let Some(officer) = &input.compliance_officer
            && let Err(reason) = router.person(officer).await?
        {
            errors.push(FieldError::new("compliance_officer", reason));
        }
        ApiError::check(errors)?;
    }
    let now = state.clock.now();
    let value = serde_json::to_value(&input).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    let before = store::settings::get_for_update(&mut tx, routing::SETTINGS_KEY).await?;
    store::settings::put(
        &mut tx,
        routing::SETTINGS_KEY,
        &value,
        now,
        admin.actor.as_str(),
    )
    .await?;
    let change = Change {
        action: "settings.update",
        entity_type: "settings",
        entity_id: routing::SETTINGS_KEY.to_string(),
        before,
        after: Some(value),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(Json(input))
}
