-- search_path attacks on the table triggers.  An unprivileged role that
-- may CREATE in public (as on databases upgraded from PostgreSQL 14 or
-- older) plants functions, operators, aggregates and types there that
-- match our calls as well as or better than pg_catalog's; the victim, a
-- superuser, changes tables with public first on its search_path.  No trap
-- may fire in logutriga, sqltriga or jsontriga, with any option, and the
-- events must be the very ones written without traps.  The user's own
-- when=/ev_*= expressions still call functions from the caller's path.
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

-- the user's own functions, on the path, used by the expressions (SQL
-- standard bodies: bound now, so their own "=" is no trap)
create function is_vip(r text) returns boolean begin atomic select r = 'admin'; end;
create function tag_of(v text) returns text begin atomic select 'tag:' || v; end;

-- every column kind the triggers treat apart: text, numeric, integer,
-- bool, timestamptz, array, a domain (user type), a composite and a range
create domain label as text;
create type pair as (a int, b text);
create table acct (id int primary key, name text, role text, score numeric, n int, ok bool,
                   ts timestamptz, tags text[], lbl label, p pair, r int4range);
create table acct_skip (like acct);
create table acct_deny (like acct including all);
create table acct_magic (id int primary key, v text, _pgq_ev_type text, _pgq_ev_extra3 text);
create table acct_nokey (id int, v text);

