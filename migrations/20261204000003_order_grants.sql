-- What each order granted in the directory, recorded before the change is made. An order
-- removes at its end only what it added: a membership held before the order is left in place,
-- and so is one another live order of the same person still covers.
create table order_grants (
    order_id uuid not null references orders,
    group_dn text not null,
    -- The person was already a member, through no other order of ours, before this order.
    pre_existing boolean not null,
    recorded_at timestamptz not null,
    primary key (order_id, group_dn)
);

-- A comparable form of a DN: lower case, without spaces around separators. Both sides of a
-- comparison come from the same directory, so escaping is already uniform.
create function dn_key(dn text) returns text language sql immutable parallel safe as $$
    select regexp_replace(lower(dn), '\s*([,=+])\s*', '\1', 'g')
$$;
