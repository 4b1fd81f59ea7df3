-- Every job insert sent NOTIFY, and PostgreSQL serializes the commits of all transactions
-- that sent a notification on one database-wide lock, held through the commit's WAL flush.
-- Placing orders under load spent most of its waiting on that lock. Workers claim jobs until
-- none is ready before they wait again, so a notification only matters when no other job of
-- the queue is ready: otherwise the workers are busy or already woken. They also poll every
-- second, which bounds the delay when a worker finds the queue empty just before this
-- transaction commits.
create or replace function jobs_notify() returns trigger language plpgsql as $$
begin
    if not exists (
        select 1 from jobs
        where queue = new.queue and state = 'queued' and run_at <= new.run_at and id <> new.id
    ) then
        perform pg_notify('ipsolis_jobs', new.queue);
    end if;
    return new;
end $$;
