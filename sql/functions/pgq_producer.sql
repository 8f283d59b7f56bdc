-- Producer API: insert_event (3/7 args), insert_event_raw,
-- current_event_table, plus the generated insert dispatcher.
--
-- Hot path design
-- ---------------
-- The C implementation caches one prepared INSERT per (queue, table).  We get
-- the same effect in PL/pgSQL with a generated function,
-- pgq._insert_event_dispatch(), that contains one static INSERT statement per
-- (queue_id, table number).  PL/pgSQL prepares and caches a plan per
-- statement the first time it runs in a session, so every call after the
-- first is: one cached index lookup in pgq.queue, a few simple expressions,
-- one cached INSERT.  Branches are nested IFs on queue_id ranges (leaves of at
-- most 8 queues), so dispatch is O(log queues); regeneration (create_queue,
-- drop_queue, install/upgrade) is O(queues).  Queues missing from the
-- dispatcher (e.g. non-standard queue_data_pfx) take a dynamic-SQL fallback.

create or replace function pgq._insert_event_generic(
    i_queue_id int4, i_table int4, i_ev_id int8, i_ev_time timestamptz,
    i_ev_owner int4, i_ev_retry int4, i_ev_type text, i_ev_data text,
    i_ev_extra1 text, i_ev_extra2 text, i_ev_extra3 text, i_ev_extra4 text)
returns int8 as $$
-- Slow path: insert into pgq.queue's current table with dynamic SQL.
-- Always consumes one value of the event sequence.
declare
    v_pfx  text;
    v_seq  text;
    v_id   int8;
begin
    select queue_data_pfx, queue_event_seq into v_pfx, v_seq
      from pgq.queue where queue_id = i_queue_id;
    if not found then
        raise exception 'No such queue';
    end if;
    v_id := pg_catalog.nextval(pgq.quote_fqname(v_seq)::regclass);
    v_id := coalesce(i_ev_id, v_id);
    execute 'insert into ' || pgq.quote_fqname(v_pfx || '_' || i_table::text)
         || ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
         || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
         || ' values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'
      using v_id, i_ev_time, i_ev_owner, i_ev_retry, i_ev_type, i_ev_data,
            i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4;
    return v_id;
end;
$$ language plpgsql;


create or replace function pgq._gen_dispatch_tree(i_ids int4[], i_ntables int4[], i_lo int4, i_hi int4, i_indent text)
returns text as $$
-- Generates the nested IF tree of the dispatcher for i_ids[i_lo..i_hi]
-- (sorted ascending).  Leaves hold at most 8 queues.
declare
    res  text := '';
    mid  int4;
    qid  int4;
    n    int4;
    tbl  text;
    kw   text;
    kw2  text;
begin
    if i_hi - i_lo < 8 then
        for i in i_lo .. i_hi loop
            qid := i_ids[i];
            kw := case when i = i_lo then 'if' else 'elsif' end;
            res := res || i_indent || kw || ' i_queue_id = ' || qid::text || ' then' || E'\n'
                || i_indent || '    v_id := pg_catalog.nextval(''pgq.event_' || qid::text || '_id_seq''::regclass);' || E'\n';
            for t in 0 .. i_ntables[i] - 1 loop
                tbl := 'pgq.event_' || qid::text || '_' || t::text;
                kw2 := case when t = 0 then 'if' else 'elsif' end;
                res := res || i_indent || '    ' || kw2 || ' i_table = ' || t::text || ' then' || E'\n'
                    || i_indent || '        insert into ' || tbl
                    || ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
                    || ' values (coalesce(i_ev_id, v_id), i_ev_time, i_ev_owner, i_ev_retry, i_ev_type, i_ev_data, i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4);' || E'\n'
                    || i_indent || '        return coalesce(i_ev_id, v_id);' || E'\n';
            end loop;
            if i_ntables[i] > 0 then
                res := res || i_indent || '    end if;' || E'\n';
            end if;
        end loop;
        res := res || i_indent || 'end if;' || E'\n';
        return res;
    end if;
    mid := (i_lo + i_hi) / 2;
    return i_indent || 'if i_queue_id <= ' || i_ids[mid]::text || ' then' || E'\n'
        || pgq._gen_dispatch_tree(i_ids, i_ntables, i_lo, mid, i_indent || '    ')
        || i_indent || 'else' || E'\n'
        || pgq._gen_dispatch_tree(i_ids, i_ntables, mid + 1, i_hi, i_indent || '    ')
        || i_indent || 'end if;' || E'\n';
