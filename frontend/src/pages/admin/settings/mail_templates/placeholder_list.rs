use leptos::prelude::*;
use shared::mail_templates::Placeholder;

/// Lists the placeholders a template can insert, each with what it contains.
#[component]
pub fn PlaceholderList(placeholders: Vec<Placeholder>) -> impl IntoView {
    let rows = placeholders
        .into_iter()
        .map(|placeholder| {
            view! {
                <dt>
                    <code>{format!("{{{{ {} }}}}", placeholder.name)}</code>
                </dt>
                <dd>{placeholder.description}</dd>
            }
        })
        .collect_view();

    view! {
        <section aria-labelledby="placeholders-heading">
            <h3 id="placeholders-heading">"Placeholders"</h3>
            <dl class="placeholders">{rows}</dl>
        </section>
    }
}
