-- Queue administration: create_queue, drop_queue, set_queue_config,
-- grant_perms, tune_storage.

create or replace function pgq.create_queue(i_queue_name text)
returns integer as $$
-- Creates a queue with its event tables and sequences and the first tick.
-- Returns 1 if created, 0 if the queue already exists.
declare
    tblpfx   text;
    tblname  text;
    idxname  text;
    idxpfx   text;
    id       integer;
    tbl_n    integer;
    seqname  text;
    tickseq  text;
begin
    if i_queue_name is null then
        raise exception 'Invalid NULL value';
    end if;

    -- serialize with other queue DDL so the insert dispatcher stays complete
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgq.queue ddl'));

    perform 1 from pgq.queue where queue_name = i_queue_name;
    if found then
        return 0;
    end if;

    -- object names depend only on the numeric id, never on the queue name
    select pg_catalog.nextval('pgq.queue_queue_id_seq') into id;
    tblpfx := 'pgq.event_' || id::text;
    idxpfx := 'event_' || id::text;
    seqname := tblpfx || '_id_seq';
    tickseq := tblpfx || '_tick_seq';

    execute 'create sequence ' || seqname;
    execute 'create sequence ' || tickseq;

    insert into pgq.queue (queue_id, queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq)
        values (id, i_queue_name, tblpfx, seqname, tickseq);

    select queue_ntables into tbl_n from pgq.queue where queue_id = id;

    execute 'create table ' || tblpfx || ' () inherits (pgq.event_template)';
    for i in 0 .. (tbl_n - 1) loop
        tblname := tblpfx || '_' || i::text;
        idxname := idxpfx || '_' || i::text || '_txid_idx';
        execute 'create table ' || tblname || ' () inherits (' || tblpfx || ')';
        execute 'alter table ' || tblname || ' alter column ev_id set default nextval('
                || pg_catalog.quote_literal(seqname) || '::regclass)';
        execute 'create index ' || idxname || ' on ' || tblname || ' (ev_txid)';
    end loop;

    perform pgq.grant_perms(i_queue_name);
    perform pgq.ticker(i_queue_name);
    perform pgq.tune_storage(i_queue_name);
    perform pgq._regen_insert_dispatch();

    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.drop_queue(x_queue_name text, x_force bool)
returns integer as $$
-- Drops a queue and all its objects.  Without x_force the queue must have no
-- consumers.  Returns 1.
declare
    tblname  text;
    q record;
    num integer;
begin
    if x_queue_name is null or x_force is null then
        raise exception 'Invalid NULL value';
    end if;

    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgq.queue ddl'));

    select * into q from pgq.queue
        where queue_name = x_queue_name
        for update;
    if not found then
        raise exception 'No such event queue';
    end if;

    if x_force then
        perform pgq.unregister_consumer(x_queue_name, c.co_name)
           from pgq.subscription s
           join pgq.consumer c on (c.co_id = s.sub_consumer)
          where s.sub_queue = q.queue_id
          order by c.co_name;
    else
        perform 1 from pgq.subscription where sub_queue = q.queue_id;
        if found then
            raise exception 'cannot drop queue, consumers still attached';
        end if;
    end if;

    -- drop data tables
    for i in 0 .. (q.queue_ntables - 1) loop
        tblname := q.queue_data_pfx || '_' || i::text;
        execute 'drop table ' || tblname;
    end loop;
    execute 'drop table ' || q.queue_data_pfx;

    -- delete ticks
    delete from pgq.tick where tick_queue = q.queue_id;
    -- leftover retry events (force unregister removes them, be thorough)
    delete from pgq.retry_queue where ev_queue = q.queue_id;

    -- drop seqs
    execute 'drop sequence ' || q.queue_tick_seq;
    execute 'drop sequence ' || q.queue_event_seq;

    -- delete event
    delete from pgq.queue where queue_name = x_queue_name;

    perform pgq._regen_insert_dispatch();

    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.drop_queue(x_queue_name text)
returns integer as $$
-- Drops a queue that has no consumers.
begin
    return pgq.drop_queue(x_queue_name, false);
end;
$$ language plpgsql strict;


