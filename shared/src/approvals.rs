//! Approval policies: who approves the orders of a definition, in which stages, with which
//! quorums, and the conditional rules that add approvers. Also the bodies of the simulator,
//! the replay, out-of-office delegations and the approvals inbox.

use crate::FieldError;
use crate::catalog::{AttributeDefinition, AttributeKind, Classification};
use crate::orders::{Approval, Decision, Order, OrderState, Person};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The maximum depth of a rule's condition, counting the top node as the first level.
pub const MAX_RULE_DEPTH: usize = 8;
/// The last stage a group may be placed in.
pub const MAX_STAGE: u8 = 5;
/// The maximum number of rules on one definition.
pub const MAX_RULES: usize = 20;
/// The maximum number of approvers in one group.
pub const MAX_GROUP_APPROVERS: usize = 25;
/// The number of days of past orders the replay routes again.
pub const REPLAY_DAYS: i64 = 90;
/// The maximum number of nodes (groups and leaves) in one rule's condition.
pub const MAX_RULE_NODES: usize = 50;
/// The maximum number of items in the list of an `in` leaf.
pub const MAX_LIST_ITEMS: usize = 100;
/// The maximum length of a text value in a leaf, and of an approver's account or mail address.
pub const MAX_VALUE_CHARS: usize = 256;
/// Group names the policy gives its own sources, which a rule may not take.
pub const RESERVED_NAMES: [&str; 2] = ["manager", "application owners"];

fn first_stage() -> u8 {
    1
}

fn one() -> u32 {
    1
}

/// Who decides the orders of a definition. Every source present forms an approval group; an
/// empty policy approves orders as soon as they are placed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// The requester's manager, from the directory attribute named in the directory settings.
    #[serde(default)]
    pub manager: Option<ManagerSource>,
    /// The application owners: any `quorum` of the listed people.
    #[serde(default)]
    pub owners: Option<OwnerSource>,
    /// A compliance approver when the order carries PII, PHI or PCI data.
    #[serde(default)]
    pub compliance: Option<ComplianceSource>,
    /// Rules that add approvers when their condition holds for the order.
    #[serde(default)]
    pub rules: Vec<ApprovalRule>,
}

impl ApprovalPolicy {
    /// Returns the policy of one approval by the requester's manager, the default.
    pub fn manager_only() -> Self {
        ApprovalPolicy {
            manager: Some(ManagerSource { stage: 1 }),
            ..ApprovalPolicy::default()
        }
    }

    /// Returns whether no source is configured, so orders need no approval at all.
    pub fn is_empty(&self) -> bool {
        self.manager.is_none()
            && self.owners.is_none()
            && self.compliance.is_none()
            && self.rules.is_empty()
    }

    /// Describes the sources for requesters, one line each.
    pub fn summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.manager.is_some() {
            lines.push("Your manager".to_string());
        }
        if let Some(owners) = &self.owners {
            lines.push(format!(
                "{} of {} application owners",
                owners.quorum,
                owners.approvers.len()
            ));
        }
        if self.compliance.is_some() {
            lines.push("Compliance, when the order carries personal, health or card data".into());
        }
        if !self.rules.is_empty() {
            lines.push("More approvers when a rule applies".into());
        }
        lines
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ManagerSource {
    /// The stage in which the manager is asked, 1 to 5.
    #[serde(default = "first_stage")]
    pub stage: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OwnerSource {
    /// Directory users by account name or mail address.
    pub approvers: Vec<String>,
    /// How many of them must approve.
    #[serde(default = "one")]
    pub quorum: u32,
    #[serde(default = "first_stage")]
    pub stage: u8,
}

/// The compliance approver of each classification. The definition's owner of record decides
/// where one is named here; otherwise the central compliance officer of the approval settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplianceSource {
    #[serde(default = "first_stage")]
    pub stage: u8,
    #[serde(default)]
    pub pci: Option<String>,
    #[serde(default)]
    pub phi: Option<String>,
    #[serde(default)]
    pub pii: Option<String>,
}

impl ComplianceSource {
    /// Returns the owner of record named for a classification.
    pub fn owner_of_record(&self, classification: Classification) -> Option<&str> {
        match classification {
            Classification::Internal => None,
            Classification::Pii => self.pii.as_deref(),
            Classification::Phi => self.phi.as_deref(),
            Classification::Pci => self.pci.as_deref(),
        }
        .map(str::trim)
        .filter(|a| !a.is_empty())
    }
}

/// A rule that adds an approval group when its condition holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    pub name: String,
    /// A tree of `{"and": [...]}`, `{"or": [...]}`, `{"not": {...}}` nodes over leaves
    /// `{"field": ..., "op": ..., "value": ...}`, at most 8 levels deep.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub when: Condition,
    pub approvers: Vec<String>,
    #[serde(default = "one")]
    pub quorum: u32,
    #[serde(default = "first_stage")]
    pub stage: u8,
}

