-- Retry API: event_retry (by time and by seconds), batch_retry,
-- event_retry_raw.
--
-- A retried event is parked in pgq.retry_queue, owned by the consumer's
-- sub_id, until ev_retry_after; pgq.maint_retry_events() (pgq_maint.sql)
-- then puts it back into the queue's current event table under its old
-- ev_id, and only the owning consumer's batches pick it up again.
-- rq_pkey (ev_owner, ev_id) makes parking idempotent: an event that is
-- already waiting for this consumer is left as it is.

create or replace function pgq._retry_batch_events(
    i_batch_id      bigint,
    i_only_event    bigint,
    i_retry_after   timestamptz,
    out matched     integer,
    out queued      integer)
as $$
-- Parks events of an open batch in the retry queue: all of them, or only
-- the one with ev_id = i_only_event.  matched: how many events were picked
-- (NULL when no consumer has batch i_batch_id open); queued: how many of
-- those were not waiting yet and are now.  Shared by event_retry and
-- batch_retry, which differ only in what they pick and how they report it.
declare
    batch_owner record;
begin
    -- Looked up first, and on its own: get_batch_events() raises its own
    -- error for an unknown batch, and the callers promise theirs.
    select s.sub_id, s.sub_queue into batch_owner
      from pgq.subscription s
     where s.sub_batch = i_batch_id;
    if not found then
        return;
    end if;

    -- One pass over the batch: the CTE is read twice, but evaluated once.
    with picked as (
        select ev.ev_id, ev.ev_time, ev.ev_retry, ev.ev_type, ev.ev_data,
               ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4
          from pgq.get_batch_events(i_batch_id) ev
         where i_only_event is null or ev.ev_id = i_only_event
    ), parked as (
        insert into pgq.retry_queue as rq
               (ev_retry_after, ev_queue, ev_owner, ev_id, ev_time, ev_txid,
                ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
        select i_retry_after, batch_owner.sub_queue, batch_owner.sub_id, p.ev_id, p.ev_time, null,
               coalesce(p.ev_retry, 0) + 1, p.ev_type, p.ev_data,
               p.ev_extra1, p.ev_extra2, p.ev_extra3, p.ev_extra4
          from picked p
        -- already waiting (or picked twice): keep the first, no subtransaction
        on conflict do nothing
        returning rq.ev_id
    )
    select (select count(*) from picked), (select count(*) from parked)
      into matched, queued;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.event_retry(
    x_batch_id bigint,
    x_event_id bigint,
    x_retry_time timestamptz)
returns integer as $$
-- Redeliver one event of the open batch to this consumer at x_retry_time.
-- 1 when parked, 0 when it was already waiting; 'event not found' when the
-- batch is not open or does not hold the event.
declare
    res record;
begin
    res := pgq._retry_batch_events(x_batch_id, x_event_id, x_retry_time);
    if coalesce(res.matched, 0) = 0 then
        raise exception 'event not found';
    end if;
    return res.queued;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.event_retry(
    x_batch_id bigint,
    x_event_id bigint,
    x_retry_seconds integer)
returns integer as $$
-- The same, x_retry_seconds from now (the form python-pgq uses).
begin
    return pgq.event_retry(x_batch_id, x_event_id,
                           pg_catalog.now() + x_retry_seconds * interval '1 second');
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.batch_retry(
    i_batch_id bigint,
    i_retry_seconds integer)
returns integer as $$
-- Redeliver the whole open batch, i_retry_seconds from now.  Events that are
-- already waiting keep their time; returns how many were newly parked.
declare
    res record;
begin
    res := pgq._retry_batch_events(i_batch_id, null,
                                   pg_catalog.now() + i_retry_seconds * interval '1 second');
    if res.matched is null then
        raise exception 'batch_retry: batch % not found', i_batch_id;
    end if;
    return res.queued;
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
-- Parks an event that need not come from a batch (tools that replay or
-- move events) for one consumer, and returns its ev_id.  Without
-- x_ev_id the event gets a fresh id from the queue's event sequence, so it
-- cannot collide with a real event; without x_ev_time it is stamped now.
declare
    sub         pgq.subscription;
    parked_id   bigint;
begin
    sub := pgq._find_subscription(x_queue, x_consumer, 'consumer not registered');
    parked_id := x_ev_id;
    if parked_id is null then
        select pg_catalog.nextval(pgq._event_seq(q.queue_id))
          into parked_id
          from pgq.queue q
         where q.queue_id = sub.sub_queue;
    end if;
    insert into pgq.retry_queue
           (ev_retry_after, ev_queue, ev_owner, ev_id, ev_time,
            ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    values (x_retry_after, sub.sub_queue, sub.sub_id, parked_id,
            coalesce(x_ev_time, pg_catalog.now()),
            x_ev_retry, x_ev_type, x_ev_data, x_ev_extra1, x_ev_extra2, x_ev_extra3, x_ev_extra4);
    return parked_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
