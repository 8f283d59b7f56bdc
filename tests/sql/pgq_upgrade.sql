-- pgq_upgrade: running the install script again keeps queues, events,
-- ticks, subscriptions, open batches and grants, and replaces the functions.
\set VERBOSITY terse
select pgq.create_queue('uq');
update pgq.queue set queue_ticker_max_lag = '0', queue_per_tx_limit = 100;
select pgq.register_consumer('uq', 'c');
select pgq.insert_event('uq', 't', 'before-1');
select pgq.ticker('uq');
select pgq.insert_event('uq', 't', 'before-2');
select pgq.ticker('uq');
select pgq.next_batch('uq', 'c');
-- a function body changed by hand: the upgrade must replace it
create or replace function pgq.version() returns text as $$ select 'broken'::text $$ language sql;
select pgq.version();

\set install_sql `echo "$PGQADM_INSTALL_SQL"`
\set ECHO none
set client_min_messages = warning;
\o /dev/null
\i :install_sql
\o
reset client_min_messages;
\set ECHO all

select pgq.version();
select queue_id, queue_name, queue_per_tx_limit, queue_ticker_max_lag from pgq.queue;
select tick_id from pgq.tick order by 1;
select sub_last_tick, sub_batch, sub_next_tick from pgq.subscription;
-- the open batch is still open and complete
select pgq.next_batch('uq', 'c');
select ev_id, ev_data from pgq.get_batch_events(1);
select pgq.finish_batch(1);
select pgq.next_batch('uq', 'c');
select ev_id, ev_data from pgq.get_batch_events(2);
select pgq.finish_batch(2);
-- producing still works (generated functions include existing queues)
select pgq.insert_event('uq', 't', 'after');
select pgq.create_queue('uq2');
select pgq.insert_event('uq2', 't', 'after');
select replace(relacl::text, current_user || '=', 'OWNER=') from pg_class where oid = 'pgq.event_1_0'::regclass;
select count(*) as public_exec
  from pg_proc p, aclexplode(p.proacl) a
 where p.pronamespace = 'pgq'::regnamespace and a.grantee = 0
   and p.proname not in ('seq_getval', 'get_queue_info', 'get_consumer_info', 'quote_fqname', 'version', '_pgqadm_schema_version', 'ticker_leader_info', 'tick_channel');
-- and a third time
\set ECHO none
set client_min_messages = warning;
\o /dev/null
\i :install_sql
\o
reset client_min_messages;
\set ECHO all
select count(*) as queues from pgq.queue;
select count(*) as events from pgq.event_1;

-- uninstall removes everything, roles stay
set client_min_messages = warning;
drop schema if exists pgq cascade;  -- = sql/uninstall.sql
reset client_min_messages;
select count(*) from pg_namespace where nspname = 'pgq';
select count(*) from pg_roles where rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin');
-- and a fresh install after it starts again at 1
\set ECHO none
set client_min_messages = warning;
\o /dev/null
\i :install_sql
\o
reset client_min_messages;
\set ECHO all
select pgq.create_queue('again');
select queue_id from pgq.queue;
