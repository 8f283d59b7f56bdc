-- pgq_perms: reader / writer / admin / unprivileged roles.
-- Roles are cluster-wide: unique names, dropped at the end.
\set VERBOSITY terse
create role pgq_test_admin login in role pgq_admin;
create role pgq_test_writer login in role pgq_writer;
create role pgq_test_reader login in role pgq_reader;
create role pgq_test_nobody login;

-- admin creates and configures
set role pgq_test_admin;
select pgq.create_queue('permq');
select pgq.set_queue_config('permq', 'ticker_max_lag', '0');
update pgq.queue set queue_ticker_idle_period = '0' where queue_name = 'permq';
select pgq.insert_event_raw('permq', NULL, NULL, NULL, NULL, 'admin', 'raw', NULL, NULL, NULL, NULL);
reset role;

-- writer produces, but cannot consume, administer or write tables
set role pgq_test_writer;
select pgq.insert_event('permq', 'w', 'from writer');
select pgq.insert_event('permq', 'w', 'from writer', 'e1', 'e2', 'e3', 'e4');
select pgq.current_event_table('permq');
select pgq.create_queue('w_queue');
select pgq.register_consumer('permq', 'w');
select pgq.insert_event_raw('permq', NULL, NULL, NULL, NULL, 'w', 'raw', NULL, NULL, NULL, NULL);
select pgq.ticker();
insert into pgq.event_1_0 (ev_id, ev_time) values (1, now());
select count(*) from pgq.event_1_0;
update pgq.queue set queue_disable_insert = true;
reset role;

-- reader consumes, but cannot produce or administer
set role pgq_test_reader;
select pgq.register_consumer('permq', 'r');
select pgq.insert_event('permq', 'r', 'from reader');
select pgq.create_queue('r_queue');
select pgq.ticker('permq');
reset role;
set role pgq_test_admin;
select pgq.ticker('permq') is not null as ticked;
reset role;
set role pgq_test_reader;
select pgq.next_batch('permq', 'r') is not null as got_batch;
reset role;
set role pgq_test_writer;
select pgq.insert_event('permq', 'w', 'second');
reset role;
set role pgq_test_admin;
select pgq.ticker('permq') is not null as ticked;
reset role;
set role pgq_test_reader;
select pgq.next_batch('permq', 'r');
select ev_type, ev_data from pgq.get_batch_events(1);
select count(*) from pgq.get_batch_cursor(1, 'cur', 10);
select queue_name from pgq.get_batch_info(1);
select pgq.event_retry(1, 2, 0);
select pgq.batch_retry(1, 0);
select pgq.finish_batch(1);
select pgq.force_tick('permq') is not null as forced;
select count(*) from pgq.event_1_0;
select count(*) from pgq.retry_queue;
delete from pgq.subscription;
select pgq.unregister_consumer('permq', 'r');
reset role;

-- unprivileged: info only
set role pgq_test_nobody;
select pgq.version();
select queue_name from pgq.get_queue_info();
select queue_name, consumer_name from pgq.get_consumer_info();
select pgq.seq_getval('pgq.event_1_id_seq') > 0 as seq_ok;
select pgq.quote_fqname('a.b');
select queue_name from pgq.queue;
select pgq.insert_event('permq', 'x', 'y');
select pgq.register_consumer('permq', 'x');
select pgq.next_batch('permq', 'x');
select pgq.create_queue('x');
select pgq.ticker();
select pgq.maint_retry_events();
select pgq.seq_setval('pgq.event_1_id_seq', 1);
select count(*) from pgq.event_1;
select count(*) from pgq.retry_queue;
insert into pgq.queue (queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq) values ('x', 'x', 'x', 'x');
select pgq.batch_event_sql(1);
select pgq.insert_event_raw('permq', NULL, NULL, NULL, NULL, 'x', 'raw', NULL, NULL, NULL, NULL);
select pgq.event_retry_raw('permq', 'x', now(), 1, now(), 0, 'x', 'x', NULL, NULL, NULL, NULL);
reset role;

-- admin maintenance works without superuser
set role pgq_test_admin;
select pgq.maint_retry_events();
select count(*) >= 0 as ok from pgq.maint_operations();
select pgq.maint_rotate_tables_step2();
select pgq.drop_queue('permq', true);
reset role;

drop owned by pgq_test_admin, pgq_test_writer, pgq_test_reader, pgq_test_nobody;
drop role pgq_test_admin;
drop role pgq_test_writer;
drop role pgq_test_reader;
drop role pgq_test_nobody;
