mod capacity_tiles;
mod order_count_card;
mod page;
mod setup_checklist;

pub use page::DashboardPage;
