//! ip·Solis server: the JSON API, the SPA host, the scheduler and the job workers.

pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod integrations;
pub mod jobs;
pub mod lifecycle;
pub mod mail_templates;
pub mod markdown;
pub mod notifications;
pub mod observability;
pub mod redis;
pub mod runbooks;
pub mod security;
pub mod seed;
pub mod settings;
pub mod state;
pub mod store;
