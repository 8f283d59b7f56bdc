-- Information functions: get_queue_info, get_consumer_info, get_batch_info.
-- Read by `pgqadm status`, pgqd (the queue list), python3-pgq's admin tools
-- and londiste: column names, order and types are fixed by PgQ 3.5.

create or replace function pgq.get_queue_info(
    in i_queue_name text,
    out queue_name text,
    out queue_ntables integer,
    out queue_cur_table integer,
    out queue_rotation_period interval,
    out queue_switch_time timestamptz,
    out queue_external_ticker boolean,
    out queue_ticker_paused boolean,
    out queue_ticker_max_count integer,
    out queue_ticker_max_lag interval,
    out queue_ticker_idle_period interval,
    out ticker_lag interval,
    out ev_per_sec float8,
    out ev_new bigint,
    out last_tick_id bigint)
returns setof record as $$
-- Queue settings and ticker state; NULL queue name = all queues, by name.
-- ev_per_sec is the event rate over the last 20 tick ids (NULL when those
-- ticks carry one timestamp); ev_new counts the ids the event sequence
-- handed out since the latest tick (as pgq.ticker() counts them).
-- A queue without ticks has NULL in the four ticker columns.
begin
    return query
    select q.queue_name,
           q.queue_ntables, q.queue_cur_table, q.queue_rotation_period,
           q.queue_switch_time, q.queue_external_ticker, q.queue_ticker_paused,
           q.queue_ticker_max_count, q.queue_ticker_max_lag, q.queue_ticker_idle_period,
           pg_catalog.now() - latest.tick_time,
           case when rate_base.tick_time < latest.tick_time
                then ((latest.tick_event_seq - rate_base.tick_event_seq)
                      / extract(epoch from latest.tick_time - rate_base.tick_time))::float8
           end,
           coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::regclass), 0)
               - latest.tick_event_seq,
           latest.tick_id
      from pgq.queue q
      left join lateral (select t.tick_id, t.tick_time, t.tick_event_seq
                           from pgq.tick t
                          where t.tick_queue = q.queue_id
                          order by t.tick_queue desc, t.tick_id desc
                          limit 1) latest on true
      -- the oldest tick among the latest 21 ids: the start of the rate window
      left join lateral (select t.tick_time, t.tick_event_seq
                           from pgq.tick t
                          where t.tick_queue = q.queue_id
                            and t.tick_id >= latest.tick_id - 20
                          order by t.tick_queue, t.tick_id
                          limit 1) rate_base on true
     where i_queue_name is null or q.queue_name = i_queue_name
     order by q.queue_name;
end;
$$ language plpgsql stable set search_path = pg_catalog, pg_temp;


create or replace function pgq.get_queue_info(
    out queue_name text,
    out queue_ntables integer,
    out queue_cur_table integer,
    out queue_rotation_period interval,
    out queue_switch_time timestamptz,
    out queue_external_ticker boolean,
    out queue_ticker_paused boolean,
    out queue_ticker_max_count integer,
    out queue_ticker_max_lag interval,
    out queue_ticker_idle_period interval,
    out ticker_lag interval,
    out ev_per_sec float8,
    out ev_new bigint,
    out last_tick_id bigint)
returns setof record as $$
-- All queues, ordered by name.
begin
    return query select * from pgq.get_queue_info(null);
end;
$$ language plpgsql stable set search_path = pg_catalog, pg_temp;


create or replace function pgq.get_consumer_info(
    in i_queue_name text,
    in i_consumer_name text,
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record as $$
-- Where each subscription stands; NULL arguments match everything.  Ordered
-- by queue and consumer name.  lag: age of the consumer's position (its
-- last tick); last_seen: time since it last took or finished a batch;
-- pending_events: ids the event sequence handed out between its position
-- and the queue's latest tick.  pgq_coop subconsumers without a batch have
-- no position: lag and pending_events are NULL for them.
begin
    return query
    select q.queue_name, c.co_name,
           pg_catalog.now() - position_tick.tick_time,
           pg_catalog.now() - s.sub_active,
           s.sub_last_tick, s.sub_batch, s.sub_next_tick,
           latest.tick_event_seq - position_tick.tick_event_seq
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
      left join pgq.tick position_tick
             on position_tick.tick_queue = s.sub_queue
            and position_tick.tick_id = s.sub_last_tick
      left join lateral (select t.tick_event_seq
                           from pgq.tick t
                          where t.tick_queue = s.sub_queue
                          order by t.tick_queue desc, t.tick_id desc
                          limit 1) latest on true
     where (i_queue_name is null or q.queue_name = i_queue_name)
       and (i_consumer_name is null or c.co_name = i_consumer_name)
     order by q.queue_name, c.co_name;
end;
$$ language plpgsql stable security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.get_consumer_info(
    in i_queue_name text,
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record as $$
-- Consumers of one queue.
begin
    return query select * from pgq.get_consumer_info(i_queue_name, null);
end;
$$ language plpgsql stable security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.get_consumer_info(
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record as $$
-- All consumers of all queues.
begin
    return query select * from pgq.get_consumer_info(null, null);
end;
$$ language plpgsql stable security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.get_batch_info(
    in x_batch_id bigint,
    out queue_name text,
    out consumer_name text,
    out batch_start timestamptz,
    out batch_end timestamptz,
    out prev_tick_id bigint,
    out tick_id bigint,
    out lag interval,
    out seq_start bigint,
    out seq_end bigint)
as $$
-- An open batch: it runs from the consumer's last tick (start) to its next
-- tick (end); lag is the age of the end.  One row of NULLs for a batch id
-- that is not open (finished, unknown or NULL).
    select q.queue_name, c.co_name,
           from_tick.tick_time, to_tick.tick_time,
           from_tick.tick_id, to_tick.tick_id,
           pg_catalog.now() - to_tick.tick_time,
           from_tick.tick_event_seq, to_tick.tick_event_seq
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
      join pgq.tick from_tick
        on from_tick.tick_queue = s.sub_queue and from_tick.tick_id = s.sub_last_tick
      join pgq.tick to_tick
        on to_tick.tick_queue = s.sub_queue and to_tick.tick_id = s.sub_next_tick
     where s.sub_batch = x_batch_id;
$$ language sql stable security definer set search_path = pg_catalog, pg_temp;
