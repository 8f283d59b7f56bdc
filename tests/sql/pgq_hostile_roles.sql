-- Hostile roles against the whole pgq API (security review, issue 14).
-- An attacker who may CREATE in public (as on databases upgraded from
-- PostgreSQL 14 or older) plants, in public, a function of the same name
-- and arguments as every pg_catalog function our SQL names, operators of
-- the same operand types, better-matching overloads and aggregates, and
-- domains named like the built-in types. Then every role a site has -- a
-- superuser, pgq_admin, a producer and a consumer -- uses the API with
-- public first on its search_path. No trap may fire, and a role may do
-- only what its grants allow. (The triggers have trigger_search_path,
-- the install script pgq_install_search_path, the daemon's connections
-- security_search_path_test.)
\set VERBOSITY terse
set client_min_messages = warning;
do $$ begin
    if not exists (select 1 from pg_roles where rolname = 'hr_attacker') then
        create role hr_attacker;
    end if;
    if not exists (select 1 from pg_roles where rolname = 'hr_admin') then
        create role hr_admin in role pgq_admin;
    end if;
    if not exists (select 1 from pg_roles where rolname = 'hr_writer') then
        create role hr_writer in role pgq_writer;
    end if;
    if not exists (select 1 from pg_roles where rolname = 'hr_reader') then
        create role hr_reader in role pgq_reader;
    end if;
end $$;
grant create on schema public to hr_attacker;
grant usage on schema public to hr_admin, hr_writer, hr_reader;

-- the attacker's traps: each one fails the statement, naming itself
set role hr_attacker;
create function public.trap(what text) returns void language plpgsql set search_path = pg_catalog as $$
begin
    raise exception 'trap fired: %', what;
end;
$$;
do $$
declare
    p   record;
    o   record;
    fn  text;
    n   integer := 0;
begin
    -- every pg_catalog function named in any pgq function, same signature
    for p in
        select distinct pr.proname, pg_get_function_identity_arguments(pr.oid) as args,
               pg_get_function_result(pr.oid) as res
          from pg_proc pr
         where pr.pronamespace = 'pg_catalog'::regnamespace and pr.prokind = 'f'
           and pr.proname in (select lower(m[1])
                                from pg_proc our,
                                     regexp_matches(our.prosrc, '([A-Za-z_][A-Za-z0-9_]*)\s*\(', 'g') m
                               where our.pronamespace = 'pgq'::regnamespace)
    loop
        begin
            execute format('create function public.%I(%s) returns %s language plpgsql as %L',
                           p.proname, p.args, p.res,
                           format('begin perform public.trap(%L); return null; end',
                                  p.proname || '(' || p.args || ')'));
        exception when others then
            null;  -- internal, cstring, "any", set-returning ... cannot be written so
        end;
    end loop;
    -- operators of the names our SQL uses, same operand types
    for o in
        select op.oprname, op.oprleft::regtype as l, op.oprright::regtype as r, op.oprresult::regtype as res
          from pg_operator op
         where op.oprnamespace = 'pg_catalog'::regnamespace
           and op.oprname in ('=', '<>', '||', '<', '>', '<=', '>=', '+', '-', '*', '@>', '&&', '~')
    loop
        n := n + 1;
        fn := 'trap_op_' || n;
        begin
            execute format('create function public.%I(%s) returns %s language plpgsql as %L', fn,
                           concat_ws(', ', case when o.l <> 0 then o.l::text end, o.r::text), o.res,
                           format('begin perform public.trap(%L); return null; end',
                                  'operator ' || o.oprname || '(' || o.l || ', ' || o.r || ')'));
            execute format('create operator public.%s (%s rightarg = %s, function = public.%I)', o.oprname,
                           case when o.l <> 0 then format('leftarg = %s,', o.l) end, o.r, fn);
        exception when others then
            null;
        end;
    end loop;
