-- Orders that start on a later day: approved orders wait as scheduled, holding their slot
-- and instance, until the start time comes.
alter table orders add column start_at timestamptz;
create index orders_scheduled on orders (start_at) where state = 'scheduled';
