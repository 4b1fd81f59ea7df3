-- The admin Jobs page lists jobs of one state, newest first, by keyset over (created_at, id).
create index jobs_by_state on jobs (state, created_at desc, id desc);

-- The queue summary counts the jobs that finished in the last day and the dead ones, and a
-- purge deletes finished jobs by age. Jobs that have not finished are not in this index.
create index jobs_finished on jobs (state, finished_at) include (queue)
    where finished_at is not null;
