-- pgq_batch_concurrency: next_batch for one consumer from two sessions.
-- next_batch_custom locks the subscription row; a second caller waits for
-- the first one's transaction and must then act on the row as committed:
-- return the batch the first caller opened (never open a second one), or,
-- after a concurrent finish_batch, open the next batch from the new last
-- tick.  It must not report "PgQ corruption" for ticks it read before the
-- lock wait.
--
-- The second session is a background psql (\!) that blocks on the row lock
-- this session holds; its output goes to a file (renamed into place when
-- psql has exited) that is shown after this session commits.
\set VERBOSITY terse
select pgq.create_queue('cq');
update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0';
select pgq.register_consumer('cq', 'c1');
select pgq.insert_event('cq', 'ev', 'a');
select pgq.ticker('cq') as tick;

select current_database() as db \gset
\setenv PGDATABASE :db

-- waits until another backend of this database is blocked by this session
create function pg_temp.wait_blocked() returns boolean as $$
begin
    for i in 1..600 loop
        perform pg_catalog.pg_stat_clear_snapshot();
        if exists (select 1 from pg_catalog.pg_stat_activity
                    where datname = current_database()
                      and pg_catalog.pg_backend_pid() = any (pg_catalog.pg_blocking_pids(pid))) then
            return true;
        end if;
        perform pg_catalog.pg_sleep(0.05);
    end loop;
    return false;
end;
$$ language plpgsql;

-- 1. both sessions ask for a batch while none is open: one batch (1 -> 2)
begin;
select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_info('cq', 'c1');
\! rm -f "/tmp/pgq_batch_concurrency.$PGPORT.out"; (psql -X -q -At -v VERBOSITY=terse -c "select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_info('cq', 'c1')" > "/tmp/pgq_batch_concurrency.$PGPORT.tmp" 2>&1; mv "/tmp/pgq_batch_concurrency.$PGPORT.tmp" "/tmp/pgq_batch_concurrency.$PGPORT.out") &
select pg_temp.wait_blocked() as blocked;
commit;
\! for i in $(seq 1 300); do [ -e "/tmp/pgq_batch_concurrency.$PGPORT.out" ] && break; sleep 0.1; done; cat "/tmp/pgq_batch_concurrency.$PGPORT.out"
-- still batch 1, no second batch id was taken
select sub_batch, sub_last_tick, sub_next_tick from pgq.subscription;
select last_value from pgq.batch_id_seq;
select ev_type, ev_data from pgq.get_batch_events(1);

-- 2. finish_batch in one session, next_batch in the other: the waiter
-- opens batch 2 from tick 2 (the tick batch 1 ended at)
select pgq.insert_event('cq', 'ev', 'b');
select pgq.ticker('cq') as tick;
begin;
select pgq.finish_batch(1);
\! rm -f "/tmp/pgq_batch_concurrency.$PGPORT.out"; (psql -X -q -At -v VERBOSITY=terse -c "select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_info('cq', 'c1')" > "/tmp/pgq_batch_concurrency.$PGPORT.tmp" 2>&1; mv "/tmp/pgq_batch_concurrency.$PGPORT.tmp" "/tmp/pgq_batch_concurrency.$PGPORT.out") &
select pg_temp.wait_blocked() as blocked;
commit;
\! for i in $(seq 1 300); do [ -e "/tmp/pgq_batch_concurrency.$PGPORT.out" ] && break; sleep 0.1; done; cat "/tmp/pgq_batch_concurrency.$PGPORT.out"
select sub_batch, sub_last_tick, sub_next_tick from pgq.subscription;
select ev_type, ev_data from pgq.get_batch_events(2);
select pgq.finish_batch(2);

-- 3. the same with batch collection (next_batch_custom with min_count goes
-- through find_tick_helper) while the other session opens a batch
select pgq.insert_event('cq', 'ev', 'c');
select pgq.ticker('cq') as tick;
begin;
select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_custom('cq', 'c1', NULL, NULL, NULL);
\! rm -f "/tmp/pgq_batch_concurrency.$PGPORT.out"; (psql -X -q -At -v VERBOSITY=terse -c "select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_custom('cq', 'c1', '0', 1, '0')" > "/tmp/pgq_batch_concurrency.$PGPORT.tmp" 2>&1; mv "/tmp/pgq_batch_concurrency.$PGPORT.tmp" "/tmp/pgq_batch_concurrency.$PGPORT.out") &
select pg_temp.wait_blocked() as blocked;
commit;
\! for i in $(seq 1 300); do [ -e "/tmp/pgq_batch_concurrency.$PGPORT.out" ] && break; sleep 0.1; done; cat "/tmp/pgq_batch_concurrency.$PGPORT.out"
select sub_batch, sub_last_tick, sub_next_tick from pgq.subscription;
select last_value from pgq.batch_id_seq;
select ev_type, ev_data from pgq.get_batch_events(3);
select pgq.finish_batch(3);

\! rm -f "/tmp/pgq_batch_concurrency.$PGPORT.out"
