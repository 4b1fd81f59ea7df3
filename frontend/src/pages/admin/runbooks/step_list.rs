use leptos::prelude::*;

use super::module_picker::ModulePicker;
use super::runbook_draft::RunbookDraft;
use super::step_card::{StepCard, StepListControls, focus_after_render};
use crate::components::FieldErrorText;
use crate::forms::FieldErrors;

/// Renders the runbook's steps in order, the module picker that adds one, and a live region
/// that announces to screen reader users where a step moved. Field errors name steps by position, so
/// adding, moving or removing a step clears them until the next check.
#[component]
pub fn StepList(
    draft: RunbookDraft,
    errors: RwSignal<FieldErrors>,
    #[prop(into)] scripts: Signal<Vec<String>>,
    #[prop(into)] read_only: Signal<bool>,
) -> impl IntoView {
    let announcement = RwSignal::new(String::new());
    let on_changed = Callback::new(move |message: String| {
        errors.set(FieldErrors::default());
        announcement.set(message);
    });
    let controls = StepListControls {
        draft,
        dragging: RwSignal::new(None),
        on_changed,
    };
    let on_add = Callback::new(move |module| {
        let step = draft.add_step(module);
        let count = draft.steps.with_untracked(Vec::len);
        on_changed.run(format!(
            "Added step {} at position {count}.",
            step.name.get_untracked()
        ));
        // The new step's name is the first thing to change.
        focus_after_render(format!("step-{}-name", step.uid));
    });

    view! {
        <section class="card" aria-labelledby="runbook-steps-heading">
            <h2 id="runbook-steps-heading">"Steps"</h2>
            <p class="hint">
                "Steps run in this order. Move one with its Move up and Move down buttons or by dragging its handle. Parameters are templates over order, requester, asset, vars, secrets and steps, such as {{ requester.dn }}."
            </p>
            <FieldErrorText errors field="steps" id="runbook-steps-error".to_string() />
            <For
                each=move || draft.steps.get()
                key=|step| step.uid
                children=move |step| view! { <StepCard step controls errors scripts read_only /> }
            />
            <Show when=move || draft.steps.with(Vec::is_empty)>
                <p class="muted">"No steps yet: add the first one below."</p>
            </Show>
            <div class="visually-hidden" aria-live="polite" data-testid="step-announcement">
                {move || announcement.get()}
            </div>
            <Show when=move || !read_only.get()>
                <ModulePicker on_add />
            </Show>
        </section>
    }
}
