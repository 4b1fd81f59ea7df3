-- Licensing: when the installation first started, from which the evaluation is counted; the
-- license uploaded through the API, which every replica reads; and the days on which the
-- expiry alert was mailed, so each day's alert goes out once whichever replica sends it.

create table installation_start (
    singleton boolean primary key default true check (singleton),
    started_at timestamptz not null
);
-- An installation set up before licensing existed counts from its first administrator.
insert into installation_start (started_at)
select coalesce((select set_up_at from installation), now());

-- The license file as uploaded. It is verified again on every read, so a key removed from a
-- later build stops the license from applying.
create table license_upload (
    singleton boolean primary key default true check (singleton),
    license_id text not null,
    document text not null,
    uploaded_at timestamptz not null,
    uploaded_by text not null
);

create table license_alert_days (
    day date primary key,
    sent_at timestamptz not null,
    recipients integer not null
);
