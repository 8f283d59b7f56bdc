-- pgq_producer: disabled inserts and session_replication_role, per-TX limit,
-- sequence always advanced, COPY into current_event_table.
\set VERBOSITY terse
select pgq.create_queue('pq');
select pgq.insert_event('pq', 't', '1');

-- disabled queue
update pgq.queue set queue_disable_insert = true;
select pgq.insert_event('pq', 't', '2');
select pgq.insert_event('pq', 't', '2', 'a', 'b', 'c', 'd');
select pgq.insert_event_raw('pq', 55, NULL, NULL, NULL, 't', '2', NULL, NULL, NULL, NULL);
select pgq.current_event_table('pq');
-- the refused inserts still consumed ids 2, 3, 4
select pgq.seq_getval('pgq.event_1_id_seq');
set session_replication_role = 'replica';
select pgq.insert_event('pq', 't', 'replica');
select pgq.current_event_table('pq');
set session_replication_role = 'local';
select pgq.insert_event('pq', 't', 'local');
reset session_replication_role;
update pgq.queue set queue_disable_insert = false;
select pgq.insert_event('pq', 't', 'enabled');

-- per-transaction limit
update pgq.queue set queue_per_tx_limit = 2;
begin;
select pgq.insert_event('pq', 't', 'tx1');
select pgq.insert_event('pq', 't', 'tx2', NULL, NULL, NULL, NULL);
select pgq.insert_event('pq', 't', 'tx3');
rollback;
-- counter is per transaction
begin;
select pgq.insert_event('pq', 't', 'tx1');
select pgq.insert_event_raw('pq', NULL, NULL, NULL, NULL, 't', 'tx2', NULL, NULL, NULL, NULL);
commit;
select pgq.insert_event('pq', 't', 'next tx');
select pgq.insert_event('pq', 't', 'next tx');
-- a set of inserts in one statement
select pgq.insert_event('pq', 't', i::text) from generate_series(1, 3) i;
update pgq.queue set queue_per_tx_limit = 0;
select pgq.insert_event('pq', 't', 'zero');
update pgq.queue set queue_per_tx_limit = NULL;
select count(pgq.insert_event('pq', 't', i::text)) from generate_series(1, 10) i;

-- COPY into the current event table (bulk_insert_events); ids come from the
-- column default, so the ticker sees them through the sequence
select pgq.current_event_table('pq');
copy pgq.event_1_0 (ev_time, ev_type, ev_data) from stdin;
2020-01-01 00:00:00+00	copy	c1
2020-01-01 00:00:00+00	copy	c2
\.
select ev_id, ev_type, ev_data, ev_txid is not null as has_txid from pgq.event_1_0 where ev_type = 'copy' order by 1;
select pgq.seq_getval('pgq.event_1_id_seq');

-- all events, in order
select ev_id, ev_type, ev_data, ev_extra1 from pgq.event_1 order by ev_id;

-- generated producer functions survive queue DDL and many queues
select count(pgq.create_queue('many_' || i)) from generate_series(1, 40) i;
select pgq.insert_event('many_' || i, 't', 'x') from generate_series(1, 40, 13) i;
select pgq.drop_queue('many_14');
select pgq.insert_event('many_15', 't', 'x');
select pgq.insert_event('many_14', 't', 'x');
-- non-standard table count and prefix go through the dynamic path
update pgq.queue set queue_ntables = 4 where queue_name = 'many_20';
create table pgq.event_21_3 () inherits (pgq.event_21);
update pgq.queue set queue_cur_table = 3 where queue_name = 'many_20';
select pgq.insert_event('many_20', 't', 'x');
select tableoid::regclass, ev_id from pgq.event_21;
-- Past the first 128 queues the producer functions use the dynamic path:
-- the same result, and the generated function stays small.
select count(pgq.create_queue('beyond_' || i)) from generate_series(1, 100) i;
select max(queue_id) > 128 as past_the_tree from pgq.queue;
select pgq.insert_event('beyond_100', 'late', 'still delivered') > 0 as inserted;
select ev_type, ev_data from pgq.event_template
 where ev_type = 'late';
select pgq.insert_event_raw('beyond_100', 777, null, null, null, 'raw', 'explicit', null, null, null, null);
select ev_id, ev_data from pgq.event_template where ev_type = 'raw' and ev_data = 'explicit';
select position('pgq.event_' || q.queue_id || '_0 ' in p.prosrc) = 0 as not_in_the_tree
  from pg_proc p, pgq.queue q
 where p.oid = 'pgq.insert_event(text,text,text,text,text,text,text)'::regprocedure
   and q.queue_name = 'beyond_100';
