-- ----------------------------------------------------------------------
-- pgq.logutriga(queue, [options...]): queue the row as an urlencoded
-- name=value string.
--   ev_type   = I:<pkey>, U:<pkey>, D:<pkey>, or R for TRUNCATE
--   ev_data   = urlencoded row (NEW, or OLD for DELETE); '' for TRUNCATE
--   ev_extra1 = schema.table (unquoted)
--   ev_extra2 = with 'backup', the urlencoded OLD row of an UPDATE
-- Options: SKIP, backup, deny, ignore=, pkey=, when=, ev_type=, ev_data=,
-- ev_extra1..4=; magic columns _pgq_ev_type/_data/_extra1..4.
-- Nothing is queued when session_replication_role is 'local'; in 'replica'
-- only ENABLE ALWAYS triggers fire, and they queue (see pgq.insert_event
-- for inserts into a disabled queue from 'replica').
-- ----------------------------------------------------------------------
create or replace function pgq.logutriga()
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
    r    record;
    ev_t text;
    ev_d text;
    ev_2 text;
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
        perform pgq.insert_event(a_queue, 'R', '', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
                                 null, null, null);
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
        ev_t := case when r.ovr_set[2] then r.ovr[2] else left(TG_OP, 1) || ':' || r.pkey_list end;
        ev_d := case when r.ovr_set[3] then r.ovr[3] else pgq._trg_urlenc_row(r.colnames, r.vals, r.skipcol) end;
        ev_2 := case when r.ovr_set[5] then r.ovr[5]
                     when a_backup and TG_OP = 'UPDATE' then pgq._trg_urlenc_row(r.colnames, r.oldvals, r.skipcol)
                end;
        perform pgq.insert_event(a_queue, ev_t, ev_d,
                                 case when r.ovr_set[4] then r.ovr[4] else TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME end,
                                 ev_2,
                                 r.ovr[6], r.ovr[7]);
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

revoke all on function pgq.logutriga() from public;
grant execute on function pgq.logutriga() to pgq_writer;
