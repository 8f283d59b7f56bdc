-- pgq_core: basic queue life cycle, ids on a fresh install, info functions,
-- utility functions and their errors.
\set VERBOSITY terse

select pgq.create_queue('myqueue');
select pgq.create_queue('myqueue');
select pgq.create_queue(NULL);
select queue_id, queue_name, queue_ntables, queue_cur_table, queue_rotation_period,
       queue_external_ticker, queue_disable_insert, queue_ticker_paused,
       queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
       queue_per_tx_limit, queue_data_pfx, queue_event_seq, queue_tick_seq, queue_extra_maint,
       queue_switch_step1 = queue_switch_step2 as steps_equal
  from pgq.queue;
-- first tick is tick 1, made by create_queue
select tick_queue, tick_id, tick_event_seq, tick_snapshot is not null as has_snap from pgq.tick;
select pgq.current_event_table('myqueue');
select relname, reloptions from pg_class where relname like 'event_1%' order by 1;

-- registration
select pgq.register_consumer('myqueue', 'consumer');
select pgq.register_consumer('myqueue', 'consumer');
select * from pgq.consumer;
select sub_id, sub_queue, sub_consumer, sub_last_tick, sub_batch, sub_next_tick from pgq.subscription;

-- nothing to do yet: one all-NULL row
select * from pgq.next_batch_info('myqueue', 'consumer');
select pgq.next_batch('myqueue', 'consumer');

-- events: ids from 1
select pgq.insert_event('myqueue', 'r1', 'data');
select pgq.insert_event('myqueue', 'r2', 'data', 'extra1', 'extra2', 'extra3', 'extra4');
select pgq.insert_event('myqueue', 'r3', 'data');
select pgq.insert_event('nonexistent', 'r3', 'data');

-- force a tick
update pgq.queue set queue_ticker_max_lag = '0';
select pgq.ticker();
select tick_id, tick_event_seq from pgq.tick order by tick_id;

-- first batch is batch 1, idempotent while open
select batch_id, cur_tick_id, prev_tick_id, cur_tick_event_seq, prev_tick_event_seq,
       cur_tick_time >= prev_tick_time as ordered
  from pgq.next_batch_info('myqueue', 'consumer');
select pgq.next_batch('myqueue', 'consumer');
select batch_id, cur_tick_id, prev_tick_id
  from pgq.next_batch_custom('myqueue', 'consumer', NULL, NULL, NULL);
select queue_name, consumer_name, prev_tick_id, tick_id, lag < '1 minute' as lag_ok,
       batch_start <= batch_end as ordered, seq_start, seq_end
  from pgq.get_batch_info(1);
select * from pgq.get_batch_info(999);
select pgq.batch_event_tables(1);
select ev_id, ev_txid is not null as has_txid, ev_retry, ev_type, ev_data,
       ev_extra1, ev_extra2, ev_extra3, ev_extra4, ev_time <= now() as time_ok
  from pgq.get_batch_events(1);
select pgq.batch_event_sql(1) like '%pgq.event_1_0%order by 1' as sql_ok;

select queue_name, queue_ntables, queue_cur_table, queue_rotation_period,
       queue_switch_time <= now() as switch_ok, queue_external_ticker, queue_ticker_paused,
       queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
       ticker_lag < '1 minute' as ticker_lag_ok, ev_new, last_tick_id
  from pgq.get_queue_info();
select queue_name, last_tick_id from pgq.get_queue_info('myqueue');
select count(*) from pgq.get_queue_info('nonexistent');
select queue_name, consumer_name, lag < '1 minute' as lag_ok, last_seen < '1 minute' as seen_ok,
       last_tick, current_batch, next_tick, pending_events
  from pgq.get_consumer_info();
select queue_name, consumer_name, last_tick from pgq.get_consumer_info('myqueue');
select queue_name, consumer_name, last_tick from pgq.get_consumer_info('myqueue', 'consumer');
select count(*) from pgq.get_consumer_info('myqueue', 'nobody');

select pgq.finish_batch(1);
select pgq.finish_batch(1);
select pgq.batch_event_sql(1);
select pgq.batch_event_tables(1);
select * from pgq.get_batch_events(1);

