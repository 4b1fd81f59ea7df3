use leptos::prelude::*;
use shared::mail_templates::{MailTemplate, MailTemplateKind};
use shared::permissions::Permission;

use super::editor::TemplateEditor;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading, SelectField};
use crate::pages::admin::require_permission::RequirePermission;

/// Renders the mail templates page: loads every template, then shows the chosen one.
#[component]
pub fn MailTemplatesPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let templates = LocalResource::new(move || api.mail_templates());

    view! {
        <h1>"Mail templates"</h1>
        <RequirePermission permission=Permission::SettingsRead>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match templates.await {
                        Ok(templates) => view! { <TemplateChooser templates /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </RequirePermission>
    }
}

/// Renders the choice of template and the editor of the chosen one. Saved texts replace the
/// loaded ones, so choosing a template again shows what was saved.
#[component]
fn TemplateChooser(templates: Vec<MailTemplate>) -> impl IntoView {
    let templates = RwSignal::new(templates);
    let kind = RwSignal::new(MailTemplateKind::ApprovalRequest);
    let options = MailTemplateKind::ALL
        .into_iter()
        .map(|kind| (kind, kind.label()))
        .collect();
    let on_saved = Callback::new(move |saved: MailTemplate| {
        templates.update(|templates| {
            if let Some(slot) = templates.iter_mut().find(|t| t.kind == saved.kind) {
                *slot = saved;
            }
        });
    });

    view! {
        <section class="card" aria-labelledby="mail-template-heading">
            <h2 id="mail-template-heading">"Approval e-mails"</h2>
            <p class="hint">
                "Write each message in Jinja syntax, such as {{ asset }}. Values inserted in the \
                 HTML body are escaped; a placeholder that is not listed is rejected."
            </p>
            <SelectField id="mail-template-kind" label="Template" value=kind options />
            {move || {
                let chosen = kind.get();
                templates
                    .with_untracked(|templates| templates.iter().find(|t| t.kind == chosen).cloned())
                    .map(|template| view! { <TemplateEditor template on_saved /> })
            }}
        </section>
    }
}
