-- pgq_retry: retry round trip, batch_retry, event_retry_raw, maint_retry_events
\set VERBOSITY terse
select pgq.create_queue('q');
update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0';
select pgq.register_consumer('q', 'c');
select pgq.insert_event('q', 't', 'd' || i) from generate_series(1, 3) i;
select pgq.ticker('q') as tick;
select pgq.next_batch('q', 'c');
-- retry ev 2 by seconds (int overload, as python-pgq calls it) and ev 3 by time
select pgq.event_retry(1, 2, 0);
select pgq.event_retry(1, 2, 0);
select pgq.event_retry(1, 3::bigint, now() + '1 hour');
select pgq.event_retry(1, 99, 0);
select pgq.event_retry(99, 1, 0);
select ev_id, ev_owner, ev_retry, ev_txid, ev_type, ev_data, ev_retry_after > now() as later
  from pgq.retry_queue order by ev_id;
select pgq.finish_batch(1);
-- only the due one moves
select pgq.maint_retry_events();
select pgq.maint_retry_events();
select ev_id from pgq.retry_queue;
select pgq.ticker('q') as tick;
select pgq.next_batch('q', 'c');
select ev_id, ev_retry, ev_type, ev_data from pgq.get_batch_events(2);
-- batch_retry: everything not yet queued
select pgq.batch_retry(2, 0);
select pgq.batch_retry(2, 0);
select pgq.batch_retry(999, 0);
select pgq.finish_batch(2);
-- event_retry_raw
select pgq.event_retry_raw('q', 'c', now(), 666, now(), 0, 'raw', 'x', NULL, NULL, NULL, NULL);
select pgq.event_retry_raw('q', 'c', now(), NULL, now(), 0, 'raw', 'auto-id', NULL, NULL, NULL, NULL) > 3 as got_id;
select pgq.event_retry_raw('q', 'nobody', now(), 667, now(), 0, 'raw', 'x', NULL, NULL, NULL, NULL);
select pgq.event_retry_raw('nonexistent', 'c', now(), 667, now(), 0, 'raw', 'x', NULL, NULL, NULL, NULL);
-- more than 10 due: moved in steps of at most 10
select pgq.event_retry_raw('q', 'c', now() - '1 minute'::interval, 1000 + i, now(), 0, 'bulk', i::text, NULL, NULL, NULL, NULL)
  from generate_series(1, 12) i \g /dev/null
select count(*) from pgq.retry_queue where ev_retry_after <= now();
select pgq.maint_retry_events();
select pgq.maint_retry_events();
select pgq.maint_retry_events();
select pgq.ticker('q') as tick;
select pgq.next_batch('q', 'c');
select ev_id, ev_retry, ev_type, ev_data from pgq.get_batch_events(3);
select pgq.finish_batch(3);
-- unregister drops the consumer's retry events
select count(*) from pgq.retry_queue;
select pgq.unregister_consumer('q', 'c');
select count(*) from pgq.retry_queue;
