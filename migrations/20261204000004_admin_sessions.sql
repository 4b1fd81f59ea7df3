-- Admin sessions kept on the server as well as in the cookie, so signing out ends a session
-- everywhere, a user can list and end their own, and idle sessions time out.
create table admin_sessions (
    id uuid primary key,
    user_id uuid not null references admin_users on delete cascade,
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    ended_at timestamptz,
    address text,
    user_agent text
);
create index admin_sessions_user on admin_sessions (user_id, created_at desc);
