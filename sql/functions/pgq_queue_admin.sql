-- Queue administration: create_queue, drop_queue, set_queue_config,
-- grant_perms, tune_storage, and the helpers they share.
--
-- Naming rule: every object of a queue is named after its queue_id, in
-- schema pgq: tables event_<id> (parent) and event_<id>_<n> (n = 0 ..
-- queue_ntables - 1), index event_<id>_<n>_txid_idx, sequences
-- event_<id>_id_seq and event_<id>_tick_seq.  The text columns
-- queue_data_pfx, queue_event_seq and queue_tick_seq record those names for
-- clients (pgq_node, londiste read them), but pgq_admin may UPDATE
-- pgq.queue, so these functions, several of which run as the schema owner,
-- never turn them into SQL: they find the objects from queue_id in the
-- catalog.  Only the owner can create relations in schema pgq, so a relation
-- found there under a queue's name is one create_queue made.


create or replace function pgq._lock_queue_ddl()
returns void as $$
-- Serialises queue DDL (create_queue, drop_queue, regenerating the producer
-- functions) so that the generated insert functions always see every queue.
-- SHARE ROW EXCLUSIVE on pgq.queue conflicts with itself and with writers of
-- pgq.queue, but not with readers or FOR KEY SHARE checks: producers,
-- consumers and the ticker are not held up.  Only roles that may write
-- pgq.queue can hold a conflicting lock; an advisory lock, by contrast, can
-- be taken by any role that can log in, and held forever.
-- Waits at most the caller's lock_timeout, or 30 s if that is 0 (unbounded).
declare
    caller_timeout  text := pg_catalog.current_setting('lock_timeout');
    waited          text;
begin
    waited := case when caller_timeout = '0' then '30s' else caller_timeout end;
    perform pg_catalog.set_config('lock_timeout', waited, true);
    lock table pgq.queue in share row exclusive mode;
    perform pg_catalog.set_config('lock_timeout', caller_timeout, true);
exception when lock_not_available then
    -- the failed block has put lock_timeout back already
    raise exception 'could not lock pgq.queue for queue DDL within %', waited
        using errcode = 'lock_not_available',
              hint = 'Another transaction is writing pgq.queue (queue DDL, rotation or an UPDATE by an admin); retry once it has ended.';
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq._queue_relations(
    i_queue_id  int4,
    out relname name,
    out relkind "char",
    out table_nr int4)
returns setof record as $$
-- The relations of queue i_queue_id that exist, read from the catalog and
-- checked to be the ones create_queue makes: child tables first (table_nr
-- set; tables of pgq.event_<id> named event_<id>_<n>), then the parent table
-- (inherits pgq.event_template), then the two sequences.  This order is
-- also the order to drop them in.
    with parent as (
        select c.oid, c.relname, c.relkind
          from pg_catalog.pg_class c
          join pg_catalog.pg_inherits i on i.inhrelid = c.oid
         where c.relnamespace = 'pgq'::regnamespace
           and c.relname = 'event_' || i_queue_id
           and c.relkind = 'r'
           and i.inhparent = 'pgq.event_template'::regclass
    ), children as (
        select c.relname, c.relkind,
               pg_catalog.substr(c.relname, pg_catalog.length(p.relname) + 2)::int4 as table_nr
          from parent p
          join pg_catalog.pg_inherits i on i.inhparent = p.oid
          join pg_catalog.pg_class c on c.oid = i.inhrelid
         where c.relnamespace = 'pgq'::regnamespace
           and c.relkind = 'r'
           and c.relname ~ ('^' || p.relname || '_[0-9]{1,9}$')
    )
    select r.relname, r.relkind, r.table_nr
      from (select 1 as drop_step, relname, relkind, table_nr from children
            union all
            select 2, relname, relkind, null from parent
            union all
            select 3, c.relname, c.relkind, null
              from pg_catalog.pg_class c
             where c.relnamespace = 'pgq'::regnamespace
               and c.relkind = 'S'
               and c.relname in ('event_' || i_queue_id || '_id_seq',
                                 'event_' || i_queue_id || '_tick_seq')) r
     order by r.drop_step, r.table_nr, r.relname
$$ language sql stable set search_path = pg_catalog, pg_temp;


