use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{Route, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;

use super::account::{ACCOUNT_PATH, AccountPage};
use super::audit::AuditPage;
use super::dashboard::DashboardPage;
use super::definitions::{DefinitionListPage, EditDefinitionPage, NewDefinitionPage};
use super::delegations_page::DelegationsPage;
use super::jobs::JobsPage;
use super::license::{LicenseBanner, LicensePage, LicenseStatusContext};
use super::maintenance::{BackupsPage, HealthPage};
use super::not_found_page::NotFoundPage;
use super::orders::{OrderDetailPage, OrderListPage};
use super::pool::PoolPage;
use super::runbook_runs::RunPage;
use super::runbook_variables::RunbookVariablesPage;
use super::runbooks::{EditRunbookPage, NewRunbookPage, RunbookListPage};
use super::scripts::{EditScriptPage, NewScriptPage, ScriptListPage};
use super::settings::{MailTemplatesPage, SettingsPage};
use super::tokens::ApiTokenListPage;
use super::users::{AdminUserDetailPage, AdminUserListPage};
use crate::components::AdminNav;
use crate::state::AdminAuth;

/// Renders the signed-in admin SPA: navigation on the left, the routed page on the right, and
/// above the page the license banner while the license needs attention.
#[component]
pub fn AdminLayout() -> impl IntoView {
    keep_restricted_session_on_account_page();
    LicenseStatusContext::provide();

    view! {
        <div class="admin-layout">
            <AdminNav />
            <main class="admin-main">
                <LicenseBanner />
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/ui") view=DashboardPage />
                    <Route path=path!("/ui/settings") view=SettingsPage />
                    <Route path=path!("/ui/settings/mail-templates") view=MailTemplatesPage />
                    <Route path=path!("/ui/settings/license") view=LicensePage />
                    <Route path=path!("/ui/definitions") view=DefinitionListPage />
                    // "new" must come before ":id", because the first matching route wins.
                    <Route path=path!("/ui/definitions/new") view=NewDefinitionPage />
                    <Route path=path!("/ui/definitions/:id") view=EditDefinitionPage />
                    <Route path=path!("/ui/pool") view=PoolPage />
                    <Route path=path!("/ui/runbooks") view=RunbookListPage />
                    <Route path=path!("/ui/runbooks/new") view=NewRunbookPage />
                    <Route path=path!("/ui/runbooks/:id") view=EditRunbookPage />
                    <Route path=path!("/ui/runbook-runs/:id") view=RunPage />
                    <Route path=path!("/ui/scripts") view=ScriptListPage />
                    <Route path=path!("/ui/scripts/new") view=NewScriptPage />
                    <Route path=path!("/ui/scripts/:id") view=EditScriptPage />
                    <Route path=path!("/ui/runbook-variables") view=RunbookVariablesPage />
                    <Route path=path!("/ui/orders") view=OrderListPage />
                    <Route path=path!("/ui/orders/:id") view=OrderDetailPage />
                    <Route path=path!("/ui/delegations") view=DelegationsPage />
                    <Route path=path!("/ui/audit") view=AuditPage />
                    <Route path=path!("/ui/jobs") view=JobsPage />
                    <Route path=path!("/ui/backups") view=BackupsPage />
                    <Route path=path!("/ui/health") view=HealthPage />
                    <Route path=path!("/ui/users") view=AdminUserListPage />
                    <Route path=path!("/ui/users/:id") view=AdminUserDetailPage />
                    <Route path=path!("/ui/tokens") view=ApiTokenListPage />
                    <Route path=path!("/ui/account") view=AccountPage />
                </Routes>
            </main>
        </div>
    }
}

/// Moves a restricted session to My account, where it can fix what confines it: right after
/// sign-in, on load, and whenever another address is opened. The server rejects every other
/// page's requests meanwhile.
fn keep_restricted_session_on_account_page() {
    let auth = expect_context::<AdminAuth>();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let restricted = auth.restriction().is_some();
        let on_account_page = location
            .pathname
            .with(|path| path.trim_end_matches('/') == ACCOUNT_PATH);
        if restricted && !on_account_page {
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(ACCOUNT_PATH, options);
        }
    });
}