/// A comparison of a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    /// The value is one of a list.
    In,
    /// The text contains the value, ignoring case.
    Contains,
}

impl Op {
    pub const ALL: [Op; 8] = [
        Op::Eq,
        Op::Ne,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::In,
        Op::Contains,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::In => "in",
            Op::Contains => "contains",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "≠",
            Op::Gt => ">",
            Op::Gte => "≥",
            Op::Lt => "<",
            Op::Lte => "≤",
            Op::In => "in",
            Op::Contains => "contains",
        }
    }

    pub fn parse(value: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == value)
    }
}

/// One comparison of an order's field with a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaf {
    pub field: String,
    pub op: Op,
    pub value: Value,
}

/// A node of a rule's condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Leaf(Leaf),
}

impl Condition {
    /// Reads a condition from JSON. The error names the path of the bad node, such as
    /// `and[1].not`.
    pub fn from_json(value: &Value) -> Result<Condition, FieldError> {
        parse_node(value, "", 1)
    }

    pub fn to_json(&self) -> Value {
        match self {
            Condition::And(children) => {
                serde_json::json!({ "and": children.iter().map(Condition::to_json).collect::<Vec<_>>() })
            }
            Condition::Or(children) => {
                serde_json::json!({ "or": children.iter().map(Condition::to_json).collect::<Vec<_>>() })
            }
            Condition::Not(child) => serde_json::json!({ "not": child.to_json() }),
            Condition::Leaf(leaf) => {
                serde_json::json!({ "field": leaf.field, "op": leaf.op, "value": leaf.value })
            }
        }
    }

    /// Returns how many levels the tree has.
    pub fn depth(&self) -> usize {
        match self {
            Condition::And(children) | Condition::Or(children) => {
                1 + children.iter().map(Condition::depth).max().unwrap_or(0)
            }
            Condition::Not(child) => 1 + child.depth(),
            Condition::Leaf(_) => 1,
        }
    }

    /// Returns how many nodes the tree has, groups and leaves together.
    pub fn nodes(&self) -> usize {
        match self {
            Condition::And(children) | Condition::Or(children) => {
                1 + children.iter().map(Condition::nodes).sum::<usize>()
            }
            Condition::Not(child) => 1 + child.nodes(),
            Condition::Leaf(_) => 1,
        }
    }

    /// Calls `visit` with the path and leaf of every leaf, depth first.
    pub fn leaves<'a>(&'a self, path: &str, visit: &mut dyn FnMut(&str, &'a Leaf)) {
        match self {
            Condition::And(children) | Condition::Or(children) => {
                let kind = if matches!(self, Condition::And(_)) {
                    "and"
                } else {
                    "or"
                };
                for (i, child) in children.iter().enumerate() {
                    child.leaves(&join(path, &format!("{kind}[{i}]")), visit);
                }
            }
            Condition::Not(child) => child.leaves(&join(path, "not"), visit),
            Condition::Leaf(leaf) => visit(path, leaf),
        }
    }

    /// Decides whether the condition holds for an order.
    pub fn matches(&self, facts: &Facts) -> bool {
        match self {
            Condition::And(children) => children.iter().all(|c| c.matches(facts)),
            Condition::Or(children) => children.iter().any(|c| c.matches(facts)),
            Condition::Not(child) => !child.matches(facts),
            Condition::Leaf(leaf) => leaf.matches(facts),
        }
    }

    /// Renders the condition as a readable formula, such as `duration_days > 30 and not pci = true`.
    pub fn describe(&self) -> String {
        match self {
            Condition::And(children) | Condition::Or(children) => {
                let word = if matches!(self, Condition::And(_)) {
                    " and "
                } else {
                    " or "
                };
                let parts: Vec<String> = children
                    .iter()
                    .map(|c| match c {
                        Condition::Leaf(_) | Condition::Not(_) => c.describe(),
                        _ => format!("({})", c.describe()),
                    })
                    .collect();
                if parts.is_empty() {
                    "always".into()
                } else {
                    parts.join(word)
                }
            }
            Condition::Not(child) => match child.as_ref() {
                Condition::Leaf(_) => format!("not {}", child.describe()),
                _ => format!("not ({})", child.describe()),
            },
            Condition::Leaf(leaf) => {
                format!("{} {} {}", leaf.field, leaf.op.symbol(), leaf.value)
            }
        }
    }
}

