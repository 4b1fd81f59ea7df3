-- API tokens for scripts and integrations. Only a SHA-256 hash of each token is stored; the
-- token itself is shown once, at creation. The prefix is public and names the token in lists.
create table api_tokens (
    id uuid primary key,
    name text not null check (char_length(name) between 1 and 120),
    prefix text not null unique,
    token_hash bytea not null unique,
    scopes text[] not null check (cardinality(scopes) >= 1),
    -- A role below the creator's; null means the creator's role at the time of each use.
    role text check (role in ('superadmin', 'admin', 'approver', 'auditor', 'helpdesk')),
    created_by uuid not null references admin_users on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    last_used_at timestamptz,
    last_used_address text
);
create index api_tokens_creator on api_tokens (created_by, created_at desc);
