-- Foundation schema: admin users, settings, catalog, orders with approvals, durable jobs and
-- the audit log. Invariants live here as constraints so no code path can bypass them.

-- One row once the first administrator exists. Its primary key lets exactly one of two
-- racing "create first administrator" requests succeed.
create table installation (
    singleton boolean primary key default true check (singleton),
    set_up_at timestamptz not null,
    set_up_by uuid not null
);

create table admin_users (
    id uuid primary key,
    username text not null unique check (username ~ '^[a-z0-9._@-]{3,128}$'),
    password_hash text not null,
    role text not null check (role in ('superadmin', 'admin', 'approver', 'auditor', 'helpdesk')),
    active boolean not null default true,
    -- Raised on a password, role or active-flag change; sessions carrying an older value end.
    session_epoch integer not null default 0,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

-- Settings sections (ldap, smtp, oidc) as JSON. Secret values inside are encrypted by the
-- application before they reach this table.
create table settings (
    key text primary key,
    value jsonb not null,
    updated_at timestamptz not null,
    updated_by text not null
);

create table asset_definitions (
    id uuid primary key,
    name text not null,
    description text not null default '',
    category text not null,
    strategy text not null check (strategy in ('group_access')),
    group_dns text[] not null check (cardinality(group_dns) between 1 and 20),
    approval text not null check (approval in ('manager', 'none')),
    default_duration_days integer not null,
    max_duration_days integer not null,
    justification text not null check (justification in ('off', 'optional', 'required')),
    active boolean not null default true,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint asset_definitions_durations check (
        default_duration_days between 1 and max_duration_days and max_duration_days <= 3650
    )
);
create unique index asset_definitions_name_key on asset_definitions (lower(name));

-- Portal users are keyed by the identity provider's issuer and stable subject, never by
-- e-mail, which can change.
create table portal_users (
    id uuid primary key,
    issuer text not null,
    subject text not null,
    email text not null,
    display_name text not null,
    directory_dn text not null,
    created_at timestamptz not null,
    last_sign_in_at timestamptz not null,
    unique (issuer, subject)
);

create table order_states (name text primary key);
insert into order_states (name) values
    ('submitted'), ('pending_approval'), ('approved'), ('scheduled'), ('provisioning'),
    ('active'), ('modification_pending'), ('deprovisioning'), ('completed'), ('rejected'),
    ('cancelled'), ('failed');

-- The allowed moves between order states. It mirrors `domain::order_state::TRANSITIONS`;
-- a unit test compares the two.
create table order_transitions (
    from_state text not null references order_states,
    to_state text not null references order_states,
    primary key (from_state, to_state)
);
insert into order_transitions (from_state, to_state) values
    ('submitted', 'pending_approval'),
    ('submitted', 'approved'),
    ('submitted', 'cancelled'),
    ('pending_approval', 'approved'),
    ('pending_approval', 'rejected'),
    ('pending_approval', 'cancelled'),
    ('approved', 'scheduled'),
    ('approved', 'provisioning'),
    ('approved', 'cancelled'),
    ('scheduled', 'provisioning'),
    ('scheduled', 'cancelled'),
    ('provisioning', 'active'),
    ('provisioning', 'failed'),
    ('active', 'modification_pending'),
    ('active', 'deprovisioning'),
    ('modification_pending', 'active'),
    ('modification_pending', 'deprovisioning'),
    ('deprovisioning', 'completed'),
    ('deprovisioning', 'failed'),
    ('failed', 'provisioning'),
    ('failed', 'deprovisioning');

create table orders (
    id uuid primary key,
    definition_id uuid not null references asset_definitions,
    requester_id uuid not null references portal_users,
    requester_name text not null,
    requester_email text not null,
    requester_dn text not null,
    state text not null references order_states,
    duration_days integer not null check (duration_days between 1 and 3650),
    justification text,
    -- The groups granted, copied from the definition when the order is placed so a later
    -- change to the definition cannot change what this order removes at its end.
    group_dns text[] not null,
    idempotency_key text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    activated_at timestamptz,
    expires_at timestamptz,
    closed_at timestamptz,
    unique (requester_id, idempotency_key)
);
create index orders_keyset on orders (created_at desc, id desc);
create index orders_requester on orders (requester_id, created_at desc);
create index orders_expiry on orders (expires_at) where state = 'active';

-- Rejects any state change the transition table does not allow, whatever code runs it.
create function orders_check_transition() returns trigger language plpgsql as $$
begin
    if new.state is distinct from old.state and not exists (
        select 1 from order_transitions where from_state = old.state and to_state = new.state
    ) then
        raise exception 'order % cannot move from % to %', old.id, old.state, new.state
            using errcode = 'check_violation', constraint = 'order_transition';
    end if;
    return new;
end $$;
create trigger orders_transition before update of state on orders
    for each row execute function orders_check_transition();

create table order_events (
    id uuid primary key,
    order_id uuid not null references orders,
    at timestamptz not null,
    from_state text references order_states,
    to_state text not null references order_states,
    actor text not null,
    note text
);
create index order_events_order on order_events (order_id, at, id);

create table approvals (
    id uuid primary key,
    order_id uuid not null references orders,
    approver_name text not null,
    approver_email text not null,
    approver_dn text not null,
    state text not null check (state in ('pending', 'approved', 'declined', 'superseded')),
    created_at timestamptz not null,
    decided_at timestamptz,
    decided_by text,
    check ((state = 'pending') = (decided_at is null))
);
create index approvals_order on approvals (order_id);

-- Durable jobs. A job is inserted in the transaction of the change that needs it; workers
-- claim with FOR UPDATE SKIP LOCKED and hold a lease they renew.
create table jobs (
    id uuid primary key,
    queue text not null check (queue in ('provision', 'notifications', 'default', 'reclaim')),
    kind text not null,
    payload jsonb not null,
    state text not null check (state in ('queued', 'running', 'succeeded', 'dead')),
    attempts integer not null default 0,
    max_attempts integer not null,
    run_at timestamptz not null,
    locked_by text,
    lease_until timestamptz,
    last_error text,
    -- Periodic tasks use task and slot as the key, so a leader change never enqueues one twice.
    dedupe_key text unique,
    created_at timestamptz not null,
    finished_at timestamptz
);
create index jobs_ready on jobs (queue, run_at) where state = 'queued';
create index jobs_leases on jobs (lease_until) where state = 'running';

create function jobs_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('ipsolis_jobs', new.queue);
    return new;
end $$;
create trigger jobs_notify after insert on jobs for each row execute function jobs_notify();

create table audit_log (
    id uuid primary key,
    at timestamptz not null,
    actor text not null,
    action text not null,
    entity_type text not null,
    entity_id text not null,
    before jsonb,
    after jsonb
);
create index audit_log_keyset on audit_log (at desc, id desc);
create index audit_log_entity on audit_log (entity_type, entity_id, at desc);

-- The audit log is append-only: no role of the application may change or remove a row.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();
