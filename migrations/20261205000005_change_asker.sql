-- Who asked for the latest extension or change of an order: the requester, or the deputy who
-- placed the order. The approval mail and the mail about the decision name this person.
alter table orders
    add column change_asked_by_name text,
    add column change_asked_by_email text;
