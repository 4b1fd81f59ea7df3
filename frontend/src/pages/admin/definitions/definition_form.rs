use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::catalog::{ApprovalPolicy, AssetDefinitionInput, JustificationRule, Strategy};
use shared::permissions::Permission;
use shared::validation;
use uuid::Uuid;

use crate::api::{AdminApi, ApiError};
use crate::components::{
    CheckboxField, ErrorBanner, SelectField, Status, StatusMessage, TextAreaField, TextField,
};
use crate::forms::{FieldErrors, parse_number};
use crate::labels;
use crate::state::AdminAuth;

/// Renders the asset definition form. With `id` it updates that definition and stays on the
/// page. Without `id` it creates a definition and goes back to the list.
#[component]
pub fn DefinitionForm(initial: AssetDefinitionInput, id: Option<Uuid>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let navigate = use_navigate();
    let read_only = Signal::derive(move || !auth.allows(Permission::CatalogWrite));

    let name = RwSignal::new(initial.name);
    let description = RwSignal::new(initial.description);
    let category = RwSignal::new(initial.category);
    let strategy = RwSignal::new(initial.strategy);
    let group_dns = RwSignal::new(initial.group_dns.join("\n"));
    let approval = RwSignal::new(initial.approval);
    let default_days = RwSignal::new(initial.default_duration_days.to_string());
    let max_days = RwSignal::new(initial.max_duration_days.to_string());
    let justification = RwSignal::new(initial.justification);
    let active = RwSignal::new(initial.active);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        let default_duration = parse_number(
            &default_days.get_untracked(),
            "default_duration_days",
            &mut field_errors,
        );
        let max_duration = parse_number(
            &max_days.get_untracked(),
            "max_duration_days",
            &mut field_errors,
        );

        let input = AssetDefinitionInput {
            name: name.get_untracked().trim().to_string(),
            description: description.get_untracked().trim().to_string(),
            category: category.get_untracked().trim().to_string(),
            strategy: strategy.get_untracked(),
            group_dns: split_lines(&group_dns.get_untracked()),
            approval: approval.get_untracked(),
            default_duration_days: default_duration.unwrap_or_default(),
            max_duration_days: max_duration.unwrap_or_default(),
            justification: justification.get_untracked(),
            active: active.get_untracked(),
        };
        // A duration that is not a number already has its error, so the range rule's message
        // for the same field would only repeat it.
        for rule_error in validation::asset_definition(&input) {
            let unparsed = (rule_error.field == "default_duration_days"
                && default_duration.is_none())
                || (rule_error.field == "max_duration_days" && max_duration.is_none());
            if !unparsed {
                field_errors.push(&rule_error.field, rule_error.message);
            }
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match id {
                Some(id) => api.update_asset_definition(id, &input).await,
                None => api.create_asset_definition(&input).await,
            };
            match result {
                Ok(_) if id.is_none() => navigate("/ui/definitions", Default::default()),
                Ok(_) => status.set(Some(Status::success("Saved"))),
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    let strategy_options = vec![(
        Strategy::GroupAccess,
        labels::strategy(Strategy::GroupAccess),
    )];
    let approval_options = [ApprovalPolicy::Manager, ApprovalPolicy::None]
        .map(|policy| (policy, labels::approval_policy(policy)))
        .to_vec();
    let justification_options = [
        JustificationRule::Off,
        JustificationRule::Optional,
        JustificationRule::Required,
    ]
    .map(|rule| (rule, labels::justification_rule(rule)))
    .to_vec();

    view! {
        <form class="card" on:submit=submit novalidate=true>
            <ErrorBanner error />
            <TextField id="definition-name" label="Name" value=name errors field="name" required=true disabled=read_only />
            <TextAreaField
                id="definition-description"
                label="Description"
                value=description
                errors
                field="description"
                rows=3
                disabled=read_only
            />
            <div class="form-grid">
                <TextField
                    id="definition-category"
                    label="Category"
                    value=category
                    errors
                    field="category"
                    required=true
                    disabled=read_only
                />
                <SelectField
                    id="definition-strategy"
                    label="Strategy"
                    value=strategy
                    options=strategy_options
                    disabled=read_only
                />
            </div>
            <TextAreaField
                id="definition-group-dns"
                label="Group DNs"
                value=group_dns
                errors
                field="group_dns"
                rows=4
                required=true
                disabled=read_only
                hint="One distinguished name per line, for example cn=App Users,ou=Groups,dc=example,dc=com."
            />
            <div class="form-grid">
                <SelectField
                    id="definition-approval"
                    label="Approval"
                    value=approval
                    options=approval_options
                    disabled=read_only
                />
                <SelectField
                    id="definition-justification"
                    label="Justification"
                    value=justification
                    options=justification_options
                    disabled=read_only
                />
            </div>
            <div class="form-grid">
                <TextField
                    id="definition-default-duration"
                    label="Default duration (days)"
                    value=default_days
                    errors
                    field="default_duration_days"
                    input_type="number"
                    required=true
                    disabled=read_only
                />
                <TextField
                    id="definition-max-duration"
                    label="Maximum duration (days)"
                    value=max_days
                    errors
                    field="max_duration_days"
                    input_type="number"
                    required=true
                    disabled=read_only
                />
            </div>
            <CheckboxField id="definition-active" label="Active" checked=active disabled=read_only />
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save asset definition"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}

/// Splits the group text area into DNs, one per non-blank line.
fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}
