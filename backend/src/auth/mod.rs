//! Passwords, sessions, CSRF, approval links and the permission checks of admin routes.

pub mod actor;
pub mod admin;
pub mod links;
pub mod password;
pub mod portal;
pub mod session;
pub mod throttle;
pub mod tokens;
pub mod totp;

pub use actor::Actor;
