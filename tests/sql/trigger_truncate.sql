-- TRUNCATE events and which options they reject
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table t (id int primary key, a text);
create table nk (a int);
create trigger l after truncate on t for each statement execute procedure pgq.logutriga('testq');
create trigger m after truncate on t for each statement execute procedure pgq.jsontriga('testq');
create trigger n after truncate on t for each statement execute procedure pgq.sqltriga('testq');
create trigger m after truncate on nk for each statement execute procedure pgq.jsontriga('testq');
truncate t;
truncate nk;
drop trigger l on t;
drop trigger m on t;
drop trigger n on t;
-- BEFORE TRUNCATE works too (SKIP cannot cancel a statement)
create trigger l before truncate on t for each statement execute procedure pgq.logutriga('testq', 'SKIP');
truncate t;
drop trigger l on t;
select * from ev;
delete from pgq.event_1;
-- rejected options, in the order the C triggers check them
create trigger l after truncate on t for each statement execute procedure pgq.logutriga('testq', 'when=true');
truncate t;
drop trigger l on t;
create trigger l after truncate on t for each statement execute procedure pgq.logutriga('testq', 'ignore=a', 'backup', 'ev_extra1=1');
truncate t;
drop trigger l on t;
create trigger l after truncate on t for each statement execute procedure pgq.logutriga('testq', 'pkey=a', 'ignore=a');
truncate t;
drop trigger l on t;
create trigger l after truncate on t for each statement execute procedure pgq.logutriga('testq', 'SKIP', 'pkey=a');
truncate t;
drop trigger l on t;
create trigger l after truncate on t for each statement execute procedure pgq.logutriga('testq', 'SKIP', 'backup');
truncate t;
drop trigger l on t;
create trigger l after truncate on t for each statement execute procedure pgq.logutriga('testq', 'SKIP', 'deny');
truncate t;
drop trigger l on t;
create trigger l after truncate on t for each statement execute procedure pgq.logutriga('testq', 'deny');
truncate t;
drop trigger l on t;
-- row triggers must be FOR EACH ROW
create trigger l after insert on t for each statement execute procedure pgq.logutriga('testq');
insert into t values (1);
drop trigger l on t;
select * from ev;
