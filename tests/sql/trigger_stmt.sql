-- Statement-level triggers (pgq.create_trigger, pgq.<kind>_stmt) and an
-- overridden pgq.insert_event, which every trigger kind must go through.
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;

-- row-level (r_*) and statement-level (s_*) triggers on twin tables give
-- the same events, in the same order
create table base (id int primary key, t text, b bool, ts timestamp, n numeric, arr int[], "Q x" text);
create table r_log (like base including all);
create table s_log (like base including all);
create table r_sql (like base including all);
create table s_sql (like base including all);
create table r_json (like base including all);
create table s_json (like base including all);
create trigger r after insert or update or delete on r_log for each row execute procedure pgq.logutriga('testq', 'backup');
create trigger r after insert or update or delete on r_sql for each row execute procedure pgq.sqltriga('testq', 'ignore=arr');
create trigger r after insert or update or delete on r_json for each row execute procedure pgq.jsontriga('testq', 'pkey=id');
select pgq.create_trigger('s_log', 'testq', 'logutriga', '{backup}');
select pgq.create_trigger('s_sql', 'testq', 'sqltriga', '{ignore=arr}', 'trg');
select pgq.create_trigger('s_json', 'testq', 'jsontriga', '{pkey=id}');
select c.relname, t.tgname, pg_get_triggerdef(t.oid)
  from pg_trigger t join pg_class c on c.oid = t.tgrelid
 where c.relname like 's\_%' order by 1, 2;
create function pg_temp.run(tbl text) returns void language plpgsql as $$
begin
    execute format('insert into %I values (1, ''a b'', true, ''2020-01-02 03:04:05'', 1.50, ''{1,2}'', ''ä''),'
                   ' (2, null, false, null, null, null, ''''), (3, ''x"y\z'', null, ''2021-01-01'', 3, ''{}'', null)', tbl);
    execute format('update %I set t = t || ''!'', n = 1.5', tbl);
    execute format('update %I set arr = ''{9}'' where id = 1', tbl);
    execute format('update %I set n = 7 where false', tbl);
    execute format('update %I set b = not b where id = 2', tbl);
    execute format('delete from %I where id > 1', tbl);
    execute format('delete from %I', tbl);
end;
$$;
select pg_temp.run(x) from unnest('{r_log,s_log,r_sql,s_sql,r_json,s_json}'::text[]) x;
-- row-level events, then the differences (none)
select count(*) from pgq.event_1 where ev_extra1 like 'public.r\_%';
select count(*) from pgq.event_1 where ev_extra1 like 'public.s\_%';
select ev_type, ev_data, ev_extra1, ev_extra2, n
  from (select ev_type, ev_data, ev_extra1, ev_extra2, row_number() over (partition by ev_extra1 order by ev_id) n
          from pgq.event_1 where ev_extra1 like 'public.r\_%') r
except
select replace(ev_type, '"s_', '"r_'), ev_data, replace(ev_extra1, '.s_', '.r_'), ev_extra2, n
  from (select ev_type, ev_data, ev_extra1, ev_extra2, row_number() over (partition by ev_extra1 order by ev_id) n
          from pgq.event_1 where ev_extra1 like 'public.s\_%') s;
select * from ev where ev_extra1 = 'public.s_sql';
delete from pgq.event_1;

-- errors as the row-level trigger: key change, no key
update s_log set id = 2;
insert into s_log values (1, 'x');
update s_log set id = id + 1;
update s_log set id = id + 1 where false;
create table s_nokey (a int, b text);
select pgq.create_trigger('s_nokey', 'testq', 'logutriga');
insert into s_nokey values (1, 'x');
update s_nokey set b = 'y';
delete from s_nokey;
select * from ev;
delete from pgq.event_1;

-- ALTER TABLE between statements: the next statement sees the new columns
alter table s_log add column extra text default 'e';
insert into s_log values (5, 'y'), (6, 'z');
alter table s_log drop column arr, drop column "Q x";
insert into s_log values (7, 'w'), (8, 'v');
alter table s_log rename column t to tt;
alter table s_log drop constraint s_log_pkey, add primary key (tt);
update s_log set n = 1 where id >= 5;
select * from ev;
delete from pgq.event_1;

-- per-row options make a row-level trigger; the statement functions refuse them
select pgq.create_trigger('base', 'testq', 'logutriga', '{SKIP}', 'b1');
select pgq.create_trigger('base', 'testq', 'sqltriga', '{"when=id > 1"}', 'b2', '{insert,truncate}');
select t.tgname, pg_get_triggerdef(t.oid) from pg_trigger t where t.tgrelid = 'base'::regclass order by 1;
insert into base values (1), (2);
truncate base;
select * from ev;
delete from pgq.event_1;
drop table base;
create table bad (id int primary key);
create trigger x after insert on bad referencing new table as pgq_new
  for each statement execute function pgq.logutriga_stmt('testq', 'deny');
insert into bad values (1), (2);
drop trigger x on bad;
create trigger x after insert on bad for each row execute function pgq.logutriga_stmt('testq');
insert into bad values (1);
select pgq.create_trigger('bad', 'testq', 'xtriga');
select pgq.create_trigger('bad', 'testq', 'logutriga', '{}', null, '{upsert}');

-- a replaced pgq.insert_event sees the events of every trigger kind
select pgq._insert_event_is_ours();
grant execute on function pgq.insert_event(text, text, text, text, text, text, text) to public;
select pgq._insert_event_is_ours();
create table trace (queue text, ev_type text, ev_data text, ev_extra1 text);
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text, ev_extra1 text,
                                            ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint language plpgsql as $$
begin
    insert into public.trace values (queue_name, ev_type, ev_data, ev_extra1);
    return 0;
end;
$$;
select pgq._insert_event_is_ours();
select pg_temp.run(x) from unnest('{r_log,r_json,s_json}'::text[]) x;
insert into s_log (id, tt) values (30, 'q'), (31, 'r');
update s_log set n = 2 where id = 30;
insert into r_sql (id, t) values (10, 'one');
insert into s_sql (id, t) values (10, 'one'), (11, 'two');
insert into s_sql (id, t) values (12, 'three');
select ev_extra1, count(*) from trace group by 1 order by 1;
select * from trace where ev_extra1 = 'public.s_sql';
select count(*) from pgq.event_1;
-- the batch writer refuses to go around it
select pgq._insert_event_batch('testq', '{x}', '{y}', '{z}', '{NULL}', '{NULL}', '{NULL}');
-- restored: the fast path again
select pgq._regen_insert_dispatch();
select pgq._insert_event_is_ours();
delete from trace;
insert into s_sql (id, t) values (20, 'a'), (21, 'b');
insert into r_sql (id, t) values (20, 'a');
select count(*) from trace;
select * from ev;
