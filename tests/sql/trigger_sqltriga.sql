-- pgq.sqltriga: partial SQL events, quoting, changed-column detection
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

create table rtest (id integer primary key, dat text);
create trigger rtest_triga after insert or update or delete on rtest
  for each row execute procedure pgq.sqltriga('testq');
insert into rtest values (1, 'value1');
update rtest set dat = 'value2';
update rtest set dat = 'value2';
update rtest set dat = null;
update rtest set dat = 'it''s a \ backslash';
delete from rtest;
select * from ev;
delete from pgq.event_1;

-- identifiers are quoted as quote_ident() does: keywords, case, specials
create table "Quote Me" (id int primary key, "User" text, "select" text, type text,
  "user" text, "a$" text, "é" text, _x text, "1a" text, "Col""q" text);
create trigger q after insert or update or delete on "Quote Me"
  for each row execute procedure pgq.sqltriga('testq');
insert into "Quote Me" values (1, 'ü€', 'x y', '', null, 'a', 'b', 'c', 'd', 'e');
update "Quote Me" set "User" = 'u', "select" = null, "Col""q" = 'f';
delete from "Quote Me";
select * from ev;
delete from pgq.event_1;

-- only changed columns; equality by the type's '=' operator
create table chg (a int, b text, c int, n numeric, iv interval, f float8,
  r numrange, arr numeric[], primary key (c, a));
create trigger chg after insert or update or delete on chg
  for each row execute procedure pgq.sqltriga('testq');
insert into chg values (1, 'x', 2, 1.0, '1 day', 0, '[1.0,2)', '{1.0}');
update chg set n = 1.00;
update chg set iv = '24 hours';
update chg set f = '-0';
update chg set r = '[1.00,2)';
update chg set arr = '{1.00}';
update chg set n = 2, iv = '1 day', b = 'y';
update chg set b = null, f = 1.5;
delete from chg;
select * from ev;
delete from pgq.event_1;

-- NULL key value
create table nk (a int, b text);
create trigger nk after insert or update or delete on nk
  for each row execute procedure pgq.sqltriga('testq', 'pkey=a');
insert into nk values (null, 'x');
update nk set b = 'y';
delete from nk;
-- no primary key at all
create table nopk (a int, b text);
create trigger nopk after insert or update or delete on nopk
  for each row execute procedure pgq.sqltriga('testq');
insert into nopk values (1, null);
insert into nopk default values;
update nopk set b = 'y';
delete from nopk;
select * from ev;
delete from pgq.event_1;
