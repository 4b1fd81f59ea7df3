-- Orders placed by one person for another. The requester is who gets the access; placed_by
-- is who filled in the form, the same person for an ordinary order. The deputy's name, mail
-- address and DN are copied at placing time, like the requester's, and stay empty when the
-- requester placed the order.
alter table orders add column placed_by_id uuid references portal_users;
update orders set placed_by_id = requester_id;
alter table orders alter column placed_by_id set not null;
alter table orders
    add column placed_by_name text,
    add column placed_by_email text,
    add column placed_by_dn text;

-- A retried request is recognised by whoever sent it, so a deputy's key never returns an
-- order its requester placed with the same key.
alter table orders drop constraint orders_requester_id_idempotency_key_key;
alter table orders add constraint orders_placed_by_idempotency unique (placed_by_id, idempotency_key);
create index orders_placed_for_others on orders (placed_by_id, created_at desc)
    where placed_by_id <> requester_id;

-- A person may receive an order before they first sign in. Such a portal user is keyed by
-- the issuer 'directory' and their lower-cased DN until their first sign-in claims the row.
create index portal_users_directory_dn on portal_users (lower(directory_dn));
