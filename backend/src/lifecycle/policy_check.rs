//! Whether an approval policy can be met at all: every group that names its approvers must
//! have at least its quorum of distinct, active approvers with a mail address. Saving a
//! definition checks its policy. A daily check finds policies that a leaver or a disabled
//! account broke since, records the problem on the definition and mails the administrators.

use super::routing::{self, Router};
use crate::auth::Actor;
use crate::error::ApiResult;
use crate::integrations::mail::Email;
use crate::jobs::handlers::{JobError, MAIL_SEND};
use crate::jobs::{NewJob, Queue, queue};
use crate::state::AppState;
use crate::store::{self, audit::Change};
use serde_json::json;
use shared::FieldError;
use shared::approvals::ApprovalPolicy;
use shared::catalog::{AttributeDefinition, Classification};

/// Lists the groups of a policy that cannot reach their quorum, with the field at fault.
/// Only the directory is consulted: whether the requester is among the approvers depends on
/// the order and is checked when it is placed.
pub async fn problems(
    router: &Router<'_>,
    policy: &ApprovalPolicy,
    attributes: &[AttributeDefinition],
) -> ApiResult<Vec<FieldError>> {
    let mut found = Vec::new();
    if let Some(owners) = &policy.owners {
        found.extend(
            group_problem(
                router,
                "approval.owners.approvers".into(),
                "Application owners",
                &owners.approvers,
                owners.quorum,
            )
            .await?,
        );
    }
    for (i, rule) in policy.rules.iter().enumerate() {
        found.extend(
            group_problem(
                router,
                format!("approval.rules[{i}].approvers"),
                rule.name.trim(),
                &rule.approvers,
                rule.quorum,
            )
            .await?,
        );
    }
    if let Some(compliance) = &policy.compliance {
        let mut classes: Vec<Classification> = attributes
            .iter()
            .map(|a| a.classification)
            .filter(|c| *c > Classification::Internal)
            .collect();
        classes.sort();
        classes.dedup();
        for class in classes {
            let label = routing::classification_label(class);
            let (field, account) = match compliance.owner_of_record(class) {
                Some(account) => (
                    format!("approval.compliance.{}", label.to_lowercase()),
                    Some(account.to_string()),
                ),
                None => (
                    "approval.compliance".to_string(),
                    router
                        .settings
                        .compliance_officer
                        .clone()
                        .filter(|a| !a.trim().is_empty()),
                ),
            };
            match account {
                Some(account) => {
                    let name = format!("Compliance ({label})");
                    found.extend(group_problem(router, field, &name, &[account], 1).await?);
                }
                None => found.push(FieldError::new(
                    field,
                    format!(
                        "orders carrying {label} data need a compliance approver; name an owner \
                         of record here or a compliance officer in the approval settings"
                    ),
                )),
            }
        }
    }
    Ok(found)
}

/// Checks that a group lists at least `quorum` people who can approve.
async fn group_problem(
    router: &Router<'_>,
    field: String,
    name: &str,
    accounts: &[String],
    quorum: u32,
) -> ApiResult<Option<FieldError>> {
    let mut seen: Vec<(&str, shared::orders::Person)> = Vec::new();
    for account in accounts.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        if let Ok(person) = router.person(account).await? {
            if let Some((first, _)) = seen
                .iter()
                .find(|(_, other)| routing::same_person(other, &person))
            {
                return Ok(Some(FieldError::new(
                    field,
                    format!(
                        "{account} and {first} name the same person, {}; list each approver once",
                        person.display_name
                    ),
                )));
            }
            seen.push((account, person));
        }
    }
    let (people, issues) = router.people(accounts).await?;
    if people.len() >= quorum as usize {
        return Ok(None);
    }
    let mut message = format!(
        "the group {name} needs {quorum} approval(s) but only {} of its approvers can approve",
        people.len()
    );
    if !issues.is_empty() {
        message.push_str(&format!(" ({})", issues.join("; ")));
    }
    message.push_str("; name active directory users with a mail address");
    Ok(Some(FieldError::new(field, message)))
}

