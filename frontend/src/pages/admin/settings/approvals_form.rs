use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::permissions::Permission;
use shared::settings::ApprovalSettings;

use crate::api::{AdminApi, ApiError};
use crate::components::{
    ErrorBanner, SelectField, Status, StatusMessage, TextAreaField, TextField,
};
use crate::forms::{FieldErrors, non_blank, parse_number, parse_optional_number, split_lines};
use crate::labels;
use crate::state::AdminAuth;

/// Renders the form for reminders to approvers, escalation after the last reminder, the
/// automatic decline of old approvals, the central compliance officer and the directory
/// attribute that rules read a requester's department from.
#[component]
pub fn ApprovalsForm(settings: ApprovalSettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let interval = RwSignal::new(String::new());
    let max_reminders = RwSignal::new(String::new());
    let contacts = RwSignal::new(String::new());
    let mode = RwSignal::new(settings.escalation_mode);
    let decline_days = RwSignal::new(String::new());
    let officer = RwSignal::new(String::new());
    let department = RwSignal::new(String::new());

    // Puts stored settings into the fields, on load and after each save.
    let show_settings = move |settings: ApprovalSettings| {
        interval.set(settings.reminder_interval_hours.to_string());
        max_reminders.set(settings.max_reminders.to_string());
        contacts.set(settings.escalation_contacts.join("\n"));
        mode.set(settings.escalation_mode);
        decline_days.set(
            settings
                .auto_decline_days
                .map(|days| days.to_string())
                .unwrap_or_default(),
        );
        officer.set(settings.compliance_officer.unwrap_or_default());
        department.set(settings.department_attribute);
    };
    show_settings(settings);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    // Builds the request body, or shows the field errors and returns `None`.
    let read_input = move || {
        let mut field_errors = FieldErrors::default();
        let hours = parse_number::<u32>(
            &interval.get_untracked(),
            "reminder_interval_hours",
            &mut field_errors,
        );
        let reminders = parse_number::<u32>(
            &max_reminders.get_untracked(),
            "max_reminders",
            &mut field_errors,
        );
        let days = parse_optional_number::<u32>(
            &decline_days.get_untracked(),
            "auto_decline_days",
            &mut field_errors,
        );
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return None;
        }

        let input = ApprovalSettings {
            reminder_interval_hours: hours.unwrap_or_default(),
            max_reminders: reminders.unwrap_or_default(),
            escalation_contacts: split_lines(&contacts.get_untracked()),
            escalation_mode: mode.get_untracked(),
            auto_decline_days: days,
            compliance_officer: non_blank(&officer.get_untracked()),
            department_attribute: department.get_untracked().trim().to_string(),
        };
        let range_errors = FieldErrors::new(input.errors());
        errors.set(range_errors.clone());
        range_errors.is_empty().then_some(input)
    };

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        pending.set(true);
        spawn_local(async move {
            match api.save_approval_settings(&input).await {
                Ok(saved) => {
                    show_settings(saved);
                    status.set(Some(Status::success("Saved")));
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <form class="settings-form" on:submit=save novalidate=true>
            <ErrorBanner error />
            <h3>"Reminders and escalation"</h3>
            <div class="form-grid">
                <TextField
                    id="approvals-reminder-interval"
                    label="Hours between reminders"
                    value=interval
                    errors
                    field="reminder_interval_hours"
                    input_type="number"
                    disabled=read_only
                    hint="1 to 720. An approver who has not decided is reminded this often."
                />
                <TextField
                    id="approvals-max-reminders"
                    label="Reminders before escalation"
                    value=max_reminders
                    errors
                    field="max_reminders"
                    input_type="number"
                    disabled=read_only
                    hint="0 to 3."
                />
            </div>
            <TextAreaField
                id="approvals-escalation-contacts"
                label="Escalation contacts"
                value=contacts
                errors
                field="escalation_contacts"
                rows=3
                disabled=read_only
                hint="Up to 10, one account name or mail address per line. They hear of an approval still open after the last reminder."
            />
            <SelectField
                id="approvals-escalation-mode"
                label="On escalation"
                value=mode
                options=labels::escalation_mode_options()
                disabled=read_only
            />
            <TextField
                id="approvals-auto-decline-days"
                label="Decline approvals open for more than (days)"
                value=decline_days
                errors
                field="auto_decline_days"
                input_type="number"
                disabled=read_only
                hint="1 to 365. Leave empty to keep approvals open until someone decides."
            />
            <h3>"Compliance and rules"</h3>
            <div class="form-grid">
                <TextField
                    id="approvals-compliance-officer"
                    label="Compliance officer"
                    value=officer
                    errors
                    field="compliance_officer"
                    disabled=read_only
                    hint="Account name or mail address. Decides compliance approvals for classifications a definition names no owner of record for."
                />
                <TextField
                    id="approvals-department-attribute"
                    label="Department attribute"
                    value=department
                    errors
                    field="department_attribute"
                    disabled=read_only
                    hint="The directory attribute rules on requester_department read, such as department."
                />
            </div>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save approval settings"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}
