//! Business rules with no I/O.

pub mod expiry;
pub mod license;
pub mod logo;
pub mod order_state;
pub mod pool_import;