/// Returns whether a policy names approvers that must be looked up in the directory.
pub fn names_approvers(policy: &ApprovalPolicy) -> bool {
    policy.owners.is_some() || policy.compliance.is_some() || !policy.rules.is_empty()
}

/// Checks the policy of every active definition, once a day.
pub async fn run(state: &AppState) -> Result<(), JobError> {
    let retry = |e: crate::error::ApiError| JobError::Retry(anyhow::anyhow!("{e}"));
    let definitions = store::definitions::all_active(&state.db).await?;
    if !definitions.iter().any(|d| names_approvers(&d.approval())) {
        return Ok(());
    }
    let router = Router::new(state).await.map_err(retry)?;
    let now = state.clock.now();
    let actor = Actor::system("policy_check");
    let mut newly_broken = Vec::new();
    for definition in &definitions {
        let policy = definition.approval();
        let found = if names_approvers(&policy) {
            problems(&router, &policy, &definition.attributes.0)
                .await
                .map_err(retry)?
        } else {
            Vec::new()
        };
        let problem = (!found.is_empty()).then(|| {
            found
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("\n")
        });
        let mut tx = state.db.begin().await?;
        let changed =
            store::definitions::set_policy_problem(&mut tx, definition.id, problem.as_deref(), now)
                .await?;
        if changed {
            let change = Change {
                action: "asset_definition.policy_check",
                entity_type: "asset_definition",
                entity_id: definition.id.to_string(),
                before: Some(json!({ "policy_problem": definition.policy_problem })),
                after: Some(json!({ "policy_problem": problem })),
            };
            store::audit::record(&mut tx, &actor, now, change).await?;
            if let Some(problem) = &problem {
                newly_broken.push((definition, problem.clone()));
            }
        }
        tx.commit().await?;
    }
    if newly_broken.is_empty() {
        return Ok(());
    }
    tracing::warn!(
        definitions = newly_broken.len(),
        "approval policies can no longer be met"
    );
    let mut tx = state.db.begin().await?;
    let admins = store::admins::active_with_any_email(&mut tx).await?;
    let mut url = state.config.public_url.clone();
    for admin in admins
        .iter()
        .filter(|a| matches!(a.role.as_str(), "superadmin" | "admin"))
    {
        let Some(to) = admin.email.clone() else {
            continue;
        };
        // Each administrator hears only of the definitions their access scope covers.
        let scope = shared::admin_users::AccessScope {
            definitions: admin.scope_definitions.clone(),
            categories: admin.scope_categories.clone(),
        };
        let theirs: Vec<_> = newly_broken
            .iter()
            .filter(|(d, _)| scope.covers(d.id, &d.category))
            .collect();
        if theirs.is_empty() {
            continue;
        }
        let mut text = format!(
            "Hello {},\n\nThe daily check found approval policies that can no longer be met. \
             Orders of these assets would be refused until an administrator updates the \
             approvers:\n",
            admin.username
        );
        let mut html = format!(
            "<p>Hello {},</p><p>The daily check found approval policies that can no longer be \
             met. Orders of these assets would be refused until an administrator updates the \
             approvers:</p><ul>",
            crate::notifications::escape_html(&admin.username)
        );
        for (definition, problem) in &theirs {
            let (name, id) = (&definition.name, definition.id);
            url.set_path(&format!("/ui/definitions/{id}"));
            text.push_str(&format!("\n- {name}: {problem}\n  {url}\n"));
            html.push_str(&format!(
                "<li><a href=\"{}\">{}</a>: {}</li>",
                crate::notifications::escape_html(url.as_str()),
                crate::notifications::escape_html(name),
                crate::notifications::escape_html(problem)
            ));
        }
        html.push_str("</ul>");
        let email = Email {
            to,
            cc: None,
            subject: format!("Approval policy needs attention: {} asset(s)", theirs.len()),
            text,
            html,
        };
        let payload = serde_json::to_value(&email).map_err(|e| JobError::Permanent(e.into()))?;
        queue::enqueue(
            &mut tx,
            NewJob::new(Queue::Notifications, MAIL_SEND, payload),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
