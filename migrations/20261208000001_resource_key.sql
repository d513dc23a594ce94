-- Resource indicators name one resource in several spellings: MCP clients
-- disagree on whether a server at a bare origin is `https://host` or
-- `https://host/` (RFC 3986 §6.2.3 says they are the same). A resource is
-- found by this key (scheme and host in lower case, no default port, an
-- empty path as `/`; `ResourceUri::key`), and two spellings of one resource
-- cannot both be registered. `resource_uri` keeps the registered spelling,
-- which is what tokens carry as their audience.
--
-- Null until filled: the server computes the key of rows from before this
-- migration when it starts (the rule is code, not SQL). Nulls are distinct
-- in a unique index on both backends.
alter table protected_resource add column resource_key text;
create unique index protected_resource_key_key on protected_resource (resource_key);
