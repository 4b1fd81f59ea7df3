use leptos::prelude::*;
use shared::approvals::RuleField;

use super::condition_draft::{NodeDraft, NodeFactory};
use crate::forms::FieldErrors;

/// The parts of the form that every node of a condition editor uses.
#[derive(Debug, Clone, Copy)]
pub struct EditorContext {
    pub factory: NodeFactory,
    /// The fields rules can test, including the attributes as they are in the form now.
    pub fields: Memo<Vec<RuleField>>,
    pub errors: Signal<FieldErrors>,
    pub read_only: Signal<bool>,
}

/// The place a node sits in, which its "wrap in group" and "remove" buttons change.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    /// The top node of a rule's condition.
    Root(RwSignal<NodeDraft>),
    /// A child of a group.
    Child(RwSignal<Vec<NodeDraft>>),
}

impl Place {
    /// Puts `node` where the node numbered `uid` is.
    pub fn replace(self, uid: u64, node: NodeDraft) {
        match self {
            Place::Root(root) => root.set(node),
            Place::Child(children) => children.update(|children| {
                if let Some(place) = children.iter_mut().find(|child| child.uid() == uid) {
                    *place = node;
                }
            }),
        }
    }

    /// Removes the node numbered `uid`. The top node stays, because a rule needs a condition.
    pub fn remove(self, uid: u64) {
        if let Place::Child(children) = self {
            children.update(|children| children.retain(|child| child.uid() != uid));
        }
    }

    pub fn is_root(self) -> bool {
        matches!(self, Place::Root(_))
    }
}

impl EditorContext {
    /// Returns whether the node at `path` has errors, at its path or at one of `parts` below
    /// it, tracked by the calling view.
    pub fn node_has_error(self, path: &str, parts: &[&str]) -> bool {
        self.errors
            .with(|errors| !node_messages(errors, path, parts).is_empty())
    }
}

/// Returns the messages at exactly `path` and at `path.<part>` for each of `parts`.
pub fn node_messages(errors: &FieldErrors, path: &str, parts: &[&str]) -> Vec<String> {
    let mut messages = errors.exact_messages(path);
    for part in parts {
        messages.extend(errors.exact_messages(&format!("{path}.{part}")));
    }
    messages
}
