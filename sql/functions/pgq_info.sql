-- Information functions: get_queue_info, get_consumer_info, get_batch_info.

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
-- Queue settings and ticker state.  NULL queue name = all queues, by name.
declare
    _ticker_lag interval;
    _top_tick_id bigint;
    _ht_tick_id bigint;
    _top_tick_time timestamptz;
    _top_tick_event_seq bigint;
    _ht_tick_time timestamptz;
    _ht_tick_event_seq bigint;
    _queue_id integer;
    _queue_event_seq text;
begin
    for queue_name, queue_ntables, queue_cur_table, queue_rotation_period,
        queue_switch_time, queue_external_ticker, queue_ticker_paused,
        queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
        _queue_id, _queue_event_seq
    in
        select q.queue_name, q.queue_ntables, q.queue_cur_table,
               q.queue_rotation_period, q.queue_switch_time,
               q.queue_external_ticker, q.queue_ticker_paused,
               q.queue_ticker_max_count, q.queue_ticker_max_lag,
               q.queue_ticker_idle_period,
               q.queue_id, q.queue_event_seq
          from pgq.queue q
         where (i_queue_name is null or q.queue_name = i_queue_name)
         order by q.queue_name
    loop
        -- most recent tick
        select (pg_catalog.now() - t.tick_time), t.tick_id, t.tick_time, t.tick_event_seq
          into ticker_lag, _top_tick_id, _top_tick_time, _top_tick_event_seq
          from pgq.tick t
         where t.tick_queue = _queue_id
         order by t.tick_queue desc, t.tick_id desc
         limit 1;
        -- slightly older tick
        select t.tick_id, t.tick_time, t.tick_event_seq
          into _ht_tick_id, _ht_tick_time, _ht_tick_event_seq
          from pgq.tick t
         where t.tick_queue = _queue_id
           and t.tick_id >= _top_tick_id - 20
         order by t.tick_queue asc, t.tick_id asc
         limit 1;
        if _ht_tick_time < _top_tick_time then
            ev_per_sec = (_top_tick_event_seq - _ht_tick_event_seq)
                / extract(epoch from (_top_tick_time - _ht_tick_time));
        else
            ev_per_sec = null;
        end if;
        ev_new = coalesce(pg_catalog.pg_sequence_last_value(_queue_event_seq::regclass), 0)
                 - _top_tick_event_seq;
        last_tick_id = _top_tick_id;
        return next;
    end loop;
    return;
end;
$$ language plpgsql;


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
$$ language plpgsql;


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
-- Consumer positions; NULL arguments match everything.  Ordered by queue
-- and consumer name.
declare
    _pending_events bigint;
    _queue_id bigint;
begin
    for queue_name, consumer_name, lag, last_seen,
        last_tick, current_batch, next_tick, _pending_events, _queue_id
    in
        select q.queue_name, c.co_name,
               pg_catalog.now() - t.tick_time,
               pg_catalog.now() - s.sub_active,
               s.sub_last_tick, s.sub_batch, s.sub_next_tick,
               t.tick_event_seq,
               q.queue_id
          from pgq.queue q
          join pgq.subscription s on (s.sub_queue = q.queue_id)
          join pgq.consumer c on (c.co_id = s.sub_consumer)
          left join pgq.tick t on (t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick)
         where (i_queue_name is null or q.queue_name = i_queue_name)
           and (i_consumer_name is null or c.co_name = i_consumer_name)
         order by 1, 2
    loop
        select t.tick_event_seq - _pending_events
          into pending_events
          from pgq.tick t
         where t.tick_queue = _queue_id
         order by t.tick_queue desc, t.tick_id desc
         limit 1;
        return next;
    end loop;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


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
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


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
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


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
-- Describes an open batch; one all-NULL row if it is unknown.
begin
    select q.queue_name, c.co_name,
           prev.tick_time, cur.tick_time,
           s.sub_last_tick, s.sub_next_tick,
           pg_catalog.now() - cur.tick_time,
           prev.tick_event_seq, cur.tick_event_seq
      into queue_name, consumer_name, batch_start, batch_end,
           prev_tick_id, tick_id, lag, seq_start, seq_end
      from pgq.subscription s
      join pgq.queue q on (q.queue_id = s.sub_queue)
      join pgq.consumer c on (c.co_id = s.sub_consumer)
      join pgq.tick cur on (cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick)
      join pgq.tick prev on (prev.tick_queue = s.sub_queue and prev.tick_id = s.sub_last_tick)
     where s.sub_batch = x_batch_id;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
