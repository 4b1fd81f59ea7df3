//! Clients for the systems ip·Solis talks to.

pub mod directory;
pub mod mail;
pub mod oidc;
