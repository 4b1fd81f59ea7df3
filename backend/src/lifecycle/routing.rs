//! Routing an order to its approvers: the approval groups its definition's policy calls for,
//! their members from the directory, then out-of-office delegation and separation of duties.
//! Placing an order, the policy simulator and the replay all route with this code.

use super::place::{Whose, directory_error, manager_of};
use crate::error::{ApiError, ApiResult};
use crate::integrations::directory::{Directory, DirectoryError, DirectoryPerson};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use shared::approvals::{ApprovalPolicy, ApprovalSource, Facts, PlannedApprover, PlannedGroup};
use shared::catalog::{AttributeDefinition, Classification, MonthlyCost};
use shared::orders::Person;
use shared::settings::ApprovalSettings;
use std::collections::HashMap;
use tokio::sync::Mutex;

/// The settings key of the approval settings.
pub const SETTINGS_KEY: &str = "approvals";
/// How many delegations are followed from one approver before the chain counts as a loop.
const MAX_HOPS: usize = 5;

/// Reads the approval settings, or the defaults before the first save.
pub async fn settings(state: &AppState) -> ApiResult<ApprovalSettings> {
    Ok(match store::settings::get(&state.db, SETTINGS_KEY).await? {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| anyhow::anyhow!("stored approval settings are unreadable: {e}"))?,
        None => ApprovalSettings::default(),
    })
}

/// Whom an order is for and who placed it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub requester: Person,
    /// The deputy who placed the order for the requester, if one did.
    pub deputy: Option<Person>,
}

impl Subject {
    fn is_party(&self, person: &Person) -> bool {
        same_person(person, &self.requester)
            || self.deputy.as_ref().is_some_and(|d| same_person(person, d))
    }

    fn role_of(&self, person: &Person) -> &'static str {
        if same_person(person, &self.requester) {
            "requested this order"
        } else {
            "placed this order as deputy"
        }
    }
}

/// Returns whether two records name the same person, by mail address or directory entry.
pub fn same_person(a: &Person, b: &Person) -> bool {
    // Directories return DNs with the case and spacing of their own choosing.
    let key = |dn: &str| dn.to_lowercase().replace(", ", ",");
    a.email.eq_ignore_ascii_case(&b.email)
        || (!a.directory_dn.is_empty() && key(&a.directory_dn) == key(&b.directory_dn))
}

/// A group of a plan, with its members as named by the policy.
#[derive(Debug, Clone)]
pub struct GroupPlan {
    pub source: ApprovalSource,
    pub name: String,
    pub reason: String,
    pub quorum: u32,
    pub stage: u8,
    pub members: Vec<Person>,
    /// The reasons some members cannot be asked, such as a disabled account.
    pub issues: Vec<String>,
    /// Set when the group cannot be formed at all, such as a requester without a manager.
    pub problem: Option<String>,
}

/// Resolves approvers and routes approvals. It reads the directory and the approval settings
/// once and keeps what it looked up, so a plan with many groups reads each person from the
/// directory once.
pub struct Router<'a> {
    pub state: &'a AppState,
    pub directory: Directory,
    pub settings: ApprovalSettings,
    pub forbid_self_approval: bool,
    people: Mutex<HashMap<String, Result<Person, String>>>,
}

