use leptos::prelude::*;
use leptos_router::components::A;

/// Explains why My account has nothing to manage for a sign-in with the legacy admin key.
#[component]
pub fn LegacyKeyNote() -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="legacy-key-heading">
            <h2 id="legacy-key-heading">"Legacy admin key"</h2>
            <p>
                "The legacy admin key belongs to no account, so it has no password, two-factor sign-in or sessions to manage; create an admin user for yourself under "
                <A href="/ui/users">"Admin users"</A>
                " and sign in with that account instead."
            </p>
        </section>
    }
}
