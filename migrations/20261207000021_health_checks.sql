-- The latest check of each component. `streak` counts the consecutive checks that found
-- `status`; `alerted_status` is the status the last alert (or the first quiet confirmation)
-- announced, so a mail goes out only when a new status has held for two checks in a row.
create table health_checks (
    component text primary key,
    status text not null check (status in ('ok', 'failing', 'not_configured')),
    detail text not null,
    latency_ms bigint,
    streak integer not null check (streak >= 1),
    alerted_status text check (alerted_status in ('ok', 'failing')),
    checked_at timestamptz not null,
    changed_at timestamptz not null
);
