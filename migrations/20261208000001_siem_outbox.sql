-- Audit rows waiting to be forwarded to the SIEM. A row is queued by the trigger below in the
-- transaction that writes the audit row, so an event is queued exactly when its change commits,
-- and it leaves the queue only in the transaction that records the SIEM's acceptance.
create table siem_outbox (
    audit_id uuid primary key references audit_log (id),
    queued_at timestamptz not null default now()
);

-- Totals and the latest outcome of forwarding, one row.
create table siem_delivery (
    id boolean primary key default true check (id),
    delivered_total bigint not null default 0,
    last_delivered_at timestamptz,
    last_error text,
    last_error_at timestamptz
);
insert into siem_delivery (id) values (true);

-- Queues an audit row while forwarding is turned on in the `siem` settings section.
create function siem_queue_audit_row() returns trigger language plpgsql as $$
begin
    if exists (
        select 1 from settings where key = 'siem' and value -> 'enabled' = 'true'::jsonb
    ) then
        insert into siem_outbox (audit_id, queued_at) values (new.id, new.at);
    end if;
    return new;
end;
$$;

create trigger audit_log_siem_queue after insert on audit_log
    for each row execute function siem_queue_audit_row();
