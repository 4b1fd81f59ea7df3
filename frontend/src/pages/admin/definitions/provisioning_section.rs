use leptos::prelude::*;
use shared::catalog::{DeprovisionPolicy, Strategy};
use shared::runbooks::PortalSteps;

use super::definition_draft::DefinitionDraft;
use super::runbook_select::RunbookSelect;
use crate::api::AdminApi;
use crate::components::{CheckboxField, FieldErrorText, SelectField};
use crate::forms::FieldErrors;
use crate::labels;

/// Renders how orders are provisioned and reclaimed: the runbooks a Runbook or Composite
/// strategy and the end-of-order policy run, whether memberships held before the order go
/// too, and how much of the provisioning the portal shows.
#[component]
pub fn ProvisioningSection(
    draft: DefinitionDraft,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(into)] read_only: Signal<bool>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let listed = LocalResource::new(move || async move { api.runbooks().await });
    let runbooks = Signal::derive(move || {
        listed
            .get()
            .and_then(Result::ok)
            .map(|list| {
                list.into_iter()
                    .map(|runbook| (runbook.id, runbook.name))
                    .collect()
            })
            .unwrap_or_default()
    });
    let strategy = draft.strategy;
    let deprovision = draft.deprovision;
    let runs_runbooks = Signal::derive(move || strategy.get() != Strategy::GroupAccess);
    let needs_deprovision_runbook = Signal::derive(move || deprovision.get().needs_runbook());
    let portal_step_options = PortalSteps::ALL.map(|each| (each, each.label())).to_vec();

    view! {
        <fieldset class="field form-section">
            <legend>"Provisioning and reclaim"</legend>
            <Show when=move || runs_runbooks.get()>
                <RunbookSelect
                    id="definition-provision-runbook"
                    label="Provisioning runbook"
                    value=draft.provision_runbook_id
                    runbooks
                    errors
                    field="provision_runbook_id"
                    required=true
                    hint="Runs when an order is approved."
                    disabled=read_only
                />
            </Show>
            <SelectField
                id="definition-deprovision"
                label="When an order ends"
                value=deprovision
                options=labels::deprovision_options()
                disabled=read_only
            />
            <FieldErrorText errors field="deprovision" id="definition-deprovision-error".to_string() />
            <Show when=move || runs_runbooks.get() || needs_deprovision_runbook.get()>
                <RunbookSelect
                    id="definition-deprovision-runbook"
                    label="Deprovision runbook"
                    value=draft.deprovision_runbook_id
                    runbooks
                    errors
                    field="deprovision_runbook_id"
                    required=needs_deprovision_runbook
                    hint="Runs when an order ends. Deallocate, Delete and Custom runbook need one."
                    disabled=read_only
                />
            </Show>
            <Show when=move || deprovision.get() == DeprovisionPolicy::ReturnWithReinstall>
                <RunbookSelect
                    id="definition-reinstall-runbook"
                    label="Reinstall runbook"
                    value=draft.reinstall_runbook_id
                    runbooks
                    errors
                    field="reinstall_runbook_id"
                    required=false
                    hint="Reinstalls a returned instance, then frees it. Without one, an admin frees it by hand."
                    disabled=read_only
                />
            </Show>
            <CheckboxField
                id="definition-remove-pre-existing"
                label="Also remove memberships held before the order"
                checked=draft.remove_pre_existing
                disabled=read_only
            />
            <p class="hint">
                "Unticked, a group the person was already in stays when the order ends."
            </p>
            <SelectField
                id="definition-portal-steps"
                label="Steps shown in the portal"
                value=draft.portal_steps
                options=portal_step_options
                disabled=read_only
            />
        </fieldset>
    }
}
