-- pgq_install_search_path: the install script, the producer generator and
-- the queue admin functions never resolve a builtin through the caller's
-- search_path.  A role that may CREATE in public (databases that began
-- before PostgreSQL 15) plants better-matching overloads and operators
-- there; the installer, a superuser, puts public first.  Every trap records
-- that it ran (then does the builtin's work), and none may run.
\set VERBOSITY terse
create role pgq_trap_owner;
grant create on schema public to pgq_trap_owner;
create table public.trap_log (trap text);
grant insert on public.trap_log to public;

set role pgq_trap_owner;
-- same signature as the builtin: wins when public comes before pg_catalog
create function public.now() returns timestamptz
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('now()'); select pg_catalog.now() $$;
create function public.txid_current() returns bigint
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('txid_current()'); select pg_catalog.txid_current() $$;
create function public.current_setting(text, boolean) returns text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('current_setting(text,bool)'); select pg_catalog.current_setting($1, $2) $$;
create function public.quote_literal(text) returns text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('quote_literal(text)'); select pg_catalog.quote_literal($1) $$;
create function public.pg_notify(text, text) returns void
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('pg_notify(text,text)'); select pg_catalog.pg_notify($1, $2) $$;
create function public.textcat_trap(text, text) returns text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('||(text,text)'); select pg_catalog.textcat($1, $2) $$;
create operator public.|| (leftarg = text, rightarg = text, function = public.textcat_trap);
-- better matches than the builtin: win wherever public is on the path
create function public.nextval(text) returns bigint
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('nextval(text)'); select pg_catalog.nextval($1::regclass) $$;
create function public.format(text, text) returns text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('format(text,text)'); select pg_catalog.format($1, $2) $$;
create function public.format(text, text, text) returns text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('format(text,text,text)'); select pg_catalog.format($1, $2, $3) $$;
create function public.array_length(int4[], int4) returns int4
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('array_length(int4[],int4)'); select pg_catalog.array_length($1, $2) $$;
create function public.cardinality(text[]) returns int4
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('cardinality(text[])'); select pg_catalog.cardinality($1) $$;
create function public.unnest(text[]) returns setof text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('unnest(text[])'); select pg_catalog.unnest($1) $$;
create function public.substr(name, int4) returns text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('substr(name,int4)'); select pg_catalog.substr($1::text, $2) $$;
create function public.length(name) returns int4
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('length(name)'); select pg_catalog.length($1::text) $$;
create function public.to_jsonb(pgq.queue) returns jsonb
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('to_jsonb(pgq.queue)'); select pg_catalog.to_jsonb($1::record) $$;
create function public.pg_try_advisory_lock(text) returns boolean
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('pg_try_advisory_lock(text)'); select pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext($1)) $$;
create function public.textint_trap(text, int4) returns text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('||(text,int4)'); select $1 operator(pg_catalog.||) $2::text $$;
create operator public.|| (leftarg = text, rightarg = int4, function = public.textint_trap);
create function public.nametext_trap(name, text) returns text
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('||(name,text)'); select $1::text operator(pg_catalog.||) $2 $$;
create operator public.|| (leftarg = name, rightarg = text, function = public.nametext_trap);
create function public.int4_agg_trap(int4[], int4) returns int4[]
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('array_agg(int4)'); select pg_catalog.array_append($1, $2) $$;
create aggregate public.array_agg(int4) (sfunc = public.int4_agg_trap, stype = int4[], initcond = '{}');
create function public.count_trap(int8, int8) returns int8
    language sql set search_path = pg_catalog as
    $$ insert into public.trap_log values ('count(int8)'); select $1 operator(pg_catalog.+) 1 $$;
create aggregate public.count(int8) (sfunc = public.count_trap, stype = int8, initcond = '0');
reset role;

-- the traps are live: unqualified SQL on this path runs them
set search_path = public, pg_catalog;
select array_length(array[1, 2], 1), 'a' || 1, format('%s', 'x') is not null as formatted;
select count(*) from (select distinct trap from public.trap_log) t;
reset search_path;
truncate public.trap_log;

-- a queue made before, so that the upgrade has something to carry
select pgq.create_queue('before');

-- re-install (upgrade) as the installer runs it: one transaction
set search_path = public, pg_catalog;
\set install_sql `echo "$PGQADM_INSTALL_SQL"`
\set ECHO none
set client_min_messages = warning;
\o /dev/null
begin;
\i :install_sql
commit;
\o
reset client_min_messages;
\set ECHO all
show search_path;

-- the generator and the queue admin and producer functions, same path
select pgq._regen_insert_dispatch();
select pgq.create_queue('sp');
select pgq.set_queue_config('sp', 'ticker_notify', 'on');
select pgq.set_queue_config('sp', 'ticker_max_count', '10');
update pgq.queue set queue_per_tx_limit = 5 where queue_name = 'sp';
select pgq.insert_event('sp', 't', 'd');
select pgq.insert_event('sp', 't', 'd', 'e1', 'e2', 'e3', 'e4');
select pgq.insert_event_raw('sp', null, null, null, null, 't', 'raw', null, null, null, null);
select pgq._insert_event_generic(2, 0, null, pg_catalog.now(), null, null, 't', 'generic', null, null, null, null, false);
select pgq.current_event_table('sp');
select pgq.grant_perms('sp');
select pgq.tune_storage('sp');
select pgq.drop_queue('before');
select pgq.drop_queue('sp', true);
reset search_path;

-- a fresh install on the same path (the uninstall takes the to_jsonb trap,
-- which depends on pgq.queue, with it)
set client_min_messages = warning;
drop schema pgq cascade;
reset client_min_messages;
set search_path = public, pg_catalog;
\set ECHO none
set client_min_messages = warning;
\o /dev/null
begin;
\i :install_sql
commit;
\o
reset client_min_messages;
\set ECHO all
select pgq.create_queue('fresh');
select pgq.insert_event('fresh', 't', 'd');
reset search_path;

select trap, count(*) from public.trap_log group by 1 order by 1;

drop owned by pgq_trap_owner;
drop role pgq_trap_owner;
drop table public.trap_log;
