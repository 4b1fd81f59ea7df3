-- The approval engine: a policy per definition with several sources, quorums and stages;
-- approval groups per order; delegations while someone is away; reminders and escalation.

alter table asset_definitions
    add column approval_policy jsonb not null default '{}'
        check (jsonb_typeof(approval_policy) = 'object'),
    -- Set by the daily check when the policy can no longer be met, such as after a leaver.
    add column policy_problem text,
    add column policy_checked_at timestamptz;
update asset_definitions
    set approval_policy = case approval
        when 'manager' then '{"manager": {"stage": 1}}'::jsonb
        else '{}'::jsonb
    end;
alter table asset_definitions drop column approval;

-- One group per source of an order's (or a change's) approval: it is satisfied when `quorum`
-- of its approvers approve, and any decline rejects the whole order. Groups of a later stage
-- wait until every group of the earlier stages is satisfied.
create table approval_groups (
    id uuid primary key,
    order_id uuid not null references orders,
    purpose text not null check (purpose in ('order', 'change')),
    source text not null
        check (source in ('manager', 'owners', 'compliance', 'rule', 'escalation')),
    name text not null,
    reason text not null,
    quorum integer not null check (quorum >= 1),
    stage smallint not null check (stage between 1 and 5),
    state text not null
        check (state in ('waiting', 'pending', 'satisfied', 'declined', 'closed')),
    -- The approvers named when the order was placed, before delegation and separation of
    -- duties; they are asked when the group's stage starts.
    members jsonb not null check (jsonb_typeof(members) = 'array'),
    created_at timestamptz not null,
    decided_at timestamptz
);
create index approval_groups_order on approval_groups (order_id, stage);

alter table approvals
    add column group_id uuid references approval_groups,
    add column instead_of_name text,
    add column instead_of_email text,
    add column instead_of_dn text,
    add column note text,
    add column comment text,
    add column reminders_sent integer not null default 0,
    add column last_reminded_at timestamptz,
    add column escalated_at timestamptz;
create index approvals_group on approvals (group_id);
create index approvals_pending_since on approvals (created_at) where state = 'pending';
create index approvals_approver on approvals (lower(approver_email), state);

-- Out-of-office windows: approvals for `person` created between starts_at and ends_at go to
-- `delegate`. A revoked window is kept for the audit trail.
create table delegations (
    id uuid primary key,
    person_name text not null,
    person_email text not null,
    person_dn text not null,
    delegate_name text not null,
    delegate_email text not null,
    delegate_dn text not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    note text not null default '',
    created_by text not null,
    created_at timestamptz not null,
    revoked_at timestamptz,
    revoked_by text,
    check (ends_at > starts_at),
    check (lower(person_email) <> lower(delegate_email))
);
create index delegations_person on delegations (lower(person_email), ends_at)
    where revoked_at is null;
