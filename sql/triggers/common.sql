-- ----------------------------------------------------------------------
-- Shared machinery of the PL/pgSQL table triggers pgq.logutriga,
-- pgq.sqltriga and pgq.jsontriga (PgQ 3.5 compatible).
--
-- Each trigger function is a thin shell.  With only the queue as argument
-- it first offers the row to pgq._trg_fast() (the lean path: one query
-- over the catalog and to_json() of the row, no pinned settings), which
-- takes the common tables (column types it knows, a key of at most three
-- columns in column order, no _pgq_ev_* column) and declines the rest.
-- Otherwise it hands its trigger context to pgq._trg_event(), which does
-- the whole job of one call (check and parse the arguments, read the
-- table's columns and key, build the event in the trigger's format, queue
-- it with pgq.insert_event), and raises every error.  Both give the same
-- events (tests/sql/trigger_fast.sql compares them on twin tables).
--
-- No state between calls.  Every row reads the table's columns and primary
-- key from the catalog in one plan-cached query, so the output follows ALTER
-- TABLE at once (between rows of one transaction, after ROLLBACK TO
-- SAVEPOINT, inside a DO block), and nothing a session can set (settings,
-- temporary objects) reaches the event.
--
-- search_path.  The triggers run with the rights of whoever changes the
-- table, possibly a superuser, under that role's search_path, on which an
-- attacker may have planted better-matching functions, operators or types.
--   * pgq._trg_event (the per-row work), pgq._trg_args and
--     pgq._trg_eval_exprs pin search_path = pg_catalog, pg_temp;
--   * the trigger functions cannot pin it (the caller's path is needed for
--     the user's expressions); the small per-row helpers (_trg_split_row,
--     _trg_urlenc_row, _trg_json_row, _urlencode) do not, as a pinned call
--     costs about 2 us (a setting saved and restored) and a pinned SQL
--     function is never inlined: they name the schema of every function,
--     operator and type they use, so they are safe called from anywhere;
--   * the user's own expressions (when=, ev_type=, ev_data=, ev_extra1..4=)
--     are evaluated under the caller's search_path, and only they: they are
--     the user's SQL, written against that path.
--
-- Quoting in sqltriga: the C triggers quote identifiers and literals exactly
-- as quote_ident() and quote_literal() do, so the built-ins are used.
-- ----------------------------------------------------------------------

-- Functions of the former design (a per-session cache of table facts in a
-- custom setting, which any session could overwrite); gone on upgrade.
drop function if exists pgq._trg_tinfo(oid);
drop function if exists pgq._trg_table_info(oid);
drop function if exists pgq._trg_table_info(oid, boolean);
drop function if exists pgq._trg_row(text, oid, record, record, text, text[], text[], boolean, boolean);
drop function if exists pgq._trg_json_typed(record);
drop function if exists pgq._trg_json_row(text[], text[], text[], boolean[], text[]);

-- pgq._urlencode_bytes(text): _urlencode for text with bytes outside
-- printable ASCII: runs of safe characters stay, every other run is
-- encoded byte by byte from its server-encoding bytes.
create or replace function pgq._trg_col_kind(i_type oid, i_collation oid)
returns text as $$
-- How an UPDATE compares a column's old and new values (see the callers):
-- 't' text equality, 'n' numeric, 'f' float4, 'd' float8, 'i' interval,
-- 'x' not comparable inline (ranges, multiranges, composites,
-- non-deterministic collations), 'u' a user-defined base type or domain.
-- The common built-in types by oid; every other type from pg_type, by oid
-- lookups (a join makes the planner hash the whole of pg_type).
    select case when i_type in (16, 17, 20, 21, 23, 25, 1042, 1043, 1082, 1083, 1114, 1184, 2950)
                     and i_collation in (0, 100) then 't'
                when i_type = 1700 then 'n'
                when i_type = 700 then 'f'
                when i_type = 701 then 'd'
                when i_type = 1186 then 'i'
                else (select case when ty.typcategory = 'A' then 't'
                                  when bt = 'numeric'::regtype then 'n'
                                  when bt = 'float4'::regtype then 'f'
                                  when bt = 'float8'::regtype then 'd'
                                  when bt = 'interval'::regtype then 'i'
                                  when ty.typtype in ('r', 'm', 'c') then 'x'
                                  when i_collation not in (0, 100) and exists (
                                         select 1 from pg_collation c
                                          where c.oid = i_collation and not c.collisdeterministic) then 'x'
                                  when ty.oid >= 16384 and ty.typtype in ('b', 'd') then 'u'
                                  else 't' end
                        from pg_type ty,
                             lateral (select coalesce(nullif(ty.typbasetype, 0), ty.oid) as bt) b
                       where ty.oid = i_type)
           end
$$ language sql stable set search_path = pg_catalog, pg_temp;

revoke all on function pgq._trg_col_kind(oid, oid) from public;
grant execute on function pgq._trg_col_kind(oid, oid) to pgq_writer;


create or replace function pgq._urlencode_bytes(i_txt text)
returns text
language sql immutable strict parallel safe
as $$
    select pg_catalog.string_agg(
               case when piece.m[1] is not null then piece.m[1]
                    else pg_catalog.replace(
                             pg_catalog.regexp_replace(pg_catalog.encode(pg_catalog.textsend(piece.m[2]), 'hex'),
                                                       '(..)', E'%\\1', 'g'),
                             '%20', '+')
               end, '' order by piece.n)
      from pg_catalog.regexp_matches(i_txt, '([0-9A-Za-z_.-]+)|([^0-9A-Za-z_.-]+)', 'g')
           with ordinality as piece(m, n)
$$;