fn join(path: &str, part: &str) -> String {
    if path.is_empty() {
        part.to_string()
    } else {
        format!("{path}.{part}")
    }
}

fn node_error(path: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(if path.is_empty() { "(top)" } else { path }, message)
}

fn parse_node(value: &Value, path: &str, depth: usize) -> Result<Condition, FieldError> {
    if depth > MAX_RULE_DEPTH {
        return Err(node_error(
            path,
            format!("nests deeper than {MAX_RULE_DEPTH} levels; flatten the groups"),
        ));
    }
    let Some(object) = value.as_object() else {
        return Err(node_error(
            path,
            "must be an object: a group {\"and\": [...]}, {\"or\": [...]}, {\"not\": {...}} or a \
             leaf {\"field\", \"op\", \"value\"}",
        ));
    };
    let group = |kind: &str, items: &Value| -> Result<Vec<Condition>, FieldError> {
        let here = join(path, kind);
        let items = items
            .as_array()
            .ok_or_else(|| node_error(&here, "must be a list of conditions"))?;
        if items.is_empty() {
            return Err(node_error(
                &here,
                "is an empty group; add a condition or remove the group",
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_node(item, &format!("{here}[{i}]"), depth + 1))
            .collect()
    };
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    match keys.as_slice() {
        ["and"] => Ok(Condition::And(group("and", &object["and"])?)),
        ["or"] => Ok(Condition::Or(group("or", &object["or"])?)),
        ["not"] => Ok(Condition::Not(Box::new(parse_node(
            &object["not"],
            &join(path, "not"),
            depth + 1,
        )?))),
        _ => {
            let allowed = ["field", "op", "value"];
            if let Some(other) = keys.iter().find(|k| !allowed.contains(k)) {
                return Err(node_error(
                    path,
                    format!(
                        "has the unknown key `{other}`; a group has one key (and, or, not) and a \
                         leaf has field, op and value"
                    ),
                ));
            }
            let field = object
                .get("field")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .ok_or_else(|| node_error(path, "is a leaf without a field name"))?;
            let op_name = object
                .get("op")
                .and_then(Value::as_str)
                .ok_or_else(|| node_error(path, "is a leaf without an op"))?;
            let op = Op::parse(op_name).ok_or_else(|| {
                let known: Vec<&str> = Op::ALL.iter().map(|op| op.as_str()).collect();
                node_error(
                    path,
                    format!(
                        "has the unknown op `{op_name}`; use one of {}",
                        known.join(", ")
                    ),
                )
            })?;
            let value = object
                .get("value")
                .cloned()
                .ok_or_else(|| node_error(path, "is a leaf without a value"))?;
            Ok(Condition::Leaf(Leaf {
                field: field.to_string(),
                op,
                value,
            }))
        }
    }
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Condition::from_json(&value).map_err(|error| {
            serde::de::Error::custom(format!("the node {} {}", error.field, error.message))
        })
    }
}

/// The type of value a rule field holds, which decides the ops it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Number,
    Text,
    Boolean,
    /// One of a fixed list; `classification` is also ordered, so `gt` works on it.
    Choice(Vec<String>),
}

impl FieldKind {
    pub fn ops(&self) -> &'static [Op] {
        match self {
            FieldKind::Number => &[Op::Eq, Op::Ne, Op::Gt, Op::Gte, Op::Lt, Op::Lte, Op::In],
            FieldKind::Text => &[Op::Eq, Op::Ne, Op::In, Op::Contains],
            FieldKind::Boolean => &[Op::Eq, Op::Ne],
            FieldKind::Choice(_) => &[Op::Eq, Op::Ne, Op::In],
        }
    }
}

/// A field a rule can test, as the rule editor lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleField {
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
}

/// The classifications as rules name them, least strict first.
pub const CLASSIFICATIONS: [&str; 4] = ["internal", "pii", "phi", "pci"];

