-- Sign in with AutoGPT from MCP clients and browser apps: protected
-- resources and audiences (RFC 8707, RFC 9728), clients that register
-- themselves (RFC 7591) or are named by a metadata document URL
-- (draft-ietf-oauth-client-id-metadata-document), and loopback redirect URIs
-- that match on any port (RFC 8252 §7.3).

-- A service that accepts our access tokens (AutoGPT's MCP server, its API).
-- It introspects tokens with its own id and secret; a token is for it when
-- its URI is in the token's audience.
create table protected_resource (
    -- `agpt_resource_…`: its client id at the introspection endpoint.
    protected_resource_id text not null,
    -- The resource indicator clients send (absolute URI, no fragment),
    -- compared byte for byte.
    resource_uri text not null,
    -- Shown on the consent screen ("… wants to use AutoGPT MCP server").
    name text not null,
    secret_hash text not null,
    secret_salt text not null,
    -- Space-separated scopes the resource understands (informational).
    scopes text not null,
    -- Set when an operator disables it: it can no longer be requested or introspect.
    disabled_at bigint,
    created_at bigint not null,
    constraint protected_resource_pkey primary key (protected_resource_id),
    constraint protected_resource_uri_key unique (resource_uri)
);

-- The resources a grant was approved for (space-separated URIs; empty: none),
-- and each token's audience (the granted ones, or a narrower set the token
-- request asked for).
alter table oauth_grant add column resources text not null default '';
alter table access_token add column audience text not null default '';
alter table refresh_token add column audience text not null default '';

-- How a client came to exist: 'operator' (oauth-admin), 'dynamic'
-- (RFC 7591 registration), 'metadata_document' (its client_id is the URL of
-- its metadata). The last two are unverified: nobody vouched for them.
alter table oauth_app add column registration text not null default 'operator'
    constraint oauth_app_registration_check
        check (registration in ('operator', 'dynamic', 'metadata_document'));
-- For a metadata-document client: until when the fetched document may be
-- used before it is fetched again (from its Cache-Control, within bounds).
alter table oauth_app add column metadata_expires_at bigint;
-- RFC 7591 metadata shown to the person or kept for the operator.
alter table oauth_app add column client_uri text;
alter table oauth_app add column policy_uri text;
alter table oauth_app add column tos_uri text;
-- 'web' or 'native' (what kind of redirect URIs it may have).
alter table oauth_app add column application_type text;

-- What a presented redirect URI is matched on: the URI itself, except that
-- an http loopback URI leaves out its port (a native app listens on whatever
-- port it got). Existing rows get theirs here.
alter table oauth_app_redirect_uri add column match_key text not null default '';
update oauth_app_redirect_uri set match_key = case
        when substr(redirect_uri, 1, 17) = 'http://127.0.0.1:' then case
            when substr(redirect_uri, 18, 1) not between '0' and '9' then 'http://127.0.0.1' || substr(redirect_uri, 18)
            when substr(redirect_uri, 19, 1) not between '0' and '9' then 'http://127.0.0.1' || substr(redirect_uri, 19)
            when substr(redirect_uri, 20, 1) not between '0' and '9' then 'http://127.0.0.1' || substr(redirect_uri, 20)
            when substr(redirect_uri, 21, 1) not between '0' and '9' then 'http://127.0.0.1' || substr(redirect_uri, 21)
            when substr(redirect_uri, 22, 1) not between '0' and '9' then 'http://127.0.0.1' || substr(redirect_uri, 22)
            when substr(redirect_uri, 23, 1) not between '0' and '9' then 'http://127.0.0.1' || substr(redirect_uri, 23)
            else redirect_uri end
        when substr(redirect_uri, 1, 17) = 'http://localhost:' then case
            when substr(redirect_uri, 18, 1) not between '0' and '9' then 'http://localhost' || substr(redirect_uri, 18)
            when substr(redirect_uri, 19, 1) not between '0' and '9' then 'http://localhost' || substr(redirect_uri, 19)
            when substr(redirect_uri, 20, 1) not between '0' and '9' then 'http://localhost' || substr(redirect_uri, 20)
            when substr(redirect_uri, 21, 1) not between '0' and '9' then 'http://localhost' || substr(redirect_uri, 21)
            when substr(redirect_uri, 22, 1) not between '0' and '9' then 'http://localhost' || substr(redirect_uri, 22)
            when substr(redirect_uri, 23, 1) not between '0' and '9' then 'http://localhost' || substr(redirect_uri, 23)
            else redirect_uri end
        when substr(redirect_uri, 1, 13) = 'http://[::1]:' then case
            when substr(redirect_uri, 14, 1) not between '0' and '9' then 'http://[::1]' || substr(redirect_uri, 14)
            when substr(redirect_uri, 15, 1) not between '0' and '9' then 'http://[::1]' || substr(redirect_uri, 15)
            when substr(redirect_uri, 16, 1) not between '0' and '9' then 'http://[::1]' || substr(redirect_uri, 16)
            when substr(redirect_uri, 17, 1) not between '0' and '9' then 'http://[::1]' || substr(redirect_uri, 17)
            when substr(redirect_uri, 18, 1) not between '0' and '9' then 'http://[::1]' || substr(redirect_uri, 18)
            when substr(redirect_uri, 19, 1) not between '0' and '9' then 'http://[::1]' || substr(redirect_uri, 19)
            else redirect_uri end
        else redirect_uri end;
create index oauth_app_redirect_uri_match_idx on oauth_app_redirect_uri (oauth_app_id, match_key);
