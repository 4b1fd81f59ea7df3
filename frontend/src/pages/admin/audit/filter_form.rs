use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::admin::AuditFilter;
use crate::components::TextField;
use crate::forms::{FieldErrors, read_time};

/// Renders the audit log filters. "Apply filters" passes the typed values to `on_apply`, with
/// "From" and "Until" read in the browser's local time zone.
#[component]
pub fn FilterForm(
    on_apply: Callback<AuditFilter>,
    /// Field errors of the server's response to the applied filters.
    #[prop(into)]
    server_errors: Signal<FieldErrors>,
) -> impl IntoView {
    let entity_type = RwSignal::new(String::new());
    let entity_id = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let form_errors = RwSignal::new(FieldErrors::default());
    // While the form's own checks fail, no request is sent, so the server's errors belong to
    // earlier filters and stay hidden.
    let errors = Signal::derive(move || {
        let own = form_errors.get();
        if own.is_empty() {
            server_errors.get()
        } else {
            own
        }
    });

    let apply = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = FieldErrors::default();
        let from_time = read_time(&from.get_untracked(), "from", &mut errors);
        let until_time = read_time(&until.get_untracked(), "until", &mut errors);
        if let (Some(start), Some(end)) = (from_time, until_time)
            && end <= start
        {
            errors.push("until", "must be later than From");
        }
        let valid = errors.is_empty();
        form_errors.set(errors);
        if !valid {
            return;
        }

        on_apply.run(AuditFilter {
            entity_type: entity_type.get_untracked(),
            entity_id: entity_id.get_untracked(),
            actor: actor.get_untracked(),
            action: action.get_untracked(),
            from: from_time,
            until: until_time,
        });
    };
    let clear = move |_| {
        for field in [entity_type, entity_id, actor, action, from, until] {
            field.set(String::new());
        }
        form_errors.set(FieldErrors::default());
        on_apply.run(AuditFilter::default());
    };

    view! {
        <form class="filters" on:submit=apply>
            <TextField
                id="audit-entity-type"
                label="Entity type"
                value=entity_type
                errors
                field="entity_type"
                placeholder="for example order"
            />
            <TextField id="audit-entity-id" label="Entity ID" value=entity_id errors field="entity_id" />
            <TextField id="audit-actor" label="Actor" value=actor errors field="actor" />
            <TextField
                id="audit-action"
                label="Action"
                value=action
                errors
                field="action"
                placeholder="for example order.transition"
            />
            <TextField
                id="audit-from"
                label="From"
                value=from
                errors
                field="from"
                input_type="datetime-local"
            />
            <TextField
                id="audit-until"
                label="Until"
                value=until
                errors
                field="until"
                input_type="datetime-local"
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