create or replace function pgq.set_queue_config(
    x_queue_name    text,
    x_param_name    text,
    x_param_value   text)
returns integer as $$
-- Sets one queue parameter.  Short names only (the queue_ prefix is added):
-- ticker_max_count, ticker_max_lag, ticker_idle_period, ticker_paused,
-- rotation_period, external_ticker, and ours: ticker_notify (producers wake
-- the ticker at commit; regenerates the producer functions).
declare
    v_param_name    text;
begin
    if x_queue_name is null or x_param_name is null then
        raise exception 'Invalid NULL value';
    end if;

    perform 1 from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'No such event queue';
    end if;

    v_param_name := 'queue_' || x_param_name;

    if v_param_name not in ('queue_ticker_max_count', 'queue_ticker_max_lag',
                            'queue_ticker_idle_period', 'queue_ticker_paused',
                            'queue_rotation_period', 'queue_external_ticker',
                            'queue_ticker_notify')
    then
        -- the stray 's' matches PgQ's message text
        raise exception 'cannot change parameter "%s"', x_param_name;
    end if;

    -- the wake-up NOTIFY carries the name, and payloads stop at 8000 bytes
    if v_param_name = 'queue_ticker_notify' then
        if x_param_value::boolean and pg_catalog.octet_length(x_queue_name) >= 8000 then
            raise exception 'queue name too long for ticker_notify (8000 bytes or more)';
        end if;
    end if;

    -- column name comes from the whitelist above; the value is a literal
    execute 'update pgq.queue set ' || v_param_name || ' = ' || pg_catalog.quote_literal(x_param_value)
         || ' where queue_name = ' || pg_catalog.quote_literal(x_queue_name);

    if v_param_name = 'queue_ticker_notify' then
        perform pgq._regen_insert_dispatch();
    end if;

    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.grant_perms(x_queue_name text)
returns integer as $$
-- Grants on the queue's sequences and copies the ACL of pgq.event_template
-- to the queue's event tables.
declare
    q           record;
    i           integer;
    pos         integer;
    tbl_perms   text;
    seq_perms   text;
    dst_schema  text;
    dst_table   text;
    part_table  text;
begin
    select * from pgq.queue into q
        where queue_name = x_queue_name;
    if not found then
        raise exception 'Queue not found';
    end if;

    -- split data table name to components
    pos := position('.' in q.queue_data_pfx);
    if pos > 0 then
        dst_schema := substring(q.queue_data_pfx for pos - 1);
        dst_table := substring(q.queue_data_pfx from pos + 1);
    else
        dst_schema := 'public';
        dst_table := q.queue_data_pfx;
    end if;

    -- tick seq, normal users don't need to modify it
    execute 'grant select on ' || pgq.quote_fqname(q.queue_tick_seq) || ' to public';

    -- event seq
    execute 'grant select on ' || pgq.quote_fqname(q.queue_event_seq) || ' to public';

    -- set grants on parent table
    perform pgq._grant_perms_from('pgq', 'event_template', dst_schema, dst_table);

    -- set grants on real event tables
    for i in 0 .. q.queue_ntables - 1 loop
        part_table := dst_table || '_' || i::text;
        perform pgq._grant_perms_from('pgq', 'event_template', dst_schema, part_table);
    end loop;

    -- admins (and COPY into current_event_table) need nextval
    execute 'grant usage on ' || pgq.quote_fqname(q.queue_event_seq) || ' to pgq_admin';

    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.tune_storage(i_queue_name text)
returns integer as $$
-- Storage parameters for event tables: no autovacuum (tables are truncated
-- by rotation), full pages.  Returns 1, or 0 for an unknown queue.
declare
    tbl  text;
    q record;
    i int4;
    sql text;
begin
    select * into q
      from pgq.queue where queue_name = i_queue_name;
    if not found then
        return 0;
    end if;

    for i in 0 .. (q.queue_ntables - 1) loop
        tbl := q.queue_data_pfx || '_' || i::text;
        sql := 'alter table ' || tbl || ' set (fillfactor = 100'
            || ', autovacuum_enabled=off, toast.autovacuum_enabled=off)';
        execute sql;
    end loop;

    return 1;
end;
$$ language plpgsql strict;
