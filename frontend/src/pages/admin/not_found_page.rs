use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p>"There is no admin page at this address."</p>
        <p>
            <A href="/ui/">"Go to the dashboard"</A>
        </p>
    }
}
