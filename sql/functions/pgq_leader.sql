-- Ticker leadership: which backend ticks and maintains this database.
--
-- Two tickers on one database must not tick at once (each tick's snapshot is
-- taken before anything inside pgq.ticker() could serialise them), so one
-- daemon leads and the others stand by. Leadership used to be a session
-- advisory lock on a fixed key, which any role that can connect may take
-- first, stopping all ticking. Here it is a row that only the ticker's role
-- can write (through pgq.ticker_lead, granted to pgq_admin), naming the
-- backend that leads. The lead lasts exactly as long as that backend lives,
-- as a session lock would: a standby takes over once the backend is gone
-- from pg_stat_activity, and nobody without pgq_admin can keep it alive.

create table if not exists pgq.ticker_leader (
    leader_slot             boolean     not null default true,
    leader_pid              integer,
    leader_backend_start    timestamptz,
    leader_name             text,
    leader_since            timestamptz,
    constraint ticker_leader_pkey primary key (leader_slot),
    constraint ticker_leader_one_row check (leader_slot)
);
insert into pgq.ticker_leader (leader_slot) values (true) on conflict do nothing;

-- Is the backend (pid, start time) that claimed the lead still there?
-- When the function owner may not see other roles' start times, the view
-- shows NULL and the pid alone has to do (a reused pid keeps a standby
-- waiting until that unrelated backend ends; it never makes two leaders).
-- (pg_stat_get_activity(pid) reads that one backend; the pg_stat_activity
-- view would build every backend's row and join the catalogs, which a
-- standby asking every round for hundreds of databases pays each time.)
create or replace function pgq._leader_alive(i_pid integer, i_backend_start timestamptz)
returns boolean as $$
    select exists (select 1 from pg_catalog.pg_stat_get_activity(i_pid) a
                    where a.pid = i_pid
                      and (a.backend_start is null or a.backend_start = i_backend_start))
$$ language sql stable strict set search_path = pg_catalog, pg_temp;

-- Claims the lead for the calling backend unless a live backend holds it.
-- Returns whether the caller leads, and who does.
create or replace function pgq.ticker_lead(
    i_name          text,
    out is_leader   boolean,
    out leader_name text,
    out leader_pid  integer,
    out leader_since timestamptz)
as $$
declare
    lead   record;
    my_pid integer := pg_catalog.pg_backend_pid();
begin
    select l.leader_pid, l.leader_backend_start into lead
      from pgq.ticker_leader l where l.leader_slot;
    -- A live holder (the common case: a standby asks every loop_delay)
    -- costs no lock and no write.
    if lead.leader_pid is null
       or not pgq._leader_alive(lead.leader_pid, lead.leader_backend_start) then
        -- Claimable, or so it seemed. Concurrent claims queue up on the row
        -- lock, and each decides on what the one before it committed.
        select l.leader_pid, l.leader_backend_start into lead
          from pgq.ticker_leader l where l.leader_slot for update;
        -- Backend status is read once per transaction and then kept: a
        -- claimant whose backend started after that read would look dead.
        -- Read it afresh now that the row is ours.
        perform pg_catalog.pg_stat_clear_snapshot();
        if lead.leader_pid is null
           or not pgq._leader_alive(lead.leader_pid, lead.leader_backend_start) then
            update pgq.ticker_leader l
               set leader_pid = my_pid,
                   leader_backend_start = (select a.backend_start
                                             from pg_catalog.pg_stat_get_activity(my_pid) a),
                   leader_name = i_name,
                   leader_since = pg_catalog.now()
             where l.leader_slot;
        end if;
    end if;

    select l.leader_pid = my_pid
               and l.leader_backend_start is not distinct from
                   (select a.backend_start from pg_catalog.pg_stat_get_activity(my_pid) a),
           l.leader_name, l.leader_pid, l.leader_since
      into is_leader, leader_name, leader_pid, leader_since
      from pgq.ticker_leader l
     where l.leader_slot;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

-- Gives the lead up (a daemon stopping cleanly, so a standby need not wait
-- for the backend to exit). Only the leading backend can release it.
create or replace function pgq.ticker_resign()
returns boolean as $$
    update pgq.ticker_leader
       set leader_pid = null, leader_backend_start = null,
           leader_name = null, leader_since = null
     where leader_slot and leader_pid = pg_catalog.pg_backend_pid()
    returning true
$$ language sql security definer set search_path = pg_catalog, pg_temp;

-- Who leads, for status and monitoring; NULLs when nobody does.
create or replace function pgq.ticker_leader_info(
    out leader_name text,
    out leader_pid  integer,
    out leader_since timestamptz,
    out leader_alive boolean)
as $$
    select l.leader_name, l.leader_pid, l.leader_since,
           l.leader_pid is not null and pgq._leader_alive(l.leader_pid, l.leader_backend_start)
      from pgq.ticker_leader l
     where l.leader_slot
$$ language sql stable security definer set search_path = pg_catalog, pg_temp;

revoke all on function pgq._leader_alive(integer, timestamptz),
                       pgq.ticker_lead(text), pgq.ticker_resign(),
                       pgq.ticker_leader_info()
  from public;
grant execute on function pgq.ticker_lead(text), pgq.ticker_resign() to pgq_admin;
grant execute on function pgq.ticker_leader_info() to public;
revoke all on pgq.ticker_leader from public, pgq_reader, pgq_writer, pgq_admin;
grant select on pgq.ticker_leader to public;
