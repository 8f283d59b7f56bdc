-- pgq_ticker: ticker decisions (max_count, max_lag, idle back-off),
-- external and paused queues, force_tick.  Time is simulated by moving
-- tick_time into the past.
\set VERBOSITY terse
select pgq.create_queue('tq');
-- helper: age all ticks of the queue
create function pg_temp.age_ticks(i interval) returns void as $$
    update pgq.tick set tick_time = tick_time - i;
$$ language sql;

-- only one tick: the next call ticks even without events
select pgq.ticker('tq');
-- idle, last tick fresh: no tick (lag < max_lag/2)
select pgq.ticker('tq');
-- idle: lag 2 s >= max_lag/2 and >= 2x the (tiny) previous gap -> tick
select pg_temp.age_ticks('2 seconds');
select pgq.ticker('tq');
-- back-off: gap between the last two ticks 10 s, lag 10 s < 2*gap -> no tick
update pgq.tick set tick_time = now() - '10 seconds'::interval where tick_id = 3;
update pgq.tick set tick_time = now() - '20 seconds'::interval where tick_id = 2;
select pgq.ticker('tq');
-- lag 25 s >= 2*gap -> tick
select pg_temp.age_ticks('15 seconds');
select pgq.ticker('tq');
-- idle period caps the back-off: gap 10 min, lag 61 s >= idle_period -> tick
update pgq.tick set tick_time = now() - '61 seconds'::interval where tick_id = 4;
update pgq.tick set tick_time = now() - '11 minutes'::interval where tick_id = 3;
select pgq.ticker('tq');
-- gap 10 min, lag 59 s < idle_period and < 2*gap -> no tick
update pgq.tick set tick_time = now() - '59 seconds'::interval where tick_id = 5;
update pgq.tick set tick_time = now() - '11 minutes'::interval where tick_id = 4;
select pgq.ticker('tq');

-- new events: below max_count and lag < max_lag -> no tick
update pgq.tick set tick_time = now() where tick_id = 5;
select pgq.insert_event('tq', 'e', 'd') > 0 as ins;
select pgq.insert_event('tq', 'e', 'd') > 0 as ins;
select pgq.ticker('tq');
-- lag reaches max_lag -> tick
select pg_temp.age_ticks('3 seconds');
select pgq.ticker('tq');
-- max_count reached -> tick at once
select pgq.set_queue_config('tq', 'ticker_max_count', '5');
select count(pgq.insert_event('tq', 'e', 'd')) from generate_series(1, 4);
select pgq.ticker('tq');
select count(pgq.insert_event('tq', 'e', 'd')) from generate_series(1, 5);
select pgq.ticker('tq');
select tick_id, tick_event_seq from pgq.tick order by tick_id;

-- ticker() for all queues counts ticked queues
select pgq.create_queue('tq2');
select pgq.create_queue('tq3');
select pgq.force_tick('tq'), pgq.force_tick('tq2'), pgq.force_tick('tq3');
select pgq.ticker();
select pgq.ticker();

-- paused queue
select pgq.set_queue_config('tq2', 'ticker_paused', 'on');
select pgq.ticker('tq2');
select pgq.force_tick('tq2');
select pgq.seq_getval('pgq.event_2_id_seq') as seq_unchanged;
select pgq.ticker('tq2', 100, now(), 10);
-- external ticker
select pgq.set_queue_config('tq2', 'ticker_paused', 'off');
select pgq.set_queue_config('tq2', 'external_ticker', 'true');
select pgq.ticker('tq2');
select pgq.force_tick('tq2');
select pgq.force_tick('tq3') > 0 as forced;
-- ticker() skips external and paused queues
select pgq.ticker();
select pgq.ticker('tq2', 100, '2020-01-01 00:00:00+00', 5000);
select tick_id, tick_time = '2020-01-01 00:00:00+00' as given_time, tick_event_seq from pgq.tick where tick_queue = 2 order by tick_id;
select pgq.seq_getval('pgq.event_2_tick_seq') as tick_seq, pgq.seq_getval('pgq.event_2_id_seq') as event_seq;
-- sequences never move back
select pgq.ticker('tq2', 101, '2020-01-01 00:00:01+00', 10);
select pgq.seq_getval('pgq.event_2_id_seq') as event_seq;
select pgq.ticker('tq', 100, now(), 10);
select pgq.ticker('nonexistent', 100, now(), 10);
select pgq.ticker('nonexistent');
select pgq.force_tick('nonexistent');
select last_tick_id from pgq.get_queue_info('tq2');
-- A fresh queue's very first event counts as new: the event sequence's
-- last_value reads 1 both before and after the first nextval(), so the tick
-- records how many ids were handed out (0 here), not last_value.
select pgq.create_queue('firstev');
select pgq.set_queue_config('firstev', 'ticker_max_lag', '0');
select pgq.set_queue_config('firstev', 'ticker_idle_period', '1 hour');
select tick_event_seq from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
 where q.queue_name = 'firstev';
select ev_new from pgq.get_queue_info('firstev');
select pgq.insert_event('firstev', 'first', 'one');
select ev_new from pgq.get_queue_info('firstev');
select pgq.ticker('firstev') is not null as ticked_for_first_event;
select tick_event_seq from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
 where q.queue_name = 'firstev' order by tick_id;
