-- The logo shown in the headers and on the sign-in pages. It lives in the database, not on
-- disk, because several replicas serve the app without a shared disk. One row at most.
create table branding_logo (
    singleton boolean primary key default true check (singleton),
    content_type text not null
        check (content_type in ('image/png', 'image/jpeg', 'image/webp')),
    -- 512 KiB at most, as the upload route enforces.
    bytes bytea not null check (octet_length(bytes) between 1 and 524288),
    -- Hex SHA-256 of the bytes: the ETag and the cache-busting version.
    sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
    updated_at timestamptz not null,
    updated_by text not null
);