create or replace function pgq.create_queue(i_queue_name text)
returns integer as $$
-- Makes a queue: its row, sequences for event and tick ids, the parent
-- event table and queue_ntables child tables (each with its ev_txid index
-- and ev_id drawn from the event sequence), grants, storage settings, and
-- the first tick, so consumers can register at once.
-- Returns 1, or 0 when a queue of that name exists already.
declare
    new_id      int4;
    base        text;       -- 'event_<id>', the stem of every object name
    child       text;
    ntables     int4;
begin
    if i_queue_name is null then
        raise exception 'Invalid NULL value';
    end if;

    perform pgq._lock_queue_ddl();
    if (pgq._find_queue(i_queue_name)).queue_id is not null then
        return 0;
    end if;

    new_id := pg_catalog.nextval('pgq.queue_queue_id_seq');
    base := 'event_' || new_id;
    insert into pgq.queue (queue_id, queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq)
    values (new_id, i_queue_name, 'pgq.' || base, 'pgq.' || base || '_id_seq', 'pgq.' || base || '_tick_seq')
    returning queue_ntables into ntables;

    execute pg_catalog.format('create sequence pgq.%I', base || '_id_seq');
    execute pg_catalog.format('create sequence pgq.%I', base || '_tick_seq');
    execute pg_catalog.format('create table pgq.%I () inherits (pgq.event_template)', base);
    for n in 0 .. ntables - 1 loop
        child := base || '_' || n;
        execute pg_catalog.format('create table pgq.%I () inherits (pgq.%I)', child, base);
        execute pg_catalog.format(
            'alter table pgq.%I alter column ev_id set default pg_catalog.nextval(%L::pg_catalog.regclass)',
            child, 'pgq.' || base || '_id_seq');
        execute pg_catalog.format('create index %I on pgq.%I (ev_txid)', child || '_txid_idx', child);
    end loop;

    perform pgq.grant_perms(i_queue_name);
    perform pgq.tune_storage(i_queue_name);
    perform pgq.ticker(i_queue_name);
    perform pgq._regen_insert_dispatch();
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.drop_queue(x_queue_name text, x_force bool)
returns integer as $$
-- Removes a queue: its relations, ticks, leftover retry events and row.
-- Consumers must have unregistered, unless x_force unregisters them.
-- Returns 1.
declare
    doomed_id   int4;
    rel         record;
begin
    if x_queue_name is null or x_force is null then
        raise exception 'Invalid NULL value';
    end if;

    perform pgq._lock_queue_ddl();
    -- the row lock makes consumers that register meanwhile wait for us
    select queue_id into doomed_id from pgq.queue where queue_name = x_queue_name for update;
    if not found then
        raise exception 'No such event queue';
    end if;

    if x_force then
        perform pgq.unregister_consumer(x_queue_name, c.co_name)
           from pgq.subscription s
           join pgq.consumer c on c.co_id = s.sub_consumer
          where s.sub_queue = doomed_id
          order by c.co_name;
    elsif exists (select 1 from pgq.subscription where sub_queue = doomed_id) then
        raise exception 'cannot drop queue, consumers still attached';
    end if;

    delete from pgq.retry_queue where ev_queue = doomed_id;
    delete from pgq.tick where tick_queue = doomed_id;
    delete from pgq.queue where queue_id = doomed_id;

    for rel in select r.relname, r.relkind from pgq._queue_relations(doomed_id) r loop
        execute pg_catalog.format('drop %s pgq.%I',
                                  case when rel.relkind = 'S' then 'sequence' else 'table' end,
                                  rel.relname);
    end loop;

    perform pgq._regen_insert_dispatch();
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.drop_queue(x_queue_name text)
returns integer as $$
-- Same as drop_queue(x_queue_name, false): refuses while consumers remain.
begin
    return pgq.drop_queue(x_queue_name, false);
end;
$$ language plpgsql strict set search_path = pg_catalog, pg_temp;


create or replace function pgq.set_queue_config(
    x_queue_name    text,
    x_param_name    text,
    x_param_value   text)
