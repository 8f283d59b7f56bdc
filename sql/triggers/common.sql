-- ----------------------------------------------------------------------
-- Shared helpers for the PL/pgSQL table triggers pgq.logutriga,
-- pgq.sqltriga and pgq.jsontriga (PgQ 3.5 compatible).
--
-- Identifier and literal quoting: the C triggers quote identifiers exactly
-- like PostgreSQL's quote_ident() (bare when the name is [a-z_][a-z0-9_]*
-- and not a reserved/column-name/type-function keyword, else "..." with "
-- doubled) and literals exactly like quote_literal() ('...' with ' doubled,
-- E'...' with \ doubled when there is a backslash), so the triggers use the
-- built-ins directly.
-- ----------------------------------------------------------------------

-- pgq._urlencode(text): the PgQ URL encoding.  Bytes [0-9A-Za-z_.-] pass
-- through, space becomes '+', every other byte (of the server encoding)
-- becomes %xx with lower-case hex.  NULL stays NULL.
create or replace function pgq._urlencode(i_txt text)
returns text
language plpgsql immutable strict parallel safe
as $$
begin
    if i_txt ~ '^[0-9A-Za-z_.-]*$' then
        return i_txt;
    end if;
    if i_txt ~ '^[ -~]*$' then
        -- printable ASCII: a fixed chain of replace() is much faster
        return replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
               replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
               replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
                   i_txt, '%', '%25'), '+', '%2b'), ' ', '+'), '!', '%21'), '"', '%22'),
                   '#', '%23'), '$', '%24'), '&', '%26'), '''', '%27'), '(', '%28'),
                   ')', '%29'), '*', '%2a'), ',', '%2c'), '/', '%2f'), ':', '%3a'),
                   ';', '%3b'), '<', '%3c'), '=', '%3d'), '>', '%3e'), '?', '%3f'),
                   '@', '%40'), '[', '%5b'), '\', '%5c'), ']', '%5d'), '^', '%5e'),
                   '`', '%60'), '{', '%7b'), '|', '%7c'), '}', '%7d'), '~', '%7e');
    end if;
    return (select string_agg(
                     case when m[1] is not null then m[1]
                          else replace(regexp_replace(encode(textsend(m[2]), 'hex'),
                                                      '(..)', '%\1', 'g'),
                                       '%20', '+')
                     end, '' order by n)
              from regexp_matches(i_txt, '([0-9A-Za-z_.-]+)|([^0-9A-Za-z_.-]+)', 'g')
                   with ordinality as x(m, n));
end;
$$;

-- pgq._trg_split_row(text): split the text form of a row (record_out:
-- "(v1,v2,...)") into the output-function text of each live column, in
-- attnum order.  record_out writes NULL as nothing, and double-quotes any
-- value that is empty or contains ", \, (, ), comma or white space, doubling
-- " and \ inside the quotes.  So: quoted field -> undouble, empty unquoted
-- field -> NULL, anything else as is.
create or replace function pgq._trg_split_row(i_row text)
returns text[]
language plpgsql immutable strict parallel safe
as $$
begin
    if strpos(i_row, '"') = 0 then
        -- nothing quoted: no value contains a comma, empty field = NULL
        return string_to_array(substr(i_row, 2, length(i_row) - 2), ',', '');
    end if;
    -- inside quotes " and \ only occur doubled, so two plain replace()s
    -- undo the doubling; regexp_matches returns the fields in order
    return array(select case when m[1] is not null
                             then replace(replace(m[1], '""', '"'), '\\', '\')
                             when m[2] = '' then null
                             else m[2] end
                   from regexp_matches(i_row, '[(,](?:"((?:[^"]|"")*)"|([^,)"]*))', 'g') as x(m));
end;
$$;

-- pgq._trg_table_info(relid, kinds): everything the triggers need from the
-- catalog, in plan-cached queries (colkinds only when kinds is true).
--   colnames  live column names, attnum order
--   colkinds  per column, how to compare OLD and NEW values:
--               't' text output is enough (text equal <=> '=' equal, or the
--                   type has no '=' / is an array, where C compares text)
--               'n' numeric, 'f' float4, 'd' float8, 'i' interval:
--                   cast the text back and use '='
--               'x' use the type's '=' on the typed values (ranges,
--                   composites, non-deterministic collations)
--               'u' user-defined base type or domain: like 'x' when the
--                   (base) type has a default btree opclass, else 't'
--   coljson   per column, how jsontriga writes it: 'b' bool (true/false),
--             'i' int2/int4/int8 (bare number), 'j' date/timestamp/
--             timestamptz (the type's JSON form, ISO 8601), 's' anything
--             else (its text output as a JSON string).  Exact type match:
--             domains over these types are 's', as in C.
--   pkey      primary key columns in index column order (as the C code)
drop function if exists pgq._trg_table_info(oid);
create or replace function pgq._trg_table_info(
    in i_relid oid,
    in i_kinds boolean,
    out colnames text[],
    out colkinds text[],
    out coljson text[],
    out pkey text[])
language plpgsql stable
as $$
begin
    select array_agg(a.attname::text order by a.attnum),
           array_agg(case when a.atttypid = 16 then 'b'
                          when a.atttypid in (20, 21, 23) then 'i'
                          when a.atttypid in (1082, 1114, 1184) then 'j'
                          else 's' end
                     order by a.attnum),
           -- primary key columns in key order (pg_constraint.conkey)
           (select array_agg(k.n order by k.o)
              from pg_catalog.pg_constraint c,
                   lateral (select pa.attname::text as n, u.o
                              from unnest(c.conkey) with ordinality as u(attnum, o)
                              join pg_catalog.pg_attribute pa
                                on pa.attrelid = i_relid and pa.attnum = u.attnum) k
             where c.conrelid = i_relid and c.contype = 'p'
             group by c.oid)
      into colnames, coljson, pkey
      from pg_catalog.pg_attribute a
     where a.attrelid = i_relid and a.attnum > 0 and not a.attisdropped;
    pkey := coalesce(pkey, '{}');
    if i_kinds then
        -- only UPDATE needs these; type facts by oid lookups (a join makes
        -- the planner hash the whole of pg_type)
        select
           array_agg((select case when t.typcategory = 'A' then 't'
                                      when bt = 'pg_catalog.numeric'::regtype then 'n'
                                      when bt = 'pg_catalog.float4'::regtype then 'f'
                                      when bt = 'pg_catalog.float8'::regtype then 'd'
                                      when bt = 'pg_catalog.interval'::regtype then 'i'
                                      when t.typtype in ('r', 'm', 'c') then 'x'
                                      when a.attcollation <> 0 and a.attcollation <> 100 and exists (
                                             select 1 from pg_catalog.pg_collation c
                                              where c.oid = a.attcollation and not c.collisdeterministic) then 'x'
                                      -- user types: whether a default btree opclass
                                      -- exists is decided per row ('u'), as it can
                                      -- change without any change to the table
                                      when t.oid >= 16384 and t.typtype in ('b', 'd') then 'u'
                                      else 't' end
                            from pg_catalog.pg_type t,
                                 lateral (select coalesce(nullif(t.typbasetype, 0), t.oid) as bt) b
                           where t.oid = a.atttypid)
                         order by a.attnum)
          into colkinds
          from pg_catalog.pg_attribute a
         where a.attrelid = i_relid and a.attnum > 0 and not a.attisdropped;
    end if;
end;
$$;

-- pgq._trg_tinfo(relid): _trg_table_info() with a per-session cache.
-- The entry lives in the custom setting pgq_pltrg.r<relid> (session level,
-- so it survives the transaction; a rolled back (sub)transaction takes its
-- changes with it) as a text[]:
--   {fingerprint, validity key, colnames, colkinds, coljson, pkey,
--    has magic columns (t/f), pkey joined with ',', per column: is a pkey
--    column, per column: false}
-- Validation, cheapest first:
--   1. same transaction (xid assigned) and this transaction has not
--      inserted/updated/deleted a row of pg_attribute, pg_index or pg_class
--      since the entry was validated (the transaction's own statistics
--      counters; needs track_counts, the default): no catalog access at all.
--      Other sessions cannot change the table meanwhile: the transaction
--      holds a lock on it since its first trigger call there.
--   2. else one catalog query for the fingerprint (live columns' attnum,
--      name, type, collation and the primary key's indkey); if it equals
--      the cached one the derived data is reused, else rebuilt.
-- So ALTER TABLE (add/drop/rename/retype a column, add/drop the primary
-- key) is seen by the next row, in this session or any other.
create or replace function pgq._trg_tinfo(i_relid oid)
returns text[]
language plpgsql
as $$
declare
    k   text := 'pgq_pltrg.r' || i_relid::text;
    c   text[];
    vk  text;
    fp  text;
    ti  record;
begin
    c := nullif(pg_catalog.current_setting(k, true), '')::text[];
    vk := pg_catalog.pg_current_xact_id_if_assigned()::text || '/'
          || (pg_catalog.pg_stat_get_xact_tuples_inserted(1249) + pg_catalog.pg_stat_get_xact_tuples_updated(1249)
              + pg_catalog.pg_stat_get_xact_tuples_deleted(1249) + pg_catalog.pg_stat_get_xact_tuples_inserted(2610)
              + pg_catalog.pg_stat_get_xact_tuples_updated(2610) + pg_catalog.pg_stat_get_xact_tuples_deleted(2610)
              + pg_catalog.pg_stat_get_xact_tuples_inserted(1259) + pg_catalog.pg_stat_get_xact_tuples_updated(1259)
              + pg_catalog.pg_stat_get_xact_tuples_deleted(1259))::text;
    if c[2] = vk and pg_catalog.current_setting('track_counts') = 'on' then
        return c;
    end if;
    fp := coalesce((select array_agg(a.attnum order by a.attnum)::text || array_agg(a.attname order by a.attnum)::text
                           || array_agg(a.atttypid order by a.attnum)::text
                           || array_agg(a.attcollation order by a.attnum)::text
                      from pg_catalog.pg_attribute a
                     where a.attrelid = i_relid and a.attnum > 0 and not a.attisdropped), '')
          || '|' || coalesce((select i.indkey::text from pg_catalog.pg_index i
                               where i.indrelid = i_relid and i.indisprimary), '');
    if c is null or c[1] is distinct from fp then
        ti := pgq._trg_table_info(i_relid, true);
        c := array[fp, null, ti.colnames::text, ti.colkinds::text, ti.coljson::text, ti.pkey::text,
                   case when exists (select 1 from unnest(ti.colnames) x where x like '\_pgq\_ev\_%') then 't' else 'f' end,
                   array_to_string(ti.pkey, ','),
                   array(select coalesce(x = any (ti.pkey), false) from unnest(ti.colnames) with ordinality as u(x, o) order by o)::text,
                   array(select false from unnest(ti.colnames) x)::text];
    end if;
    c[2] := vk;
    perform pg_catalog.set_config(k, c::text, false);
    return c;
end;
$$;

-- pgq._trg_args(): validate the trigger call and parse TG_ARGV.
-- Option rules (as the C triggers): SKIP, backup, deny, ignore=, pkey=,
-- when=, ev_type=, ev_data=, ev_extra1..4=; names are case sensitive;
-- anything else -> 'bad param to pgq trigger'.  For ignore= and pkey= the
-- last occurrence wins, for the expressions the first one.  TRUNCATE
-- triggers reject expressions at once, then ignore=, pkey=, backup; SKIP
-- is rejected in AFTER triggers.
--   exprs: {when, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4}
create or replace function pgq._trg_args(
    in i_argv text[],
    in i_nargs integer,
    in i_when text,
    in i_level text,
    in i_op text,
    in i_schema text,
    in i_table text,
    out queue_name text,
    out skip boolean,
    out backup boolean,
    out deny boolean,
    out ignore_cols text[],
    out pkey_text text,
    out exprs text[],
    out has_exprs boolean)
language plpgsql stable
as $$
declare
    i       integer;
    arg     text;
    pos     integer;
    ign_set boolean := false;
    pk_set  boolean := false;
    slot    integer;
begin
    if i_op <> 'TRUNCATE' and i_level <> 'ROW' then
        raise exception 'pgq Ins/Upd/Del trigger must be fired FOR EACH ROW';
    end if;
    if i_nargs < 1 then
        raise exception 'pgq trigger must have destination queue as argument';
    end if;
    queue_name := i_argv[0];
    skip := false;
    backup := false;
    deny := false;
    has_exprs := false;
    exprs := array[null, null, null, null, null, null, null]::text[];
    for i in 1 .. i_nargs - 1 loop
        arg := i_argv[i];
        if arg = 'SKIP' then
            skip := true;
        elsif arg = 'backup' then
            backup := true;
        elsif arg = 'deny' then
            deny := true;
        elsif arg like 'ignore=%' then
            ign_set := true;
            ignore_cols := array(select btrim(x) from unnest(string_to_array(substr(arg, 8), ',')) x);
        elsif arg like 'pkey=%' then
            pk_set := true;
            pkey_text := substr(arg, 6);
        else
            pos := strpos(arg, '=');
            slot := case when pos = 0 then null else
                        case substr(arg, 1, pos - 1)
                            when 'when' then 1
                            when 'ev_type' then 2
                            when 'ev_data' then 3
                            when 'ev_extra1' then 4
                            when 'ev_extra2' then 5
                            when 'ev_extra3' then 6
                            when 'ev_extra4' then 7
                        end
                    end;
            if slot is null then
                raise exception 'bad param to pgq trigger';
            end if;
            if i_op = 'TRUNCATE' then
                raise exception 'Custom expressions do not make sense for truncater trigger';
            end if;
            has_exprs := true;
            if exprs[slot] is null then
                exprs[slot] := substr(arg, pos + 1);
            end if;
        end if;
    end loop;
    if i_op = 'TRUNCATE' then
        if ign_set then
            raise exception 'Column ignore does not make sense for truncate trigger';
        end if;
        if pk_set then
            raise exception 'Custom pkey_list does not make sense for truncate trigger';
        end if;
        if backup then
            raise exception 'Backup does not make sense for truncate trigger';
        end if;
    end if;
    if skip and i_when = 'AFTER' then
        raise exception 'SKIP does not work in AFTER trigger.';
    end if;
    if deny then
        raise exception 'Table ''%.%'' to queue ''%'': change not allowed (%)',
            i_schema, i_table, queue_name, i_op;
    end if;
end;
$$;

-- pgq._trg_urlenc_row(names, values, skip): name=value pairs joined with
-- '&', names and values urlencoded, a NULL value written as the bare name,
-- columns with skip[i] left out.
create or replace function pgq._trg_urlenc_row(i_names text[], i_vals text[], i_skip boolean[])
returns text
language plpgsql immutable parallel safe
as $$
begin
    return (select coalesce(string_agg(
                     case when n ~ '^[0-9A-Za-z_.-]*$' then n else pgq._urlencode(n) end
                     || case when v is null then ''
                             when v ~ '^[0-9A-Za-z_.-]*$' then '=' || v
                             else '=' || pgq._urlencode(v) end,
                                   '&' order by o), '')
          from unnest(i_names, i_vals, i_skip) with ordinality as x(n, v, s, o)
         where not coalesce(s, false));
end;
$$;

-- pgq._trg_row(): the per-row work shared by the three triggers.
--   i_row       the row the event describes (NEW, or OLD for DELETE)
--   i_old       OLD for UPDATE (else NULL)
--   i_need_changed  compute the changed[] flags for every column (sqltriga)
-- Returns
--   colnames, vals, oldvals  column names and output-function text values
--   skipcol     column is ignored (ignore=) or a _pgq_ev_* magic column
--   pkcol       column is a key column
--   pkey_list   the key as the event type shows it (pkey= verbatim, else
--               the primary key names joined with ',')
--   changed     UPDATE only: value changed according to the type's '='
--   send        false when no event is to be queued (when= false, or an
--               UPDATE that changed only ignored columns)
--   ovr, ovr_set  overrides of {-, ev_type, ev_data, ev_extra1..4} from the
--               magic columns and the ev_*= expressions (expressions win)
-- (its OUT columns changed during development: drop the old shape so that
-- a re-install over it works)
drop function if exists pgq._trg_row(text, oid, record, record, text, text[], text[], boolean, boolean);
create or replace function pgq._trg_row(
    in i_op text,
    in i_relid oid,
    in i_row record,
    in i_old record,
    in i_pkey_text text,
    in i_ignore text[],
    in i_exprs text[],
    in i_has_exprs boolean,
    in i_need_changed boolean,
    out colnames text[],
    out vals text[],
    out oldvals text[],
    out skipcol boolean[],
    out pkcol boolean[],
    out pkey_list text,
    out changed boolean[],
    out send boolean,
    out ovr text[],
    out ovr_set boolean[],
    out coljson text[],
    out pkey_cat text[])
language plpgsql
as $$
declare
    ti       text[];
    kinds    text[];
    pkarr    text[];
    n        integer;
    i        integer;
    slot     integer;
    has_skip boolean := false;
    ignored  boolean[];
    any_pk   boolean := false;
    chg      boolean;
    chg_data boolean := false;
    chg_skip boolean := false;
    q        text;
    res      text[];
    wtype    oid;
    o        text;
    nv       text;
begin
    ti := pgq._trg_tinfo(i_relid);
    colnames := ti[3]::text[];
    coljson := ti[5]::text[];
    pkarr := ti[6]::text[];
    pkey_cat := pkarr;
    vals := pgq._trg_split_row(i_row::text);
    n := coalesce(array_length(colnames, 1), 0);
    send := true;
    ovr := '{NULL,NULL,NULL,NULL,NULL,NULL,NULL}';
    ovr_set := '{f,f,f,f,f,f,f}';
    if i_pkey_text is null and i_ignore is null and ti[7] = 'f' then
        -- no options, no magic columns: the per-column flags depend on the
        -- table only and come from the cache
        pkey_list := ti[8];
        pkcol := ti[9]::boolean[];
        skipcol := ti[10]::boolean[];
        any_pk := cardinality(pkarr) > 0;
    else
    if i_pkey_text is not null then
        pkey_list := i_pkey_text;
        pkarr := array(select btrim(x) from unnest(string_to_array(i_pkey_text, ',')) x);
    else
        pkey_list := array_to_string(pkarr, ',');
    end if;
    skipcol := array_fill(false, array[n]);
    pkcol := array_fill(false, array[n]);
    ignored := array_fill(false, array[n]);
    for i in 1 .. n loop
        if colnames[i] = any (pkarr) then
            pkcol[i] := true;
            any_pk := true;
        end if;
        if colnames[i] like '\_pgq\_ev\_%' then
            slot := case colnames[i]
                        when '_pgq_ev_type' then 2
                        when '_pgq_ev_data' then 3
                        when '_pgq_ev_extra1' then 4
                        when '_pgq_ev_extra2' then 5
                        when '_pgq_ev_extra3' then 6
                        when '_pgq_ev_extra4' then 7
                    end;
            if slot is null then
                raise exception 'Unknown magic column: %', colnames[i];
            end if;
            ovr[slot] := vals[i];
            ovr_set[slot] := true;
            skipcol[i] := true;
            -- sqltriga counts a change of a magic column as a change of an
            -- ignored column; logutriga and jsontriga do not
            if i_need_changed then
                ignored[i] := true;
                has_skip := true;
            end if;
        end if;
        if colnames[i] = any (i_ignore) then
            skipcol[i] := true;
            ignored[i] := true;
            has_skip := true;
        end if;
    end loop;
    end if;

    if i_op in ('UPDATE', 'DELETE') and not any_pk then
        raise exception 'Update/Delete on table without pkey';
    end if;

    if i_op = 'UPDATE' then
        kinds := ti[4]::text[];
        oldvals := pgq._trg_split_row(i_old::text);
        changed := array_fill(false, array[n]);
        for i in 1 .. n loop
            if pkcol[i] or has_skip or i_need_changed then
                nv := vals[i];
                o := oldvals[i];
                if nv is not distinct from o then
                    chg := false;
                elsif nv is null or o is null then
                    chg := true;
                else
                    chg := case kinds[i]
                        when 't' then true
                        when 'n' then o::numeric <> nv::numeric
                        when 'f' then o::float4 <> nv::float4
                        when 'd' then o::float8 <> nv::float8
                        when 'i' then o::interval <> nv::interval
                        when 'u' then case when exists (
                                 select 1
                                   from pg_catalog.pg_attribute a, pg_catalog.pg_type t, pg_catalog.pg_opclass oc
                                  where a.attrelid = i_relid and a.attname = colnames[i]
                                    and t.oid = a.atttypid
                                    and oc.opcintype = coalesce(nullif(t.typbasetype, 0), t.oid)
                                    and oc.opcdefault and oc.opcmethod = 403) then null else true end
                        else null end;
                    if chg is null then
                        execute format('select ($1).%1$I is distinct from ($2).%1$I', colnames[i])
                           into chg using i_old, i_row;
                    end if;
                end if;
                changed[i] := chg;
                if chg then
                    if pkcol[i] then
                        raise exception 'primary key update not allowed';
                    end if;
                    if ignored[i] then
                        chg_skip := true;
                    elsif not skipcol[i] then
                        chg_data := true;
                    end if;
                end if;
            end if;
        end loop;
        if chg_skip and not chg_data then
            send := false;
            return;
        end if;
    end if;

    if i_has_exprs then
        if i_exprs[1] is not null and btrim(i_exprs[1]) = '' then
            raise exception 'when= query result must be boolean, got=0';
        end if;
        q := 'select array[' || case when i_exprs[1] is null then 'null' else 'pg_catalog.pg_typeof(_pgq_x1)::oid::text' end;
        for i in 1 .. 7 loop
            q := q || ', case when _pgq_x' || i || ' is null then null else pg_catalog.format(''%s'', _pgq_x' || i || ') end';
        end loop;
        q := q || '] from (select ';
        for i in 1 .. 7 loop
            q := q || case when i > 1 then ', ' else '' end
                   || case when i_exprs[i] is null or btrim(i_exprs[i]) = '' then 'null::text'
                           else '(' || i_exprs[i] || ')' end
                   || ' as _pgq_x' || i;
        end loop;
        q := q || ' from (select ($1).*) as _pgq_row offset 0) as _pgq_sub';
        execute q into res using i_row;
        if i_exprs[1] is not null then
            wtype := res[1]::oid;
            if wtype <> 16 then
                raise exception 'when= query result must be boolean, got=%', wtype;
            end if;
            if res[2] is null then
                raise exception 'when= should not be NULL';
            end if;
            if res[2] <> 't' then
                send := false;
                return;
            end if;
        end if;
        for i in 2 .. 7 loop
            if i_exprs[i] is not null then
                ovr[i] := res[i + 1];
                ovr_set[i] := true;
            end if;
        end loop;
    end if;
end;
$$;

-- pgq._trg_json_row(names, values, kinds, skip, typed_json): the JSON
-- object jsontriga writes, keys in column order, no white space.
-- typed_json holds the to_json() form of every column and is only
-- consulted for kind 'j' (it may be NULL when there is no such column).
create or replace function pgq._trg_json_row(i_names text[], i_vals text[], i_kinds text[],
                                             i_skip boolean[], i_typed text[])
returns text
language plpgsql immutable parallel safe
as $$
begin
    return (select '{' || coalesce(string_agg(
                   pg_catalog.to_json(n)::text || ':' ||
                   case when v is null then 'null'
                        when k = 'b' then case when v = 't' then 'true' else 'false' end
                        when k = 'i' then v
                        when k = 'j' then i_typed[o]
                        else pg_catalog.to_json(v)::text end,
                   ',' order by o), '') || '}'
          from unnest(i_names, i_vals, i_kinds, i_skip) with ordinality as x(n, v, k, s, o)
         where not coalesce(s, false));
end;
$$;

-- pgq._trg_json_typed(row): the to_json() text of each column of a row,
-- in column order (used for the date and timestamp columns).
create or replace function pgq._trg_json_typed(i_row record)
returns text[]
language plpgsql stable
as $$
begin
    return array(select v::text from pg_catalog.json_each(pg_catalog.to_json(i_row))
                        with ordinality as x(k, v, o) order by o);
end;
$$;

-- The helpers run with the rights of whoever changes the table; like
-- pgq.insert_event they are for pgq_writer.
revoke all on function pgq._urlencode(text) from public;
revoke all on function pgq._trg_split_row(text) from public;
revoke all on function pgq._trg_table_info(oid, boolean) from public;
revoke all on function pgq._trg_tinfo(oid) from public;
revoke all on function pgq._trg_args(text[], integer, text, text, text, text, text) from public;
revoke all on function pgq._trg_urlenc_row(text[], text[], boolean[]) from public;
revoke all on function pgq._trg_row(text, oid, record, record, text, text[], text[], boolean, boolean) from public;
revoke all on function pgq._trg_json_row(text[], text[], text[], boolean[], text[]) from public;
revoke all on function pgq._trg_json_typed(record) from public;
grant execute on function pgq._urlencode(text) to pgq_writer;
grant execute on function pgq._trg_split_row(text) to pgq_writer;
grant execute on function pgq._trg_table_info(oid, boolean) to pgq_writer;
grant execute on function pgq._trg_tinfo(oid) to pgq_writer;
grant execute on function pgq._trg_args(text[], integer, text, text, text, text, text) to pgq_writer;
grant execute on function pgq._trg_urlenc_row(text[], text[], boolean[]) to pgq_writer;
grant execute on function pgq._trg_row(text, oid, record, record, text, text[], text[], boolean, boolean) to pgq_writer;
grant execute on function pgq._trg_json_row(text[], text[], text[], boolean[], text[]) to pgq_writer;
grant execute on function pgq._trg_json_typed(record) to pgq_writer;
