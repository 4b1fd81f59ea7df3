-- Mail address (linking accounts of one person for separation of duties), access scope,
-- and the time of the last password change for the maximum password age.
alter table admin_users
    add column email text check (email is null or length(email) between 3 and 254),
    add column scope_definitions uuid[] not null default '{}',
    add column scope_categories text[] not null default '{}',
    add column password_changed_at timestamptz;
update admin_users set password_changed_at = updated_at;
alter table admin_users alter column password_changed_at set not null;
create index admin_users_email on admin_users (lower(email)) where email is not null;

-- Sessions opened with the legacy admin key on the sign-in form belong to no account.
alter table admin_sessions
    alter column user_id drop not null,
    add column legacy_key boolean not null default false,
    add constraint admin_sessions_owner check ((user_id is null) = legacy_key);
