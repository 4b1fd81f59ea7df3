//! Work in the background: the durable job queue in Postgres, the workers that run it, and
//! the leader-locked scheduler that enqueues periodic tasks.

pub mod handlers;
pub mod leader;
pub mod queue;
pub mod schedule;
pub mod worker;

pub use queue::{NewJob, Queue};
