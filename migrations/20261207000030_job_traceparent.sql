-- The W3C `traceparent` of the request or job that enqueued a job, when trace export is on.
-- The worker makes the job's span a child of it, so one trace shows an order from the API call
-- through its jobs. Null when no trace was active.
alter table jobs add column traceparent text
    check (traceparent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
