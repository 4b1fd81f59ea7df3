//! Clients for the systems ip·Solis talks to.

pub mod chat;
pub mod directory;
pub mod mail;
pub mod oidc;
pub mod oidc_check;
pub mod remote;
pub mod sccm;
pub mod siem;
pub mod slack;
pub mod teams;
pub mod vsphere;
pub mod xenserver;
