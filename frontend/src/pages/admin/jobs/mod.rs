//! `/ui/jobs`: the job queues' depths, jobs by state, the retry of dead jobs and the purge of
//! finished ones.

mod job_row;
mod page;
mod purge_form;
mod queue_table;
mod retry_action;

pub use page::JobsPage;
