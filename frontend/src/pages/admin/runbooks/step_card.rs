use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::DragEvent;

use super::param_field::ParamField;
use super::runbook_draft::RunbookDraft;
use super::step_draft::StepDraft;
use crate::components::{CheckboxField, FieldErrorText, TextField};
use crate::forms::FieldErrors;

/// The step list's signals for moving steps and announcing each move.
#[derive(Debug, Clone, Copy)]
pub struct StepListControls {
    pub draft: RunbookDraft,
    /// The step being dragged by its handle.
    pub dragging: RwSignal<Option<u64>>,
    /// Runs after a step moved or was removed, with the sentence screen readers announce.
    pub on_changed: Callback<String>,
}

impl StepListControls {
    /// Moves the step `uid` to `to` and announces its new position.
    fn move_to(self, step: StepDraft, to: usize) -> Option<usize> {
        let at = self.draft.move_step(step.uid, to)?;
        let count = self.draft.steps.with_untracked(Vec::len);
        let name = step.name.get_untracked();
        self.on_changed.run(format!(
            "Moved step {name} to position {} of {count}.",
            at + 1
        ));
        Some(at)
    }
}

/// Moves keyboard focus to the element with `id` once the view has been drawn.
pub fn focus_after_render(id: String) {
    request_animation_frame(move || {
        let element = document()
            .get_element_by_id(&id)
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}

/// Renders one step: its name, key, enabled toggle, timeout and retry policy, the module's
/// parameters, and the buttons and drag handle that move or remove it. `errors` are the whole
/// runbook's, with paths such as `steps[2].params.group_dn`.
#[component]
pub fn StepCard(
    step: StepDraft,
    controls: StepListControls,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(into)] scripts: Signal<Vec<String>>,
    #[prop(into)] read_only: Signal<bool>,
) -> impl IntoView {
    let uid = step.uid;
    let steps = controls.draft.steps;
    let position = Memo::new(move |_| {
        steps.with(|steps| steps.iter().position(|each| each.uid == uid).unwrap_or(0))
    });
    let count = Memo::new(move |_| steps.with(Vec::len));
    let is_last = move || position.get() + 1 >= count.get();
    let step_errors = Signal::derive(move || {
        errors.with(|errors| errors.under(&format!("steps[{}].", position.get())))
    });
    let id = move |name: &str| format!("step-{uid}-{name}");
    let legend = move || format!("Step {}: {}", position.get() + 1, step.name.get());

    let module_line = match step.spec() {
        Some(module) => view! {
            <p class="step-module">
                <strong>{module.label}</strong>
                " · "
                <code>{module.id}</code>
                " · "
                <span class="muted">{module.group}</span>
                <br />
                <span class="muted small">{module.description}</span>
            </p>
        }
        .into_any(),
        None => view! {
            <p class="step-module">
                <code>{step.module.get_value()}</code>
                " "
                <span class="muted">"is not a module of this version."</span>
            </p>
        }
        .into_any(),
    };
    let params = step.params.get_value().into_iter().map(|param| {
        view! { <ParamField draft=param id_prefix=format!("step-{uid}") errors=step_errors scripts read_only /> }
    });

    let up_button = NodeRef::<html::Button>::new();
    let down_button = NodeRef::<html::Button>::new();
    // A moved card keeps keyboard focus on a move button that can still be pressed.
    let shift = move |offset: isize| {
        let to = position.get_untracked() as isize + offset;
        if to < 0 {
            return;
        }
        let Some(at) = controls.move_to(step, to as usize) else {
            return;
        };
        let at_end = at + 1 >= count.get_untracked();
        let target = match (offset < 0, at == 0, at_end) {
            (true, true, _) => down_button,
            (false, _, true) => up_button,
            (true, _, _) => up_button,
            (false, _, _) => down_button,
        };
        request_animation_frame(move || {
            if let Some(button) = target.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    // The pressed button leaves with its step, so keyboard focus moves to the step that took
    // its place, or to the one before, or to the module picker once no step is left.
    let remove = move |_| {
        let name = step.name.get_untracked();
        let at = position.get_untracked();
        controls.draft.remove_step(uid);
        controls.on_changed.run(format!("Removed step {name}."));
        let neighbour = steps.with_untracked(|steps| {
            steps
                .get(at.min(steps.len().saturating_sub(1)))
                .map(|each| each.uid)
        });
        focus_after_render(neighbour.map_or_else(
            || "runbook-new-step-module".to_string(),
            |neighbour| format!("step-{neighbour}-name"),
        ));
    };

    let card = NodeRef::<html::Fieldset>::new();
    let drop_target = RwSignal::new(false);
    let drag_start = move |event: DragEvent| {
        controls.dragging.set(Some(uid));
        if let Some(transfer) = event.data_transfer() {
            transfer.set_effect_allowed("move");
            // Firefox starts a drag only when it carries data.
            let _ = transfer.set_data("text/plain", &step.key.get_untracked());
            if let Some(card) = card.get_untracked() {
                transfer.set_drag_image(&card, 16, 16);
            }
        }
    };
    let dragged_elsewhere = move || {
        controls
            .dragging
            .get_untracked()
            .is_some_and(|from| from != uid)
    };
    let drag_over = move |event: DragEvent| {
        if dragged_elsewhere() {
            // Cancelling `dragover` accepts the drop, which the browser rejects by default.
            event.prevent_default();
            drop_target.set(true);
        }
    };
    let drop = move |event: DragEvent| {
        drop_target.set(false);
        let Some(from) = controls.dragging.get_untracked() else {
            return;
        };
        event.prevent_default();
        controls.dragging.set(None);
        let dragged = steps.with_untracked(|steps| steps.iter().find(|s| s.uid == from).copied());
        if let Some(dragged) = dragged {
            controls.move_to(dragged, position.get_untracked());
        }
    };
    let unknown = move || {
        step.unknown_params
            .get()
            .into_iter()
            .map(|(name, _)| {
                let field = format!("params.{name}");
                let remove_name = name.clone();
                let remove_label = format!("Remove {name}");
                let remove_one = move |_| {
                    step.unknown_params.update(|params| {
                        params.remove(&remove_name);
                    });
                };
                view! {
                    <li>
                        <code>{name.clone()}</code>
                        " "
                        <Show when=move || !read_only.get()>
                            <button type="button" class="button secondary small" on:click=remove_one.clone()>
                                {remove_label.clone()}
                            </button>
                        </Show>
                        <FieldErrorText errors=step_errors field id=format!("step-{uid}-unknown-{name}") />
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <fieldset
            class="step-card"
            class:drop-target=move || drop_target.get()
            class:disabled-step=move || !step.enabled.get()
            node_ref=card
            on:dragover=drag_over
            on:dragleave=move |_| drop_target.set(false)
            on:drop=drop
        >
            <legend>{legend}</legend>
            <Show when=move || !read_only.get()>
                <div class="step-toolbar">
                    <span
                        class="drag-handle"
                        draggable="true"
                        title="Drag to move this step"
                        aria-hidden="true"
                        on:dragstart=drag_start
                        on:dragend=move |_| controls.dragging.set(None)
                    >
                        "⠿"
                    </span>
                    <button
                        type="button"
                        class="button secondary"
                        node_ref=up_button
                        disabled=move || position.get() == 0
                        on:click=move |_| shift(-1)
                    >
                        "Move up"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        node_ref=down_button
                        disabled=is_last
                        on:click=move |_| shift(1)
                    >
                        "Move down"
                    </button>
                    <button type="button" class="button secondary" on:click=remove>
                        "Remove step"
                    </button>
                </div>
            </Show>
            {module_line}
            <FieldErrorText errors=step_errors field="module" id=id("module-error") />
            <div class="form-grid">
                <TextField
                    id=id("name")
                    label="Name"
                    value=step.name
                    errors=step_errors
                    field="name"
                    required=true
                    disabled=read_only
                    hint="What the journal and the portal call the step."
                />
                <TextField
                    id=id("key")
                    label="Key"
                    value=step.key
                    errors=step_errors
                    field="key"
                    required=true
                    disabled=read_only
                    hint="Later steps read this step's output as steps.<key>."
                />
            </div>
            <CheckboxField id=id("enabled") label="Enabled" checked=step.enabled disabled=read_only />
            <div class="form-grid">
                <TextField
                    id=id("timeout")
                    label="Timeout (seconds)"
                    value=step.timeout_seconds
                    errors=step_errors
                    field="timeout_seconds"
                    input_type="number"
                    required=true
                    disabled=read_only
                />
                <TextField
                    id=id("max-attempts")
                    label="Tries in all"
                    value=step.max_attempts
                    errors=step_errors
                    field="retry.max_attempts"
                    input_type="number"
                    required=true
                    disabled=read_only
                    hint="1 means no retry."
                />
                <TextField
                    id=id("backoff")
                    label="Wait before a retry (seconds)"
                    value=step.backoff_seconds
                    errors=step_errors
                    field="retry.backoff_seconds"
                    input_type="number"
                    required=true
                    disabled=read_only
                    hint="Doubles for every further try."
                />
            </div>
            {params.collect_view()}
            <Show when=move || step.unknown_params.with(|params| !params.is_empty())>
                <p class="hint">"Parameters this module does not take:"</p>
                <ul class="plain-list">{unknown}</ul>
            </Show>
        </fieldset>
    }
}
