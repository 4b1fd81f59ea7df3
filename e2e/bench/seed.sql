-- Bulk data for the load benchmark: portal users, pool assets, orders with their timeline
-- events and approvals, spread over three years. Run by e2e/bench/run.sh through psql after
-- `ipsolis seed` has created the asset definitions:
--
--   psql URL -v requesters=5000 -v assets=100000 -v orders=1000000 \
--     -v issuer=http://127.0.0.1:9093 -v base_dn=dc=example,dc=test -f e2e/bench/seed.sql
--
-- Triggers are off for the load (session_replication_role = replica), so the capacity, state
-- transition and asset release triggers do not run. The rows are written consistent with them
-- instead: every order's events follow allowed transitions, and open orders of pool
-- definitions hold an instance that is in use.
\set ON_ERROR_STOP on
\timing on

set session_replication_role = replica;
set work_mem = '256MB';
set maintenance_work_mem = '512MB';
set synchronous_commit = off;

-- A version 7 UUID (RFC 9562) for the time AT: 48 bits of Unix milliseconds followed by the
-- random bits of a version 4 UUID, whose version nibble (bits 52 to 55) becomes 0111.
create function pg_temp.uuid_v7(at timestamptz) returns uuid language sql volatile as $$
    select encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                placing substring(int8send(floor(extract(epoch from at) * 1000)::bigint) from 3)
                from 1 for 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- ---- portal users ------------------------------------------------------------------------------

-- Synthetic people who placed the seeded orders. Their subjects never match a directory
-- account, so the people of e2e/services/people.json sign in as separate portal users.
create temp table requesters as
select n - 1 as idx,
       pg_temp.uuid_v7(now() - interval '1100 days' + n * interval '1 minute') as id,
       'bench-' || lpad(n::text, 6, '0') as subject,
       'bench.user' || n || '@example.test' as email,
       'Bench User ' || n as display_name,
       'cn=Bench User ' || n || ',ou=People,' || :'base_dn' as dn,
       -- The manager who approves this person's orders: one of 100 synthetic managers.
       n % 100 as manager,
       now() - interval '1100 days' + n * interval '1 minute' as created_at
from generate_series(1, :requesters) n;

insert into portal_users (id, issuer, subject, email, display_name, directory_dn, created_at,
                          last_sign_in_at)
select id, :'issuer', subject, email, display_name, dn, created_at, created_at
from requesters;

-- ---- pool assets -------------------------------------------------------------------------------

create temp table definitions as
select row_number() over (order by name) - 1 as idx, id, name, approval, group_dns,
       assignment, max_duration_days
from asset_definitions;

create temp table pool_definitions as
select row_number() over (order by name) - 1 as idx, id, name
from asset_definitions
where assignment <> 'capacity_pooled';

insert into assets (id, definition_id, name, metadata, status, created_at, updated_at)
select pg_temp.uuid_v7(at), p.id,
       lower(split_part(p.name, ' ', 1)) || '-' || lpad(n::text, 6, '0'),
       jsonb_build_object('site', (array['ber', 'fra', 'muc', 'ham'])[1 + n % 4],
                          'cpu_cores', 2 + (n % 4) * 2),
       -- Open orders take their instances into use below; these are the rest.
       case when n % 100 < 95 then 'free' when n % 100 < 98 then 'maintenance' else 'reinstall' end,
       at, at
from generate_series(1, :assets) n
join pool_definitions p on p.idx = n % (select count(*) from pool_definitions)
cross join lateral (select now() - interval '1000 days' + n * (interval '900 days' / :assets) as at) t;

-- Each pool definition's instances numbered from 0, so an order can pick one by number.
create temp table pool_assets as
select definition_id, row_number() over (partition by definition_id order by id) - 1 as idx, id,
       count(*) over (partition by definition_id) as total
from assets;
create index on pool_assets (definition_id, idx);

-- ---- orders ------------------------------------------------------------------------------------

