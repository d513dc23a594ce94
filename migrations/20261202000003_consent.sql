-- Consent as a record of its own: what a person allowed one app, apart
-- from the code and token families (grants) issued under it. Approving
-- creates or extends it; removing it (the connected-apps page) revokes
-- every grant of that person and app, which ends their codes and tokens.
create table oauth_consent (
    user_id text not null,
    oauth_app_id text not null,
    -- Space-separated scope names and resource URIs allowed so far (the
    -- union of every approval since the consent began).
    scopes text not null,
    resources text not null default '',
    created_at bigint not null,
    -- The last approval that created or extended it.
    updated_at bigint not null,
    constraint oauth_consent_pkey primary key (user_id, oauth_app_id),
    constraint oauth_consent_user_fkey foreign key (user_id)
        references app_user (user_id) on delete cascade,
    constraint oauth_consent_app_fkey foreign key (oauth_app_id)
        references oauth_app (oauth_app_id) on delete cascade
);
create index oauth_consent_app_idx on oauth_consent (oauth_app_id);

-- Grants from before this migration: each person and app's newest live
-- grant becomes their consent, so the connected-apps page shows them
-- (grant ids are time-ordered).
insert into oauth_consent (user_id, oauth_app_id, scopes, resources, created_at, updated_at)
select g.user_id, g.oauth_app_id, g.scopes, g.resources, g.created_at, g.created_at
from oauth_grant g
where g.revoked_at is null
  and g.grant_id = (select max(g2.grant_id) from oauth_grant g2
                    where g2.user_id = g.user_id and g2.oauth_app_id = g.oauth_app_id
                      and g2.revoked_at is null);

-- Sign out everywhere ends every session of one person.
create index user_session_user_idx on user_session (user_id);
