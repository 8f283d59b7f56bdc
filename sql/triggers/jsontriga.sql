-- ----------------------------------------------------------------------
-- pgq.jsontriga(queue, [options...]): queue the row as JSON.
--   ev_type   = {"op":"INSERT|UPDATE|DELETE|TRUNCATE","table":["<schema>","<table>"],"pkey":["col",...]}
--   ev_data   = {"col":value,...} in column order (NEW, or OLD for DELETE);
--               '{}' for TRUNCATE.  bool -> true/false, int2/4/8 -> bare
--               numbers, date/timestamp/timestamptz -> ISO 8601 strings,
--               NULL -> null, every other type -> its text output as a
--               JSON string (numeric, float, json, arrays included).
--   ev_extra1 = schema.table (unquoted)
--   ev_extra2 = with 'backup', the OLD row of an UPDATE as JSON
-- Options as pgq.logutriga.
-- ----------------------------------------------------------------------
create or replace function pgq.jsontriga()
returns trigger
language plpgsql
as $$
declare
    a_queue     text;
    a_skip      boolean := false;
    a_backup    boolean := false;
    a_ignore    text[];
    a_pkey      text;
    a_exprs     text[];
    a_has_exprs boolean := false;
    r     record;
    ev_t  text;
    ev_d  text;
    ev_2  text;
    typed text[];
    pk    text;
begin
    -- as the C triggers: 'local' disables them; in 'replica' only ENABLE ALWAYS
    -- triggers fire, and those queue as usual
    if current_setting('session_replication_role') = 'local' then
        if TG_WHEN = 'BEFORE' and TG_LEVEL = 'ROW' then
            if TG_OP = 'DELETE' then return OLD; end if;
            return NEW;
        end if;
        return null;
    end if;

    if TG_NARGS = 1 and TG_LEVEL = 'ROW' then
        -- the common case, only the queue name: nothing to parse or check
        a_queue := TG_ARGV[0];
    else
        select x.queue_name, x.skip, x.backup, x.ignore_cols, x.pkey_text, x.exprs, x.has_exprs
          into a_queue, a_skip, a_backup, a_ignore, a_pkey, a_exprs, a_has_exprs
          from pgq._trg_args(TG_ARGV, TG_NARGS, TG_WHEN, TG_LEVEL, TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME) x;
    end if;

    if TG_OP = 'TRUNCATE' then
        select coalesce(string_agg(pg_catalog.to_json(x)::text, ',' order by o), '')
          into pk
          from unnest((pgq._trg_table_info(TG_RELID, false)).pkey) with ordinality as k(x, o);
        perform pgq.insert_event(a_queue,
                                 '{"op":"TRUNCATE","table":[' || pg_catalog.to_json(TG_TABLE_SCHEMA::text)::text
                                 || ',' || pg_catalog.to_json(TG_TABLE_NAME::text)::text || '],"pkey":[' || pk || ']}',
                                 '{}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, null, null, null);
        return null;
    end if;

    if TG_OP = 'DELETE' then
        r := pgq._trg_row(TG_OP, TG_RELID, OLD, null::record, a_pkey,
                                          a_ignore, a_exprs, a_has_exprs, false);
    else
        r := pgq._trg_row(TG_OP, TG_RELID, NEW, case when TG_OP = 'UPDATE' then OLD end,
                                          a_pkey, a_ignore, a_exprs, a_has_exprs, false);
    end if;

    if r.send then
        if r.ovr_set[2] then
            ev_t := r.ovr[2];
        else
            -- pkey= is split on ',' verbatim (no trimming), as in C
            select coalesce(string_agg(pg_catalog.to_json(x)::text, ',' order by o), '')
              into pk
              from unnest(case when a_pkey is null
                               then r.pkey_cat
                               else string_to_array(a_pkey, ',') end) with ordinality as k(x, o);
            ev_t := '{"op":"' || TG_OP || '","table":[' || pg_catalog.to_json(TG_TABLE_SCHEMA::text)::text
                    || ',' || pg_catalog.to_json(TG_TABLE_NAME::text)::text || '],"pkey":[' || pk || ']}';
        end if;
        if r.ovr_set[3] then
            ev_d := r.ovr[3];
        else
            if 'j' = any (r.coljson) then
                if TG_OP = 'DELETE' then
                    typed := pgq._trg_json_typed(OLD);
                else
                    typed := pgq._trg_json_typed(NEW);
                end if;
            end if;
            ev_d := pgq._trg_json_row(r.colnames, r.vals, r.coljson, r.skipcol, typed);
        end if;
        if r.ovr_set[5] then
            ev_2 := r.ovr[5];
        elsif a_backup and TG_OP = 'UPDATE' then
            if 'j' = any (r.coljson) then
                typed := pgq._trg_json_typed(OLD);
            end if;
            ev_2 := pgq._trg_json_row(r.colnames, r.oldvals, r.coljson, r.skipcol, typed);
        end if;
        perform pgq.insert_event(a_queue, ev_t, ev_d,
                                 case when r.ovr_set[4] then r.ovr[4] else TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME end,
                                 ev_2, r.ovr[6], r.ovr[7]);
    end if;

    if TG_WHEN = 'AFTER' or a_skip then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$;

revoke all on function pgq.jsontriga() from public;
grant execute on function pgq.jsontriga() to pgq_writer;