end $$;
-- overloads that match better than pg_catalog's polymorphic or variadic ones
create function public.count(bigint) returns bigint language plpgsql as $$ begin perform public.trap('count(bigint)'); return 0; end $$;
create function public.count(integer) returns bigint language plpgsql as $$ begin perform public.trap('count(integer)'); return 0; end $$;
create function public.unnest(text[]) returns setof text language plpgsql as $$ begin perform public.trap('unnest(text[])'); end $$;
create function public.unnest(integer[]) returns setof integer language plpgsql as $$ begin perform public.trap('unnest(integer[])'); end $$;
create function public.array_length(int[], int) returns int language plpgsql as $$ begin perform public.trap('array_length(int[],int)'); return 0; end $$;
create function public.array_length(text[], int) returns int language plpgsql as $$ begin perform public.trap('array_length(text[],int)'); return 0; end $$;
create function public.to_jsonb(pgq.queue) returns jsonb language plpgsql as $$ begin perform public.trap('to_jsonb(pgq.queue)'); return null; end $$;
create function public.quote_ident(name) returns text language plpgsql as $$ begin perform public.trap('quote_ident(name)'); return null; end $$;
create function public.quote_literal(name) returns text language plpgsql as $$ begin perform public.trap('quote_literal(name)'); return null; end $$;
create function public.format(text, text) returns text language plpgsql as $$ begin perform public.trap('format(text,text)'); return null; end $$;
create function public.pg_try_advisory_lock(text) returns boolean language plpgsql as $$ begin perform public.trap('pg_try_advisory_lock(text)'); return true; end $$;
create function public.max(integer) returns integer language plpgsql as $$ begin perform public.trap('max(integer)'); return 0; end $$;
create function public.trap_sfunc(text, text, text) returns text language plpgsql as $$ begin perform public.trap('string_agg(text,text)'); return null; end $$;
create aggregate public.string_agg(text, text) (sfunc = public.trap_sfunc, stype = text);
create function public.trap_sfunc(text[], text) returns text[] language plpgsql as $$ begin perform public.trap('array_agg(text)'); return null; end $$;
create aggregate public.array_agg(text) (sfunc = public.trap_sfunc, stype = text[]);
create function public.trap_cat(name, text) returns text language plpgsql as $$ begin perform public.trap('operator ||(name, text)'); return null; end $$;
create operator public.|| (leftarg = name, rightarg = text, function = public.trap_cat);
-- types an unqualified declaration or cast would find first
create function public.trap_check(anyelement) returns boolean language plpgsql set search_path = pg_catalog as $$ begin perform public.trap('type ' || pg_typeof($1)::text); return true; end $$;
create domain public.text as pg_catalog.text check (public.trap_check(value));
create domain public.int4 as pg_catalog.int4 check (public.trap_check(value));
create domain public.int8 as pg_catalog.int8 check (public.trap_check(value));
create domain public.bigint as pg_catalog.int8 check (public.trap_check(value));
create domain public.timestamptz as pg_catalog.timestamptz check (public.trap_check(value));
create domain public.regclass as pg_catalog.regclass check (public.trap_check(value));
-- and the attacker tries the doors directly
select pgq.create_queue('attacker_q');
select pgq.ticker_lead('attacker');
update pgq.queue set queue_data_pfx = 'x; drop table y';
insert into pgq.tick (tick_queue, tick_id, tick_event_seq) values (1, 1, 1);
select pgq._regen_insert_dispatch();
reset role;
select count(*) > 100 as traps_planted
  from pg_proc where pronamespace = 'public'::regnamespace;

-- a superuser administers with public first
set search_path = public, pg_catalog;
select pgq.create_queue('hq');
select pgq.set_queue_config('hq', 'ticker_max_lag', '0');
select pgq.set_queue_config('hq', 'ticker_idle_period', '0');
select pgq.set_queue_config('hq', 'rotation_period', '0');
select pgq.grant_perms('hq');
select pgq.tune_storage('hq');

