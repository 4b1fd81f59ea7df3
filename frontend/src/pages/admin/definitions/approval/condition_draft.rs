//! A rule's condition as the editor keeps it: a tree of nodes whose parts are signals, read
//! into a [`Condition`] when the form is saved or previewed.

use leptos::prelude::*;
use serde_json::Value;
use shared::FieldError;
use shared::approvals::{Condition, FieldKind, Leaf, Op, RuleField};

/// The operator that combines a group's children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Junction {
    And,
    Or,
    /// Holds when its one child does not.
    Not,
}

impl Junction {
    /// Returns the group's key in the JSON tree and in error paths.
    pub fn key(self) -> &'static str {
        match self {
            Junction::And => "and",
            Junction::Or => "or",
            Junction::Not => "not",
        }
    }

    pub fn options() -> Vec<(Junction, &'static str)> {
        vec![
            (Junction::And, "AND: all of these"),
            (Junction::Or, "OR: any of these"),
            (Junction::Not, "NOT: not this"),
        ]
    }
}

/// A group node: AND, OR or NOT over its children.
#[derive(Debug, Clone, Copy)]
pub struct GroupDraft {
    pub uid: u64,
    pub junction: RwSignal<Junction>,
    pub children: RwSignal<Vec<NodeDraft>>,
}

/// A leaf node: a field, a comparison and the value as typed.
#[derive(Debug, Clone, Copy)]
pub struct LeafDraft {
    pub uid: u64,
    pub field: RwSignal<String>,
    pub op: RwSignal<Op>,
    /// The value as typed. For `in` it is a list separated by commas.
    pub value: RwSignal<String>,
}

#[derive(Debug, Clone, Copy)]
pub enum NodeDraft {
    Group(GroupDraft),
    Leaf(LeafDraft),
}

impl NodeDraft {
    /// Returns the number that keys the node's view while nodes move. It is never sent to the API.
    pub fn uid(self) -> u64 {
        match self {
            NodeDraft::Group(group) => group.uid,
            NodeDraft::Leaf(leaf) => leaf.uid,
        }
    }

    /// Reads the tree at `path` into a condition. Leaf values are parsed for their field's
    /// kind. Text that does not parse stays text, so the shared rule check reports it at the
    /// leaf's value. Problems a [`Condition`] cannot hold, such as an empty group, are added
    /// to `errors` at the node's path.
    pub fn read(self, path: &str, fields: &[RuleField], errors: &mut Vec<FieldError>) -> Condition {
        match self {
            NodeDraft::Leaf(leaf) => {
                let field = leaf.field.get_untracked();
                let op = leaf.op.get_untracked();
                let kind = fields.iter().find(|f| f.name == field).map(|f| &f.kind);
                let value = leaf_value(kind, op, &leaf.value.get_untracked());
                Condition::Leaf(Leaf { field, op, value })
            }
            NodeDraft::Group(group) => {
                let junction = group.junction.get_untracked();
                let children = group.children.get_untracked();
                if children.is_empty() {
                    errors.push(FieldError::new(
                        path,
                        "is an empty group; add a condition or remove the group",
                    ));
                }
                match junction {
                    Junction::Not => {
                        if children.len() > 1 {
                            errors.push(FieldError::new(
                                path,
                                "takes one condition; wrap several in an AND or OR group",
                            ));
                        }
                        let child_path = format!("{path}.not");
                        let child = children
                            .first()
                            .map(|child| child.read(&child_path, fields, errors))
                            .unwrap_or(Condition::And(Vec::new()));
                        Condition::Not(Box::new(child))
                    }
                    Junction::And | Junction::Or => {
                        let key = junction.key();
                        let read: Vec<Condition> = children
                            .iter()
                            .enumerate()
                            .map(|(i, child)| {
                                child.read(&format!("{path}.{key}[{i}]"), fields, errors)
                            })
                            .collect();
                        if junction == Junction::And {
                            Condition::And(read)
                        } else {
                            Condition::Or(read)
                        }
                    }
                }
            }
        }
    }
}

