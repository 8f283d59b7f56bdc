-- every built-in type round-tripped through the three triggers
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;
create domain posint as int check (value > 0);
create type mood as enum ('sad','ok','happy');
create type pair as (a int, b text);
create table alltypes (
  id serial primary key,
  c_text text, c_varchar varchar(10), c_char char(5), c_name name, c_bytea bytea, c_bool bool,
  c_int2 int2, c_int4 int4, c_int8 int8, c_numeric numeric, c_num52 numeric(5,2), c_float4 float4, c_float8 float8,
  c_money money, c_date date, c_time time, c_timetz timetz, c_ts timestamp, c_tstz timestamptz, c_interval interval,
  c_uuid uuid, c_json json, c_jsonb jsonb, c_inet inet, c_cidr cidr, c_macaddr macaddr, c_bit bit(4), c_varbit varbit,
  c_point point, c_box box, c_int4range int4range, c_tsrange tsrange, c_oid oid, c_xml xml, c_tsvector tsvector,
  c_int_arr int[], c_text_arr text[], c_bool_arr bool[], c_ts_arr timestamptz[], c_2d int[][],
  c_domain posint, c_enum mood, c_comp pair, c_pglsn pg_lsn, c_regclass regclass, c_char1 "char"
);
create trigger j after insert or update or delete on alltypes for each row execute procedure pgq.jsontriga('testq', 'backup');
create trigger l after insert or update or delete on alltypes for each row execute procedure pgq.logutriga('testq', 'backup');
create trigger s after insert or update or delete on alltypes for each row execute procedure pgq.sqltriga('testq', 'backup');
insert into alltypes (c_text) values (null);
insert into alltypes (c_text, c_varchar, c_char, c_name, c_bytea, c_bool, c_int2, c_int4, c_int8, c_numeric, c_num52, c_float4, c_float8,
  c_money, c_date, c_time, c_timetz, c_ts, c_tstz, c_interval, c_uuid, c_json, c_jsonb, c_inet, c_cidr, c_macaddr, c_bit, c_varbit,
  c_point, c_box, c_int4range, c_tsrange, c_oid, c_xml, c_tsvector, c_int_arr, c_text_arr, c_bool_arr, c_ts_arr, c_2d, c_domain, c_enum, c_comp, c_pglsn, c_regclass, c_char1)
values ('mÜltibyte ☃ "q" \ & = + %', 'vc', 'ab', 'nm', E'\\x00ff5c27', true, -32768, -2147483648, -9223372036854775808, -123.4500, 1.5, 1.25, -1.5e300,
  '12.34', '2009-09-19', '11:59:48.599', '11:59:48+03', '2009-09-19 11:59:48.599123', '2009-09-19 11:59:48.599+02', '1 day 02:03:04.5',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2.50, null], "b": "x\ny"}', '{"a": [1, 2.50, null], "b": "x\ny"}', '10.0.0.1/8', '10.0.0.0/8', '08:00:2b:01:02:03', B'1010', B'101',
  '(1,2)', '((0,0),(1,1))', '[1,5)', '["2009-01-01 00:00","2009-02-01 00:00")', 4294967295, '<a>x</a>', 'a fat cat', '{1,NULL,3}', '{"a b","c,d",NULL,"e\"f"}', '{t,f}', '{"2009-09-19 11:59:48+00"}', '{{1,2},{3,4}}',
  7, 'happy', '(1,"x y")', '16/B374D848', 'alltypes', 'x');
insert into alltypes (c_int2, c_int4, c_int8, c_numeric, c_float4, c_float8, c_bool, c_ts, c_tstz, c_date, c_text)
values (32767, 2147483647, 9223372036854775807, 'NaN', 'Infinity', '-Infinity', false, 'infinity', '-infinity', 'infinity', '');
insert into alltypes (c_float4, c_float8, c_ts, c_tstz, c_date, c_numeric, c_interval)
values ('NaN', 'NaN', '0099-01-01 00:00:00 BC', '2000-01-01 00:00:00', '0044-03-15 BC', 1e-20, '-3 years 2 mons');
insert into alltypes (c_ts, c_tstz, c_float4, c_float8, c_numeric) values ('2000-01-01 00:00:00.5', '2000-01-01 00:00:00.000001+00', 1.0/3, 1.0/3, 1.0/3);
select * from ev;
delete from pgq.event_1;
-- output styles: the text form follows DateStyle/IntervalStyle/TimeZone,
-- jsontriga's date/timestamp/timestamptz stay ISO 8601
set timezone = 'Asia/Kolkata';
insert into alltypes (c_ts, c_tstz, c_ts_arr) values ('2009-09-19 11:59:48', '2009-09-19 11:59:48.599+02', '{"2009-09-19 11:59:48+00"}');
set timezone = 'America/St_Johns';
set datestyle = 'German';
insert into alltypes (c_ts, c_tstz, c_date) values ('2009-09-19 11:59:48', '2009-09-19 11:59:48.599+02', '2009-09-19');
set datestyle = 'SQL, DMY';
insert into alltypes (c_ts, c_tstz, c_date) values ('2009-09-19 11:59:48', '2009-09-19 11:59:48.599+02', '2009-09-19');
set datestyle = 'Postgres';
set intervalstyle = 'iso_8601';
insert into alltypes (c_ts, c_tstz, c_date, c_interval) values ('2009-09-19 11:59:48', '2009-09-19 11:59:48.599+02', '2009-09-19', '1 day 3 hours');
set timezone = 'Europe/Amsterdam';
insert into alltypes (c_tstz) values ('1900-01-01 00:00:00+00');
reset datestyle;
reset timezone;
reset intervalstyle;
select * from ev;
delete from pgq.event_1;
-- updates: only changed values (by the type's '=') reach sqltriga
update alltypes set c_text = c_text || 'x', c_bool = not c_bool where id = 2;
update alltypes set c_numeric = 1.0 where id = 3;
update alltypes set c_numeric = -123.45, c_float4 = 1.25, c_interval = '26 hours', c_int4range = '[1,4]', c_comp = '(1,"x y")', c_box = '((1,1),(0,0))', c_point = '(1,2)', c_json = '{"a": [1, 2.50, null], "b": "x\ny"}' where id = 2;
update alltypes set c_tsrange = '["2009-01-01 00:00","2009-02-01 00:00")', c_2d = '{{1,2},{3,4}}', c_int_arr = '{1,NULL,3}', c_text = null where id = 2;
update alltypes set c_money = 12.340, c_inet = '10.0.0.1/8', c_domain = 7, c_enum = 'happy', c_jsonb = '{"b": "x\ny", "a": [1, 2.50, null]}' where id = 2;
update alltypes set c_num52 = 1.5, c_tsvector = 'fat cat a', c_bytea = '\x00ff5c27' where id = 2;
delete from alltypes where id < 3;
select * from ev;