/// Lists the fields rules of a definition with these attributes can test.
pub fn rule_fields(attributes: &[AttributeDefinition]) -> Vec<RuleField> {
    let field = |name: &str, label: &str, kind: FieldKind| RuleField {
        name: name.into(),
        label: label.into(),
        kind,
    };
    let mut fields = vec![
        field("duration_days", "Duration in days", FieldKind::Number),
        field(
            "monthly_cost",
            "Monthly cost, in minor units (cents)",
            FieldKind::Number,
        ),
        field(
            "classification",
            "Strictest data classification",
            FieldKind::Choice(CLASSIFICATIONS.iter().map(|c| c.to_string()).collect()),
        ),
        field("pii", "Carries personal data (PII)", FieldKind::Boolean),
        field("phi", "Carries health data (PHI)", FieldKind::Boolean),
        field("pci", "Carries card data (PCI)", FieldKind::Boolean),
        field(
            "requester_department",
            "Requester's department",
            FieldKind::Text,
        ),
        field("on_behalf", "Placed by a deputy", FieldKind::Boolean),
    ];
    for attribute in attributes {
        let kind = match attribute.kind {
            AttributeKind::Number => FieldKind::Number,
            AttributeKind::Boolean => FieldKind::Boolean,
            AttributeKind::Select => FieldKind::Choice(attribute.options.clone()),
            AttributeKind::Text | AttributeKind::Date | AttributeKind::DirectoryUser => {
                FieldKind::Text
            }
        };
        fields.push(RuleField {
            name: format!("attr.{}", attribute.key),
            label: attribute.label.clone(),
            kind,
        });
    }
    fields
}

/// Checks that a value fits a field's kind, for one value (not a list).
fn value_fits(kind: &FieldKind, value: &Value) -> Result<(), String> {
    if value
        .as_str()
        .is_some_and(|t| t.chars().count() > MAX_VALUE_CHARS)
    {
        return Err(format!("must be at most {MAX_VALUE_CHARS} characters"));
    }
    match kind {
        FieldKind::Number if value.is_i64() || value.is_f64() => Ok(()),
        FieldKind::Number => Err("must be a number".into()),
        FieldKind::Boolean if value.is_boolean() => Ok(()),
        FieldKind::Boolean => Err("must be true or false".into()),
        FieldKind::Text if value.is_string() => Ok(()),
        FieldKind::Text => Err("must be text".into()),
        FieldKind::Choice(options) => match value.as_str() {
            Some(text) if options.iter().any(|o| o == text) => Ok(()),
            _ => Err(format!("must be one of {}", options.join(", "))),
        },
    }
}

/// Checks a rule condition against the fields of its definition. Paths start with `path`.
pub fn condition_errors(
    condition: &Condition,
    fields: &[RuleField],
    path: &str,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if condition.depth() > MAX_RULE_DEPTH {
        errors.push(FieldError::new(
            path,
            format!("nests deeper than {MAX_RULE_DEPTH} levels; flatten the groups"),
        ));
        return errors;
    }
    if condition.nodes() > MAX_RULE_NODES {
        errors.push(FieldError::new(
            path,
            format!("has more than {MAX_RULE_NODES} conditions; split it into several rules"),
        ));
        return errors;
    }
    condition.leaves(path, &mut |leaf_path, leaf| {
        let Some(field) = fields.iter().find(|f| f.name == leaf.field) else {
            let hint = if leaf.field.starts_with("attr.") {
                "is not an attribute of this definition"
            } else {
                "is not a field rules can test; use duration_days, monthly_cost, classification, \
                 pii, phi, pci, requester_department, on_behalf or attr.<key>"
            };
            errors.push(FieldError::new(
                format!("{leaf_path}.field"),
                format!("{} {hint}", leaf.field),
            ));
            return;
        };
        if !field.kind.ops().contains(&leaf.op) {
            let allowed: Vec<&str> = field.kind.ops().iter().map(|op| op.as_str()).collect();
            errors.push(FieldError::new(
                format!("{leaf_path}.op"),
                format!(
                    "{} cannot be used on {}; use one of {}",
                    leaf.op.as_str(),
                    field.name,
                    allowed.join(", ")
                ),
            ));
            return;
        }
        let result = if leaf.op == Op::In {
            match leaf.value.as_array() {
                Some(items) if items.len() > MAX_LIST_ITEMS => Err(format!(
                    "may list at most {MAX_LIST_ITEMS} values; use a rule per range instead"
                )),
                Some(items) if !items.is_empty() => items
                    .iter()
                    .try_for_each(|item| value_fits(&field.kind, item))
                    .map_err(|m| format!("each item {m}")),
                _ => Err("must be a non-empty list for the op in".into()),
            }
        } else {
            value_fits(&field.kind, &leaf.value)
        };
        if let Err(message) = result {
            errors.push(FieldError::new(format!("{leaf_path}.value"), message));
        }
    });
    errors
}