returns integer as $$
-- Sets one setting of a queue.  Parameter names come without the queue_
-- prefix: ticker_max_count, ticker_max_lag, ticker_idle_period,
-- ticker_paused, rotation_period, external_ticker, and ours, ticker_notify
-- (producers wake the ticker at commit; the producer functions are
-- regenerated).  The value is converted by the column type's input function,
-- so errors read as they would for a quoted literal.  Returns 1.
declare
    target_id   int4;
begin
    if x_queue_name is null or x_param_name is null then
        raise exception 'Invalid NULL value';
    end if;
    target_id := (pgq._find_queue(x_queue_name, 'No such event queue')).queue_id;

    if x_param_name not in ('ticker_max_count', 'ticker_max_lag', 'ticker_idle_period',
                            'ticker_paused', 'rotation_period', 'external_ticker',
                            'ticker_notify') then
        -- PgQ's message has the stray 's' (a "%s" in a RAISE format)
        raise exception 'cannot change parameter "%s"', x_param_name;
    end if;
    if x_param_value is null then
        -- what PgQ reports, from handing a NULL statement to EXECUTE
        raise exception 'query string argument of EXECUTE is null'
            using errcode = 'null_value_not_allowed';
    end if;

    -- One static UPDATE per setting: no SQL is assembled from the arguments.
    case x_param_name
    when 'ticker_max_count' then
        update pgq.queue set queue_ticker_max_count = x_param_value::integer where queue_id = target_id;
    when 'ticker_max_lag' then
        update pgq.queue set queue_ticker_max_lag = x_param_value::interval where queue_id = target_id;
    when 'ticker_idle_period' then
        update pgq.queue set queue_ticker_idle_period = x_param_value::interval where queue_id = target_id;
    when 'ticker_paused' then
        update pgq.queue set queue_ticker_paused = x_param_value::boolean where queue_id = target_id;
    when 'rotation_period' then
        update pgq.queue set queue_rotation_period = x_param_value::interval where queue_id = target_id;
    when 'external_ticker' then
        update pgq.queue set queue_external_ticker = x_param_value::boolean where queue_id = target_id;
    when 'ticker_notify' then
        -- the wake-up NOTIFY carries the queue name; payloads end at 8000 bytes
        if x_param_value::boolean and pg_catalog.octet_length(x_queue_name) >= 8000 then
            raise exception 'queue name too long for ticker_notify (8000 bytes or more)';
        end if;
        update pgq.queue set queue_ticker_notify = x_param_value::boolean where queue_id = target_id;
        perform pgq._regen_insert_dispatch();
    end case;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.grant_perms(x_queue_name text)
returns integer as $$
-- Gives the queue's event tables the privileges pgq.event_template has
-- (set them there, then call this for each queue), lets everybody read the
-- sequences, and lets pgq_admin draw event ids (COPY into
-- current_event_table relies on the ev_id default).  Returns 1.
declare
    target_id   int4;
    rel         record;
begin
    target_id := (pgq._find_queue(x_queue_name, 'Queue not found')).queue_id;
    for rel in select r.relname, r.relkind from pgq._queue_relations(target_id) r loop
        if rel.relkind = 'S' then
            execute pg_catalog.format('grant select on sequence pgq.%I to public', rel.relname);
            if rel.relname = 'event_' || target_id || '_id_seq' then
                execute pg_catalog.format('grant usage on sequence pgq.%I to pgq_admin', rel.relname);
            end if;
        else
            perform pgq._grant_perms_from('pgq', 'event_template', 'pgq', rel.relname);
        end if;
    end loop;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.tune_storage(i_queue_name text)
returns integer as $$
-- Storage settings of the child event tables: rotation empties them with
-- TRUNCATE, so autovacuum has nothing to do there, and rows are never
-- updated, so pages can be filled.  Returns 1, or 0 for an unknown queue.
declare
    target_id   int4;
    rel         record;
begin
    target_id := (pgq._find_queue(i_queue_name)).queue_id;
    if target_id is null then
        return 0;
    end if;
    for rel in select r.relname from pgq._queue_relations(target_id) r where r.table_nr is not null loop
        execute pg_catalog.format(
            'alter table pgq.%I set (fillfactor = 100, autovacuum_enabled = off, toast.autovacuum_enabled = off)',
            rel.relname);
    end loop;
    return 1;
end;
$$ language plpgsql strict set search_path = pg_catalog, pg_temp;
