//! The keys whose values differ between the `before` and `after` of an audit row.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The kind of difference for one key between `before` and `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only `after` has the key.
    Added,
    /// Only `before` has the key.
    Removed,
    /// Both have the key, with different values.
    Changed,
}

/// One key whose value differs, with the value on each side that has it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueChange {
    /// The path of the key. Keys of nested objects are joined with dots, such as `smtp.host`,
    /// and an empty path means the whole value, when it is not an object.
    pub key: String,
    pub kind: ChangeKind,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Lists the keys whose values differ, sorted by key. Nested objects are compared key by
/// key, while arrays and other values are compared whole. A missing side (`None`) has no
/// keys, so every key of the other side is added or removed.
pub fn value_changes(before: Option<&Value>, after: Option<&Value>) -> Vec<ValueChange> {
    let before_leaves = leaves(before);
    let after_leaves = leaves(after);
    let keys: BTreeSet<&String> = before_leaves.keys().chain(after_leaves.keys()).collect();

    let mut changes = Vec::new();
    for key in keys {
        let old = before_leaves.get(key).copied();
        let new = after_leaves.get(key).copied();
        let kind = match (old, new) {
            (Some(old), Some(new)) if old == new => continue,
            (Some(_), Some(_)) => ChangeKind::Changed,
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (None, None) => continue,
        };
        changes.push(ValueChange {
            key: key.clone(),
            kind,
            before: old.cloned(),
            after: new.cloned(),
        });
    }
    changes
}

/// Maps the path of every value that is not a non-empty object to that value.
fn leaves(value: Option<&Value>) -> BTreeMap<String, &Value> {
    let mut leaves = BTreeMap::new();
    if let Some(value) = value {
        collect_leaves(value, String::new(), &mut leaves);
    }
    leaves
}

fn collect_leaves<'a>(value: &'a Value, path: String, leaves: &mut BTreeMap<String, &'a Value>) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (key, child) in fields {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                collect_leaves(child, child_path, leaves);
            }
        }
        _ => {
            leaves.insert(path, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{ChangeKind, ValueChange, value_changes};

    fn change(
        key: &str,
        kind: ChangeKind,
        before: Option<Value>,
        after: Option<Value>,
    ) -> ValueChange {
        ValueChange {
            key: key.to_string(),
            kind,
            before,
            after,
        }
    }

    #[test]
    fn changed_added_and_unchanged_keys() {
        let before = json!({ "state": "pending_approval", "id": 7 });
        let after = json!({ "state": "cancelled", "id": 7, "note": "by the requester" });
        let changes = value_changes(Some(&before), Some(&after));
        assert_eq!(
            changes,
            vec![
                change(
                    "note",
                    ChangeKind::Added,
                    None,
                    Some(json!("by the requester"))
                ),
                change(
                    "state",
                    ChangeKind::Changed,
                    Some(json!("pending_approval")),
                    Some(json!("cancelled"))
                ),
            ]
        );
    }

    #[test]
    fn removed_key_and_null_value() {
        let before = json!({ "host": "mail.example.test", "note": null });
        let after = json!({ "note": "set" });
        let changes = value_changes(Some(&before), Some(&after));
        assert_eq!(
            changes,
            vec![
                change(
                    "host",
                    ChangeKind::Removed,
                    Some(json!("mail.example.test")),
                    None
                ),
                change(
                    "note",
                    ChangeKind::Changed,
                    Some(json!(null)),
                    Some(json!("set"))
                ),
            ]
        );
    }

    #[test]
    fn nested_objects_compare_by_path() {
        let before = json!({ "smtp": { "host": "a", "port": 25 }, "groups": ["x"] });
        let after = json!({ "smtp": { "host": "b", "port": 25 }, "groups": ["x", "y"] });
        let changes = value_changes(Some(&before), Some(&after));
        let keys: Vec<&str> = changes.iter().map(|change| change.key.as_str()).collect();
        assert_eq!(keys, ["groups", "smtp.host"]);
        assert_eq!(changes[0].after, Some(json!(["x", "y"])));
    }

    #[test]
    fn missing_before_adds_every_key() {
        let after = json!({ "username": "alice", "role": "admin" });
        let changes = value_changes(None, Some(&after));
        assert_eq!(changes.len(), 2);
        assert!(
            changes
                .iter()
                .all(|change| change.kind == ChangeKind::Added)
        );
    }

    #[test]
    fn missing_after_removes_every_key() {
        let before = json!({ "username": "alice" });
        let changes = value_changes(Some(&before), None);
        assert_eq!(
            changes,
            vec![change(
                "username",
                ChangeKind::Removed,
                Some(json!("alice")),
                None
            )]
        );
    }

    #[test]
    fn equal_values_have_no_changes() {
        let value = json!({ "a": { "b": [1, 2] } });
        assert!(value_changes(Some(&value), Some(&value)).is_empty());
        assert!(value_changes(None, None).is_empty());
    }

    #[test]
    fn scalar_values_use_empty_path() {
        let changes = value_changes(Some(&json!(1)), Some(&json!(2)));
        assert_eq!(
            changes,
            vec![change(
                "",
                ChangeKind::Changed,
                Some(json!(1)),
                Some(json!(2))
            )]
        );
    }
}
