use leptos::prelude::*;

use super::condition_draft::{Junction, NodeDraft};
use super::editor_context::{EditorContext, Place, node_messages};
use super::group_editor::GroupEditor;
use super::leaf_editor::LeafEditor;
use crate::components::ErrorMessages;

/// Renders one node of a condition and, for a group, its children. `path` is the node's error
/// path, such as `approval.rules[0].when.and[1]`.
#[component]
pub fn ConditionNode(
    node: NodeDraft,
    #[prop(into)] path: Signal<String>,
    place: Place,
    context: EditorContext,
) -> AnyView {
    match node {
        NodeDraft::Group(group) => view! { <GroupEditor group path place context /> }.into_any(),
        NodeDraft::Leaf(leaf) => view! { <LeafEditor leaf path place context /> }.into_any(),
    }
}

/// Renders "Wrap in group" and, below the top node, "Remove" for the node numbered `uid`.
#[component]
pub fn NodeActions(node: NodeDraft, place: Place, context: EditorContext) -> impl IntoView {
    let uid = node.uid();
    let wrap = move |_| {
        let group = context.factory.group(Junction::And, vec![node]);
        place.replace(uid, group);
    };
    let remove = move |_| place.remove(uid);

    view! {
        <Show when=move || !context.read_only.get()>
            <button type="button" class="button secondary small" on:click=wrap>
                "Wrap in group"
            </button>
            {(!place.is_root())
                .then(|| {
                    view! {
                        <button type="button" class="button secondary small" on:click=remove>
                            "Remove"
                        </button>
                    }
                })}
        </Show>
    }
}

/// Renders the errors at the node's path and at `<path>.<part>` for each of `parts`.
#[component]
pub fn NodeErrors(
    context: EditorContext,
    path: Signal<String>,
    parts: &'static [&'static str],
    id: String,
) -> impl IntoView {
    let messages = Signal::derive(move || {
        let path = path.get();
        context
            .errors
            .with(|errors| node_messages(errors, &path, parts))
    });

    view! { <ErrorMessages messages id /> }
}
