use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use shared::approvals::{ApprovalPlan, SimulationRequest};
use shared::catalog::AttributeDefinition;
use wasm_bindgen::JsCast;

use super::plan_view::PlanView;
use super::{form_errors, read_for_preview};
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::{FieldErrors, non_blank, parse_optional_number};
use crate::pages::admin::definitions::definition_draft::DefinitionDraft;
use crate::pages::portal::attribute_fields::{
    AttributeFields, AttributeInput, attribute_inputs, attribute_values,
};

/// Renders "Who would approve": a sample order and the approval groups the unsaved definition in
/// the form would route it to. `errors` are the form's, which get the
/// approval section's errors.
#[component]
pub fn ApprovalPreview(
    draft: DefinitionDraft,
    attributes: Memo<Vec<AttributeDefinition>>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let requester = RwSignal::new(String::new());
    let deputy = RwSignal::new(String::new());
    let duration = RwSignal::new(draft.default_days.get_untracked());
    let sample_errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let plan = RwSignal::new(None::<ApprovalPlan>);
    let pending = RwSignal::new(false);

    // The sample values follow the attributes as they are edited, keeping the values typed
    // for keys that remain. The inputs belong to this view, not to the effect, which would
    // dispose of them on its next run.
    let inputs = RwSignal::new(Vec::<AttributeInput>::new());
    let owner = StoredValue::new(Owner::current());
    Effect::new(move |_| {
        let definitions = attributes.get();
        let mut ignored = FieldErrors::default();
        let typed = inputs.with_untracked(|inputs| attribute_values(inputs, &mut ignored));
        let typed = Value::Object(typed);
        let create = || attribute_inputs(&definitions, Some(&typed));
        let fresh = match owner.get_value() {
            Some(owner) => owner.with(create),
            None => create(),
        };
        inputs.set(fresh);
    });

    let simulate = move || {
        // The old plan is cleared at once, so it is never taken for the result of new values.
        plan.set(None);
        status.set(None);
        error.set(None);
        let Some(definition) = read_for_preview(draft, errors) else {
            status.set(Some(Status::failure(
                "Correct the approval fields marked in the form first.",
            )));
            return;
        };
        let mut sample = FieldErrors::default();
        let requester_text = requester.get_untracked().trim().to_string();
        if requester_text.is_empty() {
            sample.push("requester", "is required: an account name or mail address");
        }
        let duration_days =
            parse_optional_number(&duration.get_untracked(), "duration_days", &mut sample);
        let values = inputs.with_untracked(|inputs| attribute_values(inputs, &mut sample));
        sample_errors.set(sample.clone());
        if !sample.is_empty() {
            return;
        }

        let request = SimulationRequest {
            definition,
            requester: requester_text,
            placed_by: non_blank(&deputy.get_untracked()),
            duration_days,
            attributes: values,
            at: None,
        };
        pending.set(true);
        status.set(Some(Status::neutral("Routing the sample order…")));
        spawn_local(async move {
            let result = api.simulate_approval(&request).await;
            status.set(None);
            match result {
                Ok(routed) => plan.set(Some(routed)),
                Err(failure) => {
                    let placed = form_errors(&failure);
                    errors.set(placed.with_prefix("approval"));
                    sample_errors.set(placed);
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };
    // Enter in a sample field shows the approvers instead of saving the definition.
    let on_keydown = move |event: KeyboardEvent| {
        let in_input = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            .is_some();
        if event.key() == "Enter" && in_input {
            event.prevent_default();
            simulate();
        }
    };
    let attribute_fields = move || {
        view! {
            <AttributeFields inputs=inputs.get() errors=sample_errors id_prefix="preview-attribute" />
        }
    };

    view! {
        <aside
            class="approval-preview card"
            aria-labelledby="approval-preview-heading"
            on:keydown=on_keydown
        >
            <h3 id="approval-preview-heading">"Who would approve"</h3>
            <p class="hint">"A sample order, routed with the form as it is now, unsaved."</p>
            <TextField
                id="preview-requester"
                label="Sample requester"
                value=requester
                errors=sample_errors
                field="requester"
                required=true
                hint="Account name or mail address."
            />
            <TextField
                id="preview-deputy"
                label="Placed by deputy (optional)"
                value=deputy
                errors=sample_errors
                field="placed_by"
            />
            <TextField
                id="preview-duration"
                label="Sample duration (days)"
                value=duration
                errors=sample_errors
                field="duration_days"
                input_type="number"
            />
            {attribute_fields}
            <div class="actions">
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || pending.get()
                    on:click=move |_| simulate()
                >
                    "Show approvers"
                </button>
            </div>
            <StatusMessage status />
            <ErrorBanner error />
            {move || plan.get().map(|plan| view! { <PlanView plan /> })}
        </aside>
    }
}