/// The values of an order that rules test.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub duration_days: i64,
    pub monthly_cost: Option<i64>,
    pub classification: Classification,
    pub requester_department: Option<String>,
    pub on_behalf: bool,
    /// The order's attribute values; directory users as their display name.
    pub attributes: serde_json::Map<String, Value>,
}

impl Facts {
    fn get(&self, field: &str) -> Option<Value> {
        let class = |c: Classification| self.classification >= c;
        match field {
            "duration_days" => Some(Value::from(self.duration_days)),
            "monthly_cost" => self.monthly_cost.map(Value::from),
            "classification" => Some(Value::from(CLASSIFICATIONS[self.classification as usize])),
            "pii" => Some(Value::Bool(class(Classification::Pii))),
            "phi" => Some(Value::Bool(class(Classification::Phi))),
            "pci" => Some(Value::Bool(class(Classification::Pci))),
            "requester_department" => self.requester_department.clone().map(Value::from),
            "on_behalf" => Some(Value::Bool(self.on_behalf)),
            other => {
                let key = other.strip_prefix("attr.")?;
                let value = self.attributes.get(key)?;
                // A directory user is compared by the account that was typed.
                Some(
                    value
                        .get("account")
                        .cloned()
                        .unwrap_or_else(|| value.clone()),
                )
            }
        }
    }
}

/// Compares two values: numbers as numbers (numeric text too), text without regard to case.
fn compare(left: &Value, right: &Value) -> Option<std::cmp::Ordering> {
    let number = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|t| t.trim().parse::<f64>().ok()))
    };
    if let (Some(a), Some(b)) = (number(left), number(right))
        && (left.is_number() || right.is_number())
    {
        return a.partial_cmp(&b);
    }
    match (left, right) {
        (Value::String(a), Value::String(b)) => {
            let rank = |t: &str| CLASSIFICATIONS.iter().position(|c| *c == t);
            match (rank(a), rank(b)) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => Some(a.to_lowercase().cmp(&b.to_lowercase())),
            }
        }
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

impl Leaf {
    /// Decides the leaf. A field the order has no value for never matches, except with `ne`.
    pub fn matches(&self, facts: &Facts) -> bool {
        use std::cmp::Ordering::*;
        let Some(actual) = facts.get(&self.field) else {
            return self.op == Op::Ne;
        };
        let ordering = || compare(&actual, &self.value);
        match self.op {
            Op::Eq => ordering() == Some(Equal),
            Op::Ne => ordering() != Some(Equal),
            Op::Gt => ordering() == Some(Greater),
            Op::Gte => matches!(ordering(), Some(Greater | Equal)),
            Op::Lt => ordering() == Some(Less),
            Op::Lte => matches!(ordering(), Some(Less | Equal)),
            Op::In => self
                .value
                .as_array()
                .is_some_and(|items| items.iter().any(|i| compare(&actual, i) == Some(Equal))),
            Op::Contains => match (actual.as_str(), self.value.as_str()) {
                (Some(text), Some(part)) => text.to_lowercase().contains(&part.to_lowercase()),
                _ => false,
            },
        }
    }
}