impl<'a> Router<'a> {
    pub async fn new(state: &'a AppState) -> ApiResult<Router<'a>> {
        let directory = super::place::directory(state).await?;
        let settings = settings(state).await?;
        let forbid_self_approval = crate::security::current(state)
            .await?
            .separation_of_duties
            .forbid_self_approval;
        Ok(Router {
            state,
            directory,
            settings,
            forbid_self_approval,
            people: Mutex::new(HashMap::new()),
        })
    }

    /// Looks up a directory user by account name or mail address. A person who cannot approve
    /// (unknown, ambiguous, disabled, without mail) is an `Err` with the reason.
    pub async fn person(&self, account: &str) -> ApiResult<Result<Person, String>> {
        let key = account.trim().to_lowercase();
        if let Some(found) = self.people.lock().await.get(&key) {
            return Ok(found.clone());
        }
        let found = match self.directory.find_account(account.trim()).await {
            Ok(entry) => approver_from(entry, account.trim()),
            Err(DirectoryError::NotFound(_)) => {
                Err(format!("{} is not in the directory", account.trim()))
            }
            Err(DirectoryError::Ambiguous(_)) => Err(format!(
                "{} matches several people in the directory",
                account.trim()
            )),
            Err(other) => return Err(directory_error(other)),
        };
        self.people.lock().await.insert(key, found.clone());
        Ok(found)
    }

    /// Looks up a list of approvers, returning those who can approve and why the others cannot.
    pub async fn people(&self, accounts: &[String]) -> ApiResult<(Vec<Person>, Vec<String>)> {
        let mut found: Vec<Person> = Vec::new();
        let mut issues = Vec::new();
        for account in accounts.iter().filter(|a| !a.trim().is_empty()) {
            match self.person(account).await? {
                Ok(person) if !found.iter().any(|p| same_person(p, &person)) => found.push(person),
                Ok(_) => {}
                Err(issue) => issues.push(issue),
            }
        }
        Ok((found, issues))
    }

    /// Builds the facts rules test for an order.
    pub async fn facts(&self, order: &OrderFacts<'_>) -> ApiResult<Facts> {
        let classification = strictest(order.attributes_defined, order.values);
        let department = match order.department_dn {
            Some(dn) => self
                .directory
                .attribute(dn, self.settings.department_attribute.trim())
                .await
                .map_err(directory_error)?,
            None => None,
        };
        Ok(Facts {
            duration_days: i64::from(order.duration_days),
            monthly_cost: order.monthly_cost.map(|c| c.amount_minor),
            classification,
            requester_department: department,
            on_behalf: order.on_behalf,
            attributes: order.values.as_object().cloned().unwrap_or_default(),
        })
    }

    /// Works out the groups the policy calls for on an order, with their members.
    pub async fn plan(
        &self,
        policy: &ApprovalPolicy,
        facts: &Facts,
        requester_entry: &DirectoryPerson,
        whose: Whose<'_>,
        definition_name: &str,
    ) -> ApiResult<Vec<GroupPlan>> {
        let mut groups = Vec::new();
        if let Some(manager) = &policy.manager {
            let attribute = self.directory_manager_attribute();
            let mut group = GroupPlan {
                source: ApprovalSource::Manager,
                name: "Manager".into(),
                reason: format!(
                    "the requester's manager, from the directory attribute {attribute}"
                ),
                quorum: 1,
                stage: manager.stage,
                members: Vec::new(),
                issues: Vec::new(),
                problem: None,
            };
            match manager_of(&self.directory, requester_entry, whose).await {
                Ok(person) => group.members.push(person),
                Err(ApiError::Conflict { detail, .. }) => group.problem = Some(detail),
                Err(other) => return Err(other),
            }
            groups.push(group);
        }
        if let Some(owners) = &policy.owners {
            let (members, issues) = self.people(&owners.approvers).await?;
            groups.push(GroupPlan {
                source: ApprovalSource::Owners,
                name: "Application owners".into(),
                reason: format!("the owners of {definition_name}"),
                quorum: owners.quorum,
                stage: owners.stage,
                members,
                issues,
                problem: None,
            });
        }
        if let Some(compliance) = &policy.compliance
            && facts.classification > Classification::Internal
        {
            let label = classification_label(facts.classification);
            let (account, whose_officer) = match compliance.owner_of_record(facts.classification) {
                Some(account) => (Some(account.to_string()), "the owner of record"),
                None => (
                    self.settings
                        .compliance_officer
                        .clone()
                        .filter(|a| !a.trim().is_empty()),
                    "the compliance officer",
                ),
            };
            let mut group = GroupPlan {
                source: ApprovalSource::Compliance,
                name: format!("Compliance ({label})"),
                reason: format!("the order carries {label} data, so {whose_officer} approves"),
                quorum: 1,
                stage: compliance.stage,
                members: Vec::new(),
                issues: Vec::new(),
                problem: None,
            };
            match account {
                Some(account) => {
                    let (members, issues) = self.people(&[account]).await?;
                    group.members = members;
                    group.issues = issues;
                }
                None => {
                    group.problem = Some(format!(
                        "No compliance approver is set for {label} data. Name an owner of record \
                         on the definition or a compliance officer in the approval settings."
                    ))
                }
            }
            groups.push(group);
        }
        for rule in &policy.rules {
            if !rule.when.matches(facts) {
                continue;
            }
            let (members, issues) = self.people(&rule.approvers).await?;
            groups.push(GroupPlan {
                source: ApprovalSource::Rule,
                name: rule.name.trim().to_string(),
                reason: format!(
                    "rule {} matched: {}",
                    rule.name.trim(),
                    rule.when.describe()
                ),
                quorum: rule.quorum,
                stage: rule.stage,
                members,
                issues,
                problem: None,
            });
        }
        Ok(groups)
    }

    fn directory_manager_attribute(&self) -> String {
        self.directory.manager_attribute().to_string()
    }

    /// Routes the members of a group at time `at`: a member who is away goes to their delegate,
    /// and a member who is a party to the order goes to a delegate an administrator set or,
    /// lacking one, to the escalation contacts. A member who can no longer approve (left,
    /// disabled, without mail) is dropped with the reason. Each approver appears once.
    pub async fn route(
        &self,
        conn: &mut sqlx::PgConnection,
        members: &[Person],
        subject: &Subject,
        at: DateTime<Utc>,
    ) -> ApiResult<Routed> {
        let mut routed: Vec<PlannedApprover> = Vec::new();
        let mut dropped = Vec::new();
        for member in members {
            let member = match self.person(&member.email).await? {
                Ok(person) => person,
                Err(reason) => {
                    dropped.push(reason);
                    continue;
                }
            };
            let approvers = match self.route_one(conn, &member, subject, at).await? {
                Ok(approvers) => approvers,
                Err(reason) => {
                    dropped.push(reason);
                    continue;
                }
            };
            for approver in approvers {
                if !routed
                    .iter()
                    .any(|r| same_person(&r.approver, &approver.approver))
                {
                    routed.push(approver);
                }
            }
        }
        Ok(Routed {
            approvers: routed,
            dropped,
        })
    }

    /// Follows one member's delegations. Returns the reason when no one can take the approval.
    async fn route_one(
        &self,
        conn: &mut sqlx::PgConnection,
        member: &Person,
        subject: &Subject,
        at: DateTime<Utc>,
    ) -> ApiResult<Result<Vec<PlannedApprover>, String>> {
        let mut current = member.clone();
        let mut notes: Vec<String> = Vec::new();
        let mut seen: Vec<Person> = vec![member.clone()];
        let mut hops = 0;
        loop {
            let party = self.forbid_self_approval && subject.is_party(&current);
            let delegation = if hops < MAX_HOPS {
                store::delegations::active_for(&mut *conn, &current.email, at).await?
            } else {
                None
            };
            // Under separation of duties only a delegate an administrator set may stand in,
            // because a party to the order must not pick who approves it.
            let delegation = delegation.filter(|d| {
                let visited = seen.iter().any(|s| same_person(s, &d.delegate()));
                let self_chosen = party && d.created_by.starts_with("portal:");
                !visited && !self_chosen
            });
            let next = match &delegation {
                Some(d) => match self.person(&d.delegate_email).await? {
                    Ok(delegate) => Some((d.ends_at, delegate)),
                    Err(reason) => {
                        notes.push(format!(
                            "the delegate of {} cannot approve: {reason}",
                            current.display_name
                        ));
                        None
                    }
                },
                None => None,
            };
            match (party, next) {
                (true, Some((_, delegate))) => {
                    notes.push(format!(
                        "{} {}, so separation of duties sends the approval to their delegate {}",
                        current.display_name,
                        subject.role_of(&current),
                        delegate.display_name
                    ));
                    seen.push(delegate.clone());
                    current = delegate;
                }
                (true, None) => {
                    notes.push(format!(
                        "{} {}, so separation of duties asks the escalation contacts instead",
                        current.display_name,
                        subject.role_of(&current)
                    ));
                    let contacts = self
                        .escalation_instead(member, subject, &notes.join("; "))
                        .await?;
                    if contacts.is_empty() {
                        return Ok(Err(format!(
                            "{} {} and separation of duties forbids them to approve it; no \
                             delegate set by an administrator or escalation contact can take over",
                            current.display_name,
                            subject.role_of(&current)
                        )));
                    }
                    return Ok(Ok(contacts));
                }
                (false, Some((until, delegate))) => {
                    notes.push(format!(
                        "{} is away until {} and delegated approvals to {}",
                        current.display_name,
                        until.format("%Y-%m-%d %H:%M UTC"),
                        delegate.display_name
                    ));
                    seen.push(delegate.clone());
                    current = delegate;
                }
                (false, None) => break,
            }
            hops += 1;
        }
        let moved = !same_person(&current, member);
        Ok(Ok(vec![PlannedApprover {
            approver: current,
            instead_of: moved.then(|| member.clone()),
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        }]))
    }

    /// Returns the escalation contacts who are not themselves parties to the order.
    async fn escalation_instead(
        &self,
        member: &Person,
        subject: &Subject,
        note: &str,
    ) -> ApiResult<Vec<PlannedApprover>> {
        let (contacts, _) = self.people(&self.settings.escalation_contacts).await?;
        Ok(contacts
            .into_iter()
            .filter(|c| !subject.is_party(c))
            .map(|contact| PlannedApprover {
                approver: contact,
                instead_of: Some(member.clone()),
                note: Some(note.to_string()),
            })
            .collect())
    }

    /// Routes every group of a plan at `at` and reports the groups that cannot reach their
    /// quorum. The result keeps the order of `groups`.
    pub async fn preview(
        &self,
        groups: &[GroupPlan],
        subject: &Subject,
        at: DateTime<Utc>,
    ) -> ApiResult<Vec<PlannedGroup>> {
        let mut planned = Vec::new();
        let mut conn = self.state.db.acquire().await?;
        for group in groups {
            let Routed { approvers, dropped } =
                self.route(&mut conn, &group.members, subject, at).await?;
            let reasons: Vec<String> = group.issues.iter().chain(&dropped).cloned().collect();
            let problem = group
                .problem
                .clone()
                .or_else(|| quorum_problem(&group.name, group.quorum, approvers.len(), &reasons));
            planned.push(PlannedGroup {
                source: group.source,
                name: group.name.clone(),
                reason: group.reason.clone(),
                quorum: group.quorum,
                stage: group.stage,
                approvers,
                problem,
            });
        }
        Ok(planned)
    }
}

/// Explains why a group with `available` distinct approvers cannot reach its quorum.
pub fn quorum_problem(
    name: &str,
    quorum: u32,
    available: usize,
    reasons: &[String],
) -> Option<String> {
    if available >= quorum as usize {
        return None;
    }
    let mut text = format!(
        "The group {name} needs {quorum} approval(s) but only {available} approver(s) can be asked"
    );
    if !reasons.is_empty() {
        text.push_str(&format!(": {}", reasons.join("; ")));
    }
    text.push_str(". Ask an administrator to update the approvers of this asset.");
    Some(text)
}

fn approver_from(entry: DirectoryPerson, account: &str) -> Result<Person, String> {
    if entry.disabled {
        return Err(format!("{} ({account}) is disabled", entry.display_name));
    }
    let email = entry
        .email
        .ok_or_else(|| format!("{} ({account}) has no mail address", entry.display_name))?;
    Ok(Person {
        display_name: entry.display_name,
        email,
        directory_dn: entry.dn,
    })
}

/// The approvers of a group after routing, and the members no one could replace.
pub struct Routed {
    pub approvers: Vec<PlannedApprover>,
    pub dropped: Vec<String>,
}

/// The values of an order the routing reads.
pub struct OrderFacts<'a> {
    pub attributes_defined: &'a [AttributeDefinition],
    pub values: &'a serde_json::Value,
    pub duration_days: i32,
    pub monthly_cost: Option<&'a MonthlyCost>,
    pub on_behalf: bool,
    /// The requester's directory entry, read only when a rule tests the department.
    pub department_dn: Option<&'a str>,
}