-- pgq_admin administers and ticks
set role hr_admin;
set search_path = public, pg_catalog;
select pgq.create_queue('hq2');
select pgq.set_queue_config('hq2', 'ticker_notify', 'on');
select pgq.register_consumer('hq', 'admin_c');
select pgq.insert_event_raw('hq', null, null, null, null, 'raw', 'from admin', null, null, null, null);
select pgq.ticker('hq') is not null as ticked;
select pgq.ticker() is not null as ticked_all;
select is_leader from pgq.ticker_lead('hr test');
select pgq.ticker_resign();
reset role;

-- a producer writes
set role hr_writer;
set search_path = public, pg_catalog;
select pgq.insert_event('hq', 'w', 'one') is not null as ev;
select pgq.insert_event('hq', 'w', 'two', 'e1', 'e2', 'e3', 'e4') is not null as ev;
select pgq.insert_event('hq2', 'w', 'wakes the ticker') is not null as ev;
select pgq.current_event_table('hq') is not null as cur;
select pgq.create_queue('writer_q');
reset role;

-- a consumer reads, retries and finishes
set role hr_reader;
set search_path = public, pg_catalog;
select pgq.register_consumer('hq', 'c1');
-- (the test's own expressions use pg_catalog's operators: traps are for pgq)
select pgq.register_consumer_at('hq', 'c2', (select pg_catalog.max(tick_id) from pgq.tick));
reset role;
set role hr_admin;
set search_path = public, pg_catalog;
select pgq.insert_event_raw('hq', null, null, null, null, 'raw', 'for c1', null, null, null, null);
select pgq.ticker('hq') is not null as ticked;
reset role;
set role hr_reader;
set search_path = public, pg_catalog;
select pgq.next_batch('hq', 'c1') as batch \gset
select pg_catalog.count(*) as events from pgq.get_batch_events(:batch);
select pg_catalog.count(*) as cursor_events from pgq.get_batch_cursor(:batch, 'hr_cur', 10);
select pg_catalog.count(*) as cursor_events from pgq.get_batch_cursor(:batch, 'hr_cur2', 10, 'ev_type is not null');
select queue_name, consumer_name, batch_end is not null as has_end from pgq.get_batch_info(:batch);
select pgq.event_retry(:batch, (select pg_catalog.min(ev_id) from pgq.get_batch_events(:batch)), 0);
select pgq.batch_retry(:batch, 0);
select pgq.finish_batch(:batch);
select pg_catalog.count(*) from pgq.next_batch_info('hq', 'c1');
select pg_catalog.count(*) from pgq.next_batch_custom('hq', 'c1', '0', 1, '0');
select pgq.force_tick('hq') is not null as forced;
select queue_name, consumer_name from pgq.get_consumer_info('hq', 'c1');
select pg_catalog.count(*) as queues from pgq.get_queue_info();
select pgq.seq_getval('pgq.batch_id_seq') is not null as seq;
select pgq.unregister_consumer('hq', 'c2');
select pgq.ticker('hq');
reset role;

-- maintenance as the daemon runs it (pgq_admin)
set role hr_admin;
set search_path = public, pg_catalog;
select pgq.maint_retry_events() is not null as retried;
select func_name from pgq.maint_operations() order by 1;
select pgq.maint_rotate_tables_step1('hq');
select pgq.maint_rotate_tables_step2();
select pg_catalog.count(*) is not null as vacuum_list from pgq.maint_tables_to_vacuum();
select pgq.unregister_consumer('hq', 'c1');
select pgq.unregister_consumer('hq', 'admin_c');
select pgq.drop_queue('hq2');
reset role;
set search_path = public, pg_catalog;
select pgq.drop_queue('hq', true);
select pgq.upgrade_schema();
reset search_path;

-- no trap fired anywhere above (an ERROR line would say 'trap fired')
select pg_catalog.count(*) as queues_left from pgq.queue;
reset role;
drop owned by hr_attacker cascade;
revoke create on schema public from hr_attacker;
revoke usage on schema public from hr_admin, hr_writer, hr_reader;
drop role hr_attacker;
drop role hr_admin;
drop role hr_writer;
drop role hr_reader;
