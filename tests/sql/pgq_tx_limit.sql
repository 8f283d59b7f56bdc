-- pgq_tx_limit: queue_per_tx_limit holds against the producer itself.
-- The count of a transaction's events is kept where only the schema owner
-- writes, so a producer cannot reset it; like the C extension, the insert
-- that would exceed the limit fails (and still draws its event id).
\set VERBOSITY terse
create role pgq_limit_writer login in role pgq_writer;
select pgq.create_queue('lq');
select pgq.create_queue('free');
update pgq.queue set queue_per_tx_limit = 2 where queue_name = 'lq';

set role pgq_limit_writer;
begin;
select pgq.insert_event('lq', 't', '1');
select pgq.insert_event('lq', 't', '2');
-- the setting that used to hold the count, and any other the writer can set
select set_config('pgq.tx_event_count_1', '-1000000', true);
select set_config('pgq.tx_event_count', '-1000000', true);
select pgq.insert_event('lq', 't', '3');
rollback;
-- the count itself is out of reach
select * from pgq.tx_event_count;
insert into pgq.tx_event_count values (txid_current(), 1, -1000000);
delete from pgq.tx_event_count;
select pgq._tx_event_count_cleanup();
-- ids 1, 2 and the refused 3 were drawn
select pgq.seq_getval('pgq.event_1_id_seq');

-- a savepoint rolled back takes its events and their count with it
begin;
select pgq.insert_event('lq', 't', 'a');
savepoint s;
select pgq.insert_event('lq', 't', 'b');
rollback to savepoint s;
select pgq.insert_event('lq', 't', 'b again');
commit;
reset role;
select ev_id, ev_data from pgq.event_1 order by ev_id;
set role pgq_limit_writer;

-- each transaction and each queue counts on its own
begin;
select pgq.insert_event('lq', 't', 'x1');
select pgq.insert_event('lq', 't', 'x2');
select count(pgq.insert_event('free', 't', 'y')) from generate_series(1, 5);
commit;
begin;
select count(pgq.insert_event('lq', 't', 'z')) from generate_series(1, 2);
commit;
reset role;

-- insert_event_raw (pgq_admin; also the retry mover) counts too
begin;
select pgq.insert_event_raw('lq', null, null, null, null, 't', 'r1', null, null, null, null);
select pgq.insert_event('lq', 't', 'r2');
select pgq.insert_event_raw('lq', 99, null, null, null, 't', 'r3', null, null, null, null);
rollback;

-- a prepared transaction keeps its count; the next one in the session
-- counts from zero and does not wait for it
begin;
select pgq.insert_event('lq', 't', 'p1');
prepare transaction 'pgq_tx_limit_test';
begin;
select pgq.insert_event('lq', 't', 'after prepare 1');
select pgq.insert_event('lq', 't', 'after prepare 2');
commit;
commit prepared 'pgq_tx_limit_test';

-- rows of ended transactions are cleared (now and then, by a producer);
-- those of the still open ones stay
select count(*) > 0 as rows_of_ended_transactions from pgq.tx_event_count;
begin isolation level repeatable read;
select pgq._tx_event_count_cleanup();
select count(*) as rows_left_that_could_go from pgq.tx_event_count
 where tx_id < txid_snapshot_xmin(txid_current_snapshot());
commit;
-- queues without a limit never touch the table
truncate pgq.tx_event_count;
select count(pgq.insert_event('free', 't', 'n')) from generate_series(1, 10);
select count(*) as rows_for_unlimited from pgq.tx_event_count;
-- a limit of 0 refuses every insert
update pgq.queue set queue_per_tx_limit = 0 where queue_name = 'lq';
select pgq.insert_event('lq', 't', 'zero');

drop owned by pgq_limit_writer;
drop role pgq_limit_writer;
