-- The lean row-level path (pgq._trg_fast, taken when the queue is the only
-- argument) against the general one (pgq._trg_event), on twin tables: the
-- twin's trigger has ignore= of a column that does not exist, which
-- changes nothing in the events but takes the general path.  Every column
-- type the lean path takes, NULLs, under several DateStyles and time
-- zones; UPDATEs that change a value only in its text (numeric 1.0 ->
-- 1.00), no-op UPDATEs, a two-column key, a key out of column order, a
-- type the lean path leaves to the general one, ALTER TABLE between rows.
-- The events must be the same, row for row.
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('fastq');

create table tf (id int8, k2 text, t text, v varchar(9), c char(4), nm name, s int2, i int4, o oid,
                 n numeric, f4 float4, f8 float8, u uuid, b bytea, iv interval, tm time, ttz timetz,
                 ip inet, cd cidr, mac macaddr, m money, ch "char", bt bit(3), vb varbit,
                 bo bool, d date, ts timestamp, tz timestamptz,
                 primary key (id, k2));
create table tf_ref (like tf including all);
create table tk (a text, id int, b text, primary key (id, a));  -- key out of column order
create table tk_ref (like tk including all);
create table tx (id int primary key, arr int[], j json);        -- types for the general path
create table tx_ref (like tx including all);

create function add_triggers(fn text) returns void language plpgsql as $$
declare
    t text;
begin
    foreach t in array array['tf', 'tk', 'tx'] loop
        execute format('create trigger %I after insert or update or delete on %I
                        for each row execute procedure pgq.%I(''fastq'')', fn, t, fn);
        execute format('create trigger %I after insert or update or delete on %I
                        for each row execute procedure pgq.%I(''fastq'', ''ignore=no_such_column'')',
                       fn, t || '_ref', fn);
    end loop;
end;
$$;
select add_triggers('logutriga');
select add_triggers('sqltriga');
select add_triggers('jsontriga');

-- the same change on a table and its twin
create function change(i_sql text) returns void language plpgsql as $$
begin
    execute format(i_sql, 'tf');
    execute format(i_sql, 'tf_ref');
end;
$$;

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
            perform change($q$update %I set n = 1.00, f8 = 1e20, iv = '12 months' where id = 3$q$);
            perform change($q$update %I set n = 2, t = null, bo = null, tz = tz + interval '1 hour' where id = 3$q$);
            perform change($q$update %I set id = id where id = 1$q$);
            perform change($q$update %I set d = d + 1, ts = null where id = 2$q$);
            perform change($q$delete from %I$q$);
        end loop;
    end loop;
end $$;

-- a key out of column order, types the lean path leaves alone
insert into tk values ('a', 1, 'b');
insert into tk_ref values ('a', 1, 'b');
update tk set b = 'c';
update tk_ref set b = 'c';
delete from tk;
delete from tk_ref;
insert into tx values (1, '{1,2}', '{"a": 1}');
insert into tx_ref values (1, '{1,2}', '{"a": 1}');
update tx set arr = '{3}';
update tx_ref set arr = '{3}';
delete from tx;
delete from tx_ref;

-- ALTER TABLE between rows of one transaction
begin;
select change($q$insert into %I (id, k2, t) values (10, 'x', 'before')$q$);
alter table tf rename column t to t_renamed;
alter table tf_ref rename column t to t_renamed;
alter table tf add column extra text default 'e';
alter table tf_ref add column extra text default 'e';
select change($q$insert into %I (id, k2, t_renamed) values (11, 'x', 'after')$q$);
alter table tf drop column v;
alter table tf_ref drop column v;
alter table tf alter column s type text;
alter table tf_ref alter column s type text;
select change($q$update %I set s = 'seven' where id = 11$q$);
commit;

-- errors are the general path's
\set ON_ERROR_STOP 0
update tf set k2 = 'other' where id = 11;
update tf_ref set k2 = 'other' where id = 11;
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
-- a sample of what the lean path wrote
select ev_type, ev_data from pgq.event_1 where ev_extra1 = 'public.tf' order by ev_id limit 6;
-- the lean path takes tf's rows and leaves tk's (key out of column order)
-- and tx's (array, json) to the general path
begin;
insert into tf (id, k2) values (99, 'p');
select pgq._trg_fast(f, 'INSERT', 'tf'::regclass, 'fastq', 'public', 'tf', (select to_json(t) from tf t where id = 99), null)
  from unnest(array['l', 's', 'j']) f;
insert into tk values ('a', 99, 'b');
select pgq._trg_fast('l', 'INSERT', 'tk'::regclass, 'fastq', 'public', 'tk', (select to_json(t) from tk t), null);
insert into tx values (99, '{1}', '{}');
select pgq._trg_fast('l', 'INSERT', 'tx'::regclass, 'fastq', 'public', 'tx', (select to_json(t) from tx t), null);
rollback;
