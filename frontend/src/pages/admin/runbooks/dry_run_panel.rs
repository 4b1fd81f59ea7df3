use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::runbooks::{DryRun, DryRunRequest, PlannedStep};
use uuid::Uuid;

use super::runbook_draft::RunbookDraft;
use super::step_draft::value_text;
use super::subject_fields::{RunSubject, SubjectFields};
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage};
use crate::forms::FieldErrors;

/// Renders the dry run: the editor's steps as they stand, saved or not, with every parameter
/// resolved for an optional order or instance, and what would stop each step.
#[component]
pub fn DryRunPanel(
    draft: RunbookDraft,
    #[prop(into)] runbook_id: Signal<Option<Uuid>>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let subject = RunSubject::new();
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let result = RwSignal::new(None::<DryRun>);
    let pending = RwSignal::new(false);

    let render = move |_| {
        let mut field_errors = FieldErrors::default();
        let (order_id, asset_id) = subject.read(&mut field_errors);
        errors.set(field_errors.clone());
        error.set(None);
        if !field_errors.is_empty() {
            return;
        }
        // The steps go as they stand: the server reports what is wrong with each.
        let (input, _) = draft.read();
        let request = DryRunRequest {
            runbook_id: runbook_id.get_untracked(),
            steps: Some(input.steps),
            order_id,
            asset_id,
        };
        pending.set(true);
        status.set(Some(Status::neutral("Rendering the steps…")));
        spawn_local(async move {
            match api.dry_run(&request).await {
                Ok(plan) => {
                    status.set(Some(dry_run_status(&plan)));
                    result.set(Some(plan));
                }
                Err(failure) => {
                    status.set(None);
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="dry-run-heading">
            <h2 id="dry-run-heading">"Dry run"</h2>
            <p class="hint">
                "Renders the steps above, saved or not, with every parameter resolved, and runs nothing. Without an order, order and requester values show as placeholders; secrets show masked."
            </p>
            <SubjectFields id_prefix="dry-run" subject errors />
            <div class="actions">
                <button type="button" class="button secondary" disabled=move || pending.get() on:click=render>
                    "Dry run"
                </button>
            </div>
            <ErrorBanner error />
            <StatusMessage status />
            {move || result.get().map(|plan| view! { <PlannedSteps steps=plan.steps /> })}
        </section>
    }
}

fn dry_run_status(plan: &DryRun) -> Status {
    let problems: usize = plan.steps.iter().map(|step| step.problems.len()).sum();
    match problems {
        0 => Status::success("Ready: no step has a problem."),
        1 => Status::failure("1 problem would stop the run."),
        count => Status::failure(format!("{count} problems would stop the run.")),
    }
}

/// Renders each planned step with its resolved parameters and problems.
#[component]
fn PlannedSteps(steps: Vec<PlannedStep>) -> impl IntoView {
    let items = steps
        .into_iter()
        .enumerate()
        .map(|(index, step)| {
            let heading = format!("{}. {}", index + 1, step.name);
            let params = step
                .params
                .iter()
                .map(|(name, value)| {
                    view! {
                        <dt>{name.clone()}</dt>
                        <dd>
                            <code class="preserve-lines">{value_text(value)}</code>
                        </dd>
                    }
                })
                .collect_view();
            let problems = (!step.problems.is_empty()).then(|| {
                let items = step
                    .problems
                    .into_iter()
                    .map(|problem| view! { <li>{problem}</li> })
                    .collect_view();
                view! { <ul class="field-error">{items}</ul> }
            });
            view! {
                <li class="planned-step" aria-label=heading.clone()>
                    <h3>{heading.clone()}</h3>
                    <p class="muted small">
                        <code>{step.key}</code>
                        " · "
                        <code>{step.module}</code>
                        {(!step.enabled).then_some(" · disabled: skipped when run")}
                    </p>
                    <dl class="facts">{params}</dl>
                    {problems}
                </li>
            }
        })
        .collect_view();

    view! { <ol class="planned-steps">{items}</ol> }
}
