-- pgq_register_info: consumer registration (register_consumer[_at],
-- unregister_consumer with pgq_coop subconsumer groups), the information
-- functions at fixed times, the sequence and grant utilities, and the
-- shared lookup helpers pgq._find_queue, pgq._find_subscription and
-- pgq._lock_consumer.
-- Results were compared with the pgq 3.5 extension; where ours differs
-- (ev_new / pending_events count handed-out sequence ids) it says so.
\set VERBOSITY terse

select pgq.create_queue('rq1'), pgq.create_queue('rq2'), pgq.create_queue('rq_noticks');
delete from pgq.tick where tick_queue = (select queue_id from pgq.queue where queue_name = 'rq_noticks');

-- register: 1 new, 0 already; errors in PgQ's order (queue, consumer, tick)
select pgq.register_consumer('rq1', 'c1');
select pgq.register_consumer('rq1', 'c1');
select pgq.register_consumer('nope', 'c1');
select pgq.register_consumer(NULL, 'c1');
select pgq.register_consumer_at('nope', 'c2', 999);
select pgq.register_consumer_at('rq1', NULL, 999);
select pgq.register_consumer_at('rq1', 'c2', 999);
select pgq.register_consumer_at('rq2', 'c2', 999);
select pgq.register_consumer('rq_noticks', 'c1');
select pgq.register_consumer_at('rq_noticks', 'c1', 1);
-- failed registrations leave no consumer behind
select co_id, co_name from pgq.consumer order by co_id;

-- register_consumer_at: new at a given tick, then moved
select pgq.insert_event('rq1', 't', 'e1'), pgq.insert_event('rq1', 't', 'e2');
select pgq.ticker('rq1', 2, now(), 2);  -- not external: refused
update pgq.queue set queue_ticker_max_count = 1 where queue_name = 'rq1';
select pgq.ticker('rq1');
select pgq.register_consumer_at('rq1', 'c2', 1);
select pgq.next_batch('rq1', 'c2') as batch_c2 \gset
select sub_last_tick, sub_next_tick, sub_batch = :batch_c2 as open_batch
  from pgq.subscription where sub_consumer = (select co_id from pgq.consumer where co_name = 'c2');
begin;
update pgq.subscription set sub_active = now() - interval '1 hour';
-- already registered, no position: nothing changes
select pgq.register_consumer_at('rq1', 'c2', NULL);
select sub_last_tick, sub_next_tick, sub_batch is not null as open_batch, sub_active = now() as touched
  from pgq.subscription where sub_consumer = (select co_id from pgq.consumer where co_name = 'c2');
-- repositioned: the open batch is dropped, the consumer counts as seen
select pgq.register_consumer_at('rq1', 'c2', 2);
select sub_last_tick, sub_next_tick, sub_batch, sub_active = now() as touched
  from pgq.subscription where sub_consumer = (select co_id from pgq.consumer where co_name = 'c2');
commit;
-- a tick id of another queue does not count
select pgq.register_consumer_at('rq2', 'c2', 2);
select pgq.register_consumer_at('rq2', 'c2', 1);
select c.co_name, q.queue_name, s.sub_last_tick
  from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
  join pgq.queue q on q.queue_id = s.sub_queue order by 1, 2;

-- get_consumer_info at fixed times: ticks 1 and 2 of rq1 are 60 s and 30 s old
begin;
update pgq.tick set tick_time = now() - (90 - 30 * tick_id) * interval '1 second';
update pgq.subscription set sub_active = now() - sub_consumer * interval '1 minute';
select * from pgq.get_consumer_info();
select * from pgq.get_consumer_info('rq1');
select * from pgq.get_consumer_info(NULL, 'c2');
select * from pgq.get_consumer_info('rq2', 'c2');
select * from pgq.get_consumer_info('nope');
-- no tick at the consumer's position: no lag, nothing pending
delete from pgq.tick where tick_queue = (select queue_id from pgq.queue where queue_name = 'rq2');
select consumer_name, lag, last_tick, pending_events from pgq.get_consumer_info('rq2');
rollback;

-- get_batch_info: an open batch, then an unknown one (one row of NULLs)
select pgq.next_batch('rq1', 'c1') as batch_c1 \gset
begin;
update pgq.tick set tick_time = now() - (90 - 30 * tick_id) * interval '1 second';
select queue_name, consumer_name, now() - batch_start as start_age, now() - batch_end as end_age,
       prev_tick_id, tick_id, lag, seq_start, seq_end
  from pgq.get_batch_info(:batch_c1);
rollback;
select * from pgq.get_batch_info(-1);
select * from pgq.get_batch_info(NULL);
select pgq.finish_batch(:batch_c1);
select * from pgq.get_batch_info(:batch_c1);

