-- Orders of a definition took turns on the definition row (FOR UPDATE) from insert to commit,
-- even when the definition has no capacity, no per-person limit and no pool, so nothing needs
-- counting or assigning. Those orders now take a shared lock: they run side by side, and any
-- change to the definition row waits until they commit, so a limit set later counts them.
-- Definitions with a limit or a pool keep the exclusive lock, taken before any other lock
-- on the row, so two orders never wait for each other's shared lock.
create or replace function orders_enforce_limits() returns trigger language plpgsql as $$
declare
    definition asset_definitions%rowtype;
    open_orders integer;
begin
    select * into definition from asset_definitions where id = new.definition_id;
    if definition.capacity is null and definition.max_per_user is null
       and definition.assignment = 'capacity_pooled' then
        select * into definition from asset_definitions where id = new.definition_id for share;
        -- The row is locked now, but it may have changed since the read above. Taking the
        -- exclusive lock on top of the shared one could deadlock with another order.
        if definition.capacity is not null or definition.max_per_user is not null
           or definition.assignment <> 'capacity_pooled' then
            raise exception 'the limits of % changed while the order was placed; place it again',
                definition.name
                using errcode = 'serialization_failure';
        end if;
        return new;
    end if;

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
