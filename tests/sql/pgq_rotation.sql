-- pgq_rotation: two-step table rotation never truncates a table that an
-- unfinished consumer still needs; nothing is lost.
-- ctest: run alone (rotation waits for the cluster-wide snapshot xmin)
\set VERBOSITY terse
select pgq.create_queue('rq');
update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0', queue_rotation_period = '0';
select pgq.register_consumer('rq', 'slow');
select pgq.register_consumer('rq', 'fast');
create temp table got (consumer text, ev_data text);
-- consume one batch (one tick) and log its events
create function pg_temp.consume(c text) returns text as $$
declare b int8; n int;
begin
    b := pgq.next_batch('rq', c);
    if b is null then return 'no batch'; end if;
    insert into got select c, ev_data from pgq.get_batch_events(b);
    get diagnostics n = row_count;
    perform pgq.finish_batch(b);
    return n::text || ' events';
end $$ language plpgsql;
create function pg_temp.state() returns text as $$
    select 'cur=' || queue_cur_table || ' step2_pending=' || (queue_switch_step2 is null)
      from pgq.queue where queue_name = 'rq';
$$ language sql;

-- both consumers still on tick 1 (taken in the creating transaction):
-- rotation is due but must wait
select * from pgq.maint_operations();
select pgq.maint_rotate_tables_step1('rq'), pg_temp.state();

-- events A go to table 0
select count(pgq.insert_event('rq', 'ev', 'A' || i)) from generate_series(1, 3) i;
select pgq.ticker('rq') as tick;
select pg_temp.consume('slow'), pg_temp.consume('fast');

-- rotation 0 -> 1: step1 (returns 0), step2 in a later transaction
select pgq.maint_rotate_tables_step1('rq'), pg_temp.state();
select * from pgq.maint_operations();
select pgq.maint_rotate_tables_step2(), pg_temp.state();
select pgq.current_event_table('rq');

-- events B go to table 1; only 'fast' reads them
select count(pgq.insert_event('rq', 'ev', 'B' || i)) from generate_series(1, 3) i;
select pgq.ticker('rq') as tick;
select pg_temp.consume('fast');

-- 'slow' is still before the switch: no rotation
select pgq.maint_rotate_tables_step1('rq'), pg_temp.state();
select pg_temp.consume('slow');

-- now everyone is past the switch: 1 -> 2
select pgq.maint_rotate_tables_step1('rq'), pg_temp.state();
select pgq.maint_rotate_tables_step2(), pg_temp.state();
select pgq.insert_event('rq', 'ev', 'C1') > 0 as ins;
select pgq.ticker('rq') as tick;
select pg_temp.consume('slow'), pg_temp.consume('fast');

-- 2 -> 0 truncates table 0 (events A, consumed long ago)
select count(*) as table0_rows from pgq.event_1_0;
select pgq.maint_rotate_tables_step1('rq'), pg_temp.state();
select pgq.maint_rotate_tables_step2(), pg_temp.state();
select count(*) as table0_rows from pgq.event_1_0;
select pgq.insert_event('rq', 'ev', 'D1') > 0 as ins;
select pgq.ticker('rq') as tick;
select pg_temp.consume('slow'), pg_temp.consume('fast');

-- nothing lost, nothing twice
select consumer, array_agg(ev_data order by ev_data) from got group by 1 order by 1;

-- old ticks are cleaned, the consumers' ticks are kept
select count(*) > 0 as ticks_left,
       (select min(sub_last_tick) from pgq.subscription) >= min(tick_id) as consumer_ticks_kept,
       min(tick_id) > 1 as old_ticks_removed
  from pgq.tick;

-- a locked next table is skipped quietly (no error, no switch)
begin;
lock table pgq.event_1_1 in access share mode;
prepare transaction 'pgq_rot_lock';
select pgq.maint_rotate_tables_step1('rq'), pg_temp.state();
rollback prepared 'pgq_rot_lock';
select pgq.maint_rotate_tables_step1('rq'), pg_temp.state();
select pgq.maint_rotate_tables_step2(), pg_temp.state();

-- not due / unknown queue
update pgq.queue set queue_rotation_period = '1 day';
select pgq.maint_rotate_tables_step1('rq'), pg_temp.state();
select * from pgq.maint_operations();
select pgq.maint_rotate_tables_step1('nonexistent');

-- maint_operations lists extra maintenance functions after rotation
update pgq.queue set queue_extra_maint = array['baz', 'foo.bar'], queue_rotation_period = '0';
select * from pgq.maint_operations();
