-- pgq_wake_tick: the daemon's wake-up tick pgq._wake_tick(names, event
-- sequence oids) writes the tick row pgq.ticker(queue) writes (same queue,
-- event sequence position, time and snapshot defaults; only the id may
-- differ), only when the event sequence moved past the last tick, never
-- for paused, externally ticked or unknown queues; it is for pgq_admin only
-- and runs safely under a hostile search_path although it pins none.
\set VERBOSITY terse
select pgq.create_queue('by_ticker'), pgq.create_queue('by_wake');
create function pg_temp.seqs(i_names text[]) returns oid[] as $$
    select array_agg(pgq.quote_fqname(q.queue_event_seq)::regclass::oid order by n.i)
      from unnest(i_names) with ordinality n(name, i)
      join pgq.queue q on q.queue_name = n.name;
$$ language sql;
-- the same events in both queues
select count(pgq.insert_event(q, 'e', 'd'))
  from unnest(array['by_ticker', 'by_wake']) q, generate_series(1, 3);

-- both queues due for pgq.ticker() (events, and max_lag passed)
update pgq.tick set tick_time = tick_time - interval '10 seconds';
-- both ticks in one repeatable read transaction: same now(), same snapshot
begin isolation level repeatable read;
select pgq.ticker('by_ticker') is not null as ticked;
select * from pgq._wake_tick(array['by_wake'], pg_temp.seqs(array['by_wake']));
select q.queue_name, t.tick_id, t.tick_event_seq,
       t.tick_time = now() as time_is_now,
       t.tick_snapshot::text = txid_current_snapshot()::text as snapshot_is_ours
  from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
 where t.tick_id = (select max(l.tick_id) from pgq.tick l where l.tick_queue = t.tick_queue)
 order by 1;
-- every column but tick_id and tick_queue equal
select count(distinct (t.tick_time, t.tick_snapshot::text, t.tick_event_seq)) as distinct_rows
  from pgq.tick t
 where t.tick_id = (select max(l.tick_id) from pgq.tick l where l.tick_queue = t.tick_queue);
commit;

-- the tick sequence moved as pgq.ticker() moves it
select queue_name, pgq.seq_getval(queue_tick_seq) as tick_seq
  from pgq.queue order by 1;

-- nothing new since the last tick: no tick
select * from pgq._wake_tick(array['by_ticker', 'by_wake'],
                             pg_temp.seqs(array['by_ticker', 'by_wake']));

-- paused, externally ticked and unknown queues: skipped, no error
select pgq.create_queue('paused'), pgq.create_queue('external');
select pgq.set_queue_config('paused', 'ticker_paused', 'true'),
       pgq.set_queue_config('external', 'external_ticker', 'true');
select count(pgq.insert_event(q, 'e', 'd'))
  from unnest(array['paused', 'external', 'by_wake']) q;
select * from pgq._wake_tick(array['paused', 'external', 'no_such', 'by_wake'],
                             (pg_temp.seqs(array['paused', 'external']) || 0::oid)
                                 || pg_temp.seqs(array['by_wake']));
select q.queue_name, count(*) as ticks
  from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
 group by 1 order by 1;

-- empty input
select * from pgq._wake_tick('{}', '{}');

-- privileges: pgq_admin only
select p.prosecdef as security_definer, p.proconfig,
       array(select pg_get_userbyid(a.grantee) from aclexplode(p.proacl) a
              where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner) as exec
  from pg_proc p where p.oid = 'pgq._wake_tick(text[], oid[])'::regprocedure;

-- a hostile search_path: traps for every builtin and operator it uses
create schema trap;
create function trap.nextval(regclass) returns bigint
    as $$ begin raise exception 'trap: nextval'; end $$ language plpgsql;
create function trap.pg_sequence_last_value(oid) returns bigint
    as $$ begin raise exception 'trap: pg_sequence_last_value'; end $$ language plpgsql;
create function trap.unnest(anyarray) returns setof anyelement
    as $$ begin raise exception 'trap: unnest'; end $$ language plpgsql;
create function trap.txid_current() returns bigint
    as $$ begin raise exception 'trap: txid_current'; end $$ language plpgsql;
create function trap.text_eq(text, text) returns boolean
    as $$ begin raise exception 'trap: text ='; end $$ language plpgsql;
create operator trap.= (leftarg = text, rightarg = text, procedure = trap.text_eq);
create function trap.int8_gt(bigint, bigint) returns boolean
    as $$ begin raise exception 'trap: bigint >'; end $$ language plpgsql;
create operator trap.> (leftarg = bigint, rightarg = bigint, procedure = trap.int8_gt);
create operator trap.<= (leftarg = bigint, rightarg = bigint, procedure = trap.int8_gt);
create function trap.int4_eq(int4, int4) returns boolean
    as $$ begin raise exception 'trap: int4 ='; end $$ language plpgsql;
create operator trap.= (leftarg = int4, rightarg = int4, procedure = trap.int4_eq);
select pgq.insert_event('by_wake', 'e', 'd') > 0 as inserted;
select pg_temp.seqs(array['by_wake']) as wake_seqs \gset
set search_path = trap, pg_catalog, pg_temp;
select * from pgq._wake_tick(array['by_wake'], :'wake_seqs');
reset search_path;

-- every tick names its queue's sequences through pgq._tick_seq() and
-- pgq._event_seq(): the planner must inline them (a call not inlined parses
-- the function's body again in each statement that makes a tick)
set compute_query_id = off;
explain (verbose, costs off)
select pg_catalog.nextval(pgq._tick_seq(q.queue_id)),
       pg_catalog.pg_sequence_last_value(pgq._event_seq(q.queue_id))
  from pgq.queue q;
reset compute_query_id;
