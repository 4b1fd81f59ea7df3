//! `/portal/order/:id`: the order form for one catalog entry.

mod form;
mod page;

pub use page::OrderFormPage;