/// Returns the strictest classification among the attributes the order fills in.
pub fn strictest(attributes: &[AttributeDefinition], values: &serde_json::Value) -> Classification {
    attributes
        .iter()
        .filter(|a| {
            values
                .get(&a.key)
                .is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|t| !t.trim().is_empty()))
        })
        .map(|a| a.classification)
        .max()
        .unwrap_or_default()
}

pub fn classification_label(classification: Classification) -> &'static str {
    match classification {
        Classification::Internal => "internal",
        Classification::Pii => "PII",
        Classification::Phi => "PHI",
        Classification::Pci => "PCI",
    }
}

/// Returns whether any rule of the policy tests the requester's department, which costs a
/// directory read.
pub fn tests_department(policy: &ApprovalPolicy) -> bool {
    policy.rules.iter().any(|rule| {
        let mut found = false;
        rule.when.leaves("", &mut |_, leaf| {
            found |= leaf.field == "requester_department";
        });
        found
    })
}

/// Builds a person record from a directory entry, for the requester.
pub fn person_of(entry: &DirectoryPerson) -> Person {
    Person {
        display_name: entry.display_name.clone(),
        email: entry.email.clone().unwrap_or_default(),
        directory_dn: entry.dn.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_person_by_mail_or_dn() {
        let person = |email: &str, dn: &str| Person {
            display_name: String::new(),
            email: email.into(),
            directory_dn: dn.into(),
        };
        let manager = person(
            "JDoe@Example.test",
            "CN=Jane Doe, OU=People,DC=example,DC=test",
        );
        let dn = "cn=jane doe,ou=people,dc=example,dc=test";
        assert!(same_person(
            &manager,
            &person("jdoe@example.test", "cn=other")
        ));
        assert!(same_person(&manager, &person("other@example.test", dn)));
        assert!(!same_person(
            &manager,
            &person(
                "mfinch@example.test",
                "cn=Martha Finch,ou=People,dc=example,dc=test"
            )
        ));
        assert!(!same_person(
            &person("a@x.test", ""),
            &person("b@x.test", "")
        ));
    }

    #[test]
    fn strictest_counts_only_filled_attributes() {
        let attribute = |key: &str, classification| AttributeDefinition {
            key: key.into(),
            label: key.into(),
            kind: shared::catalog::AttributeKind::Text,
            required: false,
            help: String::new(),
            max_length: None,
            min: None,
            max: None,
            options: Vec::new(),
            classification,
        };
        let attributes = [
            attribute("card", Classification::Pci),
            attribute("name", Classification::Pii),
        ];
        let values = serde_json::json!({"name": "x", "card": " "});
        assert_eq!(strictest(&attributes, &values), Classification::Pii);
        let values = serde_json::json!({"card": "4111"});
        assert_eq!(strictest(&attributes, &values), Classification::Pci);
    }
}
