//! `/portal/my-it`: the signed-in person's access and orders.

mod active_order_row;
mod order_row;
mod page;

pub use page::MyItPage;
