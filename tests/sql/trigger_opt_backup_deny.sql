-- backup and deny
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table t (id int primary key, a text, ts timestamptz, x text);
create trigger l after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq', 'backup');
create trigger m after insert or update or delete on t
  for each row execute procedure pgq.jsontriga('testq', 'backup');
create trigger n after insert or update or delete on t
  for each row execute procedure pgq.sqltriga('testq', 'backup', 'ignore=x');
-- backup goes to ev_extra2 on UPDATE only
insert into t values (1, 'a b', '2009-09-19 11:59:48+00', 'i');
update t set a = 'c&d', ts = null, x = 'j';
delete from t;
select * from ev;
delete from pgq.event_1;
drop trigger l on t;
drop trigger m on t;
drop trigger n on t;
-- ev_extra2= wins over backup
create trigger l after insert or update on t
  for each row execute procedure pgq.logutriga('testq', 'backup', 'ev_extra2=''mine''');
insert into t values (2, 'a');
update t set a = 'b';
drop trigger l on t;
select * from ev;
delete from pgq.event_1;
-- deny: every change raises, before any other check
create trigger d after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq', 'deny', 'when=false');
create trigger dt after truncate on t
  for each statement execute procedure pgq.sqltriga('testq', 'deny');
insert into t values (3, 'a');
update t set id = 9;
delete from t;
truncate t;
select count(*) from t;
select * from ev;