-- idle queue: no tick (back-off), force_tick makes the next ticker() tick
select pgq.ticker();
select pgq.force_tick('myqueue');
select pgq.ticker();
select pgq.force_tick('myqueue');
-- empty batch
select pgq.next_batch('myqueue', 'consumer');
select count(*) from pgq.get_batch_events(2);
select pgq.finish_batch(2);

-- insert_event_raw: explicit id still advances the sequence; NULL time = now()
select pgq.insert_event_raw('myqueue', 100, NULL, NULL, NULL, 'raw', 'd', NULL, NULL, NULL, NULL);
select pgq.insert_event_raw('myqueue', NULL, '2001-02-03 04:05:06+00', NULL, 7, 'raw2', 'd', 'a', 'b', 'c', 'd');
select pgq.insert_event_raw('nonexistent', NULL, NULL, NULL, NULL, 'raw2', 'd', NULL, NULL, NULL, NULL);
select pgq.ticker();
select pgq.next_batch('myqueue', 'consumer');
select ev_id, ev_retry, ev_type, ev_time = '2001-02-03 04:05:06+00' as fixed_time, ev_extra4
  from pgq.get_batch_events(3);
select pgq.finish_batch(3);

-- set_queue_config
select pgq.set_queue_config('myqueue', 'ticker_max_count', '100');
select pgq.set_queue_config('myqueue', 'ticker_max_lag', '7 seconds');
select pgq.set_queue_config('myqueue', 'ticker_idle_period', '2 minutes');
select pgq.set_queue_config('myqueue', 'rotation_period', '1 hour');
select pgq.set_queue_config('myqueue', 'ticker_paused', 'true');
select pgq.set_queue_config('myqueue', 'ticker_paused', 'false');
select pgq.set_queue_config('myqueue', 'external_ticker', 'false');
select queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
       queue_rotation_period, queue_ticker_paused, queue_external_ticker from pgq.queue;
select pgq.set_queue_config('myqueue', 'disable_insert', 'true');
select pgq.set_queue_config('myqueue', 'queue_ticker_max_lag', '1');
select pgq.set_queue_config('nonexistent', 'ticker_max_lag', '1');
select pgq.set_queue_config(NULL, 'ticker_max_lag', '1');
select pgq.set_queue_config('myqueue', NULL, '1');
select pgq.set_queue_config('myqueue', 'ticker_max_count', 'abc');

-- utilities
select pgq.seq_getval('pgq.batch_id_seq');
create sequence public.tmpseq;
select pgq.seq_setval('tmpseq', 10), pgq.seq_setval('public.tmpseq', 5), pgq.seq_setval('tmpseq', 15);
select pgq.seq_getval('tmpseq');
select pgq.quote_fqname('foo'), pgq.quote_fqname('Foo.bar'), pgq.quote_fqname('a b.c"d'),
       pgq.quote_fqname('s.t.u'), pgq.quote_fqname(NULL);
select pgq.quote_fqname('a.'), pgq.quote_fqname('.b'), pgq.quote_fqname(''), pgq.quote_fqname('.'),
       pgq.quote_fqname('Ab.cD'), pgq.quote_fqname('public');
select pgq.tune_storage('myqueue'), pgq.tune_storage('nonexistent');
select pgq.grant_perms('myqueue');
select pgq.grant_perms('nonexistent');

-- unregister / drop
select pgq.create_queue('tmpqueue');
select pgq.register_consumer('tmpqueue', 'consumer');
select pgq.unregister_consumer('tmpqueue', 'consumer');
select pgq.unregister_consumer('tmpqueue', 'consumer');
select pgq.unregister_consumer('nonexistent', 'consumer');
select pgq.register_consumer('tmpqueue', 'consumer');
select pgq.drop_queue('tmpqueue');
select pgq.drop_queue('tmpqueue', true);
select count(*) from pg_class where relname like 'event_2%';
select count(*) from pgq.tick where tick_queue = 2;
select pgq.drop_queue('tmpqueue');
select pgq.drop_queue('nonexistent', false);
select pgq.drop_queue(NULL, true);
select pgq.register_consumer('nonexistent', 'c');
-- the consumer row is kept while used elsewhere
select co_name from pgq.consumer;
-- a new queue gets a fresh id
select pgq.create_queue('tmpqueue2');
select queue_id, queue_data_pfx from pgq.queue where queue_name = 'tmpqueue2';
select pgq.drop_queue('tmpqueue2');