-- pgq._urlencode(text): the PgQ URL encoding.  Bytes [0-9A-Za-z_.-] pass
-- through, space becomes '+', every other byte (of the server encoding)
-- becomes %xx with lower-case hex.  NULL stays NULL.  A single expression,
-- so the planner inlines it into the row encoders below.
create or replace function pgq._urlencode(i_txt text)
returns text
language sql immutable parallel safe
as $$
    select case
        when i_txt operator(pg_catalog.~) '^[0-9A-Za-z_.-]*$' then i_txt
        -- printable ASCII: a fixed chain of replace() beats any byte loop
        when i_txt operator(pg_catalog.~) '^[ -~]*$' then
            pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
            pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
            pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
            pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
            pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
            pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                i_txt, '%', '%25'), '+', '%2b'), ' ', '+'), '!', '%21'), '"', '%22'),
                '#', '%23'), '$', '%24'), '&', '%26'), '''', '%27'), '(', '%28'),
                ')', '%29'), '*', '%2a'), ',', '%2c'), '/', '%2f'), ':', '%3a'),
                ';', '%3b'), '<', '%3c'), '=', '%3d'), '>', '%3e'), '?', '%3f'),
                '@', '%40'), '[', '%5b'), E'\\', '%5c'), ']', '%5d'), '^', '%5e'),
                '`', '%60'), '{', '%7b'), '|', '%7c'), '}', '%7d'), '~', '%7e')
        else pgq._urlencode_bytes(i_txt)
    end
$$;

-- pgq._trg_split_row(text): split the text form of a row (record_out:
-- "(v1,v2,...)") into the output-function text of each live column, in
-- attnum order.  record_out writes NULL as nothing and double-quotes a
-- value that is empty or holds ", \, (, ), comma or white space, doubling
-- " and \ inside the quotes.
-- (PL/pgSQL keeps its plans for the session; an SQL function with a query
-- would be planned again in every transaction.)
create or replace function pgq._trg_split_row(i_row text)
returns text[]
language plpgsql immutable strict parallel safe
as $$
begin
    if pg_catalog.strpos(i_row, '"') operator(pg_catalog.=) 0 then
        -- nothing quoted: no value holds a comma, an empty field is NULL
        return pg_catalog.string_to_array(
                   pg_catalog.substr(i_row, 2, pg_catalog.length(i_row) operator(pg_catalog.-) 2), ',', '');
    end if;
    -- a quoted field: undo the doubling; an empty unquoted field: NULL.
    -- regexp_matches returns the fields in order.
    return array(select case when field.m[1] is not null
                             then pg_catalog.replace(pg_catalog.replace(field.m[1], '""', '"'), E'\\\\', E'\\')
                             when field.m[2] operator(pg_catalog.=) '' then null
                             else field.m[2] end
                   from pg_catalog.regexp_matches(i_row, '[(,](?:"((?:[^"]|"")*)"|([^,)"]*))', 'g') as field(m));
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
    return (select coalesce(pg_catalog.string_agg(
                       case when col.val is null then pgq._urlencode(col.name)
                            else pgq._urlencode(col.name) operator(pg_catalog.||) '='
                                 operator(pg_catalog.||) pgq._urlencode(col.val) end,
                       '&' order by col.pos), '')
              from rows from (pg_catalog.unnest(i_names), pg_catalog.unnest(i_vals), pg_catalog.unnest(i_skip))
                   with ordinality as col(name, val, skip, pos)
             where not col.skip);
end;
$$;

-- pgq._trg_json_row(names, values, kinds, skip, row_json): the JSON
-- object jsontriga writes, keys in column order, no white space.  kinds as
-- pgq._trg_event's col_json; row_json is to_json() of the row, only read
-- for kind 'j' (NULL when there is no such column).
create or replace function pgq._trg_json_row(i_names text[], i_vals text[], i_kinds text[],
                                             i_skip boolean[], i_row_json json)
returns text
language plpgsql immutable parallel safe
as $$
begin
    return (select '{' operator(pg_catalog.||) coalesce(pg_catalog.string_agg(
                       pg_catalog.to_json(col.name)::pg_catalog.text operator(pg_catalog.||) ':' operator(pg_catalog.||)
                       case when col.val is null then 'null'
                            when col.kind operator(pg_catalog.=) 'b'
                                then case when col.val operator(pg_catalog.=) 't' then 'true' else 'false' end
                            when col.kind operator(pg_catalog.=) 'i' then col.val
                            when col.kind operator(pg_catalog.=) 'j'
                                then (i_row_json operator(pg_catalog.->) col.name)::pg_catalog.text
                            else pg_catalog.to_json(col.val)::pg_catalog.text end,
                       ',' order by col.pos), '') operator(pg_catalog.||) '}'
              from rows from (pg_catalog.unnest(i_names), pg_catalog.unnest(i_vals), pg_catalog.unnest(i_kinds),
                              pg_catalog.unnest(i_skip))
                   with ordinality as col(name, val, kind, skip, pos)
             where not col.skip);
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
set search_path = pg_catalog, pg_temp
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
        elsif starts_with(arg, 'ignore=') then
            ign_set := true;
            ignore_cols := array(select btrim(x) from unnest(string_to_array(substr(arg, 8), ',')) x);
        elsif starts_with(arg, 'pkey=') then
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

-- pgq._trg_eval_exprs(exprs, row, caller_path): the values of the user's
-- expressions over the row, evaluated under the caller's search_path.
-- Returns {type oid of when=, when=, ev_type, ev_data, ev_extra1..4} as
-- text (format('%s')), NULL where there is no expression.
create or replace function pgq._trg_eval_exprs(i_exprs text[], i_row record, i_caller_path text)
returns text[]
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
    query   text;
    results text[];
    i       integer;
begin
    -- one query: the expressions see the row's columns by name; everything
    -- we add to it names its schema, as it is planned under the caller's path
    query := 'select array[' || case when i_exprs[1] is null then 'null'
                                     else 'pg_catalog.pg_typeof(_pgq_x1)::pg_catalog.oid::pg_catalog.text' end;
    for i in 1 .. 7 loop
        query := query || ', case when _pgq_x' || i || ' is null then null else pg_catalog.format(''%s'', _pgq_x'
                       || i || ') end';
    end loop;
    query := query || '] from (select ';
    for i in 1 .. 7 loop
        query := query || case when i > 1 then ', ' else '' end
                       || case when i_exprs[i] is null or btrim(i_exprs[i]) = '' then 'null::pg_catalog.text'
                               else '(' || i_exprs[i] || ')' end
                       || ' as _pgq_x' || i;
    end loop;
    query := query || ' from (select ($1).*) as _pgq_row offset 0) as _pgq_sub';
    -- they are the user's SQL, written against the user's search_path; the
    -- function's own setting comes back when it returns (or fails)
    perform set_config('search_path', i_caller_path, true);
    execute query into results using i_row;
    return results;
end;
$$;

-- pgq._trg_cols(relid): the table's live columns in attnum order: name,
-- type oid, position in the key (NULL: not a key column),
-- and whether pgq._trg_fast can take the column (a type listed in
-- pgq._trg_text, a collation no comparison needs to look up, not a
-- _pgq_ev_* column, a key of at most 3 columns in column order, so that
-- the key columns in column order are the key's order).  The key: the
-- replica identity index if it is the primary key, else the primary key.
-- A single SELECT, inlined into the
-- caller's query; the oid goes in as (select i_relid), which the planner
-- cannot see through, so the caller keeps one generic plan.
-- pgq._trg_col_ok(type, collation, name): a column the lean path and the
-- generated triggers (gen.sql) take: a type whose text output does not
-- depend on search_path and compares as the table types do (see
-- pgq._trg_text, pgq._trg_changed), a collation no comparison needs to
-- look up, not a _pgq_ev_* column.  Inlined.
create or replace function pgq._trg_col_ok(i_typ pg_catalog.oid, i_coll pg_catalog.oid, i_name pg_catalog.text)
returns pg_catalog.bool
language sql immutable parallel safe
as $$
    select i_typ operator(pg_catalog.=) any (
               '{16,17,18,19,20,21,23,25,26,650,700,701,774,790,829,869,1042,1043,1082,1083,1114,1184,1186,1266,1560,1562,1700,2950}'::pg_catalog.oid[])
           and i_coll operator(pg_catalog.=) any ('{0,100,950,951}'::pg_catalog.oid[])
           and not pg_catalog.starts_with(i_name, '_pgq_ev_')
$$;

create or replace function pgq._trg_cols(i_relid pg_catalog.oid)
returns table (name pg_catalog.text, typ pg_catalog.oid, keypos pg_catalog.int4, ok pg_catalog.bool)
language sql stable
as $$
    select a.attname::pg_catalog.text, a.atttypid, pg_catalog.array_position(pk.cols, a.attnum),
           pgq._trg_col_ok(a.atttypid, a.attcollation, a.attname::pg_catalog.text) and pk.in_order
      from pg_catalog.pg_attribute a,
           (select k.cols,
                   -- up to 3 key columns, in column order (else the
                   -- general path)
                   coalesce(pg_catalog.cardinality(k.cols) operator(pg_catalog.<) 2
                            or (pg_catalog.cardinality(k.cols) operator(pg_catalog.<) 4
                                and k.cols[1] operator(pg_catalog.<) k.cols[2]
                                and (pg_catalog.cardinality(k.cols) operator(pg_catalog.=) 2
                                     or k.cols[2] operator(pg_catalog.<) k.cols[3])), true) as in_order
              from (select coalesce(
                               (select (k.indkey::pg_catalog.int2[])[0:k.indnkeyatts operator(pg_catalog.-) 1]
                                  from pg_catalog.pg_index k
                                 where k.indexrelid operator(pg_catalog.=)
                                           pg_catalog.pg_get_replica_identity_index((select i_relid))
                                   and k.indisprimary),
                               (select (k.indkey::pg_catalog.int2[])[0:k.indnkeyatts operator(pg_catalog.-) 1]
                                  from pg_catalog.pg_index k
                                 where k.indrelid operator(pg_catalog.=) (select i_relid)
                                   and k.indisprimary)) as cols
                    offset 0) k) pk
     where a.attrelid operator(pg_catalog.=) (select i_relid)
       and a.attnum operator(pg_catalog.>) 0 and not a.attisdropped
     order by a.attnum
$$;

-- pgq._trg_text(type, json_text): a column's text output from its value
-- in json_each_text(to_json(row)).  For the types pgq._trg_cols lists,
-- that is the text output itself (strings, numbers, and every other listed
-- type written through its output function), except: bool comes as
-- true/false; date, timestamp and timestamptz come in ISO 8601 and go back
-- through the type to their text output (exact: the same value, written
-- under the session's DateStyle and TimeZone).  Inlined (STABLE, as the
-- casts are: an IMMUTABLE function with a STABLE body is not inlined).
create or replace function pgq._trg_text(i_typ pg_catalog.oid, i_val pg_catalog.text)
returns pg_catalog.text
language sql stable parallel safe
as $$
    select case when i_typ operator(pg_catalog.=) 16 then
                    case when i_val operator(pg_catalog.=) 'true' then 't'
                         when i_val operator(pg_catalog.=) 'false' then 'f' end
                when i_typ operator(pg_catalog.=) 1082 then i_val::pg_catalog.date::pg_catalog.text
                when i_typ operator(pg_catalog.=) 1114 then i_val::pg_catalog.timestamp::pg_catalog.text
                when i_typ operator(pg_catalog.=) 1184 then i_val::pg_catalog.timestamptz::pg_catalog.text
                else i_val end
$$;

-- pgq._trg_changed(type, new, old): whether an UPDATE changed a column
-- (text values of a type pgq._trg_cols lists): numeric, float4, float8
-- and interval by their '=', the others by their text.  Inlined.
create or replace function pgq._trg_changed(i_typ pg_catalog.oid, i_new pg_catalog.text, i_old pg_catalog.text)
returns pg_catalog.bool
language sql stable parallel safe
as $$
    select case when i_new is null and i_old is null then false
                when i_new is null or i_old is null then true
                when i_new operator(pg_catalog.=) i_old then false
                when i_typ operator(pg_catalog.=) 1700 then
                    i_new::pg_catalog.numeric operator(pg_catalog.<>) i_old::pg_catalog.numeric
                when i_typ operator(pg_catalog.=) 700 then
                    i_new::pg_catalog.float4 operator(pg_catalog.<>) i_old::pg_catalog.float4
                when i_typ operator(pg_catalog.=) 701 then
                    i_new::pg_catalog.float8 operator(pg_catalog.<>) i_old::pg_catalog.float8
                when i_typ operator(pg_catalog.=) 1186 then
                    i_new::pg_catalog.interval operator(pg_catalog.<>) i_old::pg_catalog.interval
                else true end
$$;

-- pgq._trg_urlenc_pair(name, value): name=value urlencoded, the bare name
-- for NULL.  PL/pgSQL keeps the inlined pgq._urlencode expressions ready
-- for the whole transaction; inlined into a query, they would be set up
-- again at every execution, which costs more than the call.
create or replace function pgq._trg_urlenc_pair(i_name pg_catalog.text, i_val pg_catalog.text)
returns pg_catalog.text
language plpgsql immutable parallel safe
as $$
begin
    if i_val is null then
        return pgq._urlencode(i_name);
    end if;
    return pgq._urlencode(i_name) operator(pg_catalog.||) '=' operator(pg_catalog.||) pgq._urlencode(i_val);
end;
$$;

-- pgq._trg_fast(format, op, relid, queue, schema, table, row, old): the
-- lean path of a row-level call with only the queue as argument: the
-- table's columns and key from the catalog (pgq._trg_cols), the row's
-- values from to_json() of the row, the event built in one plan-cached
-- query per format, then pgq.insert_event.  Returns false, having done
-- nothing, whenever the row needs more (a column pgq._trg_cols does not
-- take, no key for UPDATE/DELETE, a changed or NULL key, ...); the caller
-- then takes pgq._trg_event, which also raises the errors.
--   i_row: to_json(NEW), or to_json(OLD) for DELETE; i_old: to_json(OLD)
--   for UPDATE, else NULL.  Both made by the trigger, under the caller's
--   settings.  Their keys are the live columns in order; the queries zip
--   them with the catalog's by position and check the names.
-- No pinned search_path (a pinned call saves and restores a setting, and
-- this runs for every row): every function, operator and type is named
-- with its schema.  Aggregates take their input in column order (the
-- catalog arrays are in attnum order, zipped WITH ORDINALITY; OFFSET 0
-- keeps each value computed once, and pgq._urlencode of a plain column
-- inlinable).
create or replace function pgq._trg_fast(
    i_format pg_catalog.text,
    i_op pg_catalog.text,
    i_relid pg_catalog.oid,
    i_queue pg_catalog.text,
    i_schema pg_catalog.text,
    i_table pg_catalog.text,
    i_row pg_catalog.json,
    i_old pg_catalog.json)
returns boolean
language plpgsql
as $$
declare
    ok          pg_catalog.bool;
    has_key     pg_catalog.bool;
    bad_key     pg_catalog.bool;
    ev_type     pg_catalog.text;
    ev_data     pg_catalog.text;
    key_list    pg_catalog.text;
    set_list    pg_catalog.text;
    first_key   pg_catalog.text;
begin
    if pg_catalog.current_setting('session_replication_role') operator(pg_catalog.=) 'local' then
        return false;
    end if;
    if i_format operator(pg_catalog.=) 'l' then
        select pg_catalog.bool_and(c.ok), pg_catalog.bool_or(c.keypos is not null),
               pg_catalog.bool_or(c.keypos is not null and i_old is not null and pgq._trg_changed(c.typ, c.nv, c.ov)),
               pg_catalog.string_agg(c.name, ',') filter (where c.keypos is not null),
               pg_catalog.string_agg(pgq._trg_urlenc_pair(c.name, c.nv), '&')
          into ok, has_key, bad_key, key_list, ev_data
          from (select r.name, r.typ, r.keypos, r.ok,
                       pgq._trg_text(r.typ, pg_catalog.json_object_field_text(i_row, r.name)) as nv,
                       pgq._trg_text(r.typ, pg_catalog.json_object_field_text(i_old, r.name)) as ov
                  from pgq._trg_cols(i_relid) r
                offset 0) c;
        ev_type := pg_catalog.left(i_op, 1) operator(pg_catalog.||) ':' operator(pg_catalog.||) coalesce(key_list, '');
    elsif i_format operator(pg_catalog.=) 'j' then
        -- bool, integers, dates and times as to_json() writes them; every
        -- other type as its text output, a JSON string
        select pg_catalog.bool_and(c.ok), pg_catalog.bool_or(c.keypos is not null),
               pg_catalog.bool_or(c.keypos is not null and i_old is not null and pgq._trg_changed(c.typ, c.nv, c.ov)),
               pg_catalog.to_json(pg_catalog.array_agg(c.name) filter (where c.keypos is not null))::pg_catalog.text,
               pg_catalog.string_agg(pg_catalog.to_json(c.name)::pg_catalog.text operator(pg_catalog.||) ':'
                                     operator(pg_catalog.||)
                                     case when c.typ operator(pg_catalog.=) any ('{16,20,21,23,1082,1114,1184}'::pg_catalog.oid[])
                                            or c.nval is null
                                            or pg_catalog.json_typeof(c.jval) operator(pg_catalog.=) 'string'
                                          then c.jval::pg_catalog.text
                                          else pg_catalog.to_json(c.nval)::pg_catalog.text end, ',')
          into ok, has_key, bad_key, key_list, ev_data
          from (select d.name, d.typ, d.keypos, d.ok, d.nval, d.jval,
                       pgq._trg_text(d.typ, d.nval) as nv, pgq._trg_text(d.typ, d.oval) as ov
                  from (select r.name, r.typ, r.keypos, r.ok,
                               pg_catalog.json_object_field_text(i_row, r.name) as nval,
                               pg_catalog.json_object_field_text(i_old, r.name) as oval,
                               pg_catalog.json_object_field(i_row, r.name) as jval
                          from pgq._trg_cols(i_relid) r
                        offset 0) d
                offset 0) c;
        ev_type := '{"op":"' operator(pg_catalog.||) i_op operator(pg_catalog.||) '","table":'
                   operator(pg_catalog.||) pg_catalog.to_json(array[i_schema, i_table])::pg_catalog.text
                   operator(pg_catalog.||) ',"pkey":' operator(pg_catalog.||) coalesce(key_list, '[]') operator(pg_catalog.||) '}';
        ev_data := '{' operator(pg_catalog.||) coalesce(ev_data, '') operator(pg_catalog.||) '}';
    elsif i_op operator(pg_catalog.=) 'INSERT' then
        select pg_catalog.bool_and(c.ok), true, false,
               '(' operator(pg_catalog.||) pg_catalog.string_agg(pg_catalog.quote_ident(c.name), ',')
               operator(pg_catalog.||) ') values ('
               operator(pg_catalog.||) pg_catalog.string_agg(coalesce(pg_catalog.quote_literal(c.nv), 'null'), ',')
               operator(pg_catalog.||) ')'
          into ok, has_key, bad_key, ev_data
          from (select r.name, r.ok,
                       pgq._trg_text(r.typ, pg_catalog.json_object_field_text(i_row, r.name)) as nv
                  from pgq._trg_cols(i_relid) r
                offset 0) c;
        ev_type := 'I';
    else
        -- the key columns with their old values, in column order; for
        -- UPDATE the changed columns with their new values, or when nothing
        -- changed the first key column set to its old value
        select pg_catalog.bool_and(c.ok), pg_catalog.bool_or(c.keypos is not null),
               pg_catalog.bool_or(c.keypos is not null and (c.changed or c.kv is null)),
               pg_catalog.string_agg(pg_catalog.quote_ident(c.name) operator(pg_catalog.||) '='
                                     operator(pg_catalog.||) pg_catalog.quote_literal(c.kv), ' and ')
                   filter (where c.keypos is not null),
               pg_catalog.string_agg(pg_catalog.quote_ident(c.name) operator(pg_catalog.||) '='
                                     operator(pg_catalog.||) coalesce(pg_catalog.quote_literal(c.nv), 'NULL'), ',')
                   filter (where c.changed),
               (pg_catalog.array_agg(pg_catalog.quote_ident(c.name) operator(pg_catalog.||) '='
                                     operator(pg_catalog.||) pg_catalog.quote_literal(c.kv))
                   filter (where c.keypos is not null))[1]
          into ok, has_key, bad_key, key_list, set_list, first_key
          from (select d.name, d.keypos, d.ok, d.nv,
                       case when i_old is null then d.nv else d.ov end as kv,
                       i_old is not null and pgq._trg_changed(d.typ, d.nv, d.ov) as changed
                  from (select r.name, r.typ, r.keypos, r.ok,
                               pgq._trg_text(r.typ, pg_catalog.json_object_field_text(i_row, r.name)) as nv,
                               pgq._trg_text(r.typ, pg_catalog.json_object_field_text(i_old, r.name)) as ov
                          from pgq._trg_cols(i_relid) r
                        offset 0) d
                offset 0) c;
        ev_type := pg_catalog.left(i_op, 1);
        if i_op operator(pg_catalog.=) 'UPDATE' then
            ev_data := coalesce(set_list, first_key) operator(pg_catalog.||) ' where ' operator(pg_catalog.||) key_list;
        else
            ev_data := key_list;
        end if;
    end if;
    if ok is not true or bad_key or (not has_key and i_op operator(pg_catalog.<>) 'INSERT') then
        return false;
    end if;
    perform pgq.insert_event(i_queue, ev_type, coalesce(ev_data, ''),
                             i_schema operator(pg_catalog.||) '.' operator(pg_catalog.||) i_table, null, null, null);
    return true;
end;
$$;

-- pgq._trg_event(format, trigger context..., caller_path): one trigger
-- call of pgq.logutriga ('l'), pgq.sqltriga ('s') or pgq.jsontriga ('j'):
-- queue the event for the row change (or TRUNCATE).  Returns true when the
-- trigger is to return the row (a BEFORE or INSTEAD OF row trigger without
-- SKIP), false when it is to return NULL.
-- i_new_text and i_old_text are NEW::text and OLD::text as the trigger
-- computed them: some output functions (regclass, regtype, ...) qualify
-- names by the search_path, and the values are to read as in the caller's
-- session.
create or replace function pgq._trg_event(
    i_format text,
    i_op text,
    i_when text,
    i_level text,
    i_relid oid,
    i_schema text,
    i_table text,
    i_nargs integer,
    i_argv text[],
    i_new record,
    i_old record,
    i_new_text text,
    i_old_text text,
    i_caller_path text)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
-- the catalog queries below take the table's oid as a parameter, and the
-- planner tends to plan them afresh for every row (custom plans, measured
-- at 0.4 to 1 ms a row); a generic plan is right for every table
set plan_cache_mode = force_generic_plan
as $$
declare
    keep_row    boolean := i_when <> 'AFTER';  -- BEFORE and INSTEAD OF return the row
    -- arguments
    queue_name  text;
    skip_row    boolean := false;
    backup      boolean := false;
    ignore_cols text[];
    pkey_arg    text;           -- pkey= as written
    exprs       text[];
    has_exprs   boolean := false;
    -- the table, live columns in attnum order
    col_names   text[];
    col_json    text[];         -- jsontriga's form: b bool, i integer, j date/time, s string
    col_kind    text[];         -- UPDATE: how to compare old and new values
    col_is_pk   boolean[];      -- a key column (the primary key, or pkey= when given)
    pk_names    text[];         -- the primary key's columns in key order
    has_magic   boolean;        -- a _pgq_ev_* column exists
    -- the row
    ev_row      record;         -- the row the event shows: NEW, OLD for DELETE
    vals        text[];         -- its columns' text values
    old_vals    text[];         -- UPDATE: OLD's
    col_skip    boolean[];      -- left out of the data (ignore=, magic column)
    col_ignored boolean[];      -- a change of it alone queues nothing
    col_changed boolean[];      -- UPDATE: the value changed by the type's '='
    pkey_list   text;           -- the key as logutriga's ev_type shows it
    changed     boolean;
    null_key    boolean;
    key_clause  text;
    set_list    text;
    first_key   text;
    changed_data boolean := false;
    changed_ignored boolean := false;
    any_ignored boolean := false;
    n_cols      integer;
    i           integer;
    slot        integer;
    old_v       text;
    new_v       text;
    eq_op       text;
    -- the event: {-, ev_type, ev_data, ev_extra1..4}; ovr_set marks the
    -- fields given by a magic column or an expression
    ovr         text[] := '{NULL,NULL,NULL,NULL,NULL,NULL,NULL}';
    ovr_set     boolean[] := '{f,f,f,f,f,f,f}';
    expr_vals   text[];
    ev_type     text;
    ev_data     text;
    ev_extra2   text;
    table_text  text := i_schema || '.' || i_table;
begin
    -- as the C triggers: 'local' disables them; in 'replica' only ENABLE
    -- ALWAYS triggers fire, and those queue as usual
    if current_setting('session_replication_role') = 'local' then
        return i_when = 'BEFORE' and i_level = 'ROW';
    end if;

    if i_nargs = 1 and i_level = 'ROW' then
        -- the common case, only the queue name: nothing to parse or check
        queue_name := i_argv[0];
    else
        select a.queue_name, a.skip, a.backup, a.ignore_cols, a.pkey_text, a.exprs, a.has_exprs
          into queue_name, skip_row, backup, ignore_cols, pkey_arg, exprs, has_exprs
          from pgq._trg_args(i_argv, i_nargs, i_when, i_level, i_op, i_schema, i_table) a;
    end if;

    -- The table's live columns, their JSON form, and its primary key (which
    -- columns, in which order), in one catalog query.
    select array_agg(a.attname::text order by a.attnum),
           array_agg(case when a.atttypid = 16 then 'b'
                          when a.atttypid in (20, 21, 23) then 'i'
                          when a.atttypid in (1082, 1114, 1184) then 'j'
                          else 's' end order by a.attnum),
           array_agg(coalesce(a.attnum = any (pk.cols), false) order by a.attnum),
           array_agg(a.attname::text order by array_position(pk.cols, a.attnum))
               filter (where a.attnum = any (pk.cols)),
           coalesce(bool_or(starts_with(a.attname, '_pgq_ev_')), false)
      into col_names, col_json, col_is_pk, pk_names, has_magic
      from pg_attribute a,
           -- the primary key's columns (attnums) in key order.  First the
           -- index the relcache names as replica identity (the primary key
           -- unless REPLICA IDENTITY says otherwise): a lookup by index oid;
           -- else a search of the table's indexes.  OFFSET 0 keeps it one
           -- evaluation.
           (select coalesce((select (k.indkey::int2[])[0:k.indnkeyatts - 1] from pg_index k
                              where k.indexrelid = pg_get_replica_identity_index(i_relid) and k.indisprimary),
                            (select (k.indkey::int2[])[0:k.indnkeyatts - 1] from pg_index k
                              where k.indrelid = i_relid and k.indisprimary)) as cols
            offset 0) pk
     where a.attrelid = i_relid and a.attnum > 0 and not a.attisdropped;
    pk_names := coalesce(pk_names, '{}');

    if i_op = 'TRUNCATE' then
        perform pgq.insert_event(queue_name,
                                 case when i_format = 'j'
                                      then '{"op":"TRUNCATE","table":' || to_json(array[i_schema, i_table])::text
                                           || ',"pkey":' || to_json(pk_names)::text || '}'
                                      else 'R' end,
                                 case when i_format = 'j' then '{}' else '' end,
                                 table_text, null, null, null);
        return false;  -- a statement trigger
    end if;

    if i_op = 'DELETE' then
        ev_row := i_old;
        vals := pgq._trg_split_row(i_old_text);
    else
        ev_row := i_new;
        vals := pgq._trg_split_row(i_new_text);
    end if;
    n_cols := coalesce(cardinality(col_names), 0);
    col_skip := array_fill(false, array[n_cols]);
    col_ignored := col_skip;

    -- the key, and the columns left out of the data
    if pkey_arg is not null then
        pkey_list := pkey_arg;
        col_is_pk := array(select c.name = any (array(select btrim(x) from unnest(string_to_array(pkey_arg, ',')) x))
                             from unnest(col_names) with ordinality as c(name, pos)
                            order by c.pos);
    else
        pkey_list := array_to_string(pk_names, ',');
    end if;
    if ignore_cols is not null or has_magic then
        for i in 1 .. n_cols loop
            if starts_with(col_names[i], '_pgq_ev_') then
                slot := array_position(array['_pgq_ev_type', '_pgq_ev_data', '_pgq_ev_extra1', '_pgq_ev_extra2',
                                             '_pgq_ev_extra3', '_pgq_ev_extra4'], col_names[i]) + 1;
                if slot is null then
                    raise exception 'Unknown magic column: %', col_names[i];
                end if;
                ovr[slot] := vals[i];
                ovr_set[slot] := true;
                col_skip[i] := true;
                -- sqltriga counts a change of a magic column as a change of
                -- an ignored column; logutriga and jsontriga do not
                col_ignored[i] := i_format = 's';
            end if;
            if col_names[i] = any (ignore_cols) then
                col_skip[i] := true;
                col_ignored[i] := true;
            end if;
        end loop;
        any_ignored := true = any (col_ignored);
    end if;

    if i_op in ('UPDATE', 'DELETE') and not (true = any (col_is_pk)) then
        raise exception 'Update/Delete on table without pkey';
    end if;

    if i_op = 'UPDATE' then
        old_vals := pgq._trg_split_row(i_old_text);
        col_changed := array_fill(false, array[n_cols]);
        for i in 1 .. n_cols loop
            -- key columns must not change; other columns only matter to
            -- sqltriga's SET list and to the ignore rule
            if col_is_pk[i] or any_ignored or i_format = 's' then
                new_v := vals[i];
                old_v := old_vals[i];
                if new_v is not distinct from old_v then
                    changed := false;
                elsif new_v is null or old_v is null then
                    changed := true;
                else
                    -- how to compare old and new values, per column:
                    --   't' text output is enough (text equal <=> '=' equal,
                    --       or the type has no '=' / is an array, where C
                    --       compares the text)
                    --   'n' numeric, 'f' float4, 'd' float8, 'i' interval:
                    --       cast the text back and use '='
                    --   'x' the type's '=' on the typed values (ranges,
                    --       composites, non-deterministic collations), all
                    --       in pg_catalog
                    --   'u' user-defined base type or domain: the equality
                    --       operator of its default btree opclass if there
                    --       is one, else as 't'
                    -- Read only once a value's text differs: most updates
                    -- leave the key alone, so logutriga and jsontriga
                    -- rarely need it.
                    if col_kind is null then
                        select array_agg(
                                   pgq._trg_col_kind(a.atttypid, a.attcollation)
                                   order by a.attnum)
                          into col_kind
                          from pg_attribute a
                         where a.attrelid = i_relid and a.attnum > 0 and not a.attisdropped;
                    end if;
                    changed := case col_kind[i]
                        when 't' then true
                        when 'n' then old_v::numeric <> new_v::numeric
                        when 'f' then old_v::float4 <> new_v::float4
                        when 'd' then old_v::float8 <> new_v::float8
                        when 'i' then old_v::interval <> new_v::interval
                        end;
                    if col_kind[i] = 'x' then
                        execute format('select ($1).%1$I is distinct from ($2).%1$I', col_names[i])
                           into changed using i_old, i_new;
                    elsif col_kind[i] = 'u' then
                        -- the equality operator of the (base) type's default
                        -- btree opclass, by its own schema; looked up per row,
                        -- as an opclass can come or go without any change to
                        -- the table
                        select format('operator(%s.%s)', o.oprnamespace::regnamespace, o.oprname)
                          into eq_op
                          from pg_attribute a, pg_type t, pg_opclass oc, pg_amop ao, pg_operator o
                         where a.attrelid = i_relid and a.attname = col_names[i]
                           and t.oid = a.atttypid
                           and oc.opcintype = coalesce(nullif(t.typbasetype, 0), t.oid)
                           and oc.opcdefault and oc.opcmethod = 403
                           and ao.amopfamily = oc.opcfamily and ao.amopstrategy = 3
                           and ao.amoplefttype = oc.opcintype and ao.amoprighttype = oc.opcintype
                           and o.oid = ao.amopopr;
                        if eq_op is null then
                            changed := true;
                        else
                            execute format('select not ($1).%1$I %2$s ($2).%1$I', col_names[i], eq_op)
                               into changed using i_old, i_new;
                        end if;
                    end if;
                end if;
                col_changed[i] := changed;
                if changed then
                    if col_is_pk[i] then
                        raise exception 'primary key update not allowed';
                    end if;
                    if col_ignored[i] then
                        changed_ignored := true;
                    elsif not col_skip[i] then
                        changed_data := true;
                    end if;
                end if;
            end if;
        end loop;
        if changed_ignored and not changed_data then
            return keep_row and not skip_row;
        end if;
    end if;

    if has_exprs then
        if exprs[1] is not null and btrim(exprs[1]) = '' then
            raise exception 'when= query result must be boolean, got=0';
        end if;
        expr_vals := pgq._trg_eval_exprs(exprs, ev_row, i_caller_path);
        if exprs[1] is not null then
            if expr_vals[1]::oid <> 'boolean'::regtype then
                raise exception 'when= query result must be boolean, got=%', expr_vals[1];
            end if;
            if expr_vals[2] is null then
                raise exception 'when= should not be NULL';
            end if;
            if expr_vals[2] <> 't' then
                return keep_row and not skip_row;
            end if;
        end if;
        for slot in 2 .. 7 loop
            if exprs[slot] is not null then
                ovr[slot] := expr_vals[slot + 1];
                ovr_set[slot] := true;
            end if;
        end loop;
    end if;

    -- the event in the trigger's format
    if i_format = 'l' then
        ev_type := left(i_op, 1) || ':' || pkey_list;
        if not ovr_set[3] then
            ev_data := pgq._trg_urlenc_row(col_names, vals, col_skip);
        end if;
        if backup and i_op = 'UPDATE' and not ovr_set[5] then
            ev_extra2 := pgq._trg_urlenc_row(col_names, old_vals, col_skip);
        end if;
    elsif i_format = 's' then
        ev_type := left(i_op, 1);
        if ovr_set[3] then
            null;  -- ev_data= or _pgq_ev_data gives the data
        elsif i_op = 'INSERT' then
            -- (col,...) values ('v',null,...)
            select '(' || coalesce(string_agg(quote_ident(c.name), ',' order by c.pos), '')
                   || ') values ('
                   || coalesce(string_agg(coalesce(quote_literal(c.val), 'null'), ',' order by c.pos), '')
                   || ')'
              into ev_data
              from unnest(col_names, vals, col_skip) with ordinality as c(name, val, skip, pos)
             where not c.skip;
        else
            -- the key columns with their old values, in column order; for
            -- UPDATE the changed columns with their new values, or when
            -- nothing changed the first key column set to its old value
            select string_agg(quote_ident(c.name) || '=' || quote_literal(c.key_val), ' and ' order by c.pos)
                       filter (where c.is_pk),
                   bool_or(c.key_val is null) filter (where c.is_pk),
                   string_agg(quote_ident(c.name) || '=' || coalesce(quote_literal(c.val), 'NULL'), ',' order by c.pos)
                       filter (where c.changed and not c.skip),
                   (array_agg(quote_ident(c.name) || '=' || quote_literal(c.key_val) order by c.pos)
                       filter (where c.is_pk))[1]
              into key_clause, null_key, set_list, first_key
              from unnest(col_names, vals, coalesce(old_vals, vals), col_skip, col_changed, col_is_pk)
                   with ordinality as c(name, val, key_val, skip, changed, is_pk, pos);
            if null_key then
                raise exception 'logtriga: Unexpected NULL key value';
            end if;
            if i_op = 'UPDATE' then
                ev_data := coalesce(set_list, first_key) || ' where ' || key_clause;
            else
                ev_data := key_clause;
            end if;
        end if;
        if backup and i_op = 'UPDATE' and not ovr_set[5] then
            ev_extra2 := pgq._trg_urlenc_row(col_names, old_vals, col_skip);
        end if;
    else
        if not ovr_set[2] then
            -- pkey= is split on ',' verbatim (no trimming), as in C
            ev_type := '{"op":"' || i_op || '","table":' || to_json(array[i_schema, i_table])::text
                       || ',"pkey":' || to_json(coalesce(string_to_array(pkey_arg, ','), pk_names))::text || '}';
        end if;
        -- dates and timestamps are written in their JSON form (ISO 8601),
        -- taken from to_json() of the row
        if not ovr_set[3] then
            ev_data := pgq._trg_json_row(col_names, vals, col_json, col_skip,
                                         case when 'j' = any (col_json) then to_json(ev_row) end);
        end if;
        if backup and i_op = 'UPDATE' and not ovr_set[5] then
            ev_extra2 := pgq._trg_json_row(col_names, old_vals, col_json, col_skip,
                                           case when 'j' = any (col_json) then to_json(i_old) end);
        end if;
    end if;

    perform pgq.insert_event(queue_name,
                             case when ovr_set[2] then ovr[2] else ev_type end,
                             case when ovr_set[3] then ovr[3] else ev_data end,
                             case when ovr_set[4] then ovr[4] else table_text end,
                             case when ovr_set[5] then ovr[5] else ev_extra2 end,
                             ovr[6], ovr[7]);
    return keep_row and not skip_row;
end;
$$;

-- The helpers run with the rights of whoever changes the table; like
-- pgq.insert_event they are for pgq_writer.
revoke all on function pgq._urlencode(text) from public;
revoke all on function pgq._urlencode_bytes(text) from public;
revoke all on function pgq._trg_split_row(text) from public;
revoke all on function pgq._trg_urlenc_row(text[], text[], boolean[]) from public;
revoke all on function pgq._trg_json_row(text[], text[], text[], boolean[], json) from public;
revoke all on function pgq._trg_args(text[], integer, text, text, text, text, text) from public;
revoke all on function pgq._trg_eval_exprs(text[], record, text) from public;
revoke all on function pgq._trg_col_ok(oid, oid, text) from public;
revoke all on function pgq._trg_cols(oid) from public;
revoke all on function pgq._trg_text(oid, text) from public;
revoke all on function pgq._trg_changed(oid, text, text) from public;
revoke all on function pgq._trg_urlenc_pair(text, text) from public;
revoke all on function pgq._trg_fast(text, text, oid, text, text, text, json, json) from public;
revoke all on function pgq._trg_event(text, text, text, text, oid, text, text, integer, text[], record, record, text, text, text) from public;
grant execute on function pgq._urlencode(text) to pgq_writer;
grant execute on function pgq._urlencode_bytes(text) to pgq_writer;
grant execute on function pgq._trg_split_row(text) to pgq_writer;
grant execute on function pgq._trg_urlenc_row(text[], text[], boolean[]) to pgq_writer;
grant execute on function pgq._trg_json_row(text[], text[], text[], boolean[], json) to pgq_writer;
grant execute on function pgq._trg_args(text[], integer, text, text, text, text, text) to pgq_writer;
grant execute on function pgq._trg_eval_exprs(text[], record, text) to pgq_writer;
grant execute on function pgq._trg_col_ok(oid, oid, text) to pgq_writer;
grant execute on function pgq._trg_cols(oid) to pgq_writer;
grant execute on function pgq._trg_text(oid, text) to pgq_writer;
grant execute on function pgq._trg_changed(oid, text, text) to pgq_writer;
grant execute on function pgq._trg_urlenc_pair(text, text) to pgq_writer;
grant execute on function pgq._trg_fast(text, text, oid, text, text, text, json, json) to pgq_writer;
grant execute on function pgq._trg_event(text, text, text, text, oid, text, text, integer, text[], record, record, text, text, text) to pgq_writer;


-- pgq._trg_row_trigger_sql(name, code, pre): the CREATE statement of the
-- row-level trigger function pgq.<name>() of format code; pre (may be
-- empty) is PL/pgSQL put first in its body (the generated per-table code
-- of sql/triggers/gen.sql, which returns when it has queued the event).
-- A trigger function must itself receive NEW and OLD, so each format needs
-- a function of its own; they differ only in the format code they hand
-- on, so they come from this one template.
create or replace function pgq._trg_row_trigger_sql(i_name text, i_code text, i_pre text)
returns text as $make$
begin
    -- pre last: it may hold anything (column names), no placeholder in it
    -- is replaced
    return pg_catalog.format('create or replace function pgq.%I() returns trigger language plpgsql as %L', i_name,
        pg_catalog.replace(pg_catalog.replace($template$
begin
@PRE@
    -- No pinned search_path here: pgq._trg_event needs the caller's path for
    -- the user's expressions.  So every name below carries its schema.
    -- Only the queue as argument: the lean path, if it takes the row.
    if TG_NARGS operator(pg_catalog.=) 1 and TG_LEVEL operator(pg_catalog.=) 'ROW'
       and pgq._trg_fast('@CODE@', TG_OP, TG_RELID, TG_ARGV[0], TG_TABLE_SCHEMA, TG_TABLE_NAME,
                         pg_catalog.to_json(case when TG_OP operator(pg_catalog.=) 'DELETE' then OLD else NEW end),
                         case when TG_OP operator(pg_catalog.=) 'UPDATE' then pg_catalog.to_json(OLD) end) then
        if TG_WHEN operator(pg_catalog.=) 'AFTER' then
            return null;
        end if;
    elsif not pgq._trg_event('@CODE@', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
                             TG_NARGS, TG_ARGV, NEW, OLD, NEW::pg_catalog.text, OLD::pg_catalog.text,
                             pg_catalog.current_setting('search_path')) then
        return null;
    end if;
    if TG_OP operator(pg_catalog.=) 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$template$, '@CODE@', i_code), '@PRE@', i_pre));
end
$make$ language plpgsql immutable set search_path = pg_catalog, pg_temp;

-- pgq._trg_make_row_trigger(name, code): makes pgq.<name>() (logutriga.sql,
-- sqltriga.sql, jsontriga.sql call it).
create or replace function pgq._trg_make_row_trigger(i_name text, i_code text)
returns void as $make$
begin
    execute pgq._trg_row_trigger_sql(i_name, i_code, '');
end
$make$ language plpgsql set search_path = pg_catalog, pg_temp;

revoke all on function pgq._trg_row_trigger_sql(text, text, text) from public;
revoke all on function pgq._trg_make_row_trigger(text, text) from public;