-- get_queue_info: 31 ticks, 2 events each, tick n at (31 - n)^2 s ago.
-- ev_per_sec uses the last 21 tick ids (40 events in 400 s); ev_new counts
-- ids handed out after the latest tick (the extension counts one less while
-- a queue's first tick is its latest).
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '0'
 where queue_name = 'rq2';
do $$
begin
    for i in 1..30 loop
        perform pgq.insert_event('rq2', 't', 'x');
        perform pgq.insert_event('rq2', 't', 'x');
        perform pgq.ticker('rq2');
    end loop;
end
$$;
select pgq.insert_event('rq2', 't', 'pending');
begin;
update pgq.tick set tick_time = now() - (31 - tick_id) ^ 2 * interval '1 second'
 where tick_queue = (select queue_id from pgq.queue where queue_name = 'rq2');
select queue_name, ticker_lag, ev_per_sec, ev_new, last_tick_id from pgq.get_queue_info('rq2');
-- missing tick ids: the window starts at the first id >= latest-20
-- (16 here: 30 events in 225 s)
delete from pgq.tick where tick_id between 5 and 15
   and tick_queue = (select queue_id from pgq.queue where queue_name = 'rq2');
select ev_per_sec from pgq.get_queue_info('rq2');
-- all ticks at one time: no rate
update pgq.tick set tick_time = now();
select ev_per_sec from pgq.get_queue_info('rq2');
-- every queue, by name; a queue without ticks has no ticker state
select queue_name, ticker_lag, ev_per_sec, ev_new, last_tick_id from pgq.get_queue_info();
select count(*) from pgq.get_queue_info(NULL);
select count(*) from pgq.get_queue_info('nope');
rollback;

-- unregister: 0 when not subscribed; the consumer row lives while used
select pgq.unregister_consumer('rq1', 'nope'), pgq.unregister_consumer('nope', 'c1'),
       pgq.unregister_consumer(NULL, 'c1'), pgq.unregister_consumer('rq1', NULL);
select pgq.event_retry_raw('rq1', 'c2', now(), 100, now(), 0, 't', 'd', NULL, NULL, NULL, NULL);
select pgq.event_retry_raw('rq2', 'c2', now(), 101, now(), 0, 't', 'd', NULL, NULL, NULL, NULL);
select pgq.unregister_consumer('rq1', 'c2');
select pgq.unregister_consumer('rq1', 'c2');
select ev_id from pgq.retry_queue order by 1;
select co_name from pgq.consumer order by 1;
select pgq.unregister_consumer('rq2', 'c2');
select ev_id from pgq.retry_queue order by 1;
select co_name from pgq.consumer order by 1;

-- pgq_coop groups: subconsumers 'm.sN' share the main consumer's sub_id.
create function pg_temp.add_subconsumers(i_main text, variadic i_names text[]) returns void as $$
    insert into pgq.consumer (co_name)
        select n from unnest(i_names) n
         where not exists (select from pgq.consumer where co_name = n);
    insert into pgq.subscription (sub_id, sub_queue, sub_consumer)
        select s.sub_id, s.sub_queue, c.co_id
          from pgq.subscription s
          join pgq.consumer m on m.co_id = s.sub_consumer and m.co_name = i_main
          join pgq.consumer c on c.co_name = any (i_names);
$$ language sql;
create view pg_temp.members as
    select c.co_name, s.sub_id = min(s.sub_id) over () as same_group,
           s.sub_last_tick, s.sub_next_tick
      from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
     where c.co_name like 'm%' and s.sub_queue = (select queue_id from pgq.queue where queue_name = 'rq1')
     order by 1;
select pgq.register_consumer('rq1', 'm');
select pg_temp.add_subconsumers('m', 'm.s1', 'm.s2', 'm.s3');
-- m.s2 holds a batch (both ticks set); m.s3 only a position, like a main
update pgq.subscription set sub_last_tick = 1, sub_next_tick = 2
 where sub_consumer = (select co_id from pgq.consumer where co_name = 'm.s2');
update pgq.subscription set sub_last_tick = 1
 where sub_consumer = (select co_id from pgq.consumer where co_name = 'm.s3');
select pgq.event_retry_raw('rq1', 'm', now(), 200, now(), 0, 't', 'd', NULL, NULL, NULL, NULL);
select * from pg_temp.members;
-- a subconsumer leaves alone (its pgq.consumer row stays), returns 1
select pgq.unregister_consumer('rq1', 'm.s1'), pgq.unregister_consumer('rq1', 'm.s2');
select * from pg_temp.members;
select ev_id from pgq.retry_queue order by 1;
-- a row that looks like a main consumer takes its group and retry events
select pgq.unregister_consumer('rq1', 'm.s3');
select * from pg_temp.members;
select ev_id from pgq.retry_queue order by 1;
select co_name from pgq.consumer where co_name like 'm%' order by 1;
-- the main consumer returns the group size; m.s1 keeps its other queue
select pgq.register_consumer('rq1', 'm');
select pg_temp.add_subconsumers('m', 'm.s1', 'm.s2');
select pgq.register_consumer('rq2', 'm.s1');
select pgq.unregister_consumer('rq1', 'm');
select * from pg_temp.members;
select co_name from pgq.consumer where co_name like 'm%' order by 1;
-- a main consumer holding a batch looks like a subconsumer: only its row goes
select pgq.register_consumer('rq1', 'm');
select pg_temp.add_subconsumers('m', 'm.s1', 'm.s2');
update pgq.subscription set sub_next_tick = 2
 where sub_consumer = (select co_id from pgq.consumer where co_name = 'm');
select pgq.unregister_consumer('rq1', 'm');
select * from pg_temp.members;
-- subconsumers without a position show no lag and nothing pending
select queue_name, consumer_name, lag, last_tick, pending_events
  from pgq.get_consumer_info('rq1') where consumer_name like 'm%';
-- register_consumer_at on a subconsumer: already registered (0), can move it
select pgq.register_consumer_at('rq1', 'm.s1', NULL), pgq.register_consumer_at('rq1', 'm.s1', 2);
select * from pg_temp.members;

-- seq_getval reads last_value even before the first nextval (the start
-- value); seq_setval only moves forward
create sequence public.reg_seq start 5;
create schema "Reg Schema";
create sequence "Reg Schema"."Se.q";
select pgq.seq_getval('reg_seq'), pgq.seq_getval('public.reg_seq'), pgq.seq_getval('Reg Schema.Se.q');
select pgq.seq_setval('reg_seq', 5), nextval('reg_seq');
select pgq.seq_setval('reg_seq', 10), pgq.seq_setval('public.reg_seq', 7), pgq.seq_setval('reg_seq', 12);
select nextval('reg_seq');
select pgq.seq_setval('Reg Schema.Se.q', 3), pgq.seq_getval('Reg Schema.Se.q');
select pgq.seq_getval(NULL), pgq.seq_setval(NULL, 1), pgq.seq_setval('reg_seq', NULL);
select pgq.seq_getval('reg_nope');
select pgq.seq_setval('Reg Schema.nope', 1);
drop schema "Reg Schema" cascade;

-- _grant_perms_from copies privileges, grant options and PUBLIC included
create role "reg Role" nologin;
create table public.reg_src (x int);
create table public.reg_dst (x int);
grant select, insert on public.reg_src to "reg Role";
grant update on public.reg_src to "reg Role" with grant option;
grant select on public.reg_src to public;
select pgq._grant_perms_from('public', 'reg_src', 'public', 'reg_dst');
select grantee, privilege_type, is_grantable
  from information_schema.table_privileges
 where table_name = 'reg_dst' and grantee <> current_user order by 1, 2;
select pgq._grant_perms_from('public', 'reg_missing', 'public', 'reg_dst'),
       pgq._grant_perms_from(NULL, 'reg_src', 'public', 'reg_dst');
drop table public.reg_src, public.reg_dst;
drop role "reg Role";

-- upgrade_schema: nothing to do on a current schema
select pgq.upgrade_schema();

-- the lookup helpers
select queue_name, queue_id is not null as has_id from pgq._find_queue('rq1');
select queue_id is null as missing from pgq._find_queue('nope');
select pgq._find_queue('nope', 'No such queue');
select pgq._find_queue(NULL, 'queue not found: NULL name');
select sub_queue, sub_last_tick from pgq._find_subscription('rq2', 'm.s1');
select sub_id is null as missing from pgq._find_subscription('rq2', 'nope');
select pgq._find_subscription('rq2', 'nope', 'consumer not registered');
select pgq._find_subscription('nope', 'm.s1', 'consumer not registered');
do $$
begin
    perform pgq._find_queue('nope', 'No such queue');
exception when raise_exception then
    raise notice 'SQLSTATE %: %', sqlstate, sqlerrm;
end
$$;
begin;
select pgq._lock_consumer('m.s1', false) = (select co_id from pgq.consumer where co_name = 'm.s1') as locked_existing;
select pgq._lock_consumer('reg_new', false) is null as missing_not_created;
select pgq._lock_consumer('reg_new', true) as new_id \gset
select co_name from pgq.consumer where co_id = :new_id;
-- FOR UPDATE shows as a RowShareLock on the table
select mode from pg_locks
 where relation = 'pgq.consumer'::regclass and pid = pg_backend_pid() and mode = 'RowShareLock';
rollback;
-- internal: not executable by public
select has_function_privilege('public', 'pgq._find_queue(text, text)', 'execute') as queue_public,
       has_function_privilege('public', 'pgq._find_subscription(text, text, text)', 'execute') as sub_public,
       has_function_privilege('public', 'pgq._lock_consumer(text, boolean)', 'execute') as lock_public;

-- hostile search_path: an operator shadowing text = text in a schema
-- searched before pg_catalog must not reach the functions
create schema reg_evil;
create function reg_evil.always_true(text, text) returns boolean as 'select true' language sql;
create operator reg_evil.= (leftarg = text, rightarg = text, function = reg_evil.always_true);
set search_path = reg_evil, pg_catalog, public;
select count(*) from pgq.get_queue_info('nope');
select count(*) from pgq.get_consumer_info('nope', 'nope');
select pgq.register_consumer('nope', 'c1');
select pgq.unregister_consumer('rq2', 'nope');
reset search_path;
drop schema reg_evil cascade;