-- Draws one order per row: the creation time spreads evenly over three years, popular
-- definitions get more orders (a power law over the definitions), and the state depends on
-- the order's age. The path lists every state the order passed through, first to last.
create temp table seeded as
with drawn as (
    select n,
           now() - interval '1095 days' + (n::float8 / :orders) * interval '1094 days'
               - random() * interval '1 hour' as created_at,
           floor(power(random(), 2) * (select count(*) from definitions))::int as definition_idx,
           floor(random() * :requesters)::int as requester_idx,
           random() as u,
           1 + floor(random() * 90)::int as duration_days
    from generate_series(1, :orders) n
),
stated as (
    select d.*, def.id as definition_id, def.approval, def.group_dns, def.assignment,
           case
               -- Orders older than the longest duration have ended.
               when d.created_at < now() - interval '120 days' then
                   case when d.u < 0.80 then 'completed'
                        when d.u < 0.88 then (case when def.approval = 'manager' then 'rejected' else 'cancelled' end)
                        when d.u < 0.97 then 'cancelled'
                        else 'failed' end
               when d.created_at < now() - interval '2 days' then
                   case when d.u < 0.55 then 'active'
                        when d.u < 0.58 then 'modification_pending'
                        when d.u < 0.60 then 'deprovisioning'
                        when d.u < 0.80 then 'completed'
                        when d.u < 0.86 then (case when def.approval = 'manager' then 'rejected' else 'cancelled' end)
                        when d.u < 0.93 then 'cancelled'
                        when d.u < 0.95 then 'failed'
                        when d.u < 0.97 then 'scheduled'
                        else (case when def.approval = 'manager' then 'pending_approval' else 'active' end) end
               else
                   case when d.u < 0.40 then (case when def.approval = 'manager' then 'pending_approval' else 'active' end)
                        when d.u < 0.75 then 'active'
                        when d.u < 0.80 then 'approved'
                        when d.u < 0.85 then 'provisioning'
                        when d.u < 0.90 then 'scheduled'
                        else 'cancelled' end
           end as state
    from drawn d
    join definitions def on def.idx = d.definition_idx
)
select s.*,
       (case when s.approval = 'manager' then array['submitted', 'pending_approval']
             else array['submitted'] end)
       || case s.state
              when 'pending_approval' then array[]::text[]
              when 'rejected' then array['rejected']
              when 'cancelled' then array['cancelled']
              when 'approved' then array['approved']
              when 'scheduled' then array['approved', 'scheduled']
              when 'provisioning' then array['approved', 'provisioning']
              when 'failed' then array['approved', 'provisioning', 'failed']
              when 'active' then array['approved', 'provisioning', 'active']
              when 'modification_pending' then array['approved', 'provisioning', 'active', 'modification_pending']
              when 'deprovisioning' then array['approved', 'provisioning', 'active', 'deprovisioning']
              when 'completed' then array['approved', 'provisioning', 'active', 'deprovisioning', 'completed']
          end as path
from stated s;

-- Steps up to activation are three minutes apart; the last step of an ended order is at its
-- close.
alter table seeded
    add column activated_at timestamptz,
    add column expires_at timestamptz,
    add column closed_at timestamptz,
    add column id uuid;
-- Open orders that were provisioned expire at least eight days from now, so neither the
-- expiry check nor the seven-day reminder picks up seeded orders while the benchmark runs.
update seeded set
    duration_days = least(3650, ceil(extract(epoch from now() - created_at) / 86400)::int + 8 + n % 60)
where state in ('active', 'modification_pending');
update seeded set
    id = pg_temp.uuid_v7(created_at),
    activated_at = case when 'active' = any(path)
                        then created_at + (array_position(path, 'active') - 1) * interval '3 minutes' end,
    -- A completed order ended at its expiry or, when that is still ahead, was returned early.
    closed_at = case when state in ('completed', 'rejected', 'cancelled')
                     then least(now() - interval '1 minute',
                                created_at + (cardinality(path) - 1) * interval '3 minutes'
                                + case when state = 'completed' then duration_days * interval '1 day'
                                       else interval '0' end)
                end;
