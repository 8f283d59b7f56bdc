-- ignore= and pkey=
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table t (id int primary key, a text, b int, c text);
create trigger l after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq', 'ignore=a,c');
create trigger m after insert or update or delete on t
  for each row execute procedure pgq.jsontriga('testq', 'ignore=a,c');
create trigger n after insert or update or delete on t
  for each row execute procedure pgq.sqltriga('testq', 'ignore=a,c');
insert into t values (1, 'x', 2, 'y');
-- only ignored columns changed: no event
update t set a = 'z';
update t set a = 'w', c = 'v';
-- nothing changed at all: an event
update t set b = 2;
-- an ignored and a real column changed
update t set a = 'q', b = 3;
delete from t;
select * from ev;
delete from pgq.event_1;
drop trigger l on t;
drop trigger m on t;
drop trigger n on t;
-- spaces around names are dropped; the last ignore= wins
create trigger l after insert on t
  for each row execute procedure pgq.logutriga('testq', 'ignore= a , b');
create trigger m after insert on t
  for each row execute procedure pgq.logutriga('testq', 'ignore=a', 'ignore=b');
insert into t values (2, 'x', 2, 'y');
drop trigger l on t;
drop trigger m on t;
-- an ignored key column stays the key
create trigger n after insert or update or delete on t
  for each row execute procedure pgq.sqltriga('testq', 'ignore=id');
update t set a = 'k';
update t set id = 3;
drop trigger n on t;
select * from ev;
delete from pgq.event_1;
-- pkey= overrides the primary key: shown verbatim, unknown names kept in
-- the type but not used as key columns
create trigger l after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq', 'pkey=b,zz');
create trigger m after insert or update or delete on t
  for each row execute procedure pgq.jsontriga('testq', 'pkey= b ,zz');
create trigger n after insert or update or delete on t
  for each row execute procedure pgq.sqltriga('testq', 'pkey=c,b');
update t set a = 'p';
-- id is no longer a key column, b and c are
update t set id = 4;
update t set b = 5;
delete from t;
drop trigger l on t;
drop trigger m on t;
drop trigger n on t;
-- empty pkey= means no key; the last pkey= wins
create trigger l after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq', 'pkey=');
insert into t values (1, 'x', 2, 'y');
update t set a = 'z';
drop trigger l on t;
create trigger l after insert or update or delete on t
  for each row execute procedure pgq.logutriga('testq', 'pkey=a', 'pkey=b');
update t set a = 'z2';
drop trigger l on t;
select * from ev;