end;
$$ language plpgsql;


create or replace function pgq._regen_insert_dispatch()
returns integer as $$
-- (Re)generates pgq._insert_event_dispatch() from pgq.queue.
-- Object names are derived from queue_id only; queues whose
-- queue_data_pfx/queue_event_seq are not the standard ones use the generic
-- path.  Returns the number of queues in the dispatcher.
declare
    v_ids   int4[];
    v_nt    int4[];
    v_body  text;
    v_cnt   int4;
begin
    select coalesce(array_agg(queue_id order by queue_id), '{}'),
           coalesce(array_agg(queue_ntables order by queue_id), '{}')
      into v_ids, v_nt
      from pgq.queue
     where queue_data_pfx = 'pgq.event_' || queue_id::text
       and queue_event_seq = 'pgq.event_' || queue_id::text || '_id_seq'
       and queue_ntables between 1 and 1000;
    v_cnt := coalesce(array_length(v_ids, 1), 0);

    v_body := E'\ndeclare\n    v_id int8;\nbegin\n';
    if v_cnt > 0 then
        v_body := v_body || pgq._gen_dispatch_tree(v_ids, v_nt, 1, v_cnt, '    ');
    end if;
    v_body := v_body
        || E'    -- not in the generated tree: dynamic fallback\n'
        || E'    return pgq._insert_event_generic(i_queue_id, i_table, coalesce(i_ev_id, v_id), i_ev_time, i_ev_owner,\n'
        || E'        i_ev_retry, i_ev_type, i_ev_data, i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4);\n'
        || E'end;\n';

    execute 'create or replace function pgq._insert_event_dispatch('
        || 'i_queue_id int4, i_table int4, i_ev_id int8, i_ev_time timestamptz, '
        || 'i_ev_owner int4, i_ev_retry int4, i_ev_type text, i_ev_data text, '
        || 'i_ev_extra1 text, i_ev_extra2 text, i_ev_extra3 text, i_ev_extra4 text) '
        || 'returns int8 language plpgsql as ' || pg_catalog.quote_literal(v_body);
    -- internal: only the owner (via security definer API) and admins
    execute 'revoke all on function pgq._insert_event_dispatch(int4, int4, int8, timestamptz, int4, int4, text, text, text, text, text, text) from public';
    execute 'grant execute on function pgq._insert_event_dispatch(int4, int4, int8, timestamptz, int4, int4, text, text, text, text, text, text) to pgq_admin';
    return v_cnt;
end;
$$ language plpgsql;

-- make sure the dispatcher exists before functions referencing it are used
select pgq._regen_insert_dispatch();