/// Returns the path of the child at `index` of a group at `path`.
pub fn child_path(path: &str, junction: Junction, index: usize) -> String {
    match junction {
        Junction::Not => format!("{path}.not"),
        Junction::And | Junction::Or => format!("{path}.{}[{index}]", junction.key()),
    }
}

/// Creates nodes under the form's owner, so that they outlive the click that adds them and
/// the views that show them, and numbers them.
#[derive(Debug, Clone, Copy)]
pub struct NodeFactory {
    owner: StoredValue<Option<Owner>>,
    next_uid: StoredValue<u64>,
}

impl NodeFactory {
    /// Creates a factory owned by the current reactive owner, which should be the form's.
    pub fn new() -> Self {
        Self {
            owner: StoredValue::new(Owner::current()),
            next_uid: StoredValue::new(0),
        }
    }

    /// Returns a number no other node or rule of the form has.
    pub fn uid(self) -> u64 {
        let uid = self.next_uid.get_value();
        self.next_uid.set_value(uid + 1);
        uid
    }

    /// Runs `make` under the form's owner.
    pub fn within<T>(self, make: impl FnOnce() -> T) -> T {
        match self.owner.get_value() {
            Some(owner) => owner.with(make),
            None => make(),
        }
    }

    /// Creates a leaf that tests `field` with its first comparison and a value of its kind.
    pub fn leaf(self, field: &RuleField) -> NodeDraft {
        let op = field.kind.ops()[0];
        let value = fitting_value(&field.kind, op, "");
        self.leaf_with(field.name.clone(), op, value)
    }

    fn leaf_with(self, field: String, op: Op, value: String) -> NodeDraft {
        let uid = self.uid();
        self.within(|| {
            NodeDraft::Leaf(LeafDraft {
                uid,
                field: RwSignal::new(field),
                op: RwSignal::new(op),
                value: RwSignal::new(value),
            })
        })
    }

    pub fn group(self, junction: Junction, children: Vec<NodeDraft>) -> NodeDraft {
        let uid = self.uid();
        self.within(|| {
            NodeDraft::Group(GroupDraft {
                uid,
                junction: RwSignal::new(junction),
                children: RwSignal::new(children),
            })
        })
    }

    /// Builds the editor's tree for a stored condition.
    pub fn tree_of(self, condition: &Condition) -> NodeDraft {
        match condition {
            Condition::And(children) | Condition::Or(children) => {
                let junction = if matches!(condition, Condition::And(_)) {
                    Junction::And
                } else {
                    Junction::Or
                };
                let nodes = children.iter().map(|c| self.tree_of(c)).collect();
                self.group(junction, nodes)
            }
            Condition::Not(child) => {
                let node = self.tree_of(child);
                self.group(Junction::Not, vec![node])
            }
            Condition::Leaf(leaf) => {
                self.leaf_with(leaf.field.clone(), leaf.op, value_text(&leaf.value))
            }
        }
    }
}

impl Default for NodeFactory {
    fn default() -> Self {
        Self::new()
    }
}

/// Parses the text of a leaf's value for a field of `kind`: numbers and true or false where the
/// kind expects them, a list for `in`, and text otherwise.
pub fn leaf_value(kind: Option<&FieldKind>, op: Op, text: &str) -> Value {
    if op == Op::In {
        let items = text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| scalar_value(kind, item))
            .collect();
        return Value::Array(items);
    }
    scalar_value(kind, text.trim())
}

fn scalar_value(kind: Option<&FieldKind>, text: &str) -> Value {
    let parsed = match kind {
        Some(FieldKind::Number) => text.parse::<i64>().map(Value::from).ok().or_else(|| {
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
        }),
        Some(FieldKind::Boolean) => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_string()))
}

/// Returns the text a leaf's input shows for a stored value; a list is separated by commas.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        other => scalar_text(other),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Returns `text` when it suits a field of `kind` with `op`, or else a value that does: true for
/// a yes-or-no field, the first choice of a choice field, and blank for a number that is not one.
pub fn fitting_value(kind: &FieldKind, op: Op, text: &str) -> String {
    if op == Op::In {
        return text.to_string();
    }
    match kind {
        FieldKind::Boolean if text != "true" && text != "false" => "true".to_string(),
        FieldKind::Choice(options) if !options.iter().any(|option| option == text) => {
            options.first().cloned().unwrap_or_default()
        }
        FieldKind::Number if text.trim().parse::<f64>().is_err() => String::new(),
        _ => text.to_string(),
    }
}

