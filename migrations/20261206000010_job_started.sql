-- When a worker claimed a job for its latest attempt. The Jobs page shows it, and the job
-- queue benchmark measures the time from a job's enqueue to its start with it.
alter table jobs add column started_at timestamptz;
