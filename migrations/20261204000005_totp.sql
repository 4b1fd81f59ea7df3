-- Two-factor sign-in with time-based one-time passwords (RFC 6238). Secrets are encrypted by
-- the application before they are stored; recovery codes are stored as SHA-256 hashes.
alter table admin_users
    add column totp_secret text,
    add column totp_pending_secret text,
    add column totp_last_counter bigint not null default 0;

create table admin_recovery_codes (
    user_id uuid not null references admin_users on delete cascade,
    code_hash bytea not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
);