/// Checks the structure of a policy: stages, quorums, approver lists and rule conditions.
/// Whether the approvers exist and are active is checked by the server against the directory.
pub fn policy_errors(
    policy: &ApprovalPolicy,
    attributes: &[AttributeDefinition],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let stage = |errors: &mut Vec<FieldError>, path: &str, stage: u8| {
        if !(1..=MAX_STAGE).contains(&stage) {
            errors.push(FieldError::new(
                format!("{path}.stage"),
                format!("must be between 1 and {MAX_STAGE}"),
            ));
        }
    };
    let group = |errors: &mut Vec<FieldError>, path: &str, approvers: &[String], quorum: u32| {
        if let Some(i) = approvers
            .iter()
            .position(|a| a.trim().chars().count() > MAX_VALUE_CHARS)
        {
            errors.push(FieldError::new(
                format!("{path}.approvers[{i}]"),
                format!("must be at most {MAX_VALUE_CHARS} characters"),
            ));
        }
        let listed: Vec<String> = approvers
            .iter()
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty())
            .collect();
        if listed.is_empty() {
            errors.push(FieldError::new(
                format!("{path}.approvers"),
                "must name at least one approver by account name or mail address",
            ));
        } else if listed.len() > MAX_GROUP_APPROVERS {
            errors.push(FieldError::new(
                format!("{path}.approvers"),
                format!("may name at most {MAX_GROUP_APPROVERS} approvers"),
            ));
        }
        if let Some((i, _)) = listed
            .iter()
            .enumerate()
            .find(|(i, a)| listed[..*i].contains(a))
        {
            errors.push(FieldError::new(
                format!("{path}.approvers[{i}]"),
                "is listed twice; each approver counts once towards the quorum",
            ));
        }
        if quorum == 0 {
            errors.push(FieldError::new(
                format!("{path}.quorum"),
                "must be at least 1",
            ));
        } else if quorum as usize > listed.len().max(1) {
            errors.push(FieldError::new(
                format!("{path}.quorum"),
                format!(
                    "asks for {quorum} approvals but the group lists {} approver(s)",
                    listed.len()
                ),
            ));
        }
    };
    if let Some(manager) = &policy.manager {
        stage(&mut errors, "approval.manager", manager.stage);
    }
    if let Some(owners) = &policy.owners {
        stage(&mut errors, "approval.owners", owners.stage);
        group(
            &mut errors,
            "approval.owners",
            &owners.approvers,
            owners.quorum,
        );
    }
    if let Some(compliance) = &policy.compliance {
        stage(&mut errors, "approval.compliance", compliance.stage);
        for (key, value) in [
            ("pci", &compliance.pci),
            ("phi", &compliance.phi),
            ("pii", &compliance.pii),
        ] {
            if value
                .as_deref()
                .is_some_and(|v| v.trim().chars().count() > MAX_VALUE_CHARS)
            {
                errors.push(FieldError::new(
                    format!("approval.compliance.{key}"),
                    format!("must be at most {MAX_VALUE_CHARS} characters"),
                ));
            }
        }
    }
    if policy.rules.len() > MAX_RULES {
        errors.push(FieldError::new(
            "approval.rules",
            format!("may hold at most {MAX_RULES} rules"),
        ));
    }
    let fields = rule_fields(attributes);
    for (i, rule) in policy.rules.iter().enumerate() {
        let path = format!("approval.rules[{i}]");
        let name = rule.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new(
                format!("{path}.name"),
                "must be 1 to 100 characters",
            ));
        } else if let Some(message) = crate::validation::hidden_character(name, false) {
            errors.push(FieldError::new(format!("{path}.name"), message));
        } else if RESERVED_NAMES.contains(&name.to_lowercase().as_str())
            || name.to_lowercase().starts_with("compliance")
        {
            errors.push(FieldError::new(
                format!("{path}.name"),
                "names a group the policy's own sources use; pick another name",
            ));
        } else if policy.rules[..i]
            .iter()
            .any(|other| other.name.trim().eq_ignore_ascii_case(name))
        {
            errors.push(FieldError::new(
                format!("{path}.name"),
                "is used by another rule; give each rule its own name",
            ));
        }
        stage(&mut errors, &path, rule.stage);
        group(&mut errors, &path, &rule.approvers, rule.quorum);
        errors.extend(condition_errors(
            &rule.when,
            &fields,
            &format!("{path}.when"),
        ));
    }
    errors
}

/// The source an approval group comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalSource {
    Manager,
    Owners,
    Compliance,
    Rule,
    /// Contacts asked after the reminders ran out, in the approving escalation mode.
    Escalation,
}

/// The state of an approval group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupState {
    /// Its stage has not started yet.
    Waiting,
    /// Its approvers are asked.
    Pending,
    /// Enough approvers approved.
    Satisfied,
    /// An approver declined, which rejects the whole order.
    Declined,
    /// The order was decided or withdrawn before this group finished.
    Closed,
}

/// An approval group of an order, as the order's detail shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalGroup {
    pub id: Uuid,
    pub source: ApprovalSource,
    pub name: String,
    /// The reason the group was added, such as the rule that matched.
    pub reason: String,
    pub quorum: u32,
    pub stage: u8,
    pub state: GroupState,
    pub approved: u32,
}

/// One approver of a planned group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedApprover {
    /// The person asked to decide.
    pub approver: Person,
    /// Whom the approval was meant for, when a delegation or separation of duties sent it on.
    pub instead_of: Option<Person>,
    /// The reason it was sent on.
    pub note: Option<String>,
}

/// An approval group as the routing would create it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedGroup {
    pub source: ApprovalSource,
    pub name: String,
    pub reason: String,
    pub quorum: u32,
    pub stage: u8,
    pub approvers: Vec<PlannedApprover>,
    /// Set when the group cannot reach its quorum, saying why.
    pub problem: Option<String>,
}

