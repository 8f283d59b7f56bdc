-- SKIP, BEFORE and AFTER triggers
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table s (id int primary key, v text);
insert into s values (1, 'a'), (2, 'b');
-- BEFORE + SKIP: the event is queued, the row operation is cancelled
create trigger l before insert or update or delete on s
  for each row execute procedure pgq.logutriga('testq', 'SKIP');
insert into s values (3, 'c');
update s set v = 'skip' where id = 1;
delete from s where id = 2;
select * from s order by id;
drop trigger l on s;
create trigger q before insert or update or delete on s
  for each row execute procedure pgq.sqltriga('testq', 'SKIP');
create trigger r before insert or update or delete on s
  for each row execute procedure pgq.jsontriga('testq', 'SKIP');
insert into s values (4, 'd');
select * from s order by id;
drop trigger q on s;
drop trigger r on s;
-- SKIP still cancels the row when when= suppresses the event
create trigger l before update on s
  for each row execute procedure pgq.logutriga('testq', 'SKIP', 'when=false');
update s set v = 'x' where id = 1;
select * from s order by id;
drop trigger l on s;
-- BEFORE without SKIP: the row goes through, also when no event is queued
create trigger l before insert or update or delete on s
  for each row execute procedure pgq.logutriga('testq', 'when=v <> ''quiet''');
insert into s values (5, 'quiet') returning *;
update s set v = 'loud' where id = 5 returning *;
delete from s where id = 5 returning *;
drop trigger l on s;
select * from ev;
delete from pgq.event_1;
-- SKIP is rejected in AFTER triggers, and is case sensitive
create trigger l after insert on s
  for each row execute procedure pgq.logutriga('testq', 'SKIP');
insert into s values (6, 'e');
drop trigger l on s;
create trigger l before insert on s
  for each row execute procedure pgq.logutriga('testq', 'skip');
insert into s values (6, 'e');
drop trigger l on s;
select * from ev;