-- every trigger, with every option
create function add_triggers(fn text) returns void language plpgsql as $$
begin
    execute format('create trigger %I after insert or update or delete on acct
                    for each row execute procedure pgq.%I(''testq'')', fn || '_plain', fn);
    execute format('create trigger %I after insert or update or delete on acct
                    for each row execute procedure pgq.%I(''testq'', ''backup'', ''ignore=score'',
                        ''when=is_vip(role)'', ''ev_extra3=tag_of(name)'', ''ev_extra4=name'')', fn || '_opts', fn);
    execute format('create trigger %I after insert or update or delete on acct
                    for each row execute procedure pgq.%I(''testq'', ''pkey=id, name'', ''ev_type=tag_of(role)'',
                        ''ev_data=name'', ''ev_extra1=role'', ''ev_extra2=tag_of(role)'')', fn || '_pkey', fn);
    execute format('create trigger %I after truncate on acct
                    for each statement execute procedure pgq.%I(''testq'')', fn || '_trunc', fn);
    execute format('create trigger %I before insert on acct_skip
                    for each row execute procedure pgq.%I(''testq'', ''SKIP'')', fn || '_skip', fn);
    execute format('create trigger %I after insert on acct_deny
                    for each row execute procedure pgq.%I(''testq'', ''deny'')', fn || '_deny', fn);
    execute format('create trigger %I after insert or update or delete on acct_magic
                    for each row execute procedure pgq.%I(''testq'')', fn || '_magic', fn);
    execute format('create trigger %I after insert or update on acct_nokey
                    for each row execute procedure pgq.%I(''testq'')', fn || '_nokey', fn);
end;
$$;
select add_triggers('logutriga');
select add_triggers('sqltriga');
select add_triggers('jsontriga');
-- and the generated per-table triggers (sql/triggers/gen.sql), written
-- before the traps are planted, as their names are collected from the
-- functions' source
create table acct_gen (id int primary key, name text, score numeric, n int, ok bool, ts timestamptz,
                       c char(3), ip inet, f float8);
select pgq.create_trigger('acct_gen', 'testq', k, i_name => 'gen_' || k, i_generated => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;
-- and their statement-level form
create table acct_gst (like acct_gen including all);
select pgq.create_trigger('acct_gst', 'testq', k, i_name => 'gst_' || k, i_generated => true, i_statement => true)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) k;

-- the changes, bound now (SQL standard body); the triggers fire under the
-- search_path of the CALL
create procedure changes() begin atomic
    insert into acct values (1, 'ann', 'user', 1.50, 1, true, '2020-01-02 03:04:05+00', '{a,b}', 'l1', '(1,x)', '[1,5)');
    insert into acct values (2, 'bob', 'admin', 2, 2, false, null, '{"c d"}', 'l2', '(2,"y z")', '[2,3)');
    update acct set score = 3 where id = 2;
    update acct set role = 'admin', lbl = 'l9', p = '(9,w)', r = '[9,10)', n = 5, ok = null where id = 1;
    update acct set score = 2.0, lbl = 'l9' where id = 1;
    delete from acct where id = 2;
    insert into acct_skip values (7, 'skipped');
    insert into acct_magic values (1, 'm', 'MT', 'ex3');
    update acct_magic set v = 'm2' where id = 1;
    delete from acct_magic where id = 1;
    insert into acct_nokey values (1, 'nk');
    insert into acct_gen values (1, 'g h', 1.5, 2, true, '2020-01-02 03:04:05+00', 'ab', '10.0.0.1', 1e30);
    insert into acct_gen (id) values (2);
    update acct_gen set score = 1.50, f = 2 where id = 1;
    update acct_gen set name = 'x', ok = false where id = 2;
    delete from acct_gen;
    insert into acct_gst values (1, 'g h', 1.5, 2, true, '2020-01-02 03:04:05+00', 'ab', '10.0.0.1', 1e30),
                                (2, null, null, null, null, null, null, null, null);
    update acct_gst set score = score * 2, f = 2, name = name || '!';
    update acct_gst set name = 'x', ok = false where id = 2;
    delete from acct_gst;
end;
create procedure run_all() language plpgsql as $$
begin
    call changes();
    truncate acct;
    begin
        insert into acct_deny values (1);
    exception when others then
        raise warning 'deny: %', sqlerrm;
    end;
    begin
        update acct_nokey set v = 'x';
    exception when others then
        raise warning 'no key: %', sqlerrm;
    end;
    -- 'local': the triggers do nothing (and here clean up)
    perform pg_catalog.set_config('session_replication_role', 'local', true);
    call changes();
    delete from acct;
    delete from acct_skip;
    delete from acct_magic;
    delete from acct_nokey;
    perform pg_catalog.set_config('session_replication_role', 'origin', true);
end;
$$;

-- once without traps: the reference events
call run_all();
create table ref as select row_number() over (order by ev_id) as n, ev_type, ev_data,
                           ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1;
delete from pgq.event_1;

-- the attacker
do $$ begin
    if not exists (select 1 from pg_roles where rolname = 'trg_trap_owner') then
        create role trg_trap_owner;
    end if;
end $$;
grant create on schema public to trg_trap_owner;
set role trg_trap_owner;
-- every trap fails the statement, naming itself
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
    -- every pg_catalog function the trigger code names, same signature
    for p in
        select distinct pr.oid, pr.proname, pg_get_function_identity_arguments(pr.oid) as args,
               pg_get_function_result(pr.oid) as res
          from pg_proc pr
         where pr.pronamespace = 'pg_catalog'::regnamespace and pr.prokind = 'f'
           and pr.proname in (select lower(m[1])
                                from pg_proc our,
                                     regexp_matches(our.prosrc, '([A-Za-z_][A-Za-z0-9_]*)\s*\(', 'g') m
                               where our.pronamespace = 'pgq'::regnamespace
                                 and (our.proname like '\_trg\_%' or our.proname like '%triga'
                                      or our.proname like '\_urlencode%'))
    loop
        begin
            execute format('create function public.%I(%s) returns %s language plpgsql as %L',
                           p.proname, p.args, p.res,
                           format('begin perform public.trap(%L); return null; end', p.proname || '(' || p.args || ')'));
            n := n + 1;
        exception when others then
            null;  -- internal, cstring, "any", ... cannot be written in PL/pgSQL
        end;
    end loop;
    -- every pg_catalog operator of the names the code uses, same operand types
    for o in
        select op.oprname, op.oprleft::regtype as l, op.oprright::regtype as r, op.oprresult::regtype as res
          from pg_operator op
         where op.oprnamespace = 'pg_catalog'::regnamespace
           and op.oprname in ('=', '<>', '||', '~', '~~', '!~', '+', '-', '<', '>', '<=', '>=', '@>', '&&')
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
-- better matches than pg_catalog's polymorphic or variadic ones
create function public.count(bigint) returns bigint language plpgsql as $$ begin perform public.trap('count(bigint)'); return 0; end $$;
create function public.unnest(text[]) returns setof text language plpgsql as $$ begin perform public.trap('unnest(text[])'); end $$;
create function public.unnest(boolean[]) returns setof boolean language plpgsql as $$ begin perform public.trap('unnest(boolean[])'); end $$;
create function public.array_length(int[], int) returns int language plpgsql as $$ begin perform public.trap('array_length(int[],int)'); return 0; end $$;
create function public.array_position(int2[], int2) returns int language plpgsql as $$ begin perform public.trap('array_position(int2[],int2)'); return 0; end $$;
create function public.cardinality(text[]) returns int language plpgsql as $$ begin perform public.trap('cardinality(text[])'); return 0; end $$;
create function public.array_fill(boolean, int[]) returns boolean[] language plpgsql as $$ begin perform public.trap('array_fill(boolean,int[])'); return null; end $$;
create function public.array_to_string(text[], text) returns text language plpgsql as $$ begin perform public.trap('array_to_string(text[],text)'); return null; end $$;
create function public.to_json(text) returns json language plpgsql as $$ begin perform public.trap('to_json(text)'); return null; end $$;
create function public.to_json(text[]) returns json language plpgsql as $$ begin perform public.trap('to_json(text[])'); return null; end $$;
create function public.to_jsonb(text) returns jsonb language plpgsql as $$ begin perform public.trap('to_jsonb(text)'); return null; end $$;
create function public.quote_ident(name) returns text language plpgsql as $$ begin perform public.trap('quote_ident(name)'); return null; end $$;
create function public.format(text, text) returns text language plpgsql as $$ begin perform public.trap('format(text,text)'); return null; end $$;
create function public.format(text, name) returns text language plpgsql as $$ begin perform public.trap('format(text,name)'); return null; end $$;
create function public.concat(text, text) returns text language plpgsql as $$ begin perform public.trap('concat(text,text)'); return null; end $$;
create function public.trap_sfunc(text, text, text) returns text language plpgsql as $$ begin perform public.trap('string_agg(text,text)'); return null; end $$;
create aggregate public.string_agg(text, text) (sfunc = public.trap_sfunc, stype = text);
create function public.trap_sfunc(text[], text) returns text[] language plpgsql as $$ begin perform public.trap('array_agg(text)'); return null; end $$;
create aggregate public.array_agg(text) (sfunc = public.trap_sfunc, stype = text[]);
create function public.trap_sfunc(boolean, boolean) returns boolean language plpgsql as $$ begin perform public.trap('bool_or(boolean)'); return null; end $$;
create aggregate public.bool_or(boolean) (sfunc = public.trap_sfunc, stype = boolean);
create function public.trap_cat(name, text) returns text language plpgsql as $$ begin perform public.trap('operator ||(name, text)'); return null; end $$;
create operator public.|| (leftarg = name, rightarg = text, function = public.trap_cat);
-- types that unqualified declarations and casts would find first
create function public.trap_check(anyelement) returns boolean language plpgsql set search_path = pg_catalog as $$ begin perform public.trap('type ' || pg_typeof($1)::text); return true; end $$;
create domain public.text as pg_catalog.text check (public.trap_check(value));
create domain public.oid as pg_catalog.oid check (public.trap_check(value));
create domain public.name as pg_catalog.name check (public.trap_check(value));
create domain public.regtype as pg_catalog.regtype check (public.trap_check(value));
create domain public.int2 as pg_catalog.int2 check (public.trap_check(value));
create domain public.int4 as pg_catalog.int4 check (public.trap_check(value));
create domain public.bool as pg_catalog.bool check (public.trap_check(value));
reset role;
select count(*) > 500 as traps_planted from pg_proc where pronamespace = 'public'::regnamespace
   and proowner = 'trg_trap_owner'::regrole;

-- the traps work: unqualified names find them first
set search_path = public, pg_catalog;
select 'a'::pg_catalog.text = 'a'::pg_catalog.text;
select quote_ident('x'::pg_catalog.name);
select '1'::int4;
reset search_path;

-- the victim, public first
set search_path = public, pg_catalog;
call run_all();
reset search_path;
-- the same events as without traps
select count(*) as events from pgq.event_1;
select r.n, r.ev_type as ref_type, e.ev_type, r.ev_data as ref_data, e.ev_data
  from ref r full join (select row_number() over (order by ev_id) as n, * from pgq.event_1) e using (n)
 where row(r.ev_type, r.ev_data, r.ev_extra1, r.ev_extra2, r.ev_extra3, r.ev_extra4)
       is distinct from row(e.ev_type, e.ev_data, e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4)
 order by n;
select * from ev;
select * from acct_skip;
-- the helpers that do not pin search_path name every schema: called
-- directly, under the traps, they work too
set search_path = public, pg_catalog;
select pgq._urlencode('a b&c'), pgq._urlencode('Ü/€'), pgq._urlencode_bytes('Ü x'),
       pgq._trg_split_row('(1,"a ""b""",,"")'), pgq._trg_split_row('(1,x,)'),
       pgq._trg_urlenc_row('{a,b,c}', '{1,NULL,"x y"}', '{f,f,t}'),
       pgq._trg_json_row('{a,b,c,d}', '{1,t,NULL,"x\"y"}', '{i,b,s,s}', '{f,f,f,f}', null);
reset search_path;
drop owned by trg_trap_owner;
drop role trg_trap_owner;
