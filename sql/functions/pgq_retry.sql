-- Retry API: event_retry (x2), batch_retry, event_retry_raw.
-- Retried events wait in pgq.retry_queue with ev_owner = the consumer's
-- sub_id; maint_retry_events() later puts them back into the queue, visible
-- only to that consumer.

create or replace function pgq.event_retry(
    x_batch_id bigint,
    x_event_id bigint,
    x_retry_time timestamptz)
returns integer as $$
-- Schedules an event of the open batch for redelivery at x_retry_time.
-- Returns 1, or 0 if it is already in the retry queue.
begin
    insert into pgq.retry_queue (ev_retry_after, ev_queue,
            ev_id, ev_time, ev_txid, ev_owner, ev_retry, ev_type, ev_data,
            ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    select x_retry_time, s.sub_queue,
           ev.ev_id, ev.ev_time, null, s.sub_id, coalesce(ev.ev_retry, 0) + 1,
           ev.ev_type, ev.ev_data, ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4
      from pgq.get_batch_events(x_batch_id) ev, pgq.subscription s
     where s.sub_batch = x_batch_id
       and ev.ev_id = x_event_id;
    if not found then
        raise exception 'event not found';
    end if;
    return 1;

-- dont worry if the event is already in queue
exception
    when unique_violation then
        return 0;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.event_retry(
    x_batch_id bigint,
    x_event_id bigint,
    x_retry_seconds integer)
returns integer as $$
-- Schedules an event of the open batch for redelivery in x_retry_seconds.
declare
    new_retry  timestamptz;
begin
    new_retry := pg_catalog.now() + (x_retry_seconds::text || ' seconds')::interval;
    return pgq.event_retry(x_batch_id, x_event_id, new_retry);
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.batch_retry(
    i_batch_id bigint,
    i_retry_seconds integer)
returns integer as $$
-- Schedules every event of the batch that is not yet in the retry queue.
-- Returns the number of events scheduled.
declare
    _retry timestamptz;
    _cnt   integer;
    _s     record;
begin
    _retry := pg_catalog.now() + (i_retry_seconds::text || ' seconds')::interval;

    select * into _s from pgq.subscription where sub_batch = i_batch_id;
    if not found then
        raise exception 'batch_retry: batch % not found', i_batch_id;
    end if;

    insert into pgq.retry_queue (ev_retry_after, ev_queue,
            ev_id, ev_time, ev_txid, ev_owner, ev_retry,
            ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    select distinct _retry, _s.sub_queue,
           b.ev_id, b.ev_time, null::int8, _s.sub_id, coalesce(b.ev_retry, 0) + 1,
           b.ev_type, b.ev_data, b.ev_extra1, b.ev_extra2, b.ev_extra3, b.ev_extra4
      from pgq.get_batch_events(i_batch_id) b
      left join pgq.retry_queue rq
             on (rq.ev_id = b.ev_id and rq.ev_owner = _s.sub_id)
     where rq.ev_id is null;

    get diagnostics _cnt = row_count;
    return _cnt;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.event_retry_raw(
    x_queue text,
    x_consumer text,
    x_retry_after timestamptz,
    x_ev_id bigint,
    x_ev_time timestamptz,
    x_ev_retry integer,
    x_ev_type text,
    x_ev_data text,
    x_ev_extra1 text,
    x_ev_extra2 text,
    x_ev_extra3 text,
    x_ev_extra4 text)
returns bigint as $$
-- Puts an arbitrary event into the retry queue for one consumer.
-- NULL x_ev_id takes the next value of the queue's event sequence
-- (the id actually stored is returned).
declare
    _q record;
    id bigint;
begin
    select s.sub_id, q.queue_id, q.queue_event_seq into _q
      from pgq.queue q, pgq.consumer c, pgq.subscription s
     where q.queue_name = x_queue
       and c.co_name = x_consumer
       and s.sub_consumer = c.co_id
       and s.sub_queue = q.queue_id;
    if not found then
        raise exception 'consumer not registered';
    end if;

    id := x_ev_id;
    if id is null then
        id := pg_catalog.nextval(pgq.quote_fqname(_q.queue_event_seq)::regclass);
    end if;

    insert into pgq.retry_queue (ev_retry_after, ev_queue,
            ev_id, ev_time, ev_owner, ev_retry,
            ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    values (x_retry_after, _q.queue_id,
            id, coalesce(x_ev_time, pg_catalog.now()), _q.sub_id, x_ev_retry,
            x_ev_type, x_ev_data, x_ev_extra1, x_ev_extra2, x_ev_extra3, x_ev_extra4);

    return id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
