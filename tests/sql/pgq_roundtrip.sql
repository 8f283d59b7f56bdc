-- pgq_roundtrip: a producer and a consumer written only against the
-- documented API (as python-pgq and pgqd call it) round-trip events.
\set VERBOSITY terse
\set ON_ERROR_STOP 1
-- admin / ticker daemon side
select pgq.create_queue('events');
select pgq.set_queue_config('events', 'ticker_max_lag', '0');
-- consumer: --register
select pgq.register_consumer('events', 'worker');
-- producer: insert_event with extras (pgq.insert_event helper)
select count(pgq.insert_event('events', 'order', 'id=' || i, 'public.orders', NULL, NULL, NULL))
  from generate_series(1, 5) i;
select pgq.insert_event('events', 'retry-me', 'x');
-- daemon: ticker, maintenance
select pgq.ticker() > 0 as ticked;
select count(*) >= 0 as maint_ok from pgq.maint_operations();
-- consumer loop, as python-pgq does it
select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_custom('events', 'worker', NULL, NULL, NULL);
begin;
select ev_id, ev_type, ev_data, ev_extra1, ev_retry from pgq.get_batch_cursor(1, 'batch_walker', 300, NULL);
close batch_walker;
select pgq.event_retry(1, 6, 0);
select pgq.finish_batch(1);
commit;
-- daemon: retry mover loops until 0, then ticks
select pgq.maint_retry_events();
select pgq.maint_retry_events();
select pgq.ticker() > 0 as ticked;
-- consumer: the retried event comes back, with ev_retry = 1
select batch_id from pgq.next_batch_custom('events', 'worker', NULL, NULL, NULL);
begin;
select ev_id, ev_type, ev_data, ev_retry from pgq.get_batch_cursor(2, 'batch_walker', 300, 'ev_type = ''retry-me''');
close batch_walker;
select pgq.finish_batch(2);
commit;
-- nothing more
select batch_id from pgq.next_batch_custom('events', 'worker', NULL, NULL, NULL);
-- status
select queue_name, last_tick_id, ev_new from pgq.get_queue_info();
select queue_name, consumer_name, last_tick, current_batch, pending_events from pgq.get_consumer_info();
select pgq.unregister_consumer('events', 'worker');
select pgq.drop_queue('events');
