use leptos::prelude::*;

use super::condition_draft::{GroupDraft, Junction, NodeDraft, child_path};
use super::condition_node::{ConditionNode, NodeActions, NodeErrors};
use super::editor_context::{EditorContext, Place};
use crate::components::SelectInput;

/// The error paths below a group's own that belong to it: the server reports an empty group
/// at `<path>.and` or `<path>.or`.
const GROUP_PARTS: &[&str] = &["and", "or"];

/// Renders a group node: its AND, OR or NOT choice, its children and the buttons that add a
/// condition or a group to it. A NOT group contains one child.
#[component]
pub fn GroupEditor(
    group: GroupDraft,
    path: Signal<String>,
    place: Place,
    context: EditorContext,
) -> impl IntoView {
    let factory = context.factory;
    let children = group.children;
    let junction = group.junction;

    // A NOT group takes one condition, so the children of an AND or OR group that becomes NOT
    // move into a group of their own, which keeps their meaning.
    let choose = Callback::new(move |chosen: Junction| {
        let current = junction.get_untracked();
        if chosen == Junction::Not
            && current != Junction::Not
            && children.with_untracked(Vec::len) > 1
        {
            let inner = factory.group(current, children.get_untracked());
            children.set(vec![inner]);
        }
        junction.set(chosen);
    });
    let first_field = move || context.fields.with_untracked(|fields| fields[0].clone());
    let add_condition = move |_| {
        let leaf = factory.leaf(&first_field());
        children.update(|children| children.push(leaf));
    };
    let add_group = move |_| {
        let leaf = factory.leaf(&first_field());
        let group = factory.group(Junction::And, vec![leaf]);
        children.update(|children| children.push(group));
    };
    let can_add = move || {
        !context.read_only.get()
            && (junction.get() != Junction::Not || children.with(Vec::is_empty))
    };
    let error_id = format!("condition-{}-error", group.uid);
    let has_error = move || context.node_has_error(&path.get(), GROUP_PARTS);

    let child_view = move |child: NodeDraft| {
        let uid = child.uid();
        let child_path = Signal::derive(move || {
            let index = children
                .with(|children| children.iter().position(|node| node.uid() == uid))
                .unwrap_or(0);
            child_path(&path.get(), junction.get(), index)
        });
        view! {
            <li>
                <ConditionNode node=child path=child_path place=Place::Child(children) context />
            </li>
        }
    };

    view! {
        <div
            class="condition-node condition-group"
            data-testid="condition-group"
            data-path=move || path.get()
            class:has-error=has_error
        >
            <div class="condition-toolbar">
                <SelectInput
                    aria_label="Group type"
                    value=junction
                    on_choose=choose
                    options=Junction::options()
                    disabled=context.read_only
                />
                <Show when=can_add>
                    <button type="button" class="button secondary small" on:click=add_condition>
                        "Add condition"
                    </button>
                    <button type="button" class="button secondary small" on:click=add_group>
                        "Add group"
                    </button>
                </Show>
                <NodeActions node=NodeDraft::Group(group) place context />
            </div>
            <NodeErrors context path parts=GROUP_PARTS id=error_id />
            <ol class="condition-children">
                <For each=move || children.get() key=|child| child.uid() children=child_view />
            </ol>
            <Show when=move || children.with(Vec::is_empty)>
                <p class="muted small">"Empty group: add a condition or remove the group."</p>
            </Show>
        </div>
    }
}