/// The routing of a sample order: every group with its approvers after delegation and
/// separation of duties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalPlan {
    pub requester: Person,
    pub classification: Classification,
    pub groups: Vec<PlannedGroup>,
    /// True when no group applies, so the order would be approved at once.
    pub auto_approved: bool,
}

/// The body of a simulation: an unsaved definition from the form, and a sample order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SimulationRequest {
    pub definition: crate::catalog::AssetDefinitionInput,
    /// The sample requester, by account name or mail address.
    pub requester: String,
    /// A deputy placing the order for the requester, if any.
    #[serde(default)]
    pub placed_by: Option<String>,
    #[serde(default)]
    pub duration_days: Option<i32>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: serde_json::Map<String, Value>,
    /// When the order is placed; now when left out. Delegation windows are taken at this time.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// The body of a replay: the changed definition, unsaved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    pub definition: crate::catalog::AssetDefinitionInput,
}

/// One order's actual routing next to the routing the changed policy would give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayRow {
    pub order_id: Uuid,
    pub requester: Person,
    pub state: OrderState,
    pub created_at: DateTime<Utc>,
    /// The approvers the order actually had, by mail address.
    pub actual: Vec<String>,
    /// The approvers the changed policy would ask, by mail address.
    pub proposed: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Group summaries such as `Manager 1 of 1 (stage 1)`.
    pub actual_groups: Vec<String>,
    pub proposed_groups: Vec<String>,
    /// The reason the changed policy cannot route this order, when it cannot.
    pub problem: Option<String>,
}

impl ReplayRow {
    pub fn changed(&self) -> bool {
        !self.added.is_empty()
            || !self.removed.is_empty()
            || self.actual_groups != self.proposed_groups
            || self.problem.is_some()
    }
}

/// The replay of the last 90 days and every pending order of a definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayReport {
    pub since: DateTime<Utc>,
    /// True when the definition has more orders than one replay routes (the 500 newest), so
    /// older ones are left out.
    pub truncated: bool,
    pub orders: u32,
    pub changed: u32,
    pub pending: u32,
    /// The orders whose routing would change, newest first; at most 500.
    pub rows: Vec<ReplayRow>,
}

/// An out-of-office window: approvals for `person` created inside it go to `delegate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delegation {
    pub id: Uuid,
    pub person: Person,
    pub delegate: Person,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// The body of a new delegation. Portal users may leave `person` out and delegate only their
/// own approvals; admins name anyone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDelegation {
    /// The absent person, by account name or mail address.
    #[serde(default)]
    pub person: Option<String>,
    /// The stand-in, by account name or mail address.
    pub delegate: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub note: String,
}

/// The maximum length of one delegation window, in days.
pub const DELEGATION_MAX_DAYS: i64 = 366;

/// Checks the fields of a delegation that need no directory.
pub fn delegation_errors(input: &NewDelegation, now: DateTime<Utc>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if input.delegate.trim().is_empty() {
        errors.push(FieldError::new(
            "delegate",
            "must name the stand-in by account name or mail address",
        ));
    }
    if input.ends_at <= input.starts_at {
        errors.push(FieldError::new("ends_at", "must be after starts_at"));
    } else if input.ends_at - input.starts_at > chrono::Duration::days(DELEGATION_MAX_DAYS) {
        errors.push(FieldError::new(
            "ends_at",
            format!("a window may last at most {DELEGATION_MAX_DAYS} days"),
        ));
    }
    if input.ends_at <= now {
        errors.push(FieldError::new("ends_at", "must be in the future"));
    }
    if input.starts_at > now + chrono::Duration::days(DELEGATION_MAX_DAYS) {
        errors.push(FieldError::new(
            "starts_at",
            format!("must be within {DELEGATION_MAX_DAYS} days from now"),
        ));
    }
    if input.note.chars().count() > 500 {
        errors.push(FieldError::new("note", "must be at most 500 characters"));
    }
    errors
}

/// An approval in an approver's inbox, with what they need to decide it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    pub approval: Approval,
    pub order: Order,
    pub group: Option<ApprovalGroup>,
    pub classification: Classification,
    pub monthly_cost: Option<crate::catalog::MonthlyCost>,
}

