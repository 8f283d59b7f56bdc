-- argument errors and pgq.insert_event failures
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table t (id int primary key, a text);
create trigger l after insert on t for each row execute procedure pgq.logutriga();
insert into t values (1);
drop trigger l on t;
create trigger l after insert on t for each row execute procedure pgq.logutriga('testq', 'foo');
insert into t values (1);
drop trigger l on t;
create trigger l after insert on t for each row execute procedure pgq.sqltriga('testq', 'BACKUP');
insert into t values (1);
drop trigger l on t;
create trigger l after insert on t for each row execute procedure pgq.jsontriga('testq', 'Deny');
insert into t values (1);
drop trigger l on t;
create trigger l after insert on t for each row execute procedure pgq.logutriga('testq', 'ignore');
insert into t values (1);
drop trigger l on t;
create trigger l after insert on t for each row execute procedure pgq.logutriga('testq', 'ev_extra5=1');
insert into t values (1);
drop trigger l on t;
create trigger l after insert on t for each row execute procedure pgq.logutriga('testq', 'ev_extra1 =1');
insert into t values (1);
drop trigger l on t;
create trigger l after insert on t for each row execute procedure pgq.logutriga('testq', '');
insert into t values (1);
drop trigger l on t;
-- bad param is found before SKIP-in-AFTER, SKIP before deny
create trigger l after insert on t for each row execute procedure pgq.logutriga('testq', 'SKIP', 'foo');
insert into t values (1);
drop trigger l on t;
create trigger l after insert on t for each row execute procedure pgq.logutriga('testq', 'deny', 'SKIP');
insert into t values (1);
drop trigger l on t;
-- unknown queue: the error of pgq.insert_event
create trigger l after insert on t for each row execute procedure pgq.logutriga('nosuchq');
insert into t values (1);
drop trigger l on t;
-- key errors
create table nk (a int, b text);
insert into nk values (1, 'x');
create trigger l after update or delete on nk for each row execute procedure pgq.logutriga('testq');
update nk set b = 'y';
delete from nk;
drop trigger l on nk;
create trigger l after update or delete on nk for each row execute procedure pgq.jsontriga('testq', 'ignore=b');
update nk set b = 'y';
drop trigger l on nk;
create trigger l after update on t for each row execute procedure pgq.sqltriga('testq');
insert into t values (1, 'x');
update t set id = 2;
drop trigger l on t;
select * from ev;