create or replace function pgq.insert_event_raw(
    queue_name text, ev_id bigint, ev_time timestamptz,
    ev_owner integer, ev_retry integer, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns int8 as $$
-- Inserts an event into the queue's current table.
-- Always advances the queue's event sequence (the ticker watches it), even
-- when ev_id is given or the insert is refused.  NULL ev_time means now().
declare
    v_qid   int4;
    v_tbl   int4;
    v_dis   boolean;
    v_lim   int4;
    v_cnt   int4;
    v_key   text;
begin
    select q.queue_id, q.queue_cur_table, q.queue_disable_insert, q.queue_per_tx_limit
      into v_qid, v_tbl, v_dis, v_lim
      from pgq.queue q where q.queue_name = $1;
    if not found then
        raise exception 'No such queue';
    end if;
    if v_dis then
        if pg_catalog.current_setting('session_replication_role') <> 'replica' then
            perform pg_catalog.nextval(pgq.quote_fqname(q.queue_event_seq)::regclass)
               from pgq.queue q where q.queue_id = v_qid;
            raise exception 'Insert into queue disallowed';
        end if;
    end if;
    if v_lim is not null then
        v_key := 'pgq.tx_event_count_' || v_qid::text;
        v_cnt := coalesce(nullif(pg_catalog.current_setting(v_key, true), ''), '0')::int4 + 1;
        if v_cnt > v_lim then
            perform pg_catalog.nextval(pgq.quote_fqname(q.queue_event_seq)::regclass)
               from pgq.queue q where q.queue_id = v_qid;
            raise exception 'Queue ''%'' allows max % events from one TX', $1, v_lim;
        end if;
        perform pg_catalog.set_config(v_key, v_cnt::text, true);
    end if;
    return pgq._insert_event_dispatch(v_qid, v_tbl, $2, coalesce($3, pg_catalog.now()), $4, $5,
                                      $6, $7, $8, $9, $10, $11);
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.insert_event(
    queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as $$
-- Inserts an event with extra fields; returns its id.
-- Same as insert_event_raw(queue, NULL, now(), NULL, NULL, ...), inlined for
-- speed (this is the producer hot path).
declare
    v_qid   int4;
    v_tbl   int4;
    v_dis   boolean;
    v_lim   int4;
    v_cnt   int4;
    v_key   text;
begin
    select q.queue_id, q.queue_cur_table, q.queue_disable_insert, q.queue_per_tx_limit
      into v_qid, v_tbl, v_dis, v_lim
      from pgq.queue q where q.queue_name = $1;
    if not found then
        raise exception 'No such queue';
    end if;
    if v_dis then
        if pg_catalog.current_setting('session_replication_role') <> 'replica' then
            perform pg_catalog.nextval(pgq.quote_fqname(q.queue_event_seq)::regclass)
               from pgq.queue q where q.queue_id = v_qid;
            raise exception 'Insert into queue disallowed';
        end if;
    end if;
    if v_lim is not null then
        v_key := 'pgq.tx_event_count_' || v_qid::text;
        v_cnt := coalesce(nullif(pg_catalog.current_setting(v_key, true), ''), '0')::int4 + 1;
        if v_cnt > v_lim then
            perform pg_catalog.nextval(pgq.quote_fqname(q.queue_event_seq)::regclass)
               from pgq.queue q where q.queue_id = v_qid;
            raise exception 'Queue ''%'' allows max % events from one TX', $1, v_lim;
        end if;
        perform pg_catalog.set_config(v_key, v_cnt::text, true);
    end if;
    return pgq._insert_event_dispatch(v_qid, v_tbl, null, pg_catalog.now(), null, null,
                                      $2, $3, $4, $5, $6, $7);
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text)
returns bigint as $$
-- Inserts an event; returns its id.  Plain SQL so the planner inlines it.
    select pgq.insert_event($1, $2, $3, null, null, null, null);
$$ language sql;


create or replace function pgq.current_event_table(x_queue_name text)
returns text as $$
-- Name of the queue's current event table, for COPY.  Valid only in the
-- current transaction (rotation may switch it afterwards).
declare
    res text;
    disabled boolean;
begin
    select queue_data_pfx || '_' || queue_cur_table::text,
           queue_disable_insert
        into res, disabled
        from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not found';
    end if;
    if disabled then
        if pg_catalog.current_setting('session_replication_role') <> 'replica' then
            raise exception 'Writing to queue disabled';
        end if;
    end if;
    return res;
end;
$$ language plpgsql;
