//! `/portal/`: what employees can order.

mod item_card;
mod page;

pub use page::CatalogPage;
