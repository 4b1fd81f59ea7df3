-- Extending an active order and changing its attributes, with approval when the definition
-- asks for it: the requested change waits on the order until an approver decides.
alter table asset_definitions
    add column modification_requires_approval boolean not null default true;
alter table orders
    add column extension_count integer not null default 0,
    add column pending_change jsonb check (pending_change is null or jsonb_typeof(pending_change) = 'object');
alter table approvals
    add column purpose text not null default 'order' check (purpose in ('order', 'change'));
create index orders_expiry_open on orders (expires_at)
    where state in ('active', 'modification_pending');
