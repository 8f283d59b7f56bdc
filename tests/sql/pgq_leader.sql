-- pgq_leader: ticker leadership is a row only pgq_admin can claim, held for
-- as long as the claiming backend lives; nobody else can take or keep it.
\set VERBOSITY terse
create role pgq_leader_admin login in role pgq_admin;
create role pgq_leader_nobody login;

-- nobody leads after install
select leader_name, leader_pid, leader_since, leader_alive from pgq.ticker_leader_info();

-- a login-only role can neither claim, resign nor write the row
set role pgq_leader_nobody;
select * from pgq.ticker_lead('intruder');
select pgq.ticker_resign();
update pgq.ticker_leader set leader_pid = pg_backend_pid();
insert into pgq.ticker_leader (leader_slot) values (false);
-- the advisory lock that used to stop every ticker means nothing now
select pg_advisory_lock(8099567117959757825);
select leader_alive from pgq.ticker_leader_info();
reset role;

-- pgq_admin claims; a second claim by the same backend keeps the start time
set role pgq_leader_admin;
select is_leader, leader_name, leader_pid = pg_backend_pid() as me from pgq.ticker_lead('daemon A');
select leader_since as first_since from pgq.ticker_leader \gset
select is_leader, leader_name, leader_since = :'first_since' as same_since from pgq.ticker_lead('daemon A again');
-- even pgq_admin may not write the row directly
update pgq.ticker_leader set leader_name = 'forged';
reset role;
select leader_name, leader_alive from pgq.ticker_leader_info();

-- a live backend holds the lead (the checkpointer stands in for another
-- daemon's backend): the claim fails and names the holder
update pgq.ticker_leader l
   set leader_pid = a.pid, leader_backend_start = a.backend_start, leader_name = 'daemon B'
  from pg_stat_activity a where a.backend_type = 'checkpointer';
set role pgq_leader_admin;
select is_leader, leader_name from pgq.ticker_lead('daemon A');
-- resigning someone else's lead does nothing
select pgq.ticker_resign();
reset role;
select leader_name, leader_alive from pgq.ticker_leader_info();

-- the holder's backend is gone (same pid, other start time): taken over
update pgq.ticker_leader set leader_backend_start = leader_backend_start - interval '1 day';
select leader_alive from pgq.ticker_leader_info();
set role pgq_leader_admin;
select is_leader, leader_name from pgq.ticker_lead('daemon A');
select pgq.ticker_resign();
reset role;
select leader_name, leader_pid, leader_alive from pgq.ticker_leader_info();

-- exactly one row, ever
insert into pgq.ticker_leader (leader_slot) values (true);
insert into pgq.ticker_leader (leader_slot) values (false);

select pg_advisory_unlock_all();
drop role pgq_leader_admin;
drop role pgq_leader_nobody;
