-- The admin orders list filters by state or by asset definition and sorts newest first. With
-- only the (created_at, id) index, a page of a rare state or definition walks thousands of
-- index entries to find 50 rows; these indexes read exactly the page.
create index orders_state_keyset on orders (state, created_at desc, id desc);
create index orders_definition_keyset on orders (definition_id, created_at desc, id desc);
