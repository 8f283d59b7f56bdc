-- Tables and sequences of the pgq schema (PgQ 3.5 layout).
-- Names of columns, constraints and sequences are part of the client API:
-- pgq_node, pgq_coop, londiste and python-pgq read/update these directly.

-- pgq.consumer: consumer name <-> id
create table if not exists pgq.consumer (
    co_id       serial,
    co_name     text        not null,
    constraint consumer_pkey primary key (co_id),
    constraint consumer_name_uq unique (co_name)
);

-- pgq.queue: queue configuration and rotation state
create table if not exists pgq.queue (
    queue_id                    serial,
    queue_name                  text        not null,
    queue_ntables               integer     not null default 3,
    queue_cur_table             integer     not null default 0,
    queue_rotation_period       interval    not null default '2 hours',
    queue_switch_step1          bigint      not null default pg_catalog.txid_current(),
    queue_switch_step2          bigint               default pg_catalog.txid_current(),
    queue_switch_time           timestamptz not null default pg_catalog.now(),
    queue_external_ticker       boolean     not null default false,
    queue_disable_insert        boolean     not null default false,
    queue_ticker_paused         boolean     not null default false,
    queue_ticker_max_count      integer     not null default 500,
    queue_ticker_max_lag        interval    not null default '3 seconds',
    queue_ticker_idle_period    interval    not null default '1 minute',
    queue_per_tx_limit          integer,
    queue_data_pfx              text        not null,
    queue_event_seq             text        not null,
    queue_tick_seq              text        not null,
    queue_extra_maint           text[],
    -- Not in PgQ 3.5: producers NOTIFY pgq_ticker_wakeup at commit so the
    -- ticker ticks without waiting for its next loop (see pgq_producer.sql).
    queue_ticker_notify         boolean     not null default false,
    constraint queue_pkey primary key (queue_id),
    constraint queue_name_uq unique (queue_name)
);

-- pgq.tick: snapshots that cut the event stream into batches
create table if not exists pgq.tick (
    tick_queue                  int4            not null,
    tick_id                     bigint          not null,
    tick_time                   timestamptz     not null default pg_catalog.now(),
    tick_snapshot               txid_snapshot   not null default pg_catalog.txid_current_snapshot(),
    tick_event_seq              bigint          not null,
    constraint tick_pkey primary key (tick_queue, tick_id),
    constraint tick_queue_fkey foreign key (tick_queue) references pgq.queue (queue_id)
);

-- pgq.batch_id_seq: global batch ids
create sequence if not exists pgq.batch_id_seq;

-- pgq.subscription: consumer registrations and open batches.
-- sub_id is not unique: pgq_coop subconsumers share the main consumer's id.
create table if not exists pgq.subscription (
    sub_id          serial      not null,
    sub_queue       int4        not null,
    sub_consumer    int4        not null,
    sub_last_tick   bigint,
    sub_active      timestamptz not null default pg_catalog.now(),
    sub_batch       bigint,
    sub_next_tick   bigint,
    constraint subscription_pkey primary key (sub_queue, sub_consumer),
    constraint subscription_batch_idx unique (sub_batch),
    constraint sub_queue_fkey foreign key (sub_queue) references pgq.queue (queue_id),
    constraint sub_consumer_fkey foreign key (sub_consumer) references pgq.consumer (co_id)
);

-- pgq.event_template: parent of every event table; holds no rows itself.
create table if not exists pgq.event_template (
    ev_id       bigint      not null,
    ev_time     timestamptz not null,
    ev_txid     bigint      not null default pg_catalog.txid_current(),
    ev_owner    int4,
    ev_retry    int4,
    ev_type     text,
    ev_data     text,
    ev_extra1   text,
    ev_extra2   text,
    ev_extra3   text,
    ev_extra4   text
);

-- pgq.retry_queue: events waiting to be redelivered to one consumer
do $rq$
begin
    if pg_catalog.to_regclass('pgq.retry_queue') is null then
        create table pgq.retry_queue (
            ev_retry_after  timestamptz not null,
            ev_queue        int4        not null,
            like pgq.event_template,
            constraint rq_pkey primary key (ev_owner, ev_id),
            constraint rq_queue_id_fkey foreign key (ev_queue) references pgq.queue (queue_id)
        );
        alter table pgq.retry_queue alter column ev_owner set not null;
        alter table pgq.retry_queue alter column ev_txid drop not null;
        create index rq_retry_idx on pgq.retry_queue (ev_retry_after);
    end if;
end
$rq$;

-- pgq.tx_event_count: the events each open transaction has put into each
-- queue that has a queue_per_tx_limit, one row per event numbered 1, 2, ...
-- (see pgq_producer.sql).  Producers must not be able to reset their count:
-- only the owner and pgq_admin may write it.  Unlogged: the rows matter
-- only while their transaction runs, and a crash ends them all.
create unlogged table if not exists pgq.tx_event_count (
    tx_id       bigint      not null,   -- txid_current() of the producer
    queue_id    int4        not null,
    events      int4        not null,   -- this event's number in the transaction
    constraint tx_event_count_pkey primary key (tx_id, queue_id, events)
);

-- Structural fixups for schemas installed by older versions of this file.
-- Each ALTER TABLE takes an ACCESS EXCLUSIVE lock, and while it waits for
-- one every producer queues up behind it; so alter only what needs it, and
-- wait a short while only: "pgqadm install" retries on lock_not_available.
do $fixups$
declare
    needed          text[] := '{}';
    lock_wait       constant text := '2s';
    caller_timeout  text := pg_catalog.current_setting('lock_timeout');
    ddl             text;
begin
    if not exists (select 1 from pg_catalog.pg_attribute
                    where attrelid = 'pgq.queue'::regclass
                      and attname = 'queue_extra_maint' and not attisdropped) then
        needed := needed || 'alter table pgq.queue add column queue_extra_maint text[]'::text;
    end if;
    -- after queue_extra_maint: the column order of a fresh install
    if not exists (select 1 from pg_catalog.pg_attribute
                    where attrelid = 'pgq.queue'::regclass
                      and attname = 'queue_ticker_notify' and not attisdropped) then
        needed := needed || 'alter table pgq.queue add column queue_ticker_notify boolean not null default false'::text;
    end if;
    if exists (select 1 from pg_catalog.pg_attribute
                where attrelid = 'pgq.subscription'::regclass
                  and attname = 'sub_last_tick' and attnotnull) then
        needed := needed || 'alter table pgq.subscription alter column sub_last_tick drop not null'::text;
    end if;
    if pg_catalog.cardinality(needed) = 0 then
        return;
    end if;

    perform pg_catalog.set_config('lock_timeout', lock_wait, true);
    begin
        foreach ddl in array needed loop
            execute ddl;
        end loop;
    exception when lock_not_available then
        raise exception 'pgq schema upgrade: a table to alter is in use (waited % for its lock)', lock_wait
            using errcode = 'lock_not_available',
                  detail = pg_catalog.array_to_string(needed, '; '),
                  hint = 'Retry the install; it changes nothing until the upgrade succeeds.';
    end;
    perform pg_catalog.set_config('lock_timeout', caller_timeout, true);
end
$fixups$;
