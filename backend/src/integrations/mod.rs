//! Clients for the systems ip·Solis talks to.

pub mod chat;
pub mod directory;
pub mod mail;
pub mod oidc;
pub mod slack;
pub mod teams;
