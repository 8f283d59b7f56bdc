-- pgq_batch_collect: batch collection (next_batch_custom with i_min_count /
-- i_min_interval, through find_tick_helper) on hand-made ticks.  The rule,
-- checked against PgQ 3.5 itself: the newest tick is the batch end when it
-- reaches a threshold, unless it lies beyond a threshold by more than the
-- threshold itself; then the earliest tick that reaches a threshold is.
-- NULLs when the newest tick reaches no threshold.
\set VERBOSITY terse
select pgq.create_queue('colq');
select queue_id as qid from pgq.queue where queue_name = 'colq' \gset
select pgq.register_consumer('colq', 'c');
-- tick 1 (the consumer's position) at seq 0, then ticks 2..6:
--   tick  seq  time
--     1     0  +0s
--     2     5  +1s
--     3    10  +2s
--     4    10  +10s
--     5    30  +11s
--     6    40  +12s
update pgq.tick set tick_time = '2020-01-01 00:00:00+00', tick_event_seq = 0
 where tick_queue = :qid and tick_id = 1;
insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)
select :qid, t, '2020-01-01 00:00:00+00'::timestamptz + s * interval '1 second', seq
  from (values (2, 1, 5), (3, 2, 10), (4, 10, 10), (5, 11, 30), (6, 12, 40)) v(t, s, seq);

-- all ticks (newest: tick 6, 40 events, 12 s)
select c as min_count, i as min_interval, h.*
  from (values (20::int8, null::interval),   -- 40 = 2 x 20: newest
               (21, null),                   -- reached, within 2x: newest
               (19, null),                   -- 40 > 2 x 19: earliest with >= 19 (tick 5)
               (41, null),                   -- not reached: NULLs
               (null, '6 seconds'),          -- 12 s = 2 x 6 s: newest
               (null, '5 seconds'),          -- 12 s > 10 s: earliest with >= 5 s (tick 4)
               (null, '13 seconds'),         -- not reached: NULLs
               (25, '5 seconds'),            -- count within 2x, time too far: earliest with either (tick 4)
               (5, '7 seconds'),             -- count too far: earliest with either (tick 2)
               (41, '7 seconds'),            -- count not reached, time within 2x: newest
               (0, null),                    -- 40 > 2 x 0: earliest with >= 0 (tick 2)
               (null, '0'),                  -- likewise
               (-10, null),                  -- 40 > 2 x -10: earliest with >= -10 (tick 2)
               (null, null)) v(c, i),
       pgq.find_tick_helper(:qid, 1, '2020-01-01 00:00:00+00', 0, v.c, v.i) h;

-- a later start and NULL inputs
select * from pgq.find_tick_helper(:qid, 3, '2020-01-01 00:00:02+00', 10, 15, null);
select * from pgq.find_tick_helper(:qid, 6, '2020-01-01 00:00:12+00', 40, 1, null);
select * from pgq.find_tick_helper(:qid, 1, null, 0, null, '1 second');
select * from pgq.find_tick_helper(:qid, 1, '2020-01-01 00:00:00+00', null, 5, null);
select * from pgq.find_tick_helper(:qid, 1, null, null, 5, '1 second');
select * from pgq.find_tick_helper(:qid, null, '2020-01-01 00:00:00+00', 0, 5, null);

-- next_batch_custom uses the same rule; an open batch is returned as it is
select batch_id is not null as opened, prev_tick_id, cur_tick_id, cur_tick_event_seq - prev_tick_event_seq as events
  from pgq.next_batch_custom('colq', 'c', null, 19, null);
select prev_tick_id, cur_tick_id from pgq.next_batch_custom('colq', 'c', null, 1000, null);
select pgq.finish_batch(batch_id) from pgq.next_batch_info('colq', 'c');
-- from tick 5: tick 6 (10 events) reaches 10, within 2x
select prev_tick_id, cur_tick_id from pgq.next_batch_custom('colq', 'c', null, 10, null);
select pgq.finish_batch(batch_id) from pgq.next_batch_info('colq', 'c');
-- at the newest tick: no batch, one row of NULLs
select * from pgq.next_batch_custom('colq', 'c', null, 1, '1 second');
-- i_min_lag: the hand-made ticks are old enough, a fresh one is not
insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq) values (:qid, 7, now(), 41);
select batch_id from pgq.next_batch_custom('colq', 'c', '1 hour', null, null);
select cur_tick_id from pgq.next_batch_custom('colq', 'c', '0', null, null);