update seeded set expires_at = activated_at + duration_days * interval '1 day'
where activated_at is not null;

insert into orders (id, definition_id, requester_id, requester_name, requester_email,
                    requester_dn, state, duration_days, justification, group_dns,
                    idempotency_key, created_at, updated_at, activated_at, expires_at,
                    closed_at, asset_id, attributes, start_at, placed_by_id)
select s.id, s.definition_id, r.id, r.display_name, r.email, r.dn, s.state, s.duration_days,
       case when s.n % 3 = 0 then 'Needed for the quarterly close, ticket ' || s.n end,
       s.group_dns, null, s.created_at,
       coalesce(s.closed_at, s.activated_at, s.created_at), s.activated_at, s.expires_at,
       s.closed_at,
       -- Orders of pool definitions hold an instance once approved.
       case when s.assignment <> 'capacity_pooled' and 'approved' = any(s.path)
            then pa.id end,
       '{}'::jsonb,
       case when s.state = 'scheduled' then date_trunc('day', now()) + interval '3 days' end,
       r.id
from seeded s
join requesters r on r.idx = s.requester_idx
left join pool_assets pa on pa.definition_id = s.definition_id and pa.idx = s.n % pa.total;

update assets set status = 'in_use'
where id in (select asset_id from orders
             where asset_id is not null
               and state not in ('completed', 'rejected', 'cancelled'));

-- ---- timeline events and approvals -------------------------------------------------------------

insert into order_events (id, order_id, at, from_state, to_state, actor, note)
select pg_temp.uuid_v7(t.at), s.id, t.at,
       case when e.step > 1 then s.path[e.step - 1] end, e.to_state,
       case when e.to_state in ('submitted', 'cancelled') then 'portal:user:' || r.email
            when e.to_state in ('approved', 'rejected') and s.approval = 'manager'
                then 'approval_link:bench.manager' || r.manager || '@example.test'
            else 'system:bench_seed' end,
       null
from seeded s
join requesters r on r.idx = s.requester_idx
cross join lateral unnest(s.path) with ordinality as e(to_state, step)
cross join lateral (
    select case when e.step = cardinality(s.path) and s.closed_at is not null then s.closed_at
                when e.to_state = 'deprovisioning' then least(s.expires_at, now() - interval '1 hour')
                else s.created_at + (e.step - 1) * interval '3 minutes' end as at
) t;

insert into approvals (id, order_id, approver_name, approver_email, approver_dn, state,
                       created_at, decided_at, decided_by, purpose)
select pg_temp.uuid_v7(s.created_at), s.id,
       'Bench Manager ' || r.manager, 'bench.manager' || r.manager || '@example.test',
       'cn=Bench Manager ' || r.manager || ',ou=People,' || :'base_dn',
       case when s.state = 'pending_approval' then 'pending'
            when s.state = 'rejected' then 'declined'
            when 'approved' = any(s.path) then 'approved'
            else 'superseded' end,
       s.created_at,
       case when s.state <> 'pending_approval' then s.created_at + interval '3 minutes' end,
       case when s.state = 'pending_approval' then null
            when s.state = 'rejected' or 'approved' = any(s.path)
                then 'approval_link:bench.manager' || r.manager || '@example.test'
            else 'portal:user:' || r.email end,
       'order'
from seeded s
join requesters r on r.idx = s.requester_idx
where s.approval = 'manager';

set session_replication_role = origin;

analyze;

select state, count(*) from orders group by state order by count(*) desc;
select (select count(*) from orders) as orders, (select count(*) from order_events) as events,
       (select count(*) from approvals) as approvals, (select count(*) from assets) as assets,
       (select count(*) from portal_users) as portal_users;
