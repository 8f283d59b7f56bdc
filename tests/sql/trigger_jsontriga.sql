-- pgq.jsontriga: JSON rows and JSON event type
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table jdata (id int primary key, txt text, b bool, i8 int8, n numeric,
  f float8, d date, ts timestamp, tz timestamptz, j json, a int[]);
create trigger jtrig after insert or update or delete on jdata
  for each row execute procedure pgq.jsontriga('testq');
insert into jdata values (1, E'q"\\/\t\n\x01 ü€', true, -9223372036854775808, 1.50,
  1.5e300, '2009-09-19', '2009-09-19 11:59:48.599123', '2009-09-19 11:59:48.599+02',
  '{"a" : [1, 2.50]}', '{1,NULL,3}');
insert into jdata (id) values (2);
update jdata set txt = 'x', b = false where id = 1;
delete from jdata where id = 2;
-- timestamptz keeps the session offset; date/timestamp ISO whatever DateStyle
set timezone = 'Asia/Kolkata';
set datestyle = 'German';
insert into jdata (id, d, ts, tz) values (3, '2009-09-19', '2009-09-19 11:59:48', '2009-09-19 11:59:48.599+02');
set timezone = 'America/St_Johns';
set datestyle = 'SQL, DMY';
insert into jdata (id, d, ts, tz) values (4, '0044-03-15 BC', '0099-01-01 00:00:00 BC', 'infinity');
reset timezone;
reset datestyle;
select * from ev;
delete from pgq.event_1;

-- key list, quoted names, composite key in key order, no key
create schema "My Sch";
create table "My Sch"."T-1" ("Col""q" int, "é" text, z int, primary key (z, "Col""q"));
create trigger t after insert or update or delete on "My Sch"."T-1"
  for each row execute procedure pgq.jsontriga('testq');
insert into "My Sch"."T-1" values (1, 'ä', 5);
create table nokey (a int);
create trigger t after insert on nokey
  for each row execute procedure pgq.jsontriga('testq');
insert into nokey values (1);
select * from ev;
delete from pgq.event_1;
