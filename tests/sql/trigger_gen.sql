-- Generated per-table row-level triggers (pgq.create_trigger(...,
-- i_generated => true), sql/triggers/gen.sql) against the general path, on
-- twin tables: the twin's triggers have ignore= of a column that does not
-- exist, which changes nothing in the events but takes the general path.
-- Every column type the generated code takes, NULLs, several DateStyles
-- and time zones, no-op and text-only updates, a two-column key; then
-- ALTER TABLE (add, drop, rename, retype a column, a new primary key),
-- inside a transaction and rolled back to a savepoint: the generated code
-- must notice at once and leave the row to the general path, never write
-- an event of the old shape.  Which path ran is read from the function
-- call counters of this transaction (pgq._trg_fast runs only on the
-- general path of a trigger with the queue as its only argument).
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
set track_functions = 'all';
-- The general path after ALTER TABLE is what this test is about: so
-- without the event trigger that writes the code again at once
-- (trigger_gen_regen tests it), as after an install by a role that may
-- not create event triggers.
alter event trigger pgq_trg_gen_regenerate disable;
select pgq.create_queue('genq');

create table tg (id int8, k2 text, t text, v varchar(9), c char(4), nm name, s int2, i int4, o oid,
                 n numeric, f4 float4, f8 float8, u uuid, b bytea, iv interval, tm time, ttz timetz,
                 ip inet, cd cidr, mac macaddr, m money, ch "char", bt bit(3), vb varbit,
                 bo bool, d date, ts timestamp, tz timestamptz,
                 primary key (k2, id));
