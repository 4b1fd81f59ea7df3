use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::admin::AuditFilter;
use crate::components::TextField;
use crate::forms::FieldErrors;

/// Renders the audit log filters. "Apply filters" passes the typed values to `on_apply`.
#[component]
pub fn FilterForm(on_apply: Callback<AuditFilter>) -> impl IntoView {
    let entity_type = RwSignal::new(String::new());
    let entity_id = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    // Filters have no rules, so this list stays empty. The text fields require one.
    let no_errors = Signal::derive(FieldErrors::default);

    let apply = move |event: SubmitEvent| {
        event.prevent_default();
        on_apply.run(AuditFilter {
            entity_type: entity_type.get_untracked(),
            entity_id: entity_id.get_untracked(),
            actor: actor.get_untracked(),
        });
    };
    let clear = move |_| {
        entity_type.set(String::new());
        entity_id.set(String::new());
        actor.set(String::new());
        on_apply.run(AuditFilter::default());
    };

    view! {
        <form class="filters" on:submit=apply>
            <TextField
                id="audit-entity-type"
                label="Entity type"
                value=entity_type
                errors=no_errors
                field="entity_type"
                placeholder="for example order"
            />
            <TextField
                id="audit-entity-id"
                label="Entity ID"
                value=entity_id
                errors=no_errors
                field="entity_id"
            />
            <TextField
                id="audit-actor"
                label="Actor"
                value=actor
                errors=no_errors
                field="actor"
            />
            <div class="actions">
                <button type="submit" class="button">
                    "Apply filters"
                </button>
                <button type="button" class="button secondary" on:click=clear>
                    "Clear filters"
                </button>
            </div>
        </form>
    }
}
