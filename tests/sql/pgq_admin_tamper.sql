-- pgq_admin_tamper: pgq_admin may UPDATE pgq.queue (pgq_node and londiste
-- do), including the text columns that name a queue's tables and
-- sequences.  Functions that run as the schema owner must not turn those
-- columns into SQL.
-- ctest: run alone (it rotates tables: rotation waits for the cluster-wide snapshot xmin)
-- No SQL injected there runs, no object outside the queue is touched, and
-- the queue's own objects are still found and dropped.
\set VERBOSITY terse
create role pgq_tamper_admin login in role pgq_admin;
create role pgq_tamper_writer login in role pgq_writer;
create role pgq_tamper_nobody login;
-- objects pgq_admin has no rights on, named like a queue's
create table public.victim_0 (ev_id bigint, ev_time timestamptz, ev_owner int, ev_retry int,
    ev_type text, ev_data text, ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text);
create table public.victim (like public.victim_0);
create table public.victim_1 (like public.victim_0);
create table public.victim_2 (like public.victim_0);
create table public.secret (x int);
create sequence public.victim_seq;
revoke all on public.victim, public.victim_0, public.victim_1, public.victim_2,
              public.secret, public.victim_seq from public;

set role pgq_tamper_admin;
select pgq.create_queue('tq');
select pgq.create_queue('tq2');
-- SQL in the names, for the functions that used to paste them into DDL
update pgq.queue
   set queue_data_pfx = 'if exists pgq.event_1 cascade; create table if not exists public.pwned_pfx (x int); drop table if exists public.nothing',
       queue_event_seq = 'if exists pgq.event_1_id_seq; create table public.pwned_event_seq (x int)',
       queue_tick_seq = 'if exists pgq.event_1_tick_seq; create table public.pwned_tick_seq (x int)'
 where queue_name = 'tq';
-- other people's objects, for grant_perms and the producers
update pgq.queue
   set queue_data_pfx = 'public.victim',
       queue_event_seq = 'public.victim_seq',
       queue_tick_seq = 'public.secret'
 where queue_name = 'tq2';
-- (a new queue regenerates the producer functions after the change)
select pgq.create_queue('tq3');
reset role;

-- producers write into the queue's own table and draw from its own sequence
set role pgq_tamper_writer;
select pgq.insert_event('tq2', 't', 'for tq2');
select pgq.current_event_table('tq2');
reset role;
set role pgq_tamper_admin;
select pgq.insert_event_raw('tq2', null, null, null, null, 't', 'raw', null, null, null, null);
reset role;
-- the dynamic path too: a table the generated functions do not know
update pgq.queue set queue_ntables = 4, queue_cur_table = 3 where queue_name = 'tq2';
create table pgq.event_2_3 () inherits (pgq.event_2);
set role pgq_tamper_writer;
select pgq.insert_event('tq2', 't', 'dynamic path');
reset role;
select tableoid::regclass, ev_id, ev_data from pgq.event_2_3;
update pgq.queue set queue_ntables = 3, queue_cur_table = 0 where queue_name = 'tq2';
drop table pgq.event_2_3;
-- a disabled queue still draws its own id
update pgq.queue set queue_disable_insert = true where queue_name = 'tq2';
set role pgq_tamper_writer;
select pgq.insert_event('tq2', 't', 'refused');
reset role;
update pgq.queue set queue_disable_insert = false where queue_name = 'tq2';
select count(*) as victim_rows from public.victim_0;
select last_value as victim_seq, is_called from public.victim_seq;
select tableoid::regclass, ev_id, ev_data from pgq.event_2 order by ev_id;
select last_value as tq2_event_seq from pgq.event_2_id_seq;

-- the owner's functions that advance or read a queue's sequences find them
-- by queue id, not through the text columns
set role pgq_tamper_admin;
update pgq.queue set queue_tick_seq = 'public.victim_seq' where queue_name = 'tq2';
select pgq.set_queue_config('tq2', 'ticker_max_count', '1');
select pgq.ticker('tq2') is not null as ticked;
select pgq.force_tick('tq2') is not null as forced;
select pgq.register_consumer('tq2', 'tamper_c');
select pgq.event_retry_raw('tq2', 'tamper_c', now(), null, now(), 0, 'r', 'retried',
                           null, null, null, null) is not null as retry_parked;
