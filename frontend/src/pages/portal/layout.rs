use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;

use super::approvals::ApprovalsPage;
use super::catalog::CatalogPage;
use super::delegations_page::DelegationsPage;
use super::my_it::MyItPage;
use super::not_found_page::NotFoundPage;
use super::order_detail::OrderDetailPage;
use super::order_form::OrderFormPage;

/// Renders the routes of the signed-in portal.
#[component]
pub fn PortalRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFoundPage>
            <Route path=path!("/portal") view=CatalogPage />
            <Route path=path!("/portal/order/:id") view=OrderFormPage />
            <Route path=path!("/portal/my-it") view=MyItPage />
            <Route path=path!("/portal/orders/:id") view=OrderDetailPage />
            <Route path=path!("/portal/approvals") view=ApprovalsPage />
            <Route path=path!("/portal/delegations") view=DelegationsPage />
        </Routes>
    }
}
