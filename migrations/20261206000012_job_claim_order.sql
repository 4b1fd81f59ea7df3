-- Workers claim the due queued job with the earliest (run_at, id). Without an index in that
-- order, each claim sorted every due job of its queues, so a backlog of 10,000 jobs cost
-- about 3 ms of PostgreSQL time per claim. With it a claim reads the first index entries
-- whose queue the worker serves.
create index jobs_due on jobs (run_at, id) where state = 'queued';