/// A decision from the portal inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InboxDecision {
    pub decision: Decision,
    /// Shown to the requester and kept in the audit log.
    #[serde(default)]
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts() -> Facts {
        Facts {
            duration_days: 45,
            monthly_cost: Some(12_000),
            classification: Classification::Phi,
            requester_department: Some("Finance".into()),
            on_behalf: false,
            attributes: json!({"region": "eu", "cores": 8, "buddy": {"account": "mfinch", "display_name": "Martha"}})
                .as_object()
                .cloned()
                .unwrap(),
        }
    }

    fn cond(value: Value) -> Condition {
        Condition::from_json(&value).unwrap()
    }

    #[test]
    fn nested_tree_evaluates() {
        let c = cond(json!({"and": [
            {"field": "duration_days", "op": "gt", "value": 30},
            {"or": [
                {"field": "requester_department", "op": "eq", "value": "finance"},
                {"not": {"field": "pii", "op": "eq", "value": true}}
            ]},
            {"field": "attr.region", "op": "in", "value": ["eu", "us"]}
        ]}));
        assert!(c.matches(&facts()));
        let mut other = facts();
        other.requester_department = Some("Sales".into());
        assert!(!c.matches(&other));
    }

    #[test]
    fn classification_flags_follow_the_strictest() {
        let f = facts();
        assert!(cond(json!({"field": "pii", "op": "eq", "value": true})).matches(&f));
        assert!(cond(json!({"field": "phi", "op": "eq", "value": true})).matches(&f));
        assert!(!cond(json!({"field": "pci", "op": "eq", "value": true})).matches(&f));
        assert!(cond(json!({"field": "classification", "op": "gte", "value": "pii"})).matches(&f));
    }

    #[test]
    fn missing_value_matches_only_ne() {
        let f = facts();
        assert!(!cond(json!({"field": "attr.absent", "op": "eq", "value": "x"})).matches(&f));
        assert!(cond(json!({"field": "attr.absent", "op": "ne", "value": "x"})).matches(&f));
    }

    #[test]
    fn directory_user_compares_by_account() {
        let c = cond(json!({"field": "attr.buddy", "op": "eq", "value": "MFinch"}));
        assert!(c.matches(&facts()));
    }

    #[test]
    fn bad_node_names_its_path() {
        let error = Condition::from_json(&json!({"and": [
            {"field": "duration_days", "op": "gt", "value": 1},
            {"or": [{"not": {"field": "x", "op": "bigger", "value": 1}}]}
        ]}))
        .unwrap_err();
        assert_eq!(error.field, "and[1].or[0].not");
        assert!(error.message.contains("bigger"));
        let error = Condition::from_json(&json!({"or": []})).unwrap_err();
        assert_eq!(error.field, "or");
    }

    #[test]
    fn depth_over_eight_is_rejected() {
        let mut value = json!({"field": "duration_days", "op": "gt", "value": 1});
        for _ in 0..7 {
            value = json!({ "not": value });
        }
        assert_eq!(Condition::from_json(&value).unwrap().depth(), 8);
        let deeper = json!({ "not": value });
        let error = Condition::from_json(&deeper).unwrap_err();
        assert!(error.message.contains("deeper than 8"), "{error:?}");
    }

    #[test]
    fn semantic_errors_carry_full_paths() {
        let attributes = vec![AttributeDefinition {
            key: "region".into(),
            label: "Region".into(),
            kind: AttributeKind::Select,
            required: false,
            help: String::new(),
            max_length: None,
            min: None,
            max: None,
            options: vec!["eu".into(), "us".into()],
            classification: Classification::Internal,
        }];
        let policy = ApprovalPolicy {
            rules: vec![ApprovalRule {
                name: "Regional".into(),
                when: cond(json!({"or": [
                    {"field": "attr.region", "op": "eq", "value": "apac"},
                    {"field": "attr.nothing", "op": "eq", "value": 1},
                    {"field": "duration_days", "op": "contains", "value": "1"}
                ]})),
                approvers: vec!["a".into(), "b".into()],
                quorum: 3,
                stage: 9,
            }],
            ..ApprovalPolicy::default()
        };
        let fields: Vec<String> = policy_errors(&policy, &attributes)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "approval.rules[0].stage",
                "approval.rules[0].quorum",
                "approval.rules[0].when.or[0].value",
                "approval.rules[0].when.or[1].field",
                "approval.rules[0].when.or[2].op",
            ]
        );
    }

    #[test]
    fn round_trips_through_json() {
        let value = json!({"and": [{"not": {"field": "pci", "op": "eq", "value": true}}]});
        let c: Condition = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&c).unwrap(), value);
        assert_eq!(c.describe(), "not pci = true");
    }
}
