-- Failure limits shared by every instance: one row per thing being counted
-- (an account's sign-ins, a client's authentications, a source address's
-- failures or sign-ups), updated by one atomic upsert per event, so N
-- instances behind a load balancer allow no more guesses than one, and a
-- restart forgets nothing. Expired windows are swept with the other rows.
create table auth_failure (
    -- A SHA-256 digest (hex) naming what is counted; the name itself (an
    -- email, an address) is not stored.
    limit_key text not null,
    -- Events counted in the current window.
    failures bigint not null,
    -- When the current window began (Unix seconds).
    window_start bigint not null,
    constraint auth_failure_pkey primary key (limit_key)
);
create index auth_failure_window_idx on auth_failure (window_start);
