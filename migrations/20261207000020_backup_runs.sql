-- Backup runs: one row per "Back up now" or scheduled slot, inserted in the transaction that
-- enqueues its job. The files themselves live in the backup folder; a restore rewinds this
-- table to the time of the backup, but the folder keeps every file.
create table backup_runs (
    id uuid primary key,
    file_name text not null unique,
    trigger text not null check (trigger in ('manual', 'schedule')),
    requested_by text not null,
    state text not null check (state in ('pending', 'running', 'done', 'failed')),
    error text,
    size_bytes bigint,
    job_id uuid,
    created_at timestamptz not null,
    started_at timestamptz,
    finished_at timestamptz
);
create index backup_runs_keyset on backup_runs (created_at desc, id desc);
