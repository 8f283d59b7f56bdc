-- pgq_batch: batch membership by tick snapshots.  A transaction that stays
-- open across several ticks (PREPARE TRANSACTION keeps it open while this
-- session goes on) delivers its events exactly once, in the first batch
-- after its commit.
\set VERBOSITY terse
select pgq.create_queue('bq');
update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0';
select pgq.register_consumer('bq', 'c1');

-- long transaction: begins before tick 2, commits after tick 3
begin;
select pgq.insert_event('bq', 'long', 'from prepared tx');
prepare transaction 'pgq_batch_long';

select pgq.insert_event('bq', 'short', 'a');
select pgq.ticker('bq') as tick;
select pgq.insert_event('bq', 'short', 'b');
select pgq.ticker('bq') as tick;

-- batch 1 (tick 1 -> 2): only 'a'
select pgq.next_batch('bq', 'c1');
select ev_id, ev_type, ev_data from pgq.get_batch_events(1);
select pgq.finish_batch(1);
-- batch 2 (tick 2 -> 3): only 'b'; the long tx is still running
select pgq.next_batch('bq', 'c1');
select ev_id, ev_type, ev_data from pgq.get_batch_events(2);
select pgq.finish_batch(2);

commit prepared 'pgq_batch_long';
select pgq.insert_event('bq', 'short', 'c');
select pgq.ticker('bq') as tick;

-- batch 3 (tick 3 -> 4): the long transaction's event and 'c', by ev_id
select pgq.next_batch('bq', 'c1');
select ev_id, ev_type, ev_data from pgq.get_batch_events(3);
select pgq.finish_batch(3);

-- nothing more: never delivered twice
select pgq.force_tick('bq') is not null as forced;
select pgq.ticker('bq') as tick;
select pgq.next_batch('bq', 'c1');
select count(*) from pgq.get_batch_events(4);
select pgq.finish_batch(4);

-- a long transaction far behind the range start (more than 100 txids):
-- delivered through the explicit txid list
begin;
select pgq.insert_event('bq', 'long2', 'far');
prepare transaction 'pgq_batch_long2';
-- burn > 100 txids (each statement is its own transaction)
create temp table burn (x int);
\o /dev/null
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
insert into burn select txid_current();
\o
select count(*) as burnt from burn;
select pgq.ticker('bq') as tick;
select pgq.next_batch('bq', 'c1');
select pgq.finish_batch(5);
select pgq.insert_event('bq', 'x', 'y') is not null as ins;
commit prepared 'pgq_batch_long2';
select pgq.ticker('bq') as tick;
select pgq.next_batch('bq', 'c1');
select ev_type, ev_data from pgq.get_batch_events(6);
select pgq.batch_event_sql(6) like '% union all %.ev_txid operator(pg_catalog.=) any (%' as uses_txid_list;
select pgq.finish_batch(6);

-- idempotent next_batch while open; get_batch_cursor
select pgq.insert_event('bq', 'cur', i::text) from generate_series(1, 5) i;
select pgq.ticker('bq') as tick;
select batch_id from pgq.next_batch_info('bq', 'c1');
select batch_id from pgq.next_batch_info('bq', 'c1');
select batch_id from pgq.next_batch_custom('bq', 'c1', NULL, NULL, NULL);
-- helper: FETCH from a named cursor showing only ev_data
create function pg_temp.fetch_data(i_cursor text, i_count int) returns setof text as $$
declare c refcursor := i_cursor; r record;
begin
    for i in 1 .. i_count loop
        fetch c into r;
        exit when not found;
        return next r.ev_data;
    end loop;
end $$ language plpgsql;
begin;
select ev_type, ev_data from pgq.get_batch_cursor(7, 'my cursor', 2);
select pg_temp.fetch_data('my cursor', 2);
select pg_temp.fetch_data('my cursor', 10);
close "my cursor";
select ev_data from pgq.get_batch_cursor(7, 'filtered', 10, 'ev_data in (''2'', ''4'')');
close filtered;
select count(*) from pgq.get_batch_cursor(7, 'zero', 0, NULL);
select pg_temp.fetch_data('zero', 10);
select count(*) from pgq.get_batch_cursor(NULL, 'x', 10, NULL);
select count(*) from pgq.get_batch_cursor(7, NULL, 10);
commit;
select pgq.finish_batch(7);

-- retry events go only to their owner
select pgq.register_consumer('bq', 'c2');
select pgq.insert_event('bq', 'shared', 'all');
select pgq.ticker('bq') as tick;
select pgq.next_batch('bq', 'c1') as b1, pgq.next_batch('bq', 'c2') as b2;
select pgq.event_retry(8, ev_id, '2000-01-01'::timestamptz) from pgq.get_batch_events(8);
select pgq.finish_batch(8), pgq.finish_batch(9);
select pgq.maint_retry_events();
select pgq.ticker('bq') as tick;
select pgq.next_batch('bq', 'c1') as b1, pgq.next_batch('bq', 'c2') as b2;
select 'c1' as who, ev_type, ev_retry from pgq.get_batch_events(10)
union all
select 'c2', ev_type, ev_retry from pgq.get_batch_events(11);
select pgq.finish_batch(10), pgq.finish_batch(11);

-- next_batch_custom: min_count / min_interval / min_lag
select pgq.insert_event('bq', 'm', i::text) from generate_series(1, 3) i;
select pgq.ticker('bq') as tick;
select pgq.insert_event('bq', 'm', i::text) from generate_series(4, 6) i;
select pgq.ticker('bq') as tick;
-- needs 100 events: nothing
select batch_id, cur_tick_id from pgq.next_batch_custom('bq', 'c1', NULL, 100, NULL);
-- 4 events: both ticks merged into one batch
select batch_id, cur_tick_id - prev_tick_id as ticks, cur_tick_event_seq - prev_tick_event_seq as seq_delta
  from pgq.next_batch_custom('bq', 'c1', NULL, 4, NULL);
select count(*) from pgq.get_batch_events(12);
select pgq.finish_batch(12);
-- min_lag: ticks are too fresh
select batch_id from pgq.next_batch_custom('bq', 'c2', '1 hour', NULL, NULL);
-- min_interval: 1 hour not reached
select batch_id from pgq.next_batch_custom('bq', 'c2', NULL, NULL, '1 hour');
select batch_id, cur_tick_id - prev_tick_id as ticks
  from pgq.next_batch_custom('bq', 'c2', NULL, NULL, '0');
select pgq.finish_batch(13);
-- find_tick_helper directly
select * from pgq.find_tick_helper(1, 1, now(), 0, 1000000, NULL);
select next_tick_id > 1 as found from pgq.find_tick_helper(1, 1, now() - '1 day'::interval, 0, NULL, '1 second');

-- errors
select * from pgq.next_batch_info('bq', 'nobody');
select * from pgq.next_batch_info('nobody', 'c1');
select pgq.next_batch(NULL, 'c1');
update pgq.subscription set sub_last_tick = 999 where sub_consumer = (select co_id from pgq.consumer where co_name = 'c2');
select * from pgq.next_batch_info('bq', 'c2');
select pgq.register_consumer_at('bq', 'c2', 999);
select pgq.register_consumer_at('bq', 'c2', 1);
select last_tick, current_batch from pgq.get_consumer_info('bq', 'c2');
select pgq.register_consumer_at('bq', 'c3', 2);
select last_tick from pgq.get_consumer_info('bq', 'c3');
