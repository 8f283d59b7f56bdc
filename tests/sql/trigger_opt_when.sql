-- when=
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table t (id int primary key, a text, b int, _pgq_ev_type text);
create trigger l after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq', 'when=b > 10 and a is not null');
insert into t values (1, 'x', 2);
insert into t values (2, 'x', 20);
insert into t values (3, null, 20);
-- UPDATE sees the new row, DELETE the old one
update t set b = 30 where id = 1;
update t set b = 1 where id = 2;
delete from t where id = 1;
delete from t where id = 2;
drop trigger l on t;
-- magic columns are visible to the expression; the first when= wins
create trigger l after insert on t
  for each row execute procedure pgq.logutriga('testq', 'when=_pgq_ev_type is not null', 'when=true');
insert into t values (4, 'y', 1, 'T');
insert into t values (5, 'y', 1, null);
drop trigger l on t;
select * from ev;
delete from pgq.event_1;
-- NULL result, non-boolean results, empty expression, bad expressions
create trigger l after insert on t
  for each row execute procedure pgq.logutriga('testq', 'when=b > 0');
insert into t values (6, 'z', null);
drop trigger l on t;
create trigger l after insert on t
  for each row execute procedure pgq.logutriga('testq', 'when=b');
insert into t values (7, 'z', 1);
drop trigger l on t;
create trigger l after insert on t
  for each row execute procedure pgq.logutriga('testq', 'when=a');
insert into t values (7, 'true', 1);
drop trigger l on t;
create trigger l after insert on t
  for each row execute procedure pgq.logutriga('testq', 'when=');
insert into t values (7, 'z', 1);
drop trigger l on t;
\set VERBOSITY sqlstate
create trigger l after insert on t
  for each row execute procedure pgq.logutriga('testq', 'when=nosuchcol');
insert into t values (7, 'z', 1);
drop trigger l on t;
\set VERBOSITY terse
-- the key check comes before when=
create trigger l after update on t
  for each row execute procedure pgq.logutriga('testq', 'when=false');
update t set id = 100 where id = 4;
drop trigger l on t;
select * from ev;
