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
begin
    -- No pinned search_path here: pgq._trg_event needs the caller's path for
    -- the user's expressions.  So every name below carries its schema.
    -- Only the queue as argument: the lean path, if it takes the row.
    if TG_NARGS operator(pg_catalog.=) 1 and TG_LEVEL operator(pg_catalog.=) 'ROW'
       and pgq._trg_fast('l', TG_OP, TG_RELID, TG_ARGV[0], TG_TABLE_SCHEMA, TG_TABLE_NAME,
                         pg_catalog.to_json(case when TG_OP operator(pg_catalog.=) 'DELETE' then OLD else NEW end),
                         case when TG_OP operator(pg_catalog.=) 'UPDATE' then pg_catalog.to_json(OLD) end) then
        if TG_WHEN operator(pg_catalog.=) 'AFTER' then
            return null;
        end if;
    elsif not pgq._trg_event('l', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
                             TG_NARGS, TG_ARGV, NEW, OLD, NEW::pg_catalog.text, OLD::pg_catalog.text,
                             pg_catalog.current_setting('search_path')) then
        return null;
    end if;
    if TG_OP operator(pg_catalog.=) 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$;

revoke all on function pgq.logutriga() from public;
grant execute on function pgq.logutriga() to pgq_writer;
