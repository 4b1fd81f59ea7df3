-- The full asset definition: assignment model and limits, typed attributes, extension,
-- cost, reminders and what happens to an instance at the end.
alter table asset_definitions drop constraint asset_definitions_strategy_check;
alter table asset_definitions add constraint asset_definitions_strategy_check
    check (strategy in ('group_access', 'runbook', 'composite'));
alter table asset_definitions drop constraint asset_definitions_group_dns_check;
alter table asset_definitions add constraint asset_definitions_group_dns_check
    check (cardinality(group_dns) <= 20);
alter table asset_definitions
    add column icon text not null default 'key',
    add column help_text text not null default '',
    add column assignment text not null default 'capacity_pooled'
        check (assignment in ('capacity_pooled', 'dedicated_shared', 'assigned_personal')),
    add column capacity integer check (capacity > 0),
    add column shared_max_users integer check (shared_max_users > 1),
    add column max_per_user integer check (max_per_user > 0),
    add column eligible_group_dns text[] not null default '{}',
    add column attributes jsonb not null default '[]' check (jsonb_typeof(attributes) = 'array'),
    add column extension jsonb not null
        default '{"allowed": false, "max_days": 30, "max_count": 1, "requires_approval": false}',
    add column monthly_cost_minor bigint check (monthly_cost_minor >= 0),
    add column currency text check (currency ~ '^[A-Z]{3}$'),
    add column cost_center text,
    add column reminder_days integer[] not null default '{7,1}',
    add column deprovision text not null default 'return_to_pool'
        check (deprovision in ('return_to_pool', 'return_with_reinstall', 'maintenance')),
    add constraint asset_definitions_cost check ((monthly_cost_minor is null) = (currency is null)),
    add constraint asset_definitions_shared check (
        (assignment = 'dedicated_shared') = (shared_max_users is not null)
    ),
    add constraint asset_definitions_capacity check (
        capacity is null or assignment = 'capacity_pooled'
    );

-- The pool: instances of a definition and the statuses they move through.
create table asset_statuses (name text primary key);
insert into asset_statuses (name) values
    ('free'), ('in_use'), ('reinstall'), ('reinstalling'), ('failed'), ('maintenance');

create table asset_status_transitions (
    from_status text not null references asset_statuses,
    to_status text not null references asset_statuses,
    primary key (from_status, to_status)
);
insert into asset_status_transitions (from_status, to_status) values
    ('free', 'in_use'), ('free', 'maintenance'),
    ('in_use', 'free'), ('in_use', 'reinstall'), ('in_use', 'maintenance'),
    ('reinstall', 'reinstalling'), ('reinstall', 'maintenance'),
    ('reinstalling', 'free'), ('reinstalling', 'failed'),
    ('failed', 'reinstall'), ('failed', 'maintenance'),
    ('maintenance', 'free'), ('maintenance', 'reinstall');

create extension if not exists pg_trgm;

create table assets (
    id uuid primary key,
    definition_id uuid not null references asset_definitions,
    name text not null check (length(name) between 1 and 120),
    metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
    status text not null default 'free' references asset_statuses,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create unique index assets_name_key on assets (definition_id, lower(name));
create index assets_by_status on assets (definition_id, status, lower(name), id);
create index assets_by_name on assets (lower(name), id);
create index assets_name_search on assets using gin (lower(name) gin_trgm_ops);

create function assets_check_transition() returns trigger language plpgsql as $$
begin
    if old.status <> new.status and not exists (
        select 1 from asset_status_transitions
        where from_status = old.status and to_status = new.status
    ) then
        raise exception 'an asset cannot move from % to %', old.status, new.status
            using errcode = 'check_violation', constraint = 'asset_status_transition';
    end if;
    return new;
end $$;
create trigger assets_transition before update of status on assets
    for each row execute function assets_check_transition();

alter table orders
    add column asset_id uuid references assets,
    add column attributes jsonb not null default '{}' check (jsonb_typeof(attributes) = 'object');
create index orders_by_asset on orders (asset_id) where asset_id is not null;
-- A failed order keeps its slot and instance until an admin retries or ends it.
create index orders_open_by_definition on orders (definition_id, requester_id)
    where state not in ('completed', 'rejected', 'cancelled');

-- Capacity and the per-person limit are checked under a lock on the definition row, so of
-- many orders racing for the last slot exactly one is inserted.
create function orders_enforce_limits() returns trigger language plpgsql as $$
declare
    definition asset_definitions%rowtype;
    open_orders integer;
begin
    select * into definition from asset_definitions where id = new.definition_id for update;
    if definition.capacity is not null then
        select count(*) into open_orders from orders
        where definition_id = new.definition_id
          and state not in ('completed', 'rejected', 'cancelled');
        if open_orders >= definition.capacity then
            raise exception 'no capacity left for %', definition.name
                using errcode = 'check_violation', constraint = 'orders_capacity';
        end if;
    end if;
    if definition.max_per_user is not null then
        select count(*) into open_orders from orders
        where definition_id = new.definition_id and requester_id = new.requester_id
          and state not in ('completed', 'rejected', 'cancelled');
        if open_orders >= definition.max_per_user then
            raise exception 'the per-person limit of % is reached', definition.name
                using errcode = 'check_violation', constraint = 'orders_max_per_user';
        end if;
    end if;
    return new;
end $$;
create trigger orders_limits before insert on orders
    for each row execute function orders_enforce_limits();

-- When an order with an instance closes, the instance follows the definition's policy; one
-- never used goes straight back, and a shared one stays in use while others hold it.
create function orders_release_asset() returns trigger language plpgsql as $$
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
        else 'free'
    end;
    update assets set status = next_status, updated_at = coalesce(new.closed_at, now())
    where id = new.asset_id and status = 'in_use';
    return new;
end $$;
create trigger orders_release after update of state on orders
    for each row execute function orders_release_asset();
