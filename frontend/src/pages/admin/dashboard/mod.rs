mod capacity_tiles;
mod order_count_card;
mod page;

pub use page::DashboardPage;
