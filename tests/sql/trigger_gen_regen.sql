-- Generated triggers written again after ALTER TABLE by the event trigger
-- pgq_trg_gen_regenerate (sql/triggers/gen.sql): after each change the
-- table's generated functions hold its new shape (pgq._trg_gen_current)
-- and its rows take the generated code again (no call of the general
-- path's pgq._trg_fast), with the events of the general path (a twin
-- table whose triggers have an ignore= of no column, which takes the
-- general path).  Also: inheritance children and typed tables, a rolled
-- back savepoint, hostile names and search_path, a table owner outside
-- pgq_writer, errors as warnings, DROP, re-install, uninstall, and an
-- install by a role that may not create event triggers.
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
set track_functions = 'all';
select pgq.create_queue('rq');
select evtname, evtevent, evtenabled, evttags from pg_event_trigger;

create table rt (id int8, k2 text, t text, s int2, d date, primary key (k2, id));
create table rt_ref (like rt including all);
select pgq.create_trigger('rt', 'rq', k, i_name => 'gen_' || k, i_generated => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
select pgq.create_trigger('rt_ref', 'rq', k, array['ignore=no_such_column'], 'ref_' || k, i_generated => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;

create function change(i_sql text) returns void language plpgsql as $$
begin
    execute format(i_sql, 'rt');
    execute format(i_sql, 'rt_ref');
end;
$$;
-- rt's generated functions, whether each holds rt's present shape
create function current_gen(i_rel regclass) returns text language sql as $$
    select coalesce(string_agg(o.kind || '=' || pgq._trg_gen_current(i_rel, o.fn), ' ' order by o.kind), 'none')
      from pgq._trg_gen_of(i_rel) o
$$;
-- calls of the general path's entry within this transaction
create function general_calls() returns bigint language sql as $$
    select coalesce(pg_stat_get_xact_function_calls(
               'pgq._trg_fast(text, text, oid, text, text, text, json, json)'::regprocedure), 0)
$$;
select current_gen('rt');
select current_gen('rt_ref');  -- the general functions: none of its own

-- each kind of ALTER TABLE, then rows: the generated code, current
begin;
select general_calls() as c0 \gset
select change($q$insert into %I values (1, 'a', 'one', 1, '2024-01-01')$q$);
alter table rt add column extra text default 'e';
alter table rt_ref add column extra text default 'e';
select current_gen('rt');
select change($q$insert into %I (id, k2, t, extra) values (2, 'a', 'added', 'x')$q$);
alter table rt rename column t to "t renamed";
alter table rt_ref rename column t to "t renamed";
select current_gen('rt');
select change($q$update %I set "t renamed" = 'renamed' where id = 2$q$);
alter table rt drop column d;
alter table rt_ref drop column d;
select current_gen('rt');
select change($q$update %I set "t renamed" = 'dropped' where id = 2$q$);
alter table rt alter column s type text;
alter table rt_ref alter column s type text;
select current_gen('rt');
select change($q$update %I set s = 'seven' where id = 2$q$);
alter table rt alter column extra type varchar(5) collate "C";
alter table rt_ref alter column extra type varchar(5) collate "C";
select current_gen('rt');
select change($q$update %I set extra = 'v' where id = 2$q$);
alter table rt drop constraint rt_pkey, add primary key (id);
alter table rt_ref drop constraint rt_ref_pkey, add primary key (id);
select current_gen('rt');
select change($q$update %I set k2 = 'b' where id = 2$q$);
select change($q$delete from %I where id = 1$q$);
-- swapped names, same types
alter table rt rename column k2 to tmp;
alter table rt rename column extra to k2;
alter table rt rename column tmp to extra;
alter table rt_ref rename column k2 to tmp;
alter table rt_ref rename column extra to k2;
alter table rt_ref rename column tmp to extra;
select current_gen('rt');
select change($q$update %I set k2 = 'w', extra = 'z' where id = 2$q$);
select general_calls() - :c0 as general_rows;  -- 0: rt's rows all took the generated code
-- the new column names stand in the generated code
select o.kind, strpos(p.prosrc, 'NEW."t renamed"') > 0 as has_renamed, strpos(p.prosrc, 'NEW.d') > 0 as has_dropped
  from pgq._trg_gen_of('rt'::regclass) o join pg_proc p on p.oid = o.fn order by 1;
-- changed and rolled back: the code of before, current again
savepoint a;
alter table rt add column late int;
alter table rt_ref add column late int;
select current_gen('rt');
select change($q$update %I set late = 1 where id = 2$q$);
rollback to savepoint a;
select current_gen('rt');
select change($q$update %I set s = 'eight' where id = 2$q$);
select general_calls() - :c0 as general_rows;  -- 0
commit;

-- a column the generated code does not take: the general path, no error;
-- dropped again, the generated code again
begin;
select general_calls() as c0 \gset
alter table rt add column arr int[];
alter table rt_ref add column arr int[];
select current_gen('rt');
select change($q$update %I set arr = '{1,2}' where id = 2$q$);
select general_calls() - :c0 as general_rows;  -- 3
alter table rt drop column arr;
alter table rt_ref drop column arr;
select current_gen('rt');
select change($q$update %I set s = 'nine' where id = 2$q$);
select general_calls() - :c0 as general_rows;  -- still 3
commit;

-- a command that changes no column writes nothing again
select p.xmin as x0 from pgq._trg_gen_of('rt'::regclass) o join pg_proc p on p.oid = o.fn
 where o.kind = 'logutriga' \gset
alter table rt alter column s set default 'd', set (fillfactor = 90);
select p.xmin = :x0 as untouched from pgq._trg_gen_of('rt'::regclass) o join pg_proc p on p.oid = o.fn
 where o.kind = 'logutriga';

-- inheritance children and partitions (ALTER TABLE of the parent names
-- only the parent), typed tables (ALTER TYPE ... CASCADE)
create table par (id int primary key, a text);
create table chi (like par including all) inherits (par);
create table part (id int primary key, a text) partition by range (id);
create table part1 partition of part for values from (0) to (100);
create type comp as (id int, a text);
create table typed of comp (primary key (id));
select pgq.create_trigger(r::regclass, 'rq', 'logutriga', i_generated => true)
  from unnest(array['chi', 'part1', 'typed']) r;
alter table par add column b int;
alter table part add column b int;
alter type comp add attribute b int cascade;
select r, current_gen(r::regclass) from unnest(array['chi', 'part1', 'typed']) r;
alter type comp rename attribute a to a2 cascade;
alter table par rename column a to a2;
alter table part rename column a to a2;
select r, current_gen(r::regclass) from unnest(array['chi', 'part1', 'typed']) r;
begin;
select general_calls() as c0 \gset
insert into chi values (1, 'c', 2);
insert into part values (1, 'p', 2);
insert into typed values (1, 't', 2);
select general_calls() - :c0 as general_rows;  -- 0
commit;
select ev_type, ev_data, ev_extra1 from pgq.event_1 where ev_extra1 not like 'public.rt%' order by ev_id;

-- hostile names: schema, table, columns and queue; a hostile search_path
-- whose traps would log any unqualified call; the table's owner outside
-- pgq_writer (the event trigger writes the code all the same)
drop role if exists regress_regen_owner;
create role regress_regen_owner;
create schema "s'; drop table x; --";
create table "s'; drop table x; --"."tä""b;le" (id int primary key, "c'ol; --" text, "$1" int, "ü ""x""" text);
create table "s'; drop table x; --"."tä""b;le_ref" (like "s'; drop table x; --"."tä""b;le" including all);
alter table "s'; drop table x; --"."tä""b;le" owner to regress_regen_owner;
alter table "s'; drop table x; --"."tä""b;le_ref" owner to regress_regen_owner;
grant usage, create on schema "s'; drop table x; --" to regress_regen_owner;
select pgq.create_queue(E'q''; select 1; --\\ é');
select pgq.create_trigger('"s''; drop table x; --"."tä""b;le"', E'q''; select 1; --\\ é', k,
                          i_name => 'h_' || k, i_generated => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
select pgq.create_trigger('"s''; drop table x; --"."tä""b;le_ref"', E'q''; select 1; --\\ é', k,
                          array['ignore=no_such_column'], 'h_' || k, i_generated => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
create schema trap;
create table trap.log (what text);
grant usage on schema trap to public;
grant insert on trap.log to public;
create function trap.trap(text) returns text language plpgsql as $$
begin
    insert into trap.log values ($1);
    return $1;
end;
$$;
create function trap.format(text, variadic text[]) returns text language sql as $$ select trap.trap('format') $$;
create function trap.strpos(text, text) returns int language sql as $$ select trap.trap('strpos')::int $$;
create function trap.quote_literal(text) returns text language sql as $$ select trap.trap('quote_literal') $$;
create function trap.md5(text) returns text language sql as $$ select trap.trap('md5') $$;
create function trap."left"(text, int) returns text language sql as $$ select trap.trap('left') $$;
create function trap.convert_from(bytea, name) returns text language sql as $$ select trap.trap('convert_from') $$;
create function trap.text_eq(text, text) returns boolean language sql as $$ select trap.trap('=') is null $$;
create operator trap.= (leftarg = text, rightarg = text, function = trap.text_eq);
grant execute on all functions in schema trap to public;
set role regress_regen_owner;
set search_path = trap, pg_catalog, public;
alter table "s'; drop table x; --"."tä""b;le" add column "new; col" int;
alter table "s'; drop table x; --"."tä""b;le" rename column "$1" to "$2";
alter table "s'; drop table x; --"."tä""b;le_ref" add column "new; col" int;
alter table "s'; drop table x; --"."tä""b;le_ref" rename column "$1" to "$2";
alter table "s'; drop table x; --"."tä""b;le" alter column "c'ol; --" type varchar(20);
alter table "s'; drop table x; --"."tä""b;le_ref" alter column "c'ol; --" type varchar(20);
select format('%s', 'live') as live_trap;  -- the traps are live on this path
reset search_path;
reset role;
select what, count(*) as trapped from trap.log group by 1;  -- the one above only
select current_gen('"s''; drop table x; --"."tä""b;le"');
begin;
select general_calls() as c0 \gset
insert into "s'; drop table x; --"."tä""b;le" values (1, E'a''b;\\c', 2, 'ü', 3);
insert into "s'; drop table x; --"."tä""b;le_ref" values (1, E'a''b;\\c', 2, 'ü', 3);
update "s'; drop table x; --"."tä""b;le" set "new; col" = 4;
update "s'; drop table x; --"."tä""b;le_ref" set "new; col" = 4;
delete from "s'; drop table x; --"."tä""b;le";
delete from "s'; drop table x; --"."tä""b;le_ref";
select general_calls() - :c0 as general_rows;  -- 0
commit;
select ev_type, ev_data, ev_extra1 from pgq.event_2 where ev_extra1 not like '%\_ref' order by ev_id;

-- errors while writing are warnings: the queue dropped, the ALTER TABLE
-- goes through and the table takes the general path; by hand,
-- pgq.regenerate_triggers raises the error
create table rd (id int primary key, a text);
select pgq.create_queue('rd_q');
select pgq.create_trigger('rd', 'rd_q', 'sqltriga', i_generated => true);
select pgq.drop_queue('rd_q');
alter table rd add column b int;
select current_gen('rd');
\set ON_ERROR_STOP 0
select pgq.regenerate_triggers('rd');
\set ON_ERROR_STOP 1
select pgq.create_queue('rd_q');
select cardinality(pgq.regenerate_triggers('rd')) as regenerated;
select current_gen('rd');
-- a generated function of another table: not written for this one
create table mis (id int primary key, a text);
select p.xmin as x0 from pgq._trg_gen_of('rt'::regclass) o join pg_proc p on p.oid = o.fn
 where o.kind = 'logutriga' \gset
do $$ begin
    execute format('create trigger misplaced after insert on mis for each row execute function pgq.%I(''rq'')',
                   (select proname from pgq._trg_gen_of('rt'::regclass) o join pg_proc p on p.oid = o.fn
                     where o.kind = 'logutriga'));
end $$;
alter table mis add column b int;
select current_gen('mis');
select p.xmin = :x0 as untouched from pgq._trg_gen_of('rt'::regclass) o join pg_proc p on p.oid = o.fn
 where o.kind = 'logutriga';
drop table mis;
-- DROP of a trigger, a column, a table; ALTER of a table with none
drop trigger pgq_rd_q on rd;
alter table rd drop column b;
select current_gen('rd');
drop table rd;
create table plain (id int);
alter table plain add column b int;
drop table plain, chi, par, part, typed;
drop type comp;

-- every event of a table next to its twin's, in order
with e as (select ev_id, ev_type, ev_data, ev_extra1, replace(ev_extra1, '_ref', '') as base,
                  ev_extra1 like '%\_ref' as is_ref
             from (select * from pgq.event_1 union all select * from pgq.event_2) ev
            where ev_extra1 not in ('public.chi', 'public.part1', 'public.typed')),
     a as (select row_number() over (partition by base order by ev_id) as n, * from e where not is_ref),
     b as (select row_number() over (partition by base order by ev_id) as n, * from e where is_ref)
select a.base, a.n, a.ev_type, a.ev_data, b.ev_type as ref_type, b.ev_data as ref_data
  from a full join b on a.base = b.base and a.n = b.n
 where a.ev_type is distinct from replace(b.ev_type, '_ref', '') or a.ev_data is distinct from b.ev_data;
select ev_extra1, count(*) as compared from (select * from pgq.event_1 union all select * from pgq.event_2) ev
 where ev_extra1 like '%\_ref' group by 1 order by 1;
select ev_type, ev_data from pgq.event_1 where ev_extra1 = 'public.rt' order by ev_id;

-- re-install (upgrade): the event trigger is there again and works
\set install_sql `echo "$PGQADM_INSTALL_SQL"`
\set ECHO none
\o /dev/null
begin;
\i :install_sql
commit;
\o
\set ECHO all
reset search_path;
set client_min_messages = warning;
select evtname, evtenabled from pg_event_trigger;
alter table rt add column after_upgrade int;
select current_gen('rt');

-- uninstall: the event trigger goes too, DDL goes on
\set uninstall_sql `echo "$PGQADM_UNINSTALL_SQL"`
\set ECHO none
\i :uninstall_sql
\set ECHO all
select count(*) as event_triggers from pg_event_trigger;
alter table rt add column after_uninstall int;

-- an install by a role that may not create event triggers: no event
-- trigger, the install succeeds; after ALTER TABLE the general path until
-- pgq.regenerate_triggers
drop role if exists regress_regen_installer;
create role regress_regen_installer;
grant create on database :"DBNAME" to regress_regen_installer;
grant create on schema public to regress_regen_installer;
drop table rt, rt_ref;
set role regress_regen_installer;
\set ECHO none
\o /dev/null
begin;
\i :install_sql
commit;
\o
\set ECHO all
reset search_path;
set client_min_messages = warning;
select count(*) as event_triggers from pg_event_trigger;
select pgq.create_queue('nq');
create table nt (id int primary key, a text);
select pgq.create_trigger('nt', 'nq', 'logutriga', i_generated => true);
alter table nt add column b int;
select current_gen('nt');
begin;
select general_calls() as c0 \gset
insert into nt values (1, 'general', 2);
select general_calls() - :c0 as general_rows;  -- 1
commit;
select pgq.regenerate_triggers('nt') is not null as regenerated;
select current_gen('nt');
begin;
select general_calls() as c0 \gset
insert into nt values (2, 'generated', 3);
select general_calls() - :c0 as general_rows;  -- 0
commit;
select ev_type, ev_data from pgq.event_1 order by ev_id;
reset role;

drop schema pgq cascade;
drop owned by regress_regen_installer;
drop owned by regress_regen_owner;
drop role regress_regen_installer;
drop role regress_regen_owner;
