-- Provisioning and deprovisioning look for another open order of the same person that grants
-- the same group, matching DNs by dn_key. Without an index on that expression the lookup
-- reads every order.
create index orders_open_by_requester_dn on orders (dn_key(requester_dn))
    where state in ('provisioning', 'active', 'modification_pending');