/// Moves the error of a malformed tree, which the server reports at the rule's `when` with the
/// node's path leading the message (`the node and[1].not has ...`), to that node's full path, so
/// the editor shows it at the node. Other errors stay as they are.
pub fn place_node_errors(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|error| {
            let located = error.field.ends_with(".when").then(|| {
                let rest = error.message.strip_prefix("the node ")?;
                let (node, message) = rest.split_once(' ')?;
                let field = if node == "(top)" {
                    error.field.clone()
                } else {
                    format!("{}.{node}", error.field)
                };
                Some(FieldError::new(field, message))
            });
            located.flatten().unwrap_or(error)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shared::approvals::rule_fields;

    #[test]
    fn values_parse_for_their_kind() {
        let number = Some(&FieldKind::Number);
        assert_eq!(leaf_value(number, Op::Gt, " 30 "), json!(30));
        assert_eq!(leaf_value(number, Op::Gt, "2.5"), json!(2.5));
        assert_eq!(leaf_value(number, Op::Gt, "lots"), json!("lots"));
        assert_eq!(leaf_value(number, Op::In, "1, 2,,3"), json!([1, 2, 3]));
        let flag = Some(&FieldKind::Boolean);
        assert_eq!(leaf_value(flag, Op::Eq, "false"), json!(false));
        assert_eq!(leaf_value(None, Op::In, "eu, us"), json!(["eu", "us"]));
        assert_eq!(value_text(&json!(["eu", 3])), "eu, 3");
        assert_eq!(value_text(&json!(true)), "true");
    }

    #[test]
    fn fitting_values_replace_unsuitable_text() {
        let choice = FieldKind::Choice(vec!["eu".into(), "us".into()]);
        assert_eq!(fitting_value(&choice, Op::Eq, "apac"), "eu");
        assert_eq!(fitting_value(&choice, Op::In, "apac"), "apac");
        assert_eq!(fitting_value(&FieldKind::Boolean, Op::Eq, "x"), "true");
        assert_eq!(fitting_value(&FieldKind::Number, Op::Gt, "x"), "");
        assert_eq!(fitting_value(&FieldKind::Text, Op::Eq, "x"), "x");
    }

    #[test]
    fn server_node_errors_move_to_the_node() {
        let placed = place_node_errors(vec![
            FieldError::new(
                "approval.rules[0].when",
                "the node and[1].not has the unknown op `x`",
            ),
            FieldError::new("approval.rules[1].when", "the node (top) must be an object"),
            FieldError::new("approval.rules[0].name", "the node is not a node"),
        ]);
        assert_eq!(placed[0].field, "approval.rules[0].when.and[1].not");
        assert_eq!(placed[0].message, "has the unknown op `x`");
        assert_eq!(placed[1].field, "approval.rules[1].when");
        assert_eq!(placed[1].message, "must be an object");
        assert_eq!(placed[2].field, "approval.rules[0].name");
    }

    #[test]
    fn tree_reads_back_with_paths() {
        let owner = Owner::new();
        owner.with(|| {
            let factory = NodeFactory::new();
            let stored = json!({"and": [
                {"field": "duration_days", "op": "gt", "value": 30},
                {"not": {"or": [{"field": "pci", "op": "eq", "value": true}]}}
            ]});
            let condition = Condition::from_json(&stored).unwrap();
            let fields = rule_fields(&[]);
            let mut errors = Vec::new();
            let tree = factory.tree_of(&condition);
            assert_eq!(tree.read("when", &fields, &mut errors), condition);
            assert!(errors.is_empty(), "{errors:?}");

            let empty = factory.group(Junction::Or, Vec::new());
            let NodeDraft::Group(root) = tree else {
                panic!("the top node is a group");
            };
            root.children.update(|children| children.push(empty));
            tree.read("when", &fields, &mut errors);
            let paths: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(paths, ["when.and[2]"]);
        });
    }
}
