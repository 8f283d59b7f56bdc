-- pgq_maint_ops: maint_operations' list and order (with stand-ins for
-- pgq_node and londiste), rotation step1/step2 guards, ticker state checks
-- and warnings, ticker() staying read-only when nothing is due.
\set VERBOSITY terse
select pgq.create_queue('qb');
select pgq.create_queue('qa');
select pgq.create_queue('qc');

-- ticker() that finds nothing due stays a read-only transaction
select pgq.ticker() as first_round;
begin;
select pgq.ticker() as nothing_due;
select pg_catalog.txid_current_if_assigned() is null as no_txid_used;
commit;

-- nothing due right after creation
select * from pgq.maint_operations();

-- all due: step1 per queue by name, then step2
update pgq.queue set queue_rotation_period = '0';
select * from pgq.maint_operations();

-- extra maintenance: by queue name, then array order (NULL elements kept,
-- empty arrays and arrays not starting at 1 are fine)
update pgq.queue set queue_extra_maint = '{}' where queue_name = 'qa';
update pgq.queue set queue_extra_maint = array['x.one', NULL, 'two'] where queue_name = 'qc';
update pgq.queue set queue_extra_maint = array['b1'] where queue_name = 'qb';
select * from pgq.maint_operations();
update pgq.queue set queue_extra_maint = '[0:1]={z0,z1}' where queue_name = 'qa';
select * from pgq.maint_operations();
update pgq.queue set queue_extra_maint = null, queue_rotation_period = '1 day';

-- stand-ins for pgq_node and londiste: their jobs come last, and only
-- when both the function and the tables it needs exist
create schema pgq_node;
create table pgq_node.node_info (queue_name text primary key, node_type text);
insert into pgq_node.node_info values ('qc', 'root'), ('qa', 'root'), ('qb', 'leaf');
select * from pgq.maint_operations();
create function pgq_node.maint_watermark(text) returns int language sql as 'select 0';
select * from pgq.maint_operations();
create schema londiste;
create function londiste.root_check_seqs(text) returns int language sql as 'select 0';
create function londiste.periodic_maintenance() returns int language sql as 'select 0';
select * from pgq.maint_operations();
create table londiste.seq_info (queue_name text, seq_name text, local boolean);
insert into londiste.seq_info values ('qc', 's1', true), ('qc', 's2', true), ('qa', 's3', false), ('qb', 's4', true);
select * from pgq.maint_operations();
drop schema londiste cascade;
drop schema pgq_node cascade;

-- step2 in the same transaction as step1 would record step1's own txid,
-- which proves nothing: it waits for a later transaction
update pgq.queue set queue_rotation_period = '0' where queue_name = 'qa';
begin;
select pgq.maint_rotate_tables_step1('qa');
select pgq.maint_rotate_tables_step2();
select queue_cur_table, queue_switch_step2 is null as step2_pending from pgq.queue where queue_name = 'qa';
commit;
select pgq.maint_rotate_tables_step2();
select queue_cur_table, queue_switch_step2 > queue_switch_step1 as step2_after_step1
  from pgq.queue where queue_name = 'qa';

-- step1 truncates the queue's own next table, whatever queue_data_pfx says
create table public.precious_2 (ev_id bigint);
insert into public.precious_2 values (1);
update pgq.queue set queue_data_pfx = 'public.precious' where queue_name = 'qa';
select pgq.maint_rotate_tables_step1('qa');
select count(*) as still_there from public.precious_2;
update pgq.queue set queue_data_pfx = 'pgq.event_2' where queue_name = 'qa';
select pgq.maint_rotate_tables_step1('qa');
select queue_cur_table from pgq.queue where queue_name = 'qa';

-- ticker(queue) sanity checks on the last tick
select pgq.create_queue('qw');
update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0' where queue_name = 'qw';
-- the last tick counts more events than the sequence handed out: warn, but
-- tick (idle, and idle_period 0 makes it due)
insert into pgq.tick (tick_queue, tick_id, tick_event_seq) values (4, 100, 1000);
select pgq.ticker('qw') is not null as ticked;
-- the last tick lies in the future: warn (and idle back-off declines)
insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)
values (4, 1000, '2999-01-01 00:00:00+00', 0);
select pgq.ticker('qw') is not null as ticked;
-- the last tick's snapshot lies in the future: the txid counter went back
insert into pgq.tick (tick_queue, tick_id, tick_event_seq, tick_snapshot)
values (4, 2000, 0, '9999999999:9999999999:');
do $$
begin
    perform pgq.ticker('qw');
exception when others then
    raise notice '% %', sqlstate, regexp_replace(sqlerrm, 'cur txid=[0-9]+', 'cur txid=N');
end $$;
