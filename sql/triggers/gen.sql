-- ----------------------------------------------------------------------
-- Generated per-table row-level triggers (pgq.create_trigger(...,
-- i_generated => true)).
--
-- pgq._trg_gen_create(table, queue, kind) writes a trigger function of its
-- own for one table, queue and format: pgq._trg_gen_<table oid>_<l|s|j>_<hash
-- of the queue>().  Its first part builds the event with static
-- expressions over NEW and OLD (each column's text output, encoded as the
-- format wants, names and key known in advance) and queues it through the
-- queue's writer (pgq._trg_gen_writer: straight into the current event
-- table while pgq.insert_event is the generated one, else
-- pgq.insert_event): no catalog query, no dynamic SQL, no argument
-- parsing per row.  The rest of its body is that of pgq.logutriga / sqltriga /
-- jsontriga (pgq._trg_row_trigger_sql), the general path, taken whenever
-- the first part does not apply: another table, other arguments, a
-- changed key, no key for UPDATE/DELETE, session_replication_role local,
-- or a table that has changed since the code was written.
--
-- Stale code never runs.  The first part is guarded by one expression,
--     pgq._trg_gen_valid('<oid>'::regclass, '<shape>')
-- where <shape> is what pgq._trg_gen_shape(table) said when the code was
-- written (every live column's number, name, type, typmod and collation,
-- and the primary key's columns).  pgq._trg_gen_valid is declared
-- IMMUTABLE, so the planner evaluates it once, when PL/pgSQL plans the
-- expression, and the plan holds its answer as a constant: no catalog read
-- per row.  The plan stays only as long as the table is unchanged: a
-- regclass constant in a query makes PostgreSQL's plan cache depend on
-- that relation (as for nextval('seq')), so any ALTER TABLE of it (add,
-- drop, rename, retype a column, change the key, ...), in this session or
-- committed by another, in this transaction or rolled back to a savepoint,
-- invalidates the plan, and the next row plans the guard again, which
-- reads the catalog again.  A table that no longer matches takes the
-- general path (same events, slower) until pgq.create_trigger's
-- generation is run again.  Nothing is kept in settings or temporary
-- objects; the only cache is PostgreSQL's own plan cache.
--
-- search_path: the generated function runs as the caller, under the
-- caller's search_path (the general path needs both), so, like the other
-- trigger functions, it names the schema of every function, operator and
-- type it uses.  The columns' text comes from their types' output
-- functions (pg_catalog), exactly what record_out writes; only types
-- whose output does not depend on search_path are taken
-- (pgq._trg_cols's list), others leave the table to the general path.
-- ----------------------------------------------------------------------

-- pgq._trg_gen_shape(table): the facts the generated code depends on, as
-- text: each live column's attnum, name, type, typmod, collation, in order,
-- then the primary key's columns in key order.
create or replace function pgq._trg_gen_shape(i_rel oid)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select coalesce((select string_agg(format('%s:%s:%s:%s:%s', a.attnum, quote_ident(a.attname), a.atttypid,
                                              a.atttypmod, a.attcollation), ',' order by a.attnum)
                       from pg_attribute a
                      where a.attrelid = i_rel and a.attnum > 0 and not a.attisdropped), '')
           || '|' || coalesce((select (k.indkey::int2[])[0:k.indnkeyatts - 1]::text
                                 from pg_index k
                                where k.indrelid = i_rel and k.indisprimary), '')
           || '|' || coalesce((select c.relkind::text from pg_class c where c.oid = i_rel), '')
$$;

-- pgq._trg_gen_valid(table, shape): whether the table still has that
-- shape.  Declared IMMUTABLE on purpose, though it reads the catalog: the
-- generated triggers call it with constants, so it is evaluated when the
-- guard is planned, and the plan cache drops that plan whenever the table
-- changes (see above).  Not for any other use.
create or replace function pgq._trg_gen_valid(i_rel pg_catalog.regclass, i_shape text)
returns boolean
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    return pgq._trg_gen_shape(i_rel) = i_shape;
end;
$$;

-- pgq._trg_gen_valid_sql(table, shape): the call of pgq._trg_gen_valid
-- that guards the generated code, as it stands in the function's body
-- (pgq._trg_gen_current looks for it there).
create or replace function pgq._trg_gen_valid_sql(i_rel oid, i_shape text)
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select format('pgq._trg_gen_valid(%L::pg_catalog.regclass, %L)', i_rel::text, i_shape)
$$;

-- pgq._trg_gen_text(type, expr): SQL for the text output of expr (a value of
-- type) as record_out writes it: the type's output function, called by
-- name in pg_catalog (casts to text may differ: bool, char(n), inet).
create or replace function pgq._trg_gen_text(i_typ oid, i_expr text)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select case when i_typ = 25 then i_expr
                else format('pg_catalog.textin(pg_catalog.%I(%s))', t.typoutput::text, i_expr) end
      from pg_type t where t.oid = i_typ
$$;

-- pgq._trg_gen_join(pieces, separator): SQL that joins the values of the
-- SQL expressions in pieces with the separator, skipping NULLs:
-- concat_ws() takes at most 100 arguments, an array any number.
create or replace function pgq._trg_gen_join(i_pieces text[], i_sep text)
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select case when cardinality(i_pieces) <= 99
                then format('pg_catalog.concat_ws(%L, %s)', i_sep, array_to_string(i_pieces, ', '))
                else format('pg_catalog.array_to_string(array[%s]::pg_catalog.text[], %L)',
                            array_to_string(i_pieces, ', '), i_sep) end
$$;

-- pgq._trg_gen_writer_name(queue): the name of the queue's writer.
create or replace function pgq._trg_gen_writer_name(i_queue text)
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select format('_trg_gen_write_%s', left(md5(i_queue), 16))
$$;

-- pgq._trg_gen_queue_stmt(writer, queue, type, data, indent): the generated
-- statements that queue one event (type and data: SQL expressions).
create or replace function pgq._trg_gen_queue_stmt(i_writer text, i_queue text, i_type text, i_data text,
                                                   i_indent text)
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select i_indent || 'ev_type := ' || i_type || E';\n'
        || i_indent || 'ev_data := ' || i_data || E';\n'
        || i_indent || 'if not pgq.' || quote_ident(i_writer) || E'(ev_type, ev_data, ev_extra1) then\n'
        || i_indent || '    ev_id := pgq.insert_event(' || quote_literal(i_queue)
        || E', ev_type, ev_data, ev_extra1, null, null, null);\n'
        || i_indent || E'end if;\n'
$$;

-- pgq._trg_gen_ie_ours(): pgq._insert_event_is_ours(), declared IMMUTABLE
-- on purpose so that the writers' plans hold its answer (see
-- pgq._trg_gen_writer).  Not for any other use.
create or replace function pgq._trg_gen_ie_ours()
returns boolean
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    return pgq._insert_event_is_ours();
end;
$$;

-- pgq._trg_gen_writer(queue): (re)creates the queue's writer,
-- pgq._trg_gen_write_<hash>(type, data, extra1) returns boolean: writes
-- one event (with data text[]: one per element, in order, for the
-- statement-level code) straight into the queue's current event table, as
-- pgq.insert_event would (event id from the queue's sequence, now()), and
-- returns true; returns false, having written nothing, whenever
-- pgq.insert_event must do it: it has been replaced (a site's own sees
-- every event; pgq._insert_event_is_ours(), folded into the plan as the
-- guard of the triggers is, and the plan depends on pgq.insert_event
-- through a call of it that never runs, so replacing it or running
-- pgq._regen_insert_dispatch() replans), inserts are disabled, the queue
-- has a per-transaction limit, it is not the queue the writer was made
-- for (dropped and created again) or has more tables now.  SECURITY
-- DEFINER, for pgq_writer, as pgq.insert_event.  Ids and table names come
-- from the queue id, the queue's name enters only quoted.
create or replace function pgq._trg_gen_writer(i_queue text)
returns text
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
    qid     int4;
    ntab    int4;
    w       text := pgq._trg_gen_writer_name(i_queue);
    sig     text;           -- the writer's signature, schema-qualified
    body    text;
begin
    select q.queue_id, q.queue_ntables into qid, ntab from pgq.queue q where q.queue_name = i_queue;
    if not found then
        raise exception 'No such queue';
    end if;
    -- one (type, data, extra1) event, or (type, data[], extra1): one event
    -- per element, ids in array order
    for many in 0 .. 1 loop
        sig := format('pgq.%I(text, %s, text)', w, case when many = 1 then 'text[]' else 'text' end);
        body := format(E'declare\n    v_one int4 := 1;\n    v_tbl int4;\n    v_dis boolean;\n    v_lim int4;\n    v_ntf boolean;\n'
                       || E'begin\n'
                       || E'    if not (pgq._trg_gen_ie_ours() and (v_one = 1 or pgq.insert_event(null::text, null::text, null::text,'
                       || E' null::text, null::text, null::text, null::text) is null)) then\n'
                       || E'        return false;\n'
                       || E'    end if;\n'
                       || case when many = 1 then E'    if coalesce(cardinality($2), 0) = 0 then\n        return true;\n    end if;\n' else '' end
                       || E'    select q.queue_cur_table, q.queue_disable_insert, q.queue_per_tx_limit, q.queue_ticker_notify\n'
                       || E'      into v_tbl, v_dis, v_lim, v_ntf\n'
                       || E'      from pgq.queue q where q.queue_id = %s and q.queue_name = %L;\n'
                       || E'    if not found or v_dis or v_lim is not null then\n'
                       || E'        return false;\n'
                       || E'    end if;\n'
                       || E'    if v_ntf then\n'
                       || E'        perform pg_notify(''pgq_ticker_wakeup'', %L);\n'
                       || E'    end if;\n', qid, i_queue, i_queue);
        for t in 0 .. ntab - 1 loop
            body := body || format(E'    %s v_tbl = %s then\n'
                                   || E'        insert into pgq.event_%s_%s (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
                                   || E' ev_extra1, ev_extra2, ev_extra3, ev_extra4)\n',
                                   case when t = 0 then 'if' else 'elsif' end, t, qid, t)
                         || case when many = 1
                                 then format(E'        select nextval(''pgq.event_%s_id_seq''::regclass), now(), null, null, $1, d.d, $3,'
                                             || E' null, null, null\n          from unnest($2) d (d);\n', qid)
                                 else format(E'        values (nextval(''pgq.event_%s_id_seq''::regclass), now(), null, null, $1, $2, $3,'
                                             || E' null, null, null);\n', qid) end;
        end loop;
        body := body || E'    else\n        return false;\n    end if;\n    return true;\nend;\n';
        execute format('create or replace function %s returns boolean language plpgsql'
                       ' security definer set search_path = pg_catalog, pg_temp as %L', sig, body);
        execute format('revoke all on function %s from public', sig);
        execute format('grant execute on function %s to pgq_writer', sig);
    end loop;
    return w;
end;
$$;

-- pgq._trg_gen_stmt_code(guard, writer, has_key, type and data of
-- INSERT, of UPDATE, UPDATE's key-unchanged test over a pair of rows or
-- NULL, a row's key as text[] in NEW and in OLD, type and data of DELETE):
-- the generated part of a statement-level trigger function (put first in
-- the body of pgq.<kind>_stmt, pgq._trg_stmt_trigger_sql).  The event data
-- of every row comes from one query over the transition table, and the
-- queue's writer takes them all in one call.  UPDATE, whose events
-- logutriga and jsontriga take from NEW alone, reads OLD only for its
-- keys, as an array in row order to compare with NEW's; sqltriga's UPDATE
-- events need both rows, paired by their position (as the general path
-- pairs them) with a join on row_number().  That join's size the planner
-- cannot estimate: it guesses 50 times too many rows, and at that cost
-- asks for JIT compilation, 40 ms of a 10,000-row UPDATE's 110 when it
-- was measured; so the function is made with jit off
-- (pgq._trg_gen_create).  An UPDATE that changes a key, a table without a
-- key for UPDATE/DELETE, or a writer that declines leaves the statement to
-- the general path, whole.
create or replace function pgq._trg_gen_stmt_code(i_guard text, i_writer text, i_has_key boolean,
                                                  i_t_ins text, i_ev_ins text, i_t_upd text, i_ev_upd text,
                                                  i_key_same text, i_key_new text, i_key_old text,
                                                  i_t_del text, i_ev_del text)
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select E'    -- GENERATED by pgq._trg_gen_create(); do not edit\n'
        || E'    declare\n        ev_extra1 pg_catalog.text;\n        ev_data pg_catalog.text[];\n'
        || E'        ev_keys_same pg_catalog.bool;\n    begin\n'
        || format(E'    if %s then\n', i_guard)
        || E'        ev_extra1 := TG_TABLE_SCHEMA operator(pg_catalog.||) ''.'' operator(pg_catalog.||) TG_TABLE_NAME;\n'
        || E'        if TG_OP operator(pg_catalog.=) ''INSERT'' then\n'
        || format(E'            ev_data := array(select %s from pgq_new _pgq_n);\n', i_ev_ins)
        || format(E'            if pgq.%I(%s, ev_data, ev_extra1) then\n', i_writer, i_t_ins)
        || E'                return null;\n'
        || E'            end if;\n'
        || case when not i_has_key then ''
                when i_key_same is null then
              E'        elsif TG_OP operator(pg_catalog.=) ''UPDATE'' then\n'
           || format(E'            ev_keys_same := array(select %s from pgq_new _pgq_n)\n', i_key_new)
           || format(E'                            operator(pg_catalog.=) array(select %s from pgq_old _pgq_o);\n', i_key_old)
           || E'            if ev_keys_same then\n'
           || format(E'                ev_data := array(select %s from pgq_new _pgq_n);\n', i_ev_upd)
           || format(E'                if pgq.%I(%s, ev_data, ev_extra1) then\n', i_writer, i_t_upd)
           || E'                    return null;\n'
           || E'                end if;\n'
           || E'            end if;\n'
                else
              E'        elsif TG_OP operator(pg_catalog.=) ''UPDATE'' then\n'
           || format(E'            select pg_catalog.array_agg(%s order by _pgq_n.pgq_gen_rn), pg_catalog.bool_and(%s)\n',
                     i_ev_upd, i_key_same)
           || E'              into ev_data, ev_keys_same\n'
           || E'              from (select pg_catalog.row_number() over () as pgq_gen_rn, * from pgq_new) _pgq_n\n'
           || E'              join (select pg_catalog.row_number() over () as pgq_gen_rn, * from pgq_old) _pgq_o\n'
           || E'                on _pgq_o.pgq_gen_rn operator(pg_catalog.=) _pgq_n.pgq_gen_rn;\n'
           || format(E'            if ev_keys_same is not false and pgq.%I(%s, ev_data, ev_extra1) then\n', i_writer, i_t_upd)
           || E'                return null;\n'
           || E'            end if;\n'
                end
        || case when i_has_key then
              E'        elsif TG_OP operator(pg_catalog.=) ''DELETE'' then\n'
           || format(E'            ev_data := array(select %s from pgq_old _pgq_o);\n', i_ev_del)
           || format(E'            if pgq.%I(%s, ev_data, ev_extra1) then\n', i_writer, i_t_del)
           || E'                return null;\n'
           || E'            end if;\n'
           else '' end
        || E'        end if;\n    end if;\n    end;\n'
$$;

-- pgq._trg_gen_code(table, queue, code): the generated part of the trigger
-- function (PL/pgSQL statements put first in its body), or NULL when the
-- table cannot have one (a column type or key the general path must see to,
-- not a plain table, no columns).
drop function if exists pgq._trg_gen_code(oid, text, text);
create or replace function pgq._trg_gen_code(i_rel oid, i_queue text, i_code text, i_stmt boolean)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    -- the rows the expressions read: NEW and OLD in a row-level trigger,
    -- the transition tables' rows (pgq_new _pgq_n, pgq_old _pgq_o) in a
    -- statement-level one
    pn          text := case when i_stmt then '_pgq_n' else 'NEW' end;
    po          text := case when i_stmt then '_pgq_o' else 'OLD' end;
    c           record;
    n           integer := 0;
    has_key     boolean := false;
    nv          text;           -- text of NEW.col
    ov          text;           -- text of OLD.col
    vv          text;           -- text of the row the event shows (OLD for DELETE)
    l_ins       text[] := '{}'; -- urlencoded / JSON pieces of NEW
    l_del       text[] := '{}'; -- of OLD
    s_names     text[] := '{}';
    s_vals      text[] := '{}';
    s_set       text[] := '{}';
    key_names   text[] := '{}'; -- key order
    key_new     text[] := '{}'; -- column order: key column = old value (sqltriga)
    key_same    text[] := '{}'; -- UPDATE: key column unchanged
    key_ntext   text[] := '{}'; -- key columns' text, NEW and OLD
    key_otext   text[] := '{}';
    first_key   text;
    ev_ins      text;
    ev_upd      text;
    ev_del      text;
    t_ins       text;
    t_upd       text;
    t_del       text;
    q           text := quote_literal(i_queue);
    guard       text;
    w           text;           -- the queue's writer
    res         text;
begin
    if (select k.relkind from pg_class k where k.oid = i_rel) is distinct from 'r' then
        return null;
    end if;
    -- the columns, and the primary key's (in any order)
    for c in select a.attname::text as name, a.atttypid as typ, array_position(pk.cols, a.attnum) as keypos,
                    pgq._trg_col_ok(a.atttypid, a.attcollation, a.attname::text) as ok,
                    pgq._trg_col_kind(a.atttypid, a.attcollation) as kind
               from pg_attribute a,
                    (select (select (k.indkey::int2[])[0:k.indnkeyatts - 1] from pg_index k
                              where k.indrelid = i_rel and k.indisprimary) as cols) pk
              where a.attrelid = i_rel and a.attnum > 0 and not a.attisdropped
              order by a.attnum loop
        -- pgq_gen_rn: the row number that pairs OLD and NEW rows (sqltriga)
        if not c.ok or (i_stmt and c.name = 'pgq_gen_rn') then
            return null;
        end if;
        n := n + 1;
        nv := pgq._trg_gen_text(c.typ, format('%s.%I', pn, c.name));
        ov := pgq._trg_gen_text(c.typ, format('%s.%I', po, c.name));
        if i_code = 'l' then
            -- name=value urlencoded, the bare name for NULL; outputs of
            -- only [0-9A-Za-z.-] need no encoding
            for pass in 1 .. 2 loop
                vv := case when pass = 1 then nv else ov end;
                -- The text is NULL exactly when the value is (the output
                -- functions of these types and the encoders are strict):
                -- coalesce() gives the bare name, in fewer steps than a CASE
                -- on the value would.
                vv := format('coalesce(%L operator(pg_catalog.||) %s, %L)',
                             pgq._urlencode(c.name) || '=',
                             case when c.typ in (16, 20, 21, 23, 26, 1700, 2950) then vv
                                  -- a query sets the inlined form up once per
                                  -- statement (see pgq._trg_gen_urlenc)
                                  when i_stmt then format('pgq._urlencode(%s)', vv)
                                  else pgq._trg_gen_urlenc_sql(vv) end,
                             pgq._urlencode(c.name));
                if pass = 1 then l_ins := l_ins || vv; else l_del := l_del || vv; end if;
            end loop;
        elsif i_code = 'j' then
            -- "name":value, value as jsontriga writes it (bool, integers,
            -- dates and times as to_json() does; the rest as a string)
            for pass in 1 .. 2 loop
                vv := case when pass = 1 then pn else po end || format('.%I', c.name);
                vv := quote_literal(to_json(c.name)::text || ':') || ' operator(pg_catalog.||) ' || case
                    when c.typ = 16 then format('case when %1$s then ''true'' when not %1$s then ''false'' else ''null'' end', vv)
                    when c.typ in (20, 21, 23) then format('coalesce(%s, ''null'')', pgq._trg_gen_text(c.typ, vv))
                    when c.typ in (1082, 1114, 1184) then format('coalesce(pg_catalog.to_json(%s)::pg_catalog.text, ''null'')', vv)
                    else format('coalesce(pg_catalog.to_json(%s)::pg_catalog.text, ''null'')', pgq._trg_gen_text(c.typ, vv)) end;
                if pass = 1 then l_ins := l_ins || vv; else l_del := l_del || vv; end if;
            end loop;
        else
            s_names := s_names || quote_ident(c.name);
            s_vals := s_vals || format('coalesce(pg_catalog.quote_literal(%s), ''null'')', nv);
            -- changed: the type's '=' for numbers and intervals, else the text
            vv := case when c.kind in ('n', 'f', 'd', 'i')
                       then format('%1$s.%3$I operator(pg_catalog.<>) %2$s.%3$I', pn, po, c.name)
                       else format('%s operator(pg_catalog.<>) %s', nv, ov) end;
            s_set := s_set || format('case when (case when %1$s is null then %2$s is not null when %2$s is null then true else %3$s end)'
                                     ' then %4$L operator(pg_catalog.||) coalesce(pg_catalog.quote_literal(%1$s), ''NULL'') end',
                                     nv, ov, vv, quote_ident(c.name) || '=');
        end if;
        if c.keypos is not null then
            has_key := true;
            key_names[c.keypos] := c.name;
            -- key columns are NOT NULL; unchanged by the type's '=' or text
            key_same := key_same || case when c.kind in ('n', 'f', 'd', 'i')
                                         then format('%1$s.%3$I operator(pg_catalog.=) %2$s.%3$I', pn, po, c.name)
                                         else format('%s operator(pg_catalog.=) %s', nv, ov) end;
            key_ntext := key_ntext || nv;
            key_otext := key_otext || ov;
            key_new := key_new || format('%L operator(pg_catalog.||) pg_catalog.quote_literal(%s)', quote_ident(c.name) || '=', ov);
            if first_key is null then
                first_key := format('%L operator(pg_catalog.||) pg_catalog.quote_literal(%s)', quote_ident(c.name) || '=', ov);
            end if;
        end if;
    end loop;
    if n = 0 then
        return null;
    end if;

    if i_code = 'l' then
        t_ins := quote_literal('I:' || array_to_string(key_names, ','));
        t_upd := quote_literal('U:' || array_to_string(key_names, ','));
        t_del := quote_literal('D:' || array_to_string(key_names, ','));
        -- One call joins the pieces (none is NULL): a chain of || makes and
        -- copies a longer text at each step.
        ev_ins := pgq._trg_gen_join(l_ins, '&');
        ev_upd := ev_ins;
        ev_del := pgq._trg_gen_join(l_del, '&');
    elsif i_code = 'j' then
        for pass in 1 .. 3 loop
            vv := format('''{"op":"%s","table":'' operator(pg_catalog.||) pg_catalog.to_json(array[TG_TABLE_SCHEMA::pg_catalog.text,'
                         ' TG_TABLE_NAME::pg_catalog.text])::pg_catalog.text operator(pg_catalog.||) %L',
                         (array['INSERT', 'UPDATE', 'DELETE'])[pass], ',"pkey":' || to_json(key_names)::text || '}');
            if pass = 1 then t_ins := vv; elsif pass = 2 then t_upd := vv; else t_del := vv; end if;
        end loop;
        ev_ins := '''{'' operator(pg_catalog.||) ' || pgq._trg_gen_join(l_ins, ',') || ' operator(pg_catalog.||) ''}''';
        ev_upd := ev_ins;
        ev_del := '''{'' operator(pg_catalog.||) ' || pgq._trg_gen_join(l_del, ',') || ' operator(pg_catalog.||) ''}''';
    else
        t_ins := '''I''';
        t_upd := '''U''';
        t_del := '''D''';
        ev_ins := quote_literal('(' || array_to_string(s_names, ',') || ') values (') || ' operator(pg_catalog.||) '
                  || array_to_string(s_vals, ' operator(pg_catalog.||) '','' operator(pg_catalog.||) ')
                  || ' operator(pg_catalog.||) '')''';
        if has_key then
            -- the changed columns, else the first key column with its old
            -- value; then the key with its old values
            ev_upd := format('coalesce(%s, %s) operator(pg_catalog.||) '' where '' operator(pg_catalog.||) %s',
                             'pgq._trg_gen_nonempty(' || pgq._trg_gen_join(s_set, ',') || ')',
                             first_key,
                             array_to_string(key_new, ' operator(pg_catalog.||) '' and '' operator(pg_catalog.||) '));
            ev_del := array_to_string(key_new, ' operator(pg_catalog.||) '' and '' operator(pg_catalog.||) ');
        end if;
    end if;

    -- the guard (see the top of this file): one simple expression
    guard := format('TG_RELID operator(pg_catalog.=) %s::pg_catalog.oid and TG_NARGS operator(pg_catalog.=) 1'
                    ' and TG_ARGV[0] operator(pg_catalog.=) %s and TG_LEVEL operator(pg_catalog.=) %L'
                    ' and TG_WHEN operator(pg_catalog.=) ''AFTER'''
                    ' and %s'
                    ' and pg_catalog.current_setting(''session_replication_role'') operator(pg_catalog.<>) ''local''',
                    i_rel, q, case when i_stmt then 'STATEMENT' else 'ROW' end,
                    pgq._trg_gen_valid_sql(i_rel, pgq._trg_gen_shape(i_rel)));
    -- queue the event: straight into the event table through the queue's
    -- writer (pgq._trg_gen_writer) while it can, else pgq.insert_event
    w := pgq._trg_gen_writer_name(i_queue);
    if i_stmt then
        -- logutriga and jsontriga show only NEW for UPDATE: such an
        -- UPDATE needs OLD only to see that no key changed
        return pgq._trg_gen_stmt_code(guard, w, has_key, t_ins, ev_ins, t_upd, ev_upd,
                                      case when i_code = 's' then array_to_string(key_same, ' and ') end,
                                      'array[' || array_to_string(key_ntext, ', ') || ']',
                                      'array[' || array_to_string(key_otext, ', ') || ']',
                                      t_del, ev_del);
    end if;
    res := E'    -- GENERATED by pgq._trg_gen_create(); do not edit\n'
        || E'    declare\n        ev_id pg_catalog.int8;\n        ev_type pg_catalog.text;\n'
        || E'        ev_data pg_catalog.text;\n        ev_extra1 pg_catalog.text;\n    begin\n'
        || format(E'    if %s then\n', guard)
        || E'        ev_extra1 := TG_TABLE_SCHEMA operator(pg_catalog.||) ''.'' operator(pg_catalog.||) TG_TABLE_NAME;\n'
        || E'        if TG_OP operator(pg_catalog.=) ''INSERT'' then\n'
        || pgq._trg_gen_queue_stmt(w, i_queue, t_ins, ev_ins, '            ')
        || E'            return null;\n';
    if has_key then
        res := res
            || E'        elsif TG_OP operator(pg_catalog.=) ''UPDATE'' then\n'
            || format(E'            if %s then\n', array_to_string(key_same, ' and '))
            || pgq._trg_gen_queue_stmt(w, i_queue, t_upd, ev_upd, '                ')
            || E'                return null;\n'
            || E'            end if;\n'
            || E'        elsif TG_OP operator(pg_catalog.=) ''DELETE'' then\n'
            || pgq._trg_gen_queue_stmt(w, i_queue, t_del, ev_del, '            ')
            || E'            return null;\n';
    end if;
    return res || E'        end if;\n    end if;\n    end;\n';
end;
$$;

-- pgq._trg_gen_urlenc(text): pgq._urlencode, called rather than inlined
-- into the generated code (whose expression answers the common texts
-- first, see pgq._trg_gen_urlenc_sql): PL/pgSQL keeps the inlined expression ready for
-- the whole transaction, but sets it up again in each one, per column;
-- called, once for all (measured: less CPU per row in bulk and in one-row
-- transactions).  PL/pgSQL sets up only the statements that run, so the
-- common texts are answered before the whole of pgq._urlencode is reached:
-- words and numbers as they are, and words with spaces, ':' and '+' (most
-- text, dates and times) with three replace() calls.  In one-row
-- transactions this took a logutriga row of text and timestamptz columns
-- from 36-38 to 30-31 us of CPU.
create or replace function pgq._trg_gen_urlenc(i_txt pg_catalog.text)
returns pg_catalog.text
language plpgsql immutable strict parallel safe
as $$
begin
    if i_txt operator(pg_catalog.~) '^[0-9A-Za-z_.-]*$' then
        return i_txt;
    end if;
    if i_txt operator(pg_catalog.~) '^[0-9A-Za-z_. :+-]*$' then
        -- '+' first: the spaces become '+'
        return pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                   i_txt, '+', '%2b'), ' ', '+'), ':', '%3a');
    end if;
    return pgq._urlencode(i_txt);
end;
$$;

-- pgq._trg_gen_urlenc_sql(expr): SQL that urlencodes the text expr gives,
-- for generated row-level code: the second answer of pgq._trg_gen_urlenc
-- written out in the expression, that function called only for the texts
-- it does not take.  A call of a PL/pgSQL function costs a one-row
-- transaction more than the expression it saves (measured: the text of a
-- logutriga row with two encoded columns, 24.8 / 24.2 us of CPU with the
-- calls, 23.0 / 22.7 with this, batches alternated in one session).  NULL stays NULL (the ELSE branch's function
-- is strict).
create or replace function pgq._trg_gen_urlenc_sql(i_expr pg_catalog.text)
returns pg_catalog.text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select format('case when %1$s operator(pg_catalog.~) ''^[0-9A-Za-z_. :+-]*$'''
                  ' then pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(%1$s,'
                  ' ''+'', ''%%2b''), '' '', ''+''), '':'', ''%%3a'')'
                  ' else pgq._trg_gen_urlenc(%1$s) end', i_expr)
$$;

-- pgq._trg_gen_nonempty(text): NULL for '', else the text (NULLIF would
-- look '=' up by the caller's search_path).  Inlined.
create or replace function pgq._trg_gen_nonempty(i_txt pg_catalog.text)
returns pg_catalog.text
language sql immutable parallel safe
as $$
    select case when i_txt operator(pg_catalog.=) '' then null else i_txt end
$$;

-- pgq._trg_gen_name(table, queue, code): the generated function's name.
create or replace function pgq._trg_gen_name(i_rel oid, i_queue text, i_code text)
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select format('_trg_gen_%s_%s_%s', i_rel, i_code, left(md5(i_queue), 12))
$$;

-- pgq._trg_gen_create(table, queue, kind): (re)writes the generated trigger
-- function of a table for a queue and kind (logutriga, sqltriga,
-- jsontriga: row-level; logutriga_stmt, sqltriga_stmt, jsontriga_stmt:
-- statement-level) and returns its name (in schema pgq), or NULL when the table
-- cannot have one (pgq.create_trigger then uses pgq.<kind>).  SECURITY
-- DEFINER to create it in pgq; harmless for any caller: the function is
-- only ever run by a trigger a table's owner creates, runs with the
-- rights of whoever changes the table, and whatever its code, gives the
-- events of pgq.<kind>(queue).
create or replace function pgq._trg_gen_create(i_table regclass, i_queue text, i_kind text)
returns text
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    code    text;
    stmt    boolean := i_kind like '%\_stmt';
    fname   text;
    pre     text;
begin
    code := case replace(i_kind, '_stmt', '') when 'logutriga' then 'l' when 'sqltriga' then 's'
                                              when 'jsontriga' then 'j' end;
    if code is null then
        raise exception 'pgq._trg_gen_create: kind must be logutriga, sqltriga or jsontriga (or one with _stmt), not %',
            i_kind;
    end if;
    if i_queue is null then
        raise exception 'pgq._trg_gen_create: queue is required';
    end if;
    pre := pgq._trg_gen_code(i_table, i_queue, code, stmt);
    if pre is null then
        return null;
    end if;
    perform pgq._trg_gen_writer(i_queue);
    fname := pgq._trg_gen_name(i_table, i_queue, code || case when stmt then 'st' else '' end);
    if stmt then
        execute pgq._trg_stmt_trigger_sql(fname, code, pre);
        if code = 's' then
            -- see pgq._trg_gen_stmt_code
            execute format('alter function pgq.%I() set jit = off', fname);
        end if;
    else
        execute pgq._trg_row_trigger_sql(fname, code, pre);
    end if;
    execute format('revoke all on function pgq.%I() from public', fname);
    execute format('grant execute on function pgq.%I() to pgq_writer', fname);
    return fname;
end;
$$;

-- pgq._trg_gen_of(table): the generated trigger functions a table's
-- triggers run, as (queue, kind, function's oid): a trigger of that table
-- with the queue as its only argument whose function is the one
-- pgq._trg_gen_create writes for this table, queue and kind (so not a
-- generated function of another table, as a misplaced trigger may have).
create or replace function pgq._trg_gen_of(i_rel oid)
returns table (queue text, kind text, fn oid)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select distinct a.queue, k.kind, p.oid
      from pg_trigger t
      join pg_proc p on p.oid = t.tgfoid
      join pg_namespace n on n.oid = p.pronamespace
      cross join lateral (select case when t.tgnargs = 1 and length(t.tgargs) > 0
                                      then convert_from(substring(t.tgargs from 1 for length(t.tgargs) - 1),
                                                        getdatabaseencoding()) end as queue) a
      join (values ('logutriga', 'l'), ('sqltriga', 's'), ('jsontriga', 'j'),
                   ('logutriga_stmt', 'lst'), ('sqltriga_stmt', 'sst'), ('jsontriga_stmt', 'jst')) k (kind, code)
        on p.proname = pgq._trg_gen_name(t.tgrelid, a.queue, k.code)
     where t.tgrelid = i_rel and n.nspname = 'pgq' and p.proname like '\_trg\_gen\_%'
       and a.queue is not null
$$;

-- pgq._trg_gen_current(table, function): whether the generated function
-- was written for the table as it is now (its guard holds the table's
-- present shape; false as well when the table cannot have one now).
create or replace function pgq._trg_gen_current(i_rel oid, i_fn oid)
returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select strpos(p.prosrc, pgq._trg_gen_valid_sql(i_rel, pgq._trg_gen_shape(i_rel))) > 0
      from pg_proc p where p.oid = i_fn
$$;

-- pgq.regenerate_triggers(table): writes the generated trigger functions
-- of a table's triggers (pgq.create_trigger(..., i_generated => true))
-- again for the table as it is now, and returns their names; a trigger
-- whose table cannot have generated code any more (a column of another
-- type) keeps its function, which takes the general path.  The event
-- trigger pgq_trg_gen_regenerate does this after every ALTER TABLE where
-- it could be installed (it needs a superuser); without it, run this
-- after changing a table.  Errors (a dropped queue) are raised.
create or replace function pgq.regenerate_triggers(i_table regclass)
returns text[]
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
    g       record;
    fname   text;
    res     text[] := '{}';
begin
    for g in select * from pgq._trg_gen_of(i_table) order by 1, 2 loop
        fname := pgq._trg_gen_create(i_table, g.queue, g.kind);
        if fname is not null then
            res := res || fname;
        end if;
    end loop;
    return res;
end;
$$;

-- pgq._trg_gen_ddl_end(): the event trigger pgq_trg_gen_regenerate
-- (ddl_command_end of ALTER TABLE and ALTER TYPE): writes again the
-- generated trigger functions of the tables a command changed whose code
-- no longer matches them.  The tables: those the command names (pg_class
-- objects of pg_event_trigger_ddl_commands()), the typed tables of a
-- composite type it altered, and the inheritance children and partitions
-- of all of these (ALTER TABLE recurses to them but names only the
-- parent).  Most commands touch no table with generated triggers: one
-- catalog query and done.  SECURITY DEFINER so that whoever may ALTER the
-- table (its owner, who need not be in pgq_writer) gets the code written;
-- what it writes depends only on the table and the trigger's queue, both
-- of which enter the code quoted.  It never fails the user's command: an
-- error (the queue dropped, ...) is a WARNING, and that trigger takes the
-- general path until pgq.regenerate_triggers(table) is run.
create or replace function pgq._trg_gen_ddl_end()
returns event_trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    g       record;
begin
    for g in
        with recursive rels (rel) as (
            select c.objid from pg_event_trigger_ddl_commands() c where c.classid = 'pg_class'::regclass
            union
            select x.rel
              from rels r,
                   lateral (select t.oid from pg_class ct join pg_class t on t.reloftype = ct.reltype
                             where ct.oid = r.rel and ct.relkind = 'c'
                            union all
                            select i.inhrelid from pg_inherits i where i.inhparent = r.rel) x (rel))
        select r.rel, o.queue, o.kind
          from rels r cross join lateral pgq._trg_gen_of(r.rel) o
         where exists (select from pg_trigger t join pg_proc p on p.oid = t.tgfoid
                        where t.tgrelid = r.rel and p.proname like '\_trg\_gen\_%'
                          and p.pronamespace = 'pgq'::regnamespace)
           and not pgq._trg_gen_current(r.rel, o.fn)
         order by 1, 2, 3
    loop
        begin
            perform pgq._trg_gen_create(g.rel, g.queue, g.kind);
        exception when others then
            raise warning 'pgq: generated % trigger function of table % for queue % not written again: %',
                g.kind, g.rel::regclass, quote_literal(g.queue), sqlerrm
                using hint = 'It takes the general path until pgq.regenerate_triggers(table) is run.';
        end;
    end loop;
exception when others then
    raise warning 'pgq: generated trigger functions not written again: %', sqlerrm
        using hint = 'They take the general path until pgq.regenerate_triggers(table) is run.';
end;
$$;

revoke all on function pgq._trg_gen_shape(oid) from public;
revoke all on function pgq._trg_gen_valid(pg_catalog.regclass, text) from public;
revoke all on function pgq._trg_gen_text(oid, text) from public;
revoke all on function pgq._trg_gen_code(oid, text, text, boolean) from public;
revoke all on function pgq._trg_gen_stmt_code(text, text, boolean, text, text, text, text, text, text, text, text, text) from public;
revoke all on function pgq._trg_gen_nonempty(pg_catalog.text) from public;
revoke all on function pgq._trg_gen_urlenc(pg_catalog.text) from public;
revoke all on function pgq._trg_gen_urlenc_sql(pg_catalog.text) from public;
revoke all on function pgq._trg_gen_name(oid, text, text) from public;
revoke all on function pgq._trg_gen_create(regclass, text, text) from public;
revoke all on function pgq._trg_gen_join(text[], text) from public;
revoke all on function pgq._trg_gen_writer_name(text) from public;
revoke all on function pgq._trg_gen_queue_stmt(text, text, text, text, text) from public;
revoke all on function pgq._trg_gen_ie_ours() from public;
revoke all on function pgq._trg_gen_writer(text) from public;
grant execute on function pgq._trg_gen_ie_ours() to pgq_writer;
grant execute on function pgq._trg_gen_shape(oid) to pgq_writer;
grant execute on function pgq._trg_gen_valid(pg_catalog.regclass, text) to pgq_writer;
grant execute on function pgq._trg_gen_nonempty(pg_catalog.text) to pgq_writer;
grant execute on function pgq._trg_gen_urlenc(pg_catalog.text) to pgq_writer;
grant execute on function pgq._trg_gen_create(regclass, text, text) to pgq_writer;
revoke all on function pgq._trg_gen_valid_sql(oid, text) from public;
revoke all on function pgq._trg_gen_of(oid) from public;
revoke all on function pgq._trg_gen_current(oid, oid) from public;
revoke all on function pgq.regenerate_triggers(regclass) from public;
revoke all on function pgq._trg_gen_ddl_end() from public;
grant execute on function pgq._trg_gen_of(oid) to pgq_writer;
grant execute on function pgq.regenerate_triggers(regclass) to pgq_writer;

-- The event trigger that keeps generated code current.  Creating an event
-- trigger takes a superuser (or a managed service's stand-in for one): an
-- installer who may not gets a NOTICE and an install without it; generated
-- triggers then take the general path after an ALTER TABLE until
-- pgq.regenerate_triggers(table) is run.  Made again on every install
-- (upgrade) by whoever may; one of the same name that runs another
-- schema's function is left alone.
do $evt$
begin
    if exists (select from pg_catalog.pg_event_trigger e join pg_catalog.pg_proc p on p.oid = e.evtfoid
                where e.evtname = 'pgq_trg_gen_regenerate' and p.pronamespace <> 'pgq'::pg_catalog.regnamespace) then
        raise notice 'event trigger pgq_trg_gen_regenerate exists and is not pgq''s: left alone';
        return;
    end if;
    begin
        drop event trigger if exists pgq_trg_gen_regenerate;
        create event trigger pgq_trg_gen_regenerate on ddl_command_end
            when tag in ('ALTER TABLE', 'ALTER TYPE')
            execute function pgq._trg_gen_ddl_end();
        alter event trigger pgq_trg_gen_regenerate enable always;
    exception when insufficient_privilege then
        raise notice 'event trigger pgq_trg_gen_regenerate not created (%): generated triggers take the general path after ALTER TABLE until pgq.regenerate_triggers(table) is run', sqlerrm;
    end;
end
$evt$;
