-- Expiry reminders sent, one row per order, expiry and offset, so each reminder goes out once
-- even when the check runs twice or on another replica. An extension moves the expiry, so the
-- reminders of the new expiry are sent again.
create table order_reminders (
    order_id uuid not null references orders on delete cascade,
    expires_at timestamptz not null,
    days_before integer not null,
    created_at timestamptz not null,
    primary key (order_id, expires_at, days_before)
);
