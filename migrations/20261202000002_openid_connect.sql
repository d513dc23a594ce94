-- OpenID Connect: signing keys for ID Tokens, what an ID Token must repeat
-- (the nonce of the request, when the person signed in), the claims of the
-- `profile` scope, and where a client may send the person after sign-out.

-- The keys ID Tokens are signed with. The newest of each algorithm signs;
-- older ones stay published (JWKS) until every token they signed has
-- expired. Created on first use and by `oauth-admin rotate-signing-key`.
create table signing_key (
    -- The JWK `kid` in every token's header.
    kid text not null,
    alg text not null,
    -- The private key (DER), AES-256-GCM encrypted when the operator set
    -- an encryption key (`aes256gcm:<nonce>:<ciphertext>`), else
    -- `plain:<base64>`.
    private_key text not null,
    -- The public JWK, as published.
    public_jwk text not null,
    created_at bigint not null,
    constraint signing_key_pkey primary key (kid),
    constraint signing_key_alg_check check (alg in ('RS256', 'ES256'))
);
create index signing_key_alg_created_idx on signing_key (alg, created_at);

-- Echoed in the ID Token of the code exchange (OpenID Connect Core §3.1.2.1).
alter table authorization_code add column nonce text;

-- When the person signed in for the approval: every ID Token of the grant
-- (the refreshed ones too) says the same `auth_time`.
alter table oauth_grant add column auth_time bigint;

-- The `profile` scope's claims: a name the person goes by (optional), and
-- when the account last changed.
alter table app_user add column display_name text;
alter table app_user add column updated_at bigint;

-- How the client wants its ID Tokens signed (null: RS256, the default of
-- OpenID Connect Dynamic Registration §2).
alter table oauth_app add column id_token_signed_response_alg text
    constraint oauth_app_id_token_alg_check
    check (id_token_signed_response_alg in ('RS256', 'ES256'));

-- Where the person may be sent after RP-initiated logout, per client;
-- compared by exact string.
create table oauth_app_post_logout_uri (
    oauth_app_id text not null,
    uri text not null,
    constraint oauth_app_post_logout_uri_pkey primary key (oauth_app_id, uri),
    constraint oauth_app_post_logout_uri_app_fkey foreign key (oauth_app_id)
        references oauth_app (oauth_app_id) on delete cascade
);

-- prompt=none asks whether the person approved this app before: their
-- grants for it, newest first, without reading their grants for other apps.
create index oauth_grant_user_app_idx on oauth_grant (user_id, oauth_app_id, created_at);
