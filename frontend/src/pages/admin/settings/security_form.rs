use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::permissions::Permission;
use shared::settings::{PasswordPolicy, SecuritySettings, SeparationOfDuties};

use super::role_pair_list::RolePairList;
use crate::api::{AdminApi, ApiError};
use crate::components::{
    CheckboxField, CheckboxList, Choice, ErrorBanner, Status, StatusMessage, TextField,
};
use crate::forms::{FieldErrors, parse_number};
use crate::labels;
use crate::state::AdminAuth;

/// Renders the form for the session and password rules, two-factor sign-in, separation of
/// duties, the legacy admin key and how long revoked and expired API tokens are kept.
#[component]
pub fn SecurityForm(settings: SecuritySettings) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let idle_minutes = RwSignal::new(String::new());
    let absolute_hours = RwSignal::new(String::new());
    let min_length = RwSignal::new(String::new());
    let require_lowercase = RwSignal::new(false);
    let require_uppercase = RwSignal::new(false);
    let require_digit = RwSignal::new(false);
    let require_symbol = RwSignal::new(false);
    let history = RwSignal::new(String::new());
    let legacy_admin_key_enabled = RwSignal::new(false);
    let token_purge_days = RwSignal::new(String::new());
    let max_age_days = RwSignal::new(String::new());
    let totp_required_roles = RwSignal::new(Vec::new());
    let forbid_self_approval = RwSignal::new(false);
    let conflicting_roles = RwSignal::new(Vec::new());
    let role_choices: Vec<Choice<_>> = labels::role_options()
        .into_iter()
        .map(|(role, label)| Choice::new(role, label))
        .collect();

    // Puts stored settings into the fields, on load and after each save.
    let show_settings = move |settings: SecuritySettings| {
        let policy = settings.password_policy;
        idle_minutes.set(settings.session_idle_minutes.to_string());
        absolute_hours.set(settings.session_absolute_hours.to_string());
        min_length.set(policy.min_length.to_string());
        require_lowercase.set(policy.require_lowercase);
        require_uppercase.set(policy.require_uppercase);
        require_digit.set(policy.require_digit);
        require_symbol.set(policy.require_symbol);
        history.set(policy.history.to_string());
        legacy_admin_key_enabled.set(settings.legacy_admin_key_enabled);
        token_purge_days.set(settings.token_purge_days.to_string());
        max_age_days.set(policy.max_age_days.to_string());
        totp_required_roles.set(settings.totp_required_roles);
        forbid_self_approval.set(settings.separation_of_duties.forbid_self_approval);
        conflicting_roles.set(settings.separation_of_duties.conflicting_roles);
    };
    show_settings(settings);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    // Builds the request body, or shows the field errors and returns `None`.
    let read_input = move || {
        let mut field_errors = FieldErrors::default();
        let mut number = |text: RwSignal<String>, field: &str| {
            parse_number::<u32>(&text.get_untracked(), field, &mut field_errors)
        };
        let idle = number(idle_minutes, "session_idle_minutes");
        let absolute = number(absolute_hours, "session_absolute_hours");
        let length = number(min_length, "password_policy.min_length");
        let remembered = number(history, "password_policy.history");
        let purge_days = number(token_purge_days, "token_purge_days");
        let max_age = number(max_age_days, "password_policy.max_age_days");
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return None;
        }

        let input = SecuritySettings {
            session_idle_minutes: idle.unwrap_or_default(),
            session_absolute_hours: absolute.unwrap_or_default(),
            password_policy: PasswordPolicy {
                min_length: length.unwrap_or_default(),
                require_lowercase: require_lowercase.get_untracked(),
                require_uppercase: require_uppercase.get_untracked(),
                require_digit: require_digit.get_untracked(),
                require_symbol: require_symbol.get_untracked(),
                history: remembered.unwrap_or_default(),
                max_age_days: max_age.unwrap_or_default(),
            },
            legacy_admin_key_enabled: legacy_admin_key_enabled.get_untracked(),
            token_purge_days: purge_days.unwrap_or_default(),
            totp_required_roles: totp_required_roles.get_untracked(),
            separation_of_duties: SeparationOfDuties {
                conflicting_roles: conflicting_roles.get_untracked(),
                forbid_self_approval: forbid_self_approval.get_untracked(),
            },
        };
        let range_errors = FieldErrors::new(input.validate());
        errors.set(range_errors.clone());
        range_errors.is_empty().then_some(input)
    };

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = read_input() else { return };
        pending.set(true);
        spawn_local(async move {
            match api.save_security_settings(&input).await {
                Ok(saved) => {
                    show_settings(saved);
                    status.set(Some(Status::success(
                        "Saved. The rules apply to passwords set from now on and to each session's next request.",
                    )));
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
            <h3>"Admin sessions"</h3>
            <div class="form-grid">
                <TextField
                    id="security-idle-minutes"
                    label="Idle timeout (minutes)"
                    value=idle_minutes
                    errors
                    field="session_idle_minutes"
                    input_type="number"
                    disabled=read_only
                    hint="5 to 1440. A session without a request for this long ends."
                />
                <TextField
                    id="security-absolute-hours"
                    label="Session lifetime (hours)"
                    value=absolute_hours
                    errors
                    field="session_absolute_hours"
                    input_type="number"
                    disabled=read_only
                    hint="1 to 168. A session ends this long after sign-in, however active."
                />
            </div>
            <h3>"Admin passwords"</h3>
            <p class="hint">"The rules apply when a password is set, not to passwords already stored."</p>
            <div class="form-grid">
                <TextField
                    id="security-min-length"
                    label="Minimum password length"
                    value=min_length
                    errors
                    field="password_policy.min_length"
                    input_type="number"
                    disabled=read_only
                    hint="12 to 128 characters."
                />
                <TextField
                    id="security-history"
                    label="Refuse the last N passwords"
                    value=history
                    errors
                    field="password_policy.history"
                    input_type="number"
                    disabled=read_only
                    hint="0 to 24. With 0, an admin may set an earlier password again."
                />
                <TextField
                    id="security-max-age-days"
                    label="Maximum password age (days, 0 = never)"
                    value=max_age_days
                    errors
                    field="password_policy.max_age_days"
                    input_type="number"
                    disabled=read_only
                    hint="0 to 3650. An older password must be changed under My account before anything else."
                />
            </div>
            <CheckboxField
                id="security-require-lowercase"
                label="Require a lower-case letter"
                checked=require_lowercase
                disabled=read_only
            />
            <CheckboxField
                id="security-require-uppercase"
                label="Require an upper-case letter"
                checked=require_uppercase
                disabled=read_only
            />
            <CheckboxField
                id="security-require-digit"
                label="Require a digit"
                checked=require_digit
                disabled=read_only
            />
            <CheckboxField
                id="security-require-symbol"
                label="Require a symbol"
                checked=require_symbol
                disabled=read_only
            />
            <h3>"Two-factor sign-in"</h3>
            <CheckboxList
                id="security-totp-role"
                legend="Roles that must use two-factor sign-in"
                selected=totp_required_roles
                choices=role_choices
                disabled=read_only
                hint="Until they set it up, users with these roles can only open My account."
            />
            <div role="group" aria-labelledby="security-separation-heading">
                <h3 id="security-separation-heading">"Separation of duties"</h3>
                <CheckboxField
                    id="security-forbid-self-approval"
                    label="Nobody approves an order they requested or placed for someone else"
                    checked=forbid_self_approval
                    disabled=read_only
                />
                <RolePairList pairs=conflicting_roles errors read_only />
            </div>
            <h3>"Scripts"</h3>
            <p class="hint">
                "When allowed, a request with the header X-Admin-Key set to the server's ADMIN_API_KEY acts as a superadmin. Turn it off once every script sends an API token."
            </p>
            <CheckboxField
                id="security-legacy-admin-key"
                label="Allow the legacy X-Admin-Key"
                checked=legacy_admin_key_enabled
                disabled=read_only
            />
            <div class="form-grid">
                <TextField
                    id="security-token-purge-days"
                    label="Delete revoked and expired API tokens after (days, 0 keeps them)"
                    value=token_purge_days
                    errors
                    field="token_purge_days"
                    input_type="number"
                    disabled=read_only
                    hint="0 to 3650. A background job deletes a token once it has been revoked or expired for this many days."
                />
            </div>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save security settings"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
    }
}
