-- session_replication_role: only 'origin' queues events
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table t (id int primary key, v text);
create trigger l after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq');
create trigger b before insert or update or delete on t
  for each row execute procedure pgq.sqltriga('testq', 'SKIP');
create trigger j after insert or update or delete on t
  for each row execute procedure pgq.jsontriga('testq', 'bad-option');
create trigger tr after truncate on t
  for each statement execute procedure pgq.logutriga('testq');
-- 'local': triggers fire but do nothing, not even check their arguments;
-- the BEFORE ... SKIP trigger lets the row through
set session_replication_role = 'local';
insert into t values (1, 'a');
update t set v = 'b';
select * from t;
truncate t;
-- 'replica': ordinary triggers do not fire
set session_replication_role = 'replica';
insert into t values (2, 'a');
reset session_replication_role;
select * from t order by id;
select * from ev;
-- back in 'origin': the BEFORE ... SKIP trigger queues and cancels the row,
drop trigger b on t;
-- and the bad option is reported
insert into t values (4, 'a');
drop trigger j on t;
-- ENABLE ALWAYS triggers fire in 'replica' and queue as usual (C does the
-- same); this is how a replica feeds a queue whose inserts are disabled
alter table t enable always trigger l;
update pgq.queue set queue_disable_insert = true where queue_name = 'testq';
insert into t values (5, 'a');
set session_replication_role = 'replica';
insert into t values (6, 'a');
reset session_replication_role;
select * from t order by id;
select * from ev;
