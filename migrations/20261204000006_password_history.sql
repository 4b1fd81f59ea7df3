-- Earlier password hashes of each admin, so a password policy can refuse reusing them.
create table admin_password_history (
    user_id uuid not null references admin_users on delete cascade,
    password_hash text not null,
    set_at timestamptz not null
);
create index admin_password_history_user on admin_password_history (user_id, set_at desc);
