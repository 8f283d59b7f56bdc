-- pgq.logutriga: urlencoded rows, event layout, key detection
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

-- basic insert/update/delete
create table udata (id int primary key, txt text, val text);
create trigger utrig after insert or update or delete on udata
  for each row execute procedure pgq.logutriga('testq');
insert into udata values (1, 'text1', null);
insert into udata values (2, 'a b+c&d=e%f/g', '');
update udata set val = 'x' where id = 1;
update udata set val = 'x' where id = 1;
delete from udata where id = 2;
select * from ev;
delete from pgq.event_1;

-- urlencoding: safe bytes [0-9A-Za-z_.-], space -> +, rest %xx lower case,
-- multibyte text byte by byte, names encoded too
create table enc ("id" int primary key, "a-b.c_d" text, "ä ö" text);
create trigger etrig after insert on enc
  for each row execute procedure pgq.logutriga('testq');
insert into enc values (1, 'a-b~c*d!e''f\g', 'ü€☃');
insert into enc values (2, E'tab\there\nnl\r\x01', '"q" <x> {y} [z] | ^ ` @ # $ ; , ? :');
insert into enc select 100 + i, chr(i) || chr(i + 95), null from generate_series(1, 32) i;
select * from ev;
delete from pgq.event_1;

-- key: index column order, composite keys, no key
create table ck (a int, b text, c int, primary key (c, a));
create trigger cktrig after insert or update or delete on ck
  for each row execute procedure pgq.logutriga('testq');
insert into ck values (1, 'x', 2);
update ck set b = 'y';
update ck set a = 5;
delete from ck;
create table nokey (a int, b text);
create trigger nktrig after insert or update or delete on nokey
  for each row execute procedure pgq.logutriga('testq');
insert into nokey values (1, 'x');
update nokey set b = 'y';
delete from nokey;
select * from ev;
delete from pgq.event_1;

-- quoted schema/table/column names, dropped columns
create schema "My Sch";
create table "My Sch"."T-1" ("Col""q" int primary key, "é" text, x int, y int);
alter table "My Sch"."T-1" drop column x;
create trigger t after insert or update or delete on "My Sch"."T-1"
  for each row execute procedure pgq.logutriga('testq');
insert into "My Sch"."T-1" values (1, 'ä', 5);
update "My Sch"."T-1" set y = 6;
delete from "My Sch"."T-1";
select * from ev;
delete from pgq.event_1;

-- BEFORE trigger lets the row through and still queues the event
create table bt (id int primary key, v text);
create trigger btrig before insert or update or delete on bt
  for each row execute procedure pgq.logutriga('testq');
insert into bt values (1, 'a') returning *;
update bt set v = 'b' returning *;
delete from bt returning *;
select * from ev;
delete from pgq.event_1;
