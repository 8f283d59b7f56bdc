-- pgq_hostile: hostile queue and consumer names are stored and used
-- exactly; no name ever executes SQL (canary table must survive).
\set VERBOSITY terse
create table public.canary (x int);
insert into public.canary values (1);
create temp table names (n text);
insert into names values
    ($$q'uote$$), ($$x'); drop table public.canary; --$$), ('semi;colon'),
    ('with space'), ('"dq"'), (repeat('L', 200)), ('ünï©ødé ☃'),
    (''), ('back\slash'), ($$$$ || '$$' || $$; drop table public.canary; $$ || '$$'), ('pgq.event_1_0'),
    (E'new\nline');

select count(pgq.create_queue(n)) as created from names;
select count(*) as stored_exactly from pgq.queue q join names on q.queue_name = n;
-- the names go into the generated producer functions' NOTIFY payloads
select count(pgq.set_queue_config(n, 'ticker_notify', 'on')) as notifying from names;
-- a NOTIFY payload stops at 8000 bytes: such a name cannot have wake-ups
select pgq.create_queue(repeat('N', 8000));
select pgq.set_queue_config(repeat('N', 8000), 'ticker_notify', 'on');
select queue_ticker_notify from pgq.queue where queue_name = repeat('N', 8000);
select pgq.drop_queue(repeat('N', 8000));
select count(*) as notify_literals from names
 where strpos(pg_get_functiondef('pgq.insert_event(text,text,text)'::regprocedure),
              quote_literal(n)) > 0;
select count(pgq.register_consumer(n, n)) as registered from names;
select count(*) as consumers from pgq.consumer c join names on c.co_name = n;
select count(pgq.insert_event(n, n, n, n, n, n, n)) as inserted from names;
update pgq.queue set queue_ticker_max_lag = '0';
select pgq.ticker() as ticked_queues;
-- each consumer gets back exactly its own name in every field
select count(*) as round_trips
  from names,
       lateral pgq.next_batch(n, n) b,
       lateral pgq.get_batch_events(b) e
 where e.ev_type = n and e.ev_data = n and e.ev_extra1 = n and e.ev_extra4 = n;
select count(*) as batch_infos from names, lateral pgq.get_batch_info(pgq.next_batch(n, n)) i
 where i.queue_name = n and i.consumer_name = n;
select count(pgq.event_retry(pgq.next_batch(n, n), 1::bigint, 0)) from names;
select count(pgq.finish_batch(pgq.next_batch(n, n))) as finished from names;
select count(*) from names, lateral pgq.get_consumer_info(n, n);
select count(*) from names, lateral pgq.get_queue_info(n);
select count(pgq.set_queue_config(n, 'ticker_max_count', '10')) from names;
select count(pgq.current_event_table(n)) from names;
select count(pgq.force_tick(n)) from names;
-- hostile parameter names and values are rejected / quoted
select pgq.set_queue_config('with space', 'ticker_max_count = 1; drop table public.canary; --', '1');
select pgq.set_queue_config('with space', 'ticker_max_lag', $$1'; drop table public.canary; --$$);
select pgq.maint_rotate_tables_step1(n) from names limit 1;
-- cursor names are identifiers, quoted
select pgq.insert_event('with space', 'c', 'd') > 0 as ins;
select pgq.ticker('with space') > 0 as ticked;
begin;
select pgq.next_batch('with space', 'with space') is not null as has_batch;
select count(*) from pgq.get_batch_cursor(pgq.next_batch('with space', 'with space'), $$c"; drop table public.canary; --$$, 10);
close "c""; drop table public.canary; --";
commit;
select count(pgq.unregister_consumer(n, n)) as unregistered from names;
select count(pgq.drop_queue(n)) as dropped from names;
select count(*) as queues_left from pgq.queue;
select * from public.canary;
-- NULL names
select pgq.create_queue(NULL);
select pgq.register_consumer('x', NULL);
select pgq.insert_event(NULL, 't', 'd');
drop table public.canary;
