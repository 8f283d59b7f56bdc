-- Generated statement-level triggers (pgq.create_trigger(...,
-- i_generated => true, i_statement => true)) against the general row-level
-- path, on twin tables: the twin's row-level triggers have ignore= of a
-- column that does not exist, which changes nothing in the events but
-- takes the general path.  Multi-row statements (the events of a statement
-- in the order of its rows), every column type the generated code takes,
-- NULLs, DateStyles and time zones, an UPDATE that changes a key (the
-- whole statement goes the general way), statements that change no row,
-- ALTER TABLE (the generated code steps aside at once), and the writer's
-- refusals (pgq.insert_event replaced, inserts disabled, a per-transaction
-- limit).  Which path ran is read from the function call counters of the
-- transaction: the array form of the queue's writer runs once per
-- statement that took the generated code.
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
set track_functions = 'all';
alter event trigger pgq_trg_gen_regenerate disable;
select pgq.create_queue('stq');

create table ts (id int8, k2 text, t text, v varchar(9), s int2, i int4, n numeric, f8 float8,
                 u uuid, b bytea, iv interval, ip inet, bo bool, d date, tm timestamp, tz timestamptz,
                 primary key (k2, id));
create table ts_ref (like ts including all);
select pgq.create_trigger('ts', 'stq', k, i_name => 'gen_' || k, i_generated => true, i_statement => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
select pgq.create_trigger('ts_ref', 'stq', k, array['ignore=no_such_column'], 'ref_' || k, i_statement => false)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
-- ts: three statement-level triggers per kind, of one generated function;
-- ts_ref: one row-level trigger per kind, of pgq.<kind>
select c.relname, t.tgname, t.tgtype & 1 = 1 as per_row, p.proname like '\_trg\_gen\_%' as generated
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
 where c.relname in ('ts', 'ts_ref') order by 1, 2;
-- options need a row-level trigger
\set ON_ERROR_STOP 0
select pgq.create_trigger('ts', 'stq', 'logutriga', array['SKIP'], 'bad', i_statement => true);
\set ON_ERROR_STOP 1

create function change(i_sql text) returns void language plpgsql as $$
begin
    execute format(i_sql, 'ts');
    execute format(i_sql, 'ts_ref');
end;
$$;
-- statements that took the generated code in this transaction
create function gen_statements() returns bigint language sql as $$
    select coalesce(sum(pg_stat_get_xact_function_calls(p.oid)), 0)::bigint
      from pg_proc p where p.proname like '\_trg\_gen\_write\_%' and p.proargtypes[1] = 'text[]'::regtype
$$;

begin;
select gen_statements() as g0 \gset
do $$
declare
    ds text;
    tzn text;
begin
    foreach ds in array array['ISO, MDY', 'SQL, DMY', 'German'] loop
        foreach tzn in array array['UTC', 'America/St_Johns'] loop
            perform set_config('datestyle', ds, true);
            perform set_config('timezone', tzn, true);
            perform change($q$insert into %I values
                (1, 'k', E'a "b" \\ \n\t é € ''q'' &=+%%', 'x y', -32768, 2147483647, 'NaN', 1e+20,
                 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', E'\\x00ff', '1 year -2 days 03:04:05.6', '::1/128',
                 true, '0044-03-15 BC', '2020-02-29 23:59:59.999999', '1850-01-01 00:00:00.000001+00'),
                (2, 'two words', null, null, null, null, null, null, null, null, null, null, null, null, null, null),
                (3, '', '', '', 0, 0, 1.0, -0, null, '', '0', '1.2.3.4', false, 'infinity', '-infinity',
                 '2024-06-30 12:00+14')$q$);
            perform change($q$insert into %I (id, k2, n) select g, 'bulk', g / 7.0 from generate_series(10, 59) g$q$);
            perform change($q$update %I set n = n * 2, t = 'upd ' || id where k2 = 'bulk' and mod(id, 3) = 0$q$);
            perform change($q$update %I set n = 1.00, f8 = 1e20, iv = '12 months' where id = 3$q$);
            perform change($q$update %I set id = id where id < 3$q$);
            perform change($q$update %I set t = 'none' where id < 0$q$);
            perform change($q$delete from %I where id < 0$q$);
            perform change($q$delete from %I where k2 = 'bulk' and mod(id, 2) = 0$q$);
            perform change($q$delete from %I$q$);
        end loop;
    end loop;
end $$;
-- 6 rounds x 3 kinds x 9 statements, those that changed no row included
-- (the writer gets no events and writes nothing)
select gen_statements() - :g0 as generated_statements;
commit;

-- an UPDATE that changes a key: the general path's error, from either
insert into ts (id, k2) select g, 'key' from generate_series(1, 3) g;
insert into ts_ref (id, k2) select g, 'key' from generate_series(1, 3) g;
\set ON_ERROR_STOP 0
update ts set id = id + 100, t = 'moved' where k2 = 'key' and id = 2;
update ts_ref set id = id + 100, t = 'moved' where k2 = 'key' and id = 2;
\set ON_ERROR_STOP 1
begin;
select gen_statements() as g0 \gset
select change($q$update %I set t = 'kept' where k2 = 'key'$q$);
select gen_statements() - :g0 as generated_statements;  -- 3
commit;

-- ALTER TABLE in a transaction: the general path at once, the generated
-- code again once written for the new shape
begin;
select gen_statements() as g0 \gset
alter table ts add column extra text default 'e';
alter table ts_ref add column extra text default 'e';
select change($q$insert into %I (id, k2, t) select g, 'alt', 'added' from generate_series(20, 22) g$q$);
select change($q$update %I set extra = 'x' where k2 = 'alt'$q$);
select gen_statements() - :g0 as generated_statements;  -- 0
select cardinality(pgq.regenerate_triggers('ts')) as regenerated;  -- 3
select change($q$update %I set extra = 'y' where k2 = 'alt'$q$);
select gen_statements() - :g0 as generated_statements;  -- 3
commit;

-- every event of a table next to its twin's, kind by kind, in order (a
-- statement's triggers run one after the other, row-level ones row by row)
select count(*) as events from pgq.event_1;
with e as (select ev_id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4,
                  ev_extra1 like '%\_ref' as is_ref,
                  replace(ev_extra1, '_ref', '') as base
             from pgq.event_1),
     k as (select case when ev_type like '{%' then 'j' when ev_type like '_:%' then 'l' else 's' end as kind, *
             from e),
     a as (select row_number() over (partition by base, kind order by ev_id) as n, * from k where not is_ref),
     b as (select row_number() over (partition by base, kind order by ev_id) as n, * from k where is_ref)
select a.base, a.kind, a.n, a.ev_type, a.ev_data, b.ev_type as ref_type, b.ev_data as ref_data
  from a full join b on a.base = b.base and a.kind = b.kind and a.n = b.n
 where a.ev_type is distinct from replace(b.ev_type, '_ref', '')
    or a.ev_data is distinct from b.ev_data
    or a.ev_extra2 is distinct from b.ev_extra2
    or a.ev_extra3 is distinct from b.ev_extra3
    or a.ev_extra4 is distinct from b.ev_extra4;
-- the three kinds' events of a statement are in row order, kind by kind
select ev_type, ev_data from pgq.event_1 where ev_extra1 = 'public.ts' order by ev_id limit 9;

-- a site's own pgq.insert_event sees every event, in order
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
insert into ts (id, k2) values (30, 'seen'), (31, 'seen');
select * from seen;
select count(*) as events from pgq.event_1;
select pgq._regen_insert_dispatch() > 0 as restored;
begin;
select gen_statements() as g0 \gset
insert into ts (id, k2) values (32, 'queued'), (33, 'queued');
select gen_statements() - :g0 as generated_statements;  -- 3: straight in again
commit;
select ev_type, ev_data from pgq.event_1 order by ev_id;
-- inserts disabled, a per-transaction limit: pgq.insert_event's errors
update pgq.queue set queue_disable_insert = true where queue_name = 'stq';
\set ON_ERROR_STOP 0
insert into ts (id, k2) values (34, 'disabled');
\set ON_ERROR_STOP 1
update pgq.queue set queue_disable_insert = false, queue_per_tx_limit = 4 where queue_name = 'stq';
\set ON_ERROR_STOP 0
insert into ts (id, k2) values (34, 'limited'), (35, 'limited');
\set ON_ERROR_STOP 1
update pgq.queue set queue_per_tx_limit = null where queue_name = 'stq';
select count(*) as events from pgq.event_1;

-- a table the generated code does not take: pgq.<kind>_stmt
create table tarr (id int primary key, a int[]);
select pgq.create_trigger('tarr', 'stq', 'logutriga', i_generated => true, i_statement => true);
select c.relname, t.tgname, p.proname
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
 where c.relname = 'tarr' order by 1, 2;
