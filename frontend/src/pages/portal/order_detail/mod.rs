//! `/portal/orders/:id`: one of the signed-in person's orders.

mod change_forms;
mod page;
mod summary;

pub use page::OrderDetailPage;