create table tg_ref (like tg including all);
select pgq.create_trigger('tg', 'genq', k, i_name => 'gen_' || k, i_generated => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
select pgq.create_trigger('tg_ref', 'genq', k, array['ignore=no_such_column'], 'ref_' || k, i_generated => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
-- tg's triggers run generated functions, tg_ref's the general ones
select c.relname, t.tgname, p.proname like '\_trg\_gen\_%' as generated
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
 where c.relname in ('tg', 'tg_ref') order by 1, 2;

-- the same change on a table and its twin
create function change(i_sql text) returns void language plpgsql as $$
begin
    execute format(i_sql, 'tg');
    execute format(i_sql, 'tg_ref');
end;
$$;
-- calls of the general path's entry so far (the counters are only read
-- within a transaction: each block below starts with \gset c0)
create function general_calls() returns bigint language sql as $$
    select coalesce(pg_stat_get_xact_function_calls(
               'pgq._trg_fast(text, text, oid, text, text, text, json, json)'::regprocedure), 0)
$$;
-- calls of the queue's writers and of pgq.insert_event, likewise
create function writer_calls() returns bigint language sql as $$
    select coalesce(sum(pg_stat_get_xact_function_calls(p.oid)), 0)::bigint
      from pg_proc p where p.proname like '\_trg\_gen\_write\_%'
$$;
create function insert_event_calls() returns bigint language sql as $$
    select coalesce(pg_stat_get_xact_function_calls(
               'pgq.insert_event(text, text, text, text, text, text, text)'::regprocedure), 0)
$$;

begin;
select general_calls() as c0 \gset
do $$
declare
    ds text;
    tzn text;
begin
    foreach ds in array array['ISO, MDY', 'SQL, DMY', 'Postgres, MDY', 'German'] loop
        foreach tzn in array array['UTC', 'Asia/Kolkata', 'America/St_Johns'] loop
            perform set_config('datestyle', ds, true);
            perform set_config('timezone', tzn, true);
            perform change($q$insert into %I values (1, 'k', E'a "b" \\ \n\t é € ''q'' &=+%%', 'x y', 'ab', 'nm',
                -32768, 2147483647, 4294967295, 'NaN', 'Infinity', 1e+20, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
                E'\\x00ff', '1 year -2 days 03:04:05.6', '24:00', '12:00+05:30', '::1/128', '10.0.0.0/8',
                '08:00:2b:01:02:03', 1234.567, 'q', '101', '1', true, '0044-03-15 BC',
                '2020-02-29 23:59:59.999999', '1850-01-01 00:00:00.000001+00')$q$);
            perform change($q$insert into %I (id, k2) values (2, 'two words')$q$);
            perform change($q$insert into %I values (3, '', '', '', '', '', 0, 0, 0, 1.0, 'NaN', -0, null, '',
                '0', '00:00', '00:00+00', '1.2.3.4', '1.2.3.0/24', '00:00:00:00:00:00', -0.01, E'\\', '000', '',
                false, 'infinity', '-infinity', '2024-06-30 12:00+14')$q$);
            perform change($q$update %I set n = 1.00, f8 = 1e20, iv = '12 months', f4 = '-0' where id = 3$q$);
            perform change($q$update %I set n = 2, t = null, bo = null, tz = tz + interval '1 hour' where id = 3$q$);
            perform change($q$update %I set id = id where id = 1$q$);
            perform change($q$update %I set d = d + 1, ts = null, c = 'ab  ' where id = 2$q$);
            perform change($q$delete from %I$q$);
        end loop;
    end loop;
end $$;
-- tg's rows all took the generated code
select general_calls() - :c0 as general_rows;
commit;

-- ALTER TABLE, in one transaction, between rows
begin;
select general_calls() as c0 \gset
select change($q$insert into %I (id, k2, t) values (10, 'x', 'before')$q$);
select general_calls() - :c0 as general_rows;  -- 0
alter table tg add column extra text default 'e';
alter table tg_ref add column extra text default 'e';
select change($q$insert into %I (id, k2, t) values (11, 'x', 'added')$q$);
select general_calls() - :c0 as general_rows;  -- 3: tg's row went the general way (3 triggers)
commit;
begin;
select general_calls() as c0 \gset
alter table tg rename column t to t_renamed;
alter table tg_ref rename column t to t_renamed;
select change($q$update %I set t_renamed = 'renamed' where id = 11$q$);
alter table tg drop column v;
alter table tg_ref drop column v;
select change($q$update %I set t_renamed = 'dropped' where id = 11$q$);
alter table tg alter column s type text;
alter table tg_ref alter column s type text;
select change($q$update %I set s = 'seven' where id = 11$q$);
select change($q$delete from %I where id = 10$q$);
select general_calls() - :c0 as general_rows;  -- 12: every tg row
commit;

-- a renamed pair of columns (same types, swapped names)
begin;
select general_calls() as c0 \gset
alter table tg rename column i to tmp;
alter table tg rename column o to i;
alter table tg rename column tmp to o;
alter table tg_ref rename column i to tmp;
alter table tg_ref rename column o to i;
alter table tg_ref rename column tmp to o;
select change($q$update %I set i = 7, o = 8 where id = 11$q$);
select general_calls() - :c0 as general_rows;  -- 3
commit;

-- a new primary key
begin;
select general_calls() as c0 \gset
alter table tg drop constraint tg_pkey, add primary key (id);
alter table tg_ref drop constraint tg_ref_pkey, add primary key (id);
select change($q$update %I set s = 'eight' where id = 11$q$);
select change($q$update %I set k2 = 'y' where id = 11$q$);
select general_calls() - :c0 as general_rows;  -- 6
commit;

-- written again for the table as it is now: the generated code again
select pgq._trg_gen_create('tg', 'genq', k) is not null as regenerated
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
begin;
select general_calls() as c0 \gset
select change($q$update %I set s = 'nine', extra = 'x' where id = 11$q$);
select change($q$update %I set s = 'ten' where id = 11$q$);
select general_calls() - :c0 as general_rows;  -- 0
-- changed and rolled back within the transaction
savepoint a;
alter table tg add column late int;
alter table tg_ref add column late int;
select change($q$update %I set late = 1 where id = 11$q$);
select general_calls() - :c0 as general_rows;  -- 3
rollback to savepoint a;
select change($q$update %I set s = 'eleven' where id = 11$q$);
select general_calls() - :c0 as general_rows;  -- still 3
commit;

-- a renamed table and schema: the names come from the trigger's context
create schema other;
alter table tg set schema other;
alter table tg_ref set schema other;
alter table other.tg rename to tg2;
alter table other.tg_ref rename to tg2_ref;
insert into other.tg2 (id, k2) values (20, 'z');
insert into other.tg2_ref (id, k2) values (20, 'z');
alter schema other rename to other2;
delete from other2.tg2 where id = 20;
delete from other2.tg2_ref where id = 20;
alter table other2.tg2 set schema public;
alter table other2.tg2_ref set schema public;
alter table tg2 rename to tg;
alter table tg2_ref rename to tg_ref;

-- errors are the general path's
\set ON_ERROR_STOP 0
update tg set id = 12 where id = 11;
update tg_ref set id = 12 where id = 11;
\set ON_ERROR_STOP 1

-- every event of a table next to its twin's, in order
select count(*) as events from pgq.event_1;
with e as (select ev_id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4,
                  ev_extra1 like '%\_ref' as is_ref,
                  replace(ev_extra1, '_ref', '') as base
             from pgq.event_1),
     a as (select row_number() over (partition by base order by ev_id) as n, * from e where not is_ref),
     b as (select row_number() over (partition by base order by ev_id) as n, * from e where is_ref)
select a.base, a.n, a.ev_type, a.ev_data, b.ev_type as ref_type, b.ev_data as ref_data
  from a full join b on a.base = b.base and a.n = b.n
 where a.ev_type is distinct from replace(b.ev_type, '_ref', '')
    or a.ev_data is distinct from b.ev_data
    or a.ev_extra2 is distinct from b.ev_extra2
    or a.ev_extra3 is distinct from b.ev_extra3
    or a.ev_extra4 is distinct from b.ev_extra4;
-- a sample of what the generated code wrote
select ev_type, ev_data, ev_extra1 from pgq.event_1 where ev_extra1 not like '%\_ref' order by ev_id limit 6;
select ev_type, ev_data, ev_extra1 from pgq.event_1 where ev_extra1 not like '%\_ref' order by ev_id desc limit 9;

-- a site's own pgq.insert_event sees the generated code's events
delete from pgq.event_1;
create table seen (ev_type text, ev_data text);
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text, ev_extra1 text,
                                            ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint language plpgsql as $$
begin
    insert into public.seen values (ev_type, ev_data);
    return 0;
end;
$$;
insert into tg (id, k2) values (30, 'seen');
select * from seen;
select count(*) as events from pgq.event_1;
select pgq._regen_insert_dispatch() > 0 as restored;
begin;
select writer_calls() as w0 \gset
insert into tg (id, k2) values (31, 'queued');
select writer_calls() - :w0 as writer_rows;  -- 3: straight in again
commit;
select ev_type, ev_data from pgq.event_1 order by ev_id;

-- the queue's writer puts the events straight into the event table while
-- pgq.insert_event is the generated one, and leaves them to it otherwise
begin;
select writer_calls() as w0, insert_event_calls() as i0 \gset
insert into tg (id, k2) values (32, 'written');
select writer_calls() - :w0 as writer_rows, insert_event_calls() - :i0 as insert_event_rows;  -- 3, 0
commit;
-- inserts disabled, a per-transaction limit: pgq.insert_event's errors
update pgq.queue set queue_disable_insert = true where queue_name = 'genq';
\set ON_ERROR_STOP 0
insert into tg (id, k2) values (33, 'disabled');
\set ON_ERROR_STOP 1
update pgq.queue set queue_disable_insert = false, queue_per_tx_limit = 4 where queue_name = 'genq';
\set ON_ERROR_STOP 0
insert into tg (id, k2) values (33, 'limited'), (34, 'limited');
\set ON_ERROR_STOP 1
update pgq.queue set queue_per_tx_limit = null where queue_name = 'genq';
-- the queue dropped and made again (another id): pgq.insert_event
select pgq.drop_queue('genq');
select pgq.create_queue('genq');
begin;
select writer_calls() as w0, insert_event_calls() as i0 \gset
insert into tg (id, k2) values (35, 'new queue');
select insert_event_calls() - :i0 as insert_event_rows;  -- 3
commit;
select ev_type, ev_data from pgq.event_2 order by ev_id;
-- and the writer made again for it
select pgq._trg_gen_create('tg', 'genq', 'logutriga') is not null as regenerated;
begin;
select writer_calls() as w0, insert_event_calls() as i0 \gset
delete from tg where id = 35;
select writer_calls() - :w0 as writer_rows, insert_event_calls() - :i0 as insert_event_rows;  -- 3, 0 (one writer a queue)
commit;
select ev_type, ev_data from pgq.event_2 order by ev_id;

-- tables the generated code does not take: their triggers are pgq.<kind>
create table tarr (id int primary key, a int[]);
select pgq.create_trigger('tarr', 'genq', 'logutriga', i_generated => true);
select pgq.create_trigger('tg', 'genq', 'logutriga', array['backup'], 'opt', array['update'], true);
select c.relname, t.tgname, p.proname
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
 where t.tgname in ('pgq_genq', 'opt') order by 1, 2;
-- a generated function on another table: the general path
create table tother (id int8 primary key, k2 text);
do $$ begin
    execute format('create trigger misplaced after insert on tother for each row execute function pgq.%I(''genq'')',
                   (select p.proname from pg_trigger t join pg_proc p on p.oid = t.tgfoid
                     where t.tgrelid = 'tg'::regclass and t.tgname = 'gen_logutriga'));
end $$;
begin;
select general_calls() as c0 \gset
insert into tother values (1, 'o');
select general_calls() - :c0 as general_rows;  -- 1
commit;
select ev_type, ev_data, ev_extra1 from pgq.event_2 where ev_extra1 = 'public.tother';

-- the generated code's encoder answers common texts early, in the
-- expression it writes and in pgq._trg_gen_urlenc: both must encode
-- exactly as pgq._urlencode does, every single character and every pair of
-- printable ASCII ones, dates and times, and what is outside ASCII
do $$ begin
    execute format('create function pg_temp.inline_enc(t text) returns text language sql as %L',
                   'select ' || pgq._trg_gen_urlenc_sql('t'));
end $$;
select count(*) as texts,
       count(*) filter (where pgq._trg_gen_urlenc(t) is distinct from pgq._urlencode(t)) as differ,
       count(*) filter (where pg_temp.inline_enc(t) is distinct from pgq._urlencode(t)) as inline_differ
  from (select pg_catalog.chr(c) from generate_series(1, 255) c
        union all
        select pg_catalog.chr(a) || pg_catalog.chr(b)
          from generate_series(32, 126) a, generate_series(32, 126) b
        union all
        values (''), ('some text 0.25'), ('2026-12-01 04:36:41.123+00'), ('Tue Dec 01 04:36:41 2026 PST'),
               ('01/12/2026 04:36:41 +03'), ('1 day -02:03:04'), ('a+b c:d%2b'), ('Ü b€'), (E'tab\there'),
               ('- _ . : + '), (null)) s (t);

-- 120 columns: past 99 the generated code joins the pieces of an event
-- another way (concat_ws() takes at most 100 arguments); the same events
-- as the general path
select pgq.create_queue('wideq');
do $$ begin
    execute 'create table wide (id int8 primary key, '
            || (select string_agg(format('c%s %s', i, case when i % 2 = 0 then 'text' else 'int4' end), ', ')
                  from generate_series(1, 119) i) || ')';
end $$;
create table wide_ref (like wide including all);
select pgq.create_trigger('wide', 'wideq', k, i_name => 'gen_' || k, i_generated => true)
  from unnest(array['logutriga', 'jsontriga', 'sqltriga']) k;
select pgq.create_trigger('wide_ref', 'wideq', k, array['ignore=no_such_column'], 'ref_' || k, i_generated => true)
  from unnest(array['logutriga', 'jsontriga', 'sqltriga']) k;
select c.relname, t.tgname, p.proname like '\_trg\_gen\_%' as generated
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
 where c.relname in ('wide', 'wide_ref') order by 1, 2;
begin;
select writer_calls() as w0 \gset
insert into wide (id, c1, c2, c50, c118, c119) values (1, 1, 'a b', 'x&y=z', null, 119);
insert into wide_ref (id, c1, c2, c50, c118, c119) values (1, 1, 'a b', 'x&y=z', null, 119);
update wide set c2 = null, c118 = 'é' where id = 1;
update wide_ref set c2 = null, c118 = 'é' where id = 1;
delete from wide;
delete from wide_ref;
select writer_calls() - :w0 as written_by_generated_code;  -- 9: wide's rows
commit;
select count(*) as events,
       count(distinct ev_data) as distinct_data,
       bool_and(ev_data like '%&c119=119' or ev_data like '%&c119' or ev_data like '%,"c119":119}')
           filter (where ev_type not in ('I', 'U', 'D')) as whole
  from pgq.event_3;
with e as (select ev_id, ev_type, ev_data, ev_extra1 like '%\_ref' as is_ref from pgq.event_3),
     a as (select row_number() over (order by ev_id) as n, * from e where not is_ref),
     b as (select row_number() over (order by ev_id) as n, * from e where is_ref)
select a.n, a.ev_type, a.ev_data, b.ev_type as ref_type, b.ev_data as ref_data
  from a full join b on a.n = b.n
 where a.ev_type is distinct from replace(b.ev_type, '_ref', '') or a.ev_data is distinct from b.ev_data;
