use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::health::HealthSettings;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::{FieldErrors, non_blank};

/// Renders the address that receives health alerts, editable when `can_write`.
#[component]
pub fn AlertForm(settings: HealthSettings, can_write: bool) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let address = RwSignal::new(settings.alert_email.unwrap_or_default());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let input = HealthSettings {
            alert_email: non_blank(&address.get_untracked()),
        };
        pending.set(true);
        error.set(None);
        status.set(None);
        errors.set(FieldErrors::default());
        spawn_local(async move {
            match api.save_health_settings(&input).await {
                Ok(_) => {
                    status.try_set(Some(Status::success("Alert address saved.")));
                }
                Err(failure) => {
                    errors.try_set(FieldErrors::from_api(&failure));
                    error.try_set(Some(failure));
                }
            }
            pending.try_set(false);
        });
    };

    view! {
        <form on:submit=submit novalidate=true>
            <ErrorBanner error />
            <StatusMessage status />
            <TextField
                id="alert-email"
                label="Alert address"
                value=address
                errors
                field="alert_email"
                input_type="email"
                disabled=Signal::derive(move || !can_write || pending.get())
                hint="Receives a mail when a component has failed two checks in a row, and when it has passed two in a row again. Leave empty to mail every superadmin with an e-mail address."
            />
            {can_write
                .then(|| {
                    view! {
                        <div class="actions">
                            <button type="submit" class="button" disabled=move || pending.get()>
                                "Save alert address"
                            </button>
                        </div>
                    }
                })}
        </form>
    }
}
