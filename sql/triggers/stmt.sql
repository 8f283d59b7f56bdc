-- ----------------------------------------------------------------------
-- Statement-level table triggers with transition tables: the set-based
-- form of pgq.logutriga / pgq.sqltriga / pgq.jsontriga for bulk DML.
--
--   pgq.logutriga_stmt(queue, [options]), pgq.sqltriga_stmt(...),
--   pgq.jsontriga_stmt(...): AFTER ... FOR EACH STATEMENT triggers, one per
--   event (PostgreSQL allows transition tables only on single-event
--   triggers), with REFERENCING NEW TABLE AS pgq_new (INSERT, UPDATE) and
--   OLD TABLE AS pgq_old (UPDATE, DELETE).  pgq.create_trigger() creates
--   them (and row-level triggers where an option needs them).
--
-- Same events as the row-level functions, in the same order (the
-- transition tables hold the rows in the order they were changed; UPDATE
-- pairs OLD and NEW rows by position), byte for byte: each column's value
-- is its type's output function (concat(), as record_out writes it), the
-- encodings are the same expressions.  Options: backup, ignore=, pkey=,
-- and the magic columns _pgq_ev_*; the per-row options (SKIP, deny, when=,
-- ev_type= ... ev_extra4=) need a row-level trigger and are refused here.
--
-- Per statement: one catalog read and the SQL built from it
-- (pgq._trg_stmt_sql, pinned search_path), one query over the transition
-- tables, and one batch INSERT into the event table
-- (pgq._insert_event_batch) — or, when pgq.insert_event has been replaced
-- (pgq._insert_event_is_ours() is false), one call of pgq.insert_event per
-- event, as the row-level triggers and the C triggers do, so a site's
-- replacement sees these events too.  A table whose UPDATE needs a
-- comparison the SQL cannot inline (ranges, composites, user types,
-- non-deterministic collations) has its UPDATE rows passed one by one to
-- the row-level code (pgq._trg_event).
--
-- The trigger functions run as the caller and cannot pin search_path (the
-- values are to read as in the caller's session, as NEW::text does): the
-- SQL they run names the schema of every function, operator and type.
-- ----------------------------------------------------------------------

-- pgq._trg_fail(msg): raise msg; used inside the generated SQL (CASE)
create or replace function pgq._trg_fail(i_msg text)
returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    raise exception '%', i_msg;
end;
$$;

-- pgq._insert_event_batch(queue, types, datas, extra1..4): the events of
-- one statement into the queue, in array order, as pgq.insert_event would
-- insert them one by one (same checks, ids drawn in order).  Only for
-- pgq.insert_event as generated (the caller checks
-- pgq._insert_event_is_ours()); a queue with a per-transaction limit takes
-- pgq.insert_event per event, which counts them.
create or replace function pgq._insert_event_batch(
    i_queue text, i_type text[], i_data text[], i_extra1 text[], i_extra2 text[],
    i_extra3 text[], i_extra4 text[])
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_qid   int4;
    v_tbl   int4;
    v_dis   boolean;
    v_lim   int4;
    v_ntf   boolean;
    n       integer := coalesce(cardinality(i_type), 0);
begin
    if n = 0 then
        return 0;
    end if;
    -- a replaced pgq.insert_event is the only way in (it runs as the caller)
    if not pgq._insert_event_is_ours() then
        raise exception 'pgq.insert_event has been replaced: events go through it';
    end if;
    select q.queue_id, q.queue_cur_table, q.queue_disable_insert, q.queue_per_tx_limit, q.queue_ticker_notify
      into v_qid, v_tbl, v_dis, v_lim, v_ntf
      from pgq.queue q where q.queue_name = i_queue;
    if not found then
        raise exception 'No such queue';
    end if;
    if v_lim is not null or (v_dis and current_setting('session_replication_role') <> 'replica') then
        -- the counting and the refusal as pgq.insert_event does them
        for i in 1 .. n loop
            perform pgq.insert_event(i_queue, i_type[i], i_data[i], i_extra1[i], i_extra2[i],
                                     i_extra3[i], i_extra4[i]);
        end loop;
        return n;
    end if;
    if v_ntf then
        perform pg_notify('pgq_ticker_wakeup', i_queue);
    end if;
    execute format('insert into pgq.event_%1$s_%2$s (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
                   ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
                   ' select pg_catalog.nextval(''pgq.event_%1$s_id_seq''::pg_catalog.regclass), pg_catalog.now(),'
                   ' null, null, e.t, e.d, e.x1, e.x2, e.x3, e.x4'
                   ' from rows from (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4),'
                   ' pg_catalog.unnest($5), pg_catalog.unnest($6)) as e(t, d, x1, x2, x3, x4)',
                   v_qid, v_tbl)
      using i_type, i_data, i_extra1, i_extra2, i_extra3, i_extra4;
    return n;
end;
$$;

-- pgq._trg_stmt_args(argv, nargs, op, schema, table): the arguments of a
-- statement trigger, parsed and checked as pgq._trg_args does; the per-row
-- options are refused.
create or replace function pgq._trg_stmt_args(
    in i_argv text[],
    in i_nargs integer,
    in i_op text,
    in i_schema text,
    in i_table text,
    out queue_name text,
    out ignore_cols text[],
    out pkey_text text,
    out backup boolean)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    a record;
begin
    select x.queue_name, x.ignore_cols, x.pkey_text, x.skip, x.deny, x.has_exprs, x.backup
      into a
      from pgq._trg_args(i_argv, i_nargs, 'AFTER', 'ROW', i_op, i_schema, i_table) x;
    if a.skip or a.deny or a.has_exprs then
        raise exception 'pgq statement trigger: SKIP, deny and expressions need a row-level trigger (see pgq.create_trigger)';
    end if;
    queue_name := a.queue_name;
    ignore_cols := a.ignore_cols;
    pkey_text := a.pkey_text;
    backup := a.backup;
end;
$$;

-- pgq._trg_stmt_sql(format, op, relid, schema, table, nargs, argv): what a
-- statement trigger runs for one statement.
--   queue_name  the queue
--   mode        'set': query returns one row of six text[] (ev_type,
--               ev_data, ev_extra1..4 of every event, in order);
--               'rows': query returns (new, old) rows in order, for
--               pgq._trg_event one by one
--   query       over pgq_new / pgq_old
create or replace function pgq._trg_stmt_sql(
    in i_format text,
    in i_op text,
    in i_relid oid,
    in i_schema text,
    in i_table text,
    in i_nargs integer,
    in i_argv text[],
    out queue_name text,
    out mode text,
    out query text)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    a           record;
    col_names   text[];
    col_json    text[];
    col_kind    text[];
    col_is_pk   boolean[];
    pk_names    text[];
    col_skip    boolean[];
    col_ignored boolean[];
    ovr         text[] := '{NULL,NULL,NULL,NULL,NULL,NULL,NULL}';  -- expressions of magic columns
    n_cols      integer;
    any_ignored boolean := false;
    slot        integer;
    pkey_list   text;
    table_text  text := i_schema || '.' || i_table;
    src         text;           -- FROM clause
    inner_cols  text := '';     -- the subquery's columns
    cmp_cols    boolean[];      -- compared in UPDATE
    chg         text[];         -- per column: changed expression (UPDATE)
    pkch        text := 'false';
    ci          text := 'false';
    cd          text := 'false';
    nullkey     text := 'false';
    ev_type     text;
    ev_data     text;
    ev_extra2   text := 'null';
    check_expr  text := '';
    row_filter  text := '';
    piece       text;
    parts       text[];
    v           text;
    i           integer;
begin
    select x.queue_name, x.ignore_cols, x.pkey_text, x.backup
      into a
      from pgq._trg_stmt_args(i_argv, i_nargs, i_op, i_schema, i_table) x;
    queue_name := a.queue_name;

    -- the table, as pgq._trg_event reads it
    select array_agg(t.attname::text order by t.attnum),
           array_agg(case when t.atttypid = 16 then 'b'
                          when t.atttypid in (20, 21, 23) then 'i'
                          when t.atttypid in (1082, 1114, 1184) then 'j'
                          else 's' end order by t.attnum),
           array_agg(pgq._trg_col_kind(t.atttypid, t.attcollation) order by t.attnum),
           array_agg(coalesce(t.attnum = any (pk.cols), false) order by t.attnum),
           array_agg(t.attname::text order by array_position(pk.cols, t.attnum))
               filter (where t.attnum = any (pk.cols))
      into col_names, col_json, col_kind, col_is_pk, pk_names
      from pg_attribute t,
           (select coalesce((select (k.indkey::int2[])[0:k.indnkeyatts - 1] from pg_index k
                              where k.indexrelid = pg_get_replica_identity_index(i_relid) and k.indisprimary),
                            (select (k.indkey::int2[])[0:k.indnkeyatts - 1] from pg_index k
                              where k.indrelid = i_relid and k.indisprimary)) as cols
            offset 0) pk
     where t.attrelid = i_relid and t.attnum > 0 and not t.attisdropped;
    pk_names := coalesce(pk_names, '{}');
    n_cols := coalesce(cardinality(col_names), 0);
    col_skip := array_fill(false, array[n_cols]);
    col_ignored := col_skip;

    if a.pkey_text is not null then
        pkey_list := a.pkey_text;
        col_is_pk := array(select c.name = any (array(select btrim(x) from unnest(string_to_array(a.pkey_text, ',')) x))
                             from unnest(col_names) with ordinality as c(name, pos)
                            order by c.pos);
    else
        pkey_list := array_to_string(pk_names, ',');
    end if;
    for i in 1 .. n_cols loop
        if starts_with(col_names[i], '_pgq_ev_') then
            slot := array_position(array['_pgq_ev_type', '_pgq_ev_data', '_pgq_ev_extra1', '_pgq_ev_extra2',
                                         '_pgq_ev_extra3', '_pgq_ev_extra4'], col_names[i]) + 1;
            if slot is null then
                raise exception 'Unknown magic column: %', col_names[i];
            end if;
            -- the new row's value (OLD's for DELETE), as text
            ovr[slot] := 'r.v' || i;
            col_skip[i] := true;
            col_ignored[i] := i_format = 's';
        end if;
        if col_names[i] = any (a.ignore_cols) then
            col_skip[i] := true;
            col_ignored[i] := true;
        end if;
    end loop;
    any_ignored := true = any (col_ignored);

    if i_op in ('UPDATE', 'DELETE') and not (true = any (col_is_pk)) then
        raise exception 'Update/Delete on table without pkey';
    end if;

    -- UPDATE: which columns are compared, and whether SQL can compare them
    cmp_cols := array_fill(false, array[n_cols]);
    if i_op = 'UPDATE' then
        for i in 1 .. n_cols loop
            if col_is_pk[i] or any_ignored or i_format = 's' then
                cmp_cols[i] := true;
                if col_kind[i] in ('x', 'u') then
                    mode := 'rows';
                    -- (the rows as the table's type: their fields by name)
                    query := format('select n.nrow, o.orow from (select pg_catalog.row_number() over () as rn,'
                                    ' _pgq_n::%1$s as nrow from pgq_new _pgq_n) n join (select'
                                    ' pg_catalog.row_number() over () as rn, _pgq_o::%1$s as orow from pgq_old _pgq_o) o'
                                    ' on n.rn operator(pg_catalog.=) o.rn order by n.rn', i_relid::regclass);
                    return;
                end if;
            end if;
        end loop;
    end if;
    mode := 'set';

    -- the subquery: each column's text (v<i>: the row the event shows;
    -- w<i>: OLD's in an UPDATE), the raw value where JSON needs it
    for i in 1 .. n_cols loop
        v := format('%s.%I', case when i_op = 'DELETE' then '_pgq_o' else '_pgq_n' end, col_names[i]);
        inner_cols := inner_cols || case when i > 1 then ', ' else '' end
            || format('case when pg_catalog.num_nulls(%1$s) operator(pg_catalog.=) 0'
                      ' then pg_catalog.concat(%1$s) end', v)
            || ' as v' || i;
        if i_format = 'j' and col_json[i] = 'j' then
            inner_cols := inner_cols || format(', pg_catalog.to_json(%s)::pg_catalog.text as j%s', v, i);
        end if;
        if i_op = 'UPDATE' then
            v := format('_pgq_o.%I', col_names[i]);
            inner_cols := inner_cols || format(', case when pg_catalog.num_nulls(%1$s) operator(pg_catalog.=) 0'
                                               ' then pg_catalog.concat(%1$s) end as w%2$s', v, i);
            if i_format = 'j' and col_json[i] = 'j' and a.backup then
                inner_cols := inner_cols || format(', pg_catalog.to_json(%s)::pg_catalog.text as k%s', v, i);
            end if;
        end if;
    end loop;
    if i_op = 'INSERT' then
        src := 'pgq_new _pgq_n';
    elsif i_op = 'DELETE' then
        src := 'pgq_old _pgq_o';
    else
        src := '(select pg_catalog.row_number() over () as _pgq_rn, _pgq_n.* from pgq_new _pgq_n) _pgq_n'
               || ' join (select pg_catalog.row_number() over () as _pgq_rn, _pgq_o.* from pgq_old _pgq_o) _pgq_o'
               || ' on _pgq_n._pgq_rn operator(pg_catalog.=) _pgq_o._pgq_rn';
    end if;

    -- UPDATE: changed columns, key change, ignore rule
    if i_op = 'UPDATE' then
        chg := array_fill(null::text, array[n_cols]);
        for i in 1 .. n_cols loop
            if cmp_cols[i] then
                chg[i] := format('(r.v%1$s is distinct from r.w%1$s and (r.v%1$s is null or r.w%1$s is null or %2$s))', i,
                                 case col_kind[i]
                                     when 't' then 'true'
                                     when 'n' then format('r.w%1$s::pg_catalog.numeric operator(pg_catalog.<>) r.v%1$s::pg_catalog.numeric', i)
                                     when 'f' then format('r.w%1$s::pg_catalog.float4 operator(pg_catalog.<>) r.v%1$s::pg_catalog.float4', i)
                                     when 'd' then format('r.w%1$s::pg_catalog.float8 operator(pg_catalog.<>) r.v%1$s::pg_catalog.float8', i)
                                     when 'i' then format('r.w%1$s::pg_catalog.interval operator(pg_catalog.<>) r.v%1$s::pg_catalog.interval', i)
                                 end);
                if col_is_pk[i] then
                    pkch := pkch || ' or ' || chg[i];
                elsif col_ignored[i] then
                    ci := ci || ' or ' || chg[i];
                elsif not col_skip[i] then
                    cd := cd || ' or ' || chg[i];
                end if;
            end if;
        end loop;
        -- a changed ignored column with no other change queues nothing
        -- (a key change is an error first)
        if ci <> 'false' then
            row_filter := format(' where (%s) or not ((%s) and not (%s))', pkch, ci, cd);
        end if;
        check_expr := format('when %s then pgq._trg_fail(''primary key update not allowed'') ', pkch);
    end if;

    -- the event
    if i_format = 'l' then
        ev_type := quote_literal(left(i_op, 1) || ':' || pkey_list);
    elsif i_format = 's' then
        ev_type := quote_literal(left(i_op, 1));
    else
        ev_type := quote_literal('{"op":"' || i_op || '","table":' || to_json(array[i_schema, i_table])::text
                                 || ',"pkey":' || to_json(coalesce(string_to_array(a.pkey_text, ','), pk_names))::text
                                 || '}');
    end if;

    if i_format in ('l', 's') then
        -- urlencoded: the row (and, with backup, OLD of an UPDATE)
        for pass in 1 .. case when a.backup and i_op = 'UPDATE' then 2 else 1 end loop
            parts := '{}';
            for i in 1 .. n_cols loop
                if not col_skip[i] then
                    piece := format('case when r.%1$s%2$s is null then %3$L else %4$L operator(pg_catalog.||) pgq._urlencode(r.%1$s%2$s) end',
                                    case when pass = 1 then 'v' else 'w' end, i,
                                    pgq._urlencode(col_names[i]), pgq._urlencode(col_names[i]) || '=');
                    parts := parts || piece;
                end if;
            end loop;
            piece := coalesce(nullif(array_to_string(parts, ' operator(pg_catalog.||) ''&'' operator(pg_catalog.||) '), ''), '''''');
            if pass = 1 then
                if i_format = 'l' then
                    ev_data := piece;
                end if;
            else
                ev_extra2 := piece;
            end if;
        end loop;
    end if;

    if i_format = 's' then
        if i_op = 'INSERT' then
            parts := '{}';
            for i in 1 .. n_cols loop
                if not col_skip[i] then
                    parts := parts || format('coalesce(pg_catalog.quote_literal(r.v%s), ''null'')', i);
                end if;
            end loop;
            ev_data := quote_literal('(' || coalesce((select string_agg(quote_ident(c.name), ',' order by c.pos)
                                                       from unnest(col_names, col_skip) with ordinality as c(name, skip, pos)
                                                      where not c.skip), '')
                                     || ') values (')
                       || coalesce(' operator(pg_catalog.||) ' || nullif(array_to_string(parts, ' operator(pg_catalog.||) '','' operator(pg_catalog.||) '), ''), '')
                       || ' operator(pg_catalog.||) '')''';
        else
            -- key clause: key columns in column order with their old values
            -- (w<i> in an UPDATE, v<i> of the OLD row in a DELETE)
            parts := '{}';
            for i in 1 .. n_cols loop
                if col_is_pk[i] then
                    v := case when i_op = 'UPDATE' then 'r.w' else 'r.v' end || i;
                    parts := parts || format('%L operator(pg_catalog.||) pg_catalog.quote_literal(%s)',
                                             quote_ident(col_names[i]) || '=', v);
                    nullkey := nullkey || ' or ' || v || ' is null';
                end if;
            end loop;
            piece := array_to_string(parts, ' operator(pg_catalog.||) '' and '' operator(pg_catalog.||) ');
            if ovr[3] is null then
                check_expr := check_expr || format('when %s then pgq._trg_fail(''logtriga: Unexpected NULL key value'') ', nullkey);
            end if;
            if i_op = 'DELETE' then
                ev_data := piece;
            else
                -- SET list: changed columns with their new values, else the
                -- first key column set to its old value
                parts := '{}';
                for i in 1 .. n_cols loop
                    if chg[i] is not null and not col_skip[i] then
                        parts := parts || format('case when %s then %L operator(pg_catalog.||) coalesce(pg_catalog.quote_literal(r.v%s), ''NULL'') end',
                                                 chg[i], quote_ident(col_names[i]) || '=', i);
                    end if;
                end loop;
                ev_data := format('coalesce(%s, %s) operator(pg_catalog.||) '' where '' operator(pg_catalog.||) %s',
                                  case when cardinality(parts) = 0 then 'null'
                                       when cardinality(parts) <= 99 then 'nullif(pg_catalog.concat_ws('','', ' || array_to_string(parts, ', ') || '), '''')'
                                       else 'nullif(pg_catalog.array_to_string(array[' || array_to_string(parts, ', ') || '], '',''), '''')' end,
                                  (select format('%L operator(pg_catalog.||) pg_catalog.quote_literal(r.w%s)',
                                                 quote_ident(c.name) || '=', c.pos)
                                     from unnest(col_names, col_is_pk) with ordinality as c(name, is_pk, pos)
                                    where c.is_pk order by c.pos limit 1),
                                  piece);
            end if;
        end if;
    elsif i_format = 'j' then
        for pass in 1 .. case when a.backup and i_op = 'UPDATE' then 2 else 1 end loop
            parts := '{}';
            for i in 1 .. n_cols loop
                if not col_skip[i] then
                    v := case when pass = 1 then 'r.v' else 'r.w' end || i;
                    parts := parts || format('%L operator(pg_catalog.||) %s', to_json(col_names[i])::text || ':',
                        format('case when %s is null then ''null'' else %s end', v,
                               case col_json[i]
                                   when 'b' then format('case when %s operator(pg_catalog.=) ''t'' then ''true'' else ''false'' end', v)
                                   when 'i' then v
                                   when 'j' then case when pass = 1 then 'r.j' else 'r.k' end || i
                                   else format('pg_catalog.to_json(%s)::pg_catalog.text', v) end));
                end if;
            end loop;
            piece := '''{'' operator(pg_catalog.||) '
                     || coalesce(nullif(array_to_string(parts, ' operator(pg_catalog.||) '','' operator(pg_catalog.||) '), '') || ' operator(pg_catalog.||) ', '')
                     || '''}''';
            if pass = 1 then
                ev_data := piece;
            else
                ev_extra2 := piece;
            end if;
        end loop;
    end if;

    -- the per-row errors, checked on every row (whatever gives the data)
    if check_expr <> '' then
        ev_type := 'case ' || check_expr || 'else ' || coalesce(ovr[2], ev_type) || ' end';
        ovr[2] := null;
    end if;
    query := format('select pg_catalog.array_agg((%s)::pg_catalog.text), pg_catalog.array_agg((%s)::pg_catalog.text),'
                    ' pg_catalog.array_agg((%s)::pg_catalog.text), pg_catalog.array_agg((%s)::pg_catalog.text),'
                    ' pg_catalog.array_agg((%s)::pg_catalog.text), pg_catalog.array_agg((%s)::pg_catalog.text)'
                    ' from (select %s from %s%s offset 0) r%s',
                    coalesce(ovr[2], ev_type), coalesce(ovr[3], ev_data), coalesce(ovr[4], quote_literal(table_text)),
                    coalesce(ovr[5], ev_extra2), coalesce(ovr[6], 'null::pg_catalog.text'), coalesce(ovr[7], 'null::pg_catalog.text'),
                    inner_cols, src, case when i_op = 'UPDATE' then ' order by _pgq_n._pgq_rn' else '' end, row_filter);
end;
$$;

-- pgq._trg_stmt_trigger_sql(name, code, pre): the CREATE statement of the
-- statement-level trigger function pgq.<name>() of format code (see
-- above); pre (may be empty) is PL/pgSQL put first in its body (the
-- generated per-table code of sql/triggers/gen.sql, which returns when it
-- has queued the statement's events).  The transition tables are visible
-- only inside the trigger function itself, so the body cannot move into a
-- shared helper; the functions come from this one template instead.
create or replace function pgq._trg_stmt_trigger_sql(i_name text, i_code text, i_pre text)
returns text as $make$
begin
    -- pre last: it may hold anything (column names), no placeholder in it
    -- is replaced
    return pg_catalog.format('create or replace function pgq.%I() returns trigger language plpgsql as %L', i_name,
        pg_catalog.replace(pg_catalog.replace(pg_catalog.replace($template$
declare
    s   record;
    r   record;
    t   text[];
    d   text[];
    x1  text[];
    x2  text[];
    x3  text[];
    x4  text[];
    n   integer;
begin
@PRE@
    -- No pinned search_path (values read as in the caller's session): every
    -- name carries its schema.
    if TG_LEVEL operator(pg_catalog.<>) 'STATEMENT' or TG_WHEN operator(pg_catalog.<>) 'AFTER'
       or TG_OP operator(pg_catalog.=) 'TRUNCATE' then
        raise exception 'pgq.@NAME@ must be fired AFTER INSERT, UPDATE or DELETE FOR EACH STATEMENT';
    end if;
    if pg_catalog.current_setting('session_replication_role') operator(pg_catalog.=) 'local' then
        return null;
    end if;
    -- no row changed: no event, no error (as the row-level trigger)
    if TG_OP operator(pg_catalog.=) 'DELETE' then
        n := (select pg_catalog.count(*) from (select from pgq_old limit 2) x);
    else
        n := (select pg_catalog.count(*) from (select from pgq_new limit 2) x);
    end if;
    if n operator(pg_catalog.=) 0 then
        return null;
    elsif n operator(pg_catalog.=) 1 then
        -- one row: the row-level code is cheaper than building the
        -- set-based SQL (the rows as the table's type: fields by name)
        if TG_NARGS operator(pg_catalog.>) 1 then
            perform pgq._trg_stmt_args(TG_ARGV, TG_NARGS, TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME);
        end if;
        execute pg_catalog.format('select %s as nrow, %s as orow',
                    case when TG_OP operator(pg_catalog.=) 'DELETE' then 'null::pg_catalog.record'
                         else pg_catalog.format('(select _pgq_n::%I.%I from pgq_new _pgq_n)', TG_TABLE_SCHEMA, TG_TABLE_NAME) end,
                    case when TG_OP operator(pg_catalog.=) 'INSERT' then 'null::pg_catalog.record'
                         else pg_catalog.format('(select _pgq_o::%I.%I from pgq_old _pgq_o)', TG_TABLE_SCHEMA, TG_TABLE_NAME) end)
           into r;
        perform pgq._trg_event('@CODE@', TG_OP, 'AFTER', 'ROW', TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
                               TG_NARGS, TG_ARGV, r.nrow, r.orow, r.nrow::pg_catalog.text,
                               r.orow::pg_catalog.text, pg_catalog.current_setting('search_path'));
        return null;
    end if;
    s := pgq._trg_stmt_sql('@CODE@', TG_OP, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_NARGS, TG_ARGV);
    if s.mode operator(pg_catalog.=) 'rows' then
        for r in execute s.query loop
            perform pgq._trg_event('@CODE@', TG_OP, 'AFTER', 'ROW', TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
                                   TG_NARGS, TG_ARGV, r.nrow, r.orow, r.nrow::pg_catalog.text,
                                   r.orow::pg_catalog.text, pg_catalog.current_setting('search_path'));
        end loop;
        return null;
    end if;
    execute s.query into t, d, x1, x2, x3, x4;
    if pgq._insert_event_is_ours() then
        perform pgq._insert_event_batch(s.queue_name, t, d, x1, x2, x3, x4);
    else
        -- a site's own pgq.insert_event sees every event, in order
        for i in 1 .. coalesce(pg_catalog.cardinality(t), 0) loop
            perform pgq.insert_event(s.queue_name, t[i], d[i], x1[i], x2[i], x3[i], x4[i]);
        end loop;
    end if;
    return null;
end;
$template$, '@NAME@', i_name), '@CODE@', i_code), '@PRE@', i_pre));
end
$make$ language plpgsql immutable set search_path = pg_catalog, pg_temp;

do $make_stmt_triggers$
begin
    execute pgq._trg_stmt_trigger_sql('logutriga_stmt', 'l', '');
    execute pgq._trg_stmt_trigger_sql('sqltriga_stmt', 's', '');
    execute pgq._trg_stmt_trigger_sql('jsontriga_stmt', 'j', '');
end
$make_stmt_triggers$;

-- pgq.create_trigger(table, queue, kind, options, name, events): creates
-- the PgQ triggers of a table.  kind: logutriga, sqltriga or jsontriga;
-- options: as the trigger functions take them ('backup', 'ignore=a,b',
-- 'pkey=a', 'SKIP', 'deny', 'when=...', 'ev_type=...', ...); events: any of
-- insert, update, delete, truncate.  Without per-row options (SKIP, deny,
-- when=, ev_*=) INSERT, UPDATE and DELETE get statement-level triggers with
-- transition tables (pgq.<kind>_stmt), which write a statement's events in
-- one go; with them, one row-level trigger (BEFORE with SKIP, else AFTER)
-- of pgq.<kind>.  TRUNCATE gets the statement-level pgq.<kind>(queue).
-- The events are those of the row-level trigger, in the same order.
-- Triggers are named <name>_ins/_upd/_del/_trunc (or <name> for the one
-- row-level trigger); name defaults to pgq_<queue>.  Returns their names.
-- i_generated: functions generated for this table (sql/triggers/gen.sql:
-- static code per column, no catalog read and no dynamic SQL per row or
-- statement); for options, or a table the generated code cannot serve
-- (column types outside its list, not a plain table), pgq.<kind> or
-- pgq.<kind>_stmt.  i_statement: statement-level triggers (true) or one
-- row-level trigger (false); by default statement-level, but row-level
-- with i_generated (the cheapest for one-row statements; generated
-- statement-level triggers are the cheapest per row for bulk DML).
drop function if exists pgq.create_trigger(regclass, text, text, text[], text, text[]);
drop function if exists pgq.create_trigger(regclass, text, text, text[], text, text[], boolean);
create or replace function pgq.create_trigger(
    i_table regclass,
    i_queue text,
    i_kind text default 'logutriga',
    i_options text[] default '{}',
    i_name text default null,
    i_events text[] default '{insert,update,delete}',
    i_generated boolean default false,
    i_statement boolean default null)
returns text[]
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
    args    text;
    per_row boolean := false;
    skip    boolean := false;
    ev      text;
    evs     text[] := '{}';
    tname   text := coalesce(i_name, 'pgq_' || i_queue);
    created text[] := '{}';
    o       text;
    fname   text;
begin
    if i_kind not in ('logutriga', 'sqltriga', 'jsontriga') then
        raise exception 'pgq.create_trigger: kind must be logutriga, sqltriga or jsontriga, not %', i_kind;
    end if;
    if i_queue is null then
        raise exception 'pgq.create_trigger: queue is required';
    end if;
    foreach ev in array coalesce(i_events, '{}') loop
        ev := lower(ev);
        if ev not in ('insert', 'update', 'delete', 'truncate') then
            raise exception 'pgq.create_trigger: unknown event %', ev;
        end if;
        if ev <> all (evs) then
            evs := evs || ev;
        end if;
    end loop;
    foreach o in array coalesce(i_options, '{}') loop
        if o = 'SKIP' then
            skip := true;
            per_row := true;
        elsif o = 'deny' or o ~ '^(when|ev_type|ev_data|ev_extra[1-4])=' then
            per_row := true;
        end if;
    end loop;
    if per_row and i_statement then
        raise exception 'pgq.create_trigger: SKIP, deny and expressions need a row-level trigger (i_statement => false)';
    end if;
    per_row := per_row or not coalesce(i_statement, not coalesce(i_generated, false));
    args := array_to_string(array(select quote_literal(x) from unnest(i_queue || coalesce(i_options, '{}')) x), ', ');
    if i_generated and coalesce(i_options, '{}') = '{}' and array_remove(evs, 'truncate') <> '{}' then
        fname := pgq._trg_gen_create(i_table, i_queue, i_kind || case when per_row then '' else '_stmt' end);
    end if;
    if fname is not null and per_row then
        execute format('create trigger %I after %s on %s for each row execute function pgq.%I(%L)',
                       tname, array_to_string(array_remove(evs, 'truncate'), ' or '), i_table, fname, i_queue);
        created := created || tname;
    elsif per_row then
        if array_remove(evs, 'truncate') <> '{}' then
            execute format('create trigger %I %s %s on %s for each row execute function pgq.%I(%s)',
                           tname, case when skip then 'before' else 'after' end,
                           array_to_string(array_remove(evs, 'truncate'), ' or '), i_table, i_kind, args);
            created := created || tname;
        end if;
    else
        foreach ev in array array_remove(evs, 'truncate') loop
            execute format('create trigger %I after %s on %s referencing %s for each statement'
                           ' execute function pgq.%I(%s)',
                           tname || '_' || left(ev, 3), ev, i_table,
                           case ev when 'insert' then 'new table as pgq_new'
                                   when 'update' then 'old table as pgq_old new table as pgq_new'
                                   else 'old table as pgq_old' end,
                           coalesce(fname, i_kind || '_stmt'), case when fname is null then args else quote_literal(i_queue) end);
            created := created || (tname || '_' || left(ev, 3));
        end loop;
    end if;
    if 'truncate' = any (evs) then
        execute format('create trigger %I after truncate on %s for each statement execute function pgq.%I(%L)',
                       tname || '_trunc', i_table, i_kind, i_queue);
        created := created || (tname || '_trunc');
    end if;
    return created;
end;
$$;

-- the grants above wrote a new pg_proc row of pgq.insert_event: record it
select pgq._gen_insert_event_sig();

revoke all on function pgq._trg_fail(text) from public;
revoke all on function pgq._trg_stmt_trigger_sql(text, text, text) from public;
revoke all on function pgq._insert_event_batch(text, text[], text[], text[], text[], text[], text[]) from public;
revoke all on function pgq._trg_stmt_sql(text, text, oid, text, text, integer, text[]) from public;
revoke all on function pgq._trg_stmt_args(text[], integer, text, text, text) from public;
revoke all on function pgq._insert_event_is_ours() from public;
revoke all on function pgq.logutriga_stmt() from public;
revoke all on function pgq.sqltriga_stmt() from public;
revoke all on function pgq.jsontriga_stmt() from public;
revoke all on function pgq.create_trigger(regclass, text, text, text[], text, text[], boolean, boolean) from public;
grant execute on function pgq._trg_fail(text) to pgq_writer;
grant execute on function pgq._insert_event_batch(text, text[], text[], text[], text[], text[], text[]) to pgq_writer;
grant execute on function pgq._trg_stmt_sql(text, text, oid, text, text, integer, text[]) to pgq_writer;
grant execute on function pgq._trg_stmt_args(text[], integer, text, text, text) to pgq_writer;
grant execute on function pgq._insert_event_is_ours() to pgq_writer;
grant execute on function pgq.logutriga_stmt() to pgq_writer;
grant execute on function pgq.sqltriga_stmt() to pgq_writer;
grant execute on function pgq.jsontriga_stmt() to pgq_writer;
grant execute on function pgq.create_trigger(regclass, text, text, text[], text, text[], boolean, boolean) to pgq_writer;
