-- Audit events waiting to be forwarded to the SIEM. The trigger below queues an event in the
-- transaction that writes its audit row, so an event is queued exactly when its change
-- commits, and it leaves the queue only in the transaction that records the SIEM's
-- acceptance. Each row carries the whole event, so a restore that replaces the audit log
-- can put the queue back as it was.
create table siem_outbox (
    audit_id uuid primary key,
    queued_at timestamptz not null,
    event jsonb not null
);
create index siem_outbox_order on siem_outbox (queued_at, audit_id);

-- Totals and the latest outcome of forwarding, one row.
create table siem_delivery (
    id boolean primary key default true check (id),
    delivered_total bigint not null default 0,
    last_delivered_at timestamptz,
    last_error text,
    last_error_at timestamptz
);
insert into siem_delivery (id) values (true);

-- Queues an audit row while forwarding is turned on in the `siem` settings section. A change
-- of the SIEM settings themselves is always queued, so the SIEM also learns that forwarding
-- was turned off.
create function siem_queue_audit_row() returns trigger language plpgsql as $$
begin
    if exists (
        select 1 from settings where key = 'siem' and value -> 'enabled' = 'true'::jsonb
    ) or (new.entity_type = 'settings' and new.entity_id = 'siem') then
        insert into siem_outbox (audit_id, queued_at, event)
        values (new.id, new.at, to_jsonb(new));
    end if;
    return new;
end;
$$;

create trigger audit_log_siem_queue after insert on audit_log
    for each row execute function siem_queue_audit_row();
