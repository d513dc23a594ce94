-- One list encoding: scopes and grant types space-separated (as on the wire,
-- and as grants and tokens already store scopes), redirect URIs one row each
-- so the exact match runs in SQL on an index.
--
-- Portable like the first migration: the same statements run on SQLite and
-- PostgreSQL, so the JSON arrays of redirect URIs are taken apart with a
-- recursive query over plain string functions (substr, length, ||) rather
-- than either database's own JSON functions.

-- An exact redirect URI an application registered (RFC 6749 §3.1.2,
-- compared byte for byte, RFC 9700 §4.1.3).
create table oauth_app_redirect_uri (
    oauth_app_id text not null,
    redirect_uri text not null,
    constraint oauth_app_redirect_uri_pkey primary key (oauth_app_id, redirect_uri),
    constraint oauth_app_redirect_uri_app_fkey foreign key (oauth_app_id)
        references oauth_app (oauth_app_id) on delete cascade
);

-- Walk each app's JSON array (as serde_json wrote it: `["a","b"]`, with `\"`,
-- `\\` and `\/` escapes) one character at a time; a row whose `done` is 1
-- carries one complete URI in `item`.
insert into oauth_app_redirect_uri (oauth_app_id, redirect_uri)
with recursive walk (oauth_app_id, rest, item, in_string, escaped, done) as (
    select oauth_app_id, cast(redirect_uris as text), cast('' as text), 0, 0, 0
    from oauth_app
    union all
    select
        oauth_app_id,
        substr(rest, 2),
        case
            when escaped = 1 then item || substr(rest, 1, 1)
            when in_string = 1 and substr(rest, 1, 1) = '\' then item
            when in_string = 1 and substr(rest, 1, 1) = '"' then item
            when in_string = 1 then item || substr(rest, 1, 1)
            when substr(rest, 1, 1) = '"' then cast('' as text)
            else item
        end,
        case
            when escaped = 1 then 1
            when in_string = 1 and substr(rest, 1, 1) = '"' then 0
            when in_string = 1 then 1
            when substr(rest, 1, 1) = '"' then 1
            else 0
        end,
        case
            when escaped = 0 and in_string = 1 and substr(rest, 1, 1) = '\' then 1
            else 0
        end,
        case
            when escaped = 0 and in_string = 1 and substr(rest, 1, 1) = '"' then 1
            else 0
        end
    from walk
    where length(rest) > 0
)
select distinct oauth_app_id, item from walk where done = 1;

alter table oauth_app drop column redirect_uris;

-- Space-separated, like the scopes of grants and tokens.
update oauth_app set allowed_scopes = replace(allowed_scopes, ',', ' ');
update oauth_app set grant_types = replace(grant_types, ',', ' ');
