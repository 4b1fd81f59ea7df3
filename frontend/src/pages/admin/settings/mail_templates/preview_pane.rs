use leptos::prelude::*;
use shared::mail_templates::MailPreview;

/// Shows a template rendered with sample values. The HTML body is shown in a sandboxed frame
/// with no scripts, forms or access to this page, because a template may contain any markup.
#[component]
pub fn PreviewPane(preview: MailPreview) -> impl IntoView {
    view! {
        <section aria-labelledby="preview-heading">
            <h3 id="preview-heading">"Preview with sample values"</h3>
            <dl>
                <dt>"Subject"</dt>
                <dd>{preview.subject}</dd>
            </dl>
            <h4>"Plain text"</h4>
            <pre>{preview.text}</pre>
            <h4>"HTML"</h4>
            <iframe
                title="HTML preview"
                sandbox=""
                srcdoc=preview.html
                style="width: 100%; min-height: 20rem; border: 1px solid #ccc; background: #fff;"
            ></iframe>
        </section>
    }
}
