-- The provisioning engine: runbooks of steps, stored scripts with their versions, global
-- variables and secrets, and the journal of every run.

create table runbooks (
    id uuid primary key,
    name text not null check (length(name) between 1 and 120),
    description text not null default '',
    steps jsonb not null default '[]' check (jsonb_typeof(steps) = 'array'),
    -- Six-field cron (seconds first, UTC); null runs only by hand or from a definition.
    schedule text,
    notes text not null default '',
    version integer not null default 1,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create unique index runbooks_name_key on runbooks (lower(name));

create table scripts (
    id uuid primary key,
    name text not null check (length(name) between 1 and 120),
    language text not null check (language in ('powershell', 'bash', 'python')),
    description text not null default '',
    version integer not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create unique index scripts_name_key on scripts (lower(name));

-- Every saved version of a script is kept; a run pins the version it ran.
create table script_versions (
    script_id uuid not null references scripts on delete cascade,
    version integer not null,
    body text not null,
    created_by text not null,
    created_at timestamptz not null,
    primary key (script_id, version)
);

-- Global variables every step's templates read as vars.NAME, and secrets as secrets.NAME.
-- A secret's value is encrypted with the installation's key.
create table runbook_variables (
    name text primary key check (name ~ '^[a-z][a-z0-9_]{0,39}$'),
    secret boolean not null,
    value text not null,
    updated_at timestamptz not null
);

create table runbook_runs (
    id uuid primary key,
    runbook_id uuid references runbooks on delete set null,
    runbook_name text not null,
    runbook_version integer not null,
    purpose text not null
        check (purpose in ('provision', 'deprovision', 'reinstall', 'manual', 'schedule')),
    state text not null default 'queued'
        check (state in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    order_id uuid references orders,
    asset_id uuid references assets,
    -- The steps as they were when the run was created, with script versions pinned, so an
    -- edit of the runbook never changes a run under way.
    steps jsonb not null check (jsonb_typeof(steps) = 'array'),
    started_by text not null,
    note text not null default '',
    error text,
    cancel_requested boolean not null default false,
    -- Counts the jobs enqueued for the run; a job of an older generation does nothing, so a
    -- run never has two jobs working on it.
    generation integer not null default 0,
    schedule_slot timestamptz,
    -- The job that carries on once the run succeeds, such as the order's provisioning, which
    -- then activates the order: {"kind": ..., "payload": ...}.
    continuation jsonb,
    created_at timestamptz not null,
    started_at timestamptz,
    finished_at timestamptz
);
-- One provisioning and one deprovisioning run per order; a retry resumes the same run.
create unique index runbook_runs_order_once on runbook_runs (order_id, purpose)
    where purpose in ('provision', 'deprovision');
-- One unfinished reinstall per instance.
create unique index runbook_runs_reinstall_once on runbook_runs (asset_id)
    where purpose = 'reinstall' and state in ('queued', 'running');
-- A schedule slot runs once, whatever the leader changes.
create unique index runbook_runs_slot_once on runbook_runs (runbook_id, schedule_slot)
    where schedule_slot is not null;
create index runbook_runs_by_runbook on runbook_runs (runbook_id, created_at desc, id desc);
create index runbook_runs_by_order on runbook_runs (order_id) where order_id is not null;
create index runbook_runs_newest on runbook_runs (created_at desc, id desc);

create table runbook_run_steps (
    run_id uuid not null references runbook_runs on delete cascade,
    position integer not null,
    key text not null,
    name text not null,
    module text not null,
    state text not null default 'pending'
        check (state in ('pending', 'running', 'succeeded', 'failed', 'skipped')),
    attempts integer not null default 0,
    started_at timestamptz,
    finished_at timestamptz,
    output jsonb not null default '{}',
    readback jsonb not null default '{}',
    log jsonb not null default '[]' check (jsonb_typeof(log) = 'array'),
    error text,
    primary key (run_id, position)
);

-- What each definition runs, what the portal shows of it, and whether memberships held
-- before an order are removed at its end.
alter table asset_definitions
    add column provision_runbook_id uuid references runbooks,
    add column deprovision_runbook_id uuid references runbooks,
    add column reinstall_runbook_id uuid references runbooks,
    add column remove_pre_existing boolean not null default false,
    add column portal_steps text not null default 'off'
        check (portal_steps in ('off', 'steps', 'steps_with_logs'));

alter table asset_definitions drop constraint asset_definitions_deprovision_check;
alter table asset_definitions add constraint asset_definitions_deprovision_check
    check (deprovision in ('remove_access', 'return_to_pool', 'return_with_reinstall',
        'deallocate', 'delete', 'custom_runbook', 'maintenance'));

insert into asset_statuses (name) values ('deallocated'), ('retired');
insert into asset_status_transitions (from_status, to_status) values
    ('in_use', 'deallocated'), ('deallocated', 'free'), ('deallocated', 'reinstall'),
    ('deallocated', 'maintenance'), ('in_use', 'retired');

-- When an order with an instance closes, the instance follows the definition's policy; one
-- never used goes straight back, and a shared one stays in use while others hold it.
create or replace function orders_release_asset() returns trigger language plpgsql as $$
declare
    policy text;
    next_status text;
begin
    if new.asset_id is null or old.state = new.state
       or new.state not in ('completed', 'rejected', 'cancelled') then
        return new;
    end if;
    if exists (
        select 1 from orders
        where asset_id = new.asset_id and id <> new.id
          and state not in ('completed', 'rejected', 'cancelled')
    ) then
        return new;
    end if;
    select deprovision into policy from asset_definitions where id = new.definition_id;
    next_status := case
        when old.state in ('submitted', 'pending_approval', 'approved', 'scheduled') then 'free'
        when policy = 'return_with_reinstall' then 'reinstall'
        when policy = 'maintenance' then 'maintenance'
        when policy = 'deallocate' then 'deallocated'
        when policy = 'delete' then 'retired'
        else 'free'
    end;
    update assets set status = next_status, updated_at = coalesce(new.closed_at, now())
    where id = new.asset_id and status = 'in_use';
    return new;
end $$;
