use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::SessionInfo;

use super::session_row::SessionRow;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Loading};

/// Renders the "Signed-in sessions" section of `/ui/account`: the signed-in admin's open
/// sessions, each with a way to end it except the one this tab uses.
#[component]
pub fn SessionsSection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let sessions = RwSignal::new(Vec::<SessionInfo>::new());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let reload = move || {
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            match api.sessions().await {
                Ok(list) => sessions.set(list),
                Err(failure) => error.set(Some(failure)),
            }
            loading.set(false);
        });
    };
    reload();
    let on_ended = Callback::new(move |()| reload());

    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Signed-in sessions"</h2>
            <p class="muted">
                "Browsers where you are signed in. End a session you do not recognise, or one left open on another computer."
            </p>
            <ErrorBanner error />
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Last active"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Browser"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || sessions.get()
                        key=|session| (session.id, session.last_seen_at)
                        children=move |session| view! { <SessionRow session on_ended /> }
                    />
                </tbody>
            </table>
            <Show when=move || loading.get()>
                <Loading />
            </Show>
        </section>
    }
}