-- (get_queue_info runs as its caller: it reads no sequence the caller cannot)
select ev_new is not null as info_read from pgq.get_queue_info('tq2');
select pgq.unregister_consumer('tq2', 'tamper_c');
reset role;
select last_value as victim_seq, is_called from public.victim_seq;
select last_value > 1 as own_tick_seq_moved from pgq.event_2_tick_seq;

-- consumers read the queue's own event tables, wherever queue_data_pfx
-- points: a view there would run its functions as the consumer (here a
-- superuser), and rotation truncates the queue's own tables
create schema tamper_trap authorization pgq_tamper_admin;
set role pgq_tamper_admin;
create function tamper_trap.fire() returns setof pgq.event_template language plpgsql as $$
begin
    raise notice 'TRAP FIRED as %', current_user;
end $$;
create view tamper_trap.view_0 as select * from tamper_trap.fire();
create view tamper_trap.view_1 as select * from tamper_trap.fire();
create view tamper_trap.view_2 as select * from tamper_trap.fire();
select pgq.create_queue('tq4');
select pgq.set_queue_config('tq4', 'ticker_max_count', '1');
select pgq.register_consumer('tq4', 'reader');
update pgq.queue set queue_data_pfx = 'tamper_trap.view' where queue_name = 'tq4';
select pgq.insert_event('tq4', 't', 'real event');
select pgq.ticker('tq4') is not null as ticked;
reset role;
select pgq.next_batch('tq4', 'reader') as tamper_batch \gset
select pgq.batch_event_tables(:tamper_batch);
select ev_type, ev_data from pgq.get_batch_events(:tamper_batch);
begin;
select count(*) as cursor_rows from pgq.get_batch_cursor(:tamper_batch, 'tamper_cur', 10);
commit;
select pgq.finish_batch(:tamper_batch);
update pgq.queue set queue_rotation_period = '0', queue_switch_time = now() - '1 hour'::interval
 where queue_name = 'tq4';
select pgq.maint_rotate_tables_step1('tq4');
select queue_cur_table as rotated_to from pgq.queue where queue_name = 'tq4';
select pgq.drop_queue('tq4', true);
drop schema tamper_trap cascade;

-- grant_perms grants on the queue's objects only
set role pgq_tamper_admin;
select pgq.grant_perms('tq2');
select pgq.grant_perms('tq');
reset role;
select has_table_privilege('pgq_tamper_nobody', 'public.secret', 'select') as nobody_reads_secret,
       has_table_privilege('pgq_tamper_admin', 'public.victim_0', 'insert') as admin_writes_victim,
       has_sequence_privilege('pgq_tamper_admin', 'public.victim_seq', 'usage') as admin_uses_victim_seq;
select has_table_privilege('pgq_tamper_nobody', 'pgq.event_2_tick_seq', 'select') as tick_seq_readable,
       has_sequence_privilege('pgq_tamper_admin', 'pgq.event_2_id_seq', 'usage') as admin_draws_ids,
       has_table_privilege('pgq_tamper_admin', 'pgq.event_2_1', 'insert') as admin_inserts;

-- drop_queue drops exactly the queue's objects
set role pgq_tamper_admin;
select pgq.set_queue_config('tq', 'ticker_max_lag', '5 seconds');
select pgq.drop_queue('tq');
select pgq.drop_queue('tq2', true);
reset role;
select relname from pg_class
 where relnamespace = 'public'::regnamespace and (relname like 'pwned%' or relname like 'nothing%');
select c.relname from pg_class c
 where c.relnamespace = 'pgq'::regnamespace and c.relname ~ '^event_[12](_|$)';
select count(*) as victims_left from pg_class
 where relnamespace = 'public'::regnamespace and relname ~ '^(victim|secret)';
select queue_name from pgq.queue;
select count(*) as ticks_left from pgq.tick where tick_queue in (1, 2);

-- a queue whose tables were dropped by hand still drops
drop table pgq.event_3_2;
select pgq.drop_queue('tq3');
select count(*) as tq3_left from pg_class
 where relnamespace = 'pgq'::regnamespace and relname like 'event\_3\_%';
-- the producer functions forgot the dropped queues
select pgq.insert_event('tq', 't', 'gone');

drop owned by pgq_tamper_admin, pgq_tamper_writer, pgq_tamper_nobody;
drop role pgq_tamper_admin;
drop role pgq_tamper_writer;
drop role pgq_tamper_nobody;
