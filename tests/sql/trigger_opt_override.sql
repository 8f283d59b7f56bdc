-- ev_type=, ev_data=, ev_extra1..4= and the _pgq_ev_* magic columns
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table t (id int primary key, a text, b int);
create trigger l after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq', 'ev_type=a || ''!''',
    'ev_data=''data:'' || id', 'ev_extra1=b + 1', 'ev_extra2=null', 'ev_extra3=id', 'ev_extra4=a');
insert into t values (1, 'x', 2);
update t set a = 'y';
delete from t;
drop trigger l on t;
-- results use the type's output: bool t/f, arrays, json
create trigger s after insert on t
  for each row execute procedure pgq.sqltriga('testq', 'ev_type=b > 1', 'ev_data=array[id, b]',
    'ev_extra1=''{"k": 1}''::json', 'ev_extra3=(select count(*) from pg_catalog.pg_namespace where nspname = ''pgq'')');
insert into t values (2, 'x', 5);
drop trigger s on t;
-- empty expressions give NULL; for each field the first option wins
create trigger j after insert on t
  for each row execute procedure pgq.jsontriga('testq', 'ev_type=', 'ev_extra1=',
    'ev_extra4=id', 'ev_extra4=b', 'ev_data=a');
insert into t values (3, 'x', 7);
drop trigger j on t;
select * from ev;
delete from pgq.event_1;
-- magic columns: left out of the data, override the fields (even when NULL)
create table m (id int primary key, v text, _pgq_ev_type text, _pgq_ev_data text,
  _pgq_ev_extra1 text, _pgq_ev_extra2 text, _pgq_ev_extra3 text, _pgq_ev_extra4 text);
create trigger l after insert or update or delete on m
  for each row execute procedure pgq.logutriga('testq', 'backup');
create trigger n after insert or update or delete on m
  for each row execute procedure pgq.sqltriga('testq', 'backup');
insert into m values (1, 'v', 't', 'd', 'e1', 'e2', 'e3', 'e4');
insert into m (id, v) values (2, 'w');
update m set v = 'x' where id = 1;
-- a change of a magic column only: logutriga queues, sqltriga does not
update m set _pgq_ev_extra3 = 'new' where id = 1;
delete from m;
drop trigger l on m;
drop trigger n on m;
-- options win over magic columns
create trigger j after insert on m
  for each row execute procedure pgq.jsontriga('testq', 'ev_extra1=''opt''', 'ev_type=''opt''');
insert into m values (3, 'v', 't', 'd', 'e1', 'e2', 'e3', 'e4');
drop trigger j on m;
select * from ev;
delete from pgq.event_1;
-- unknown magic column
create table bad (id int primary key, _pgq_ev_other text);
create trigger l after insert on bad
  for each row execute procedure pgq.logutriga('testq');
insert into bad values (1, 'x');
select * from ev;
