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
begin
    -- No pinned search_path here: pgq._trg_event needs the caller's path for
    -- the user's expressions.  So every name below carries its schema.
    -- Only the queue as argument: the lean path, if it takes the row.
    if TG_NARGS operator(pg_catalog.=) 1 and TG_LEVEL operator(pg_catalog.=) 'ROW'
       and pgq._trg_fast('j', TG_OP, TG_RELID, TG_ARGV[0], TG_TABLE_SCHEMA, TG_TABLE_NAME,
                         pg_catalog.to_json(case when TG_OP operator(pg_catalog.=) 'DELETE' then OLD else NEW end),
                         case when TG_OP operator(pg_catalog.=) 'UPDATE' then pg_catalog.to_json(OLD) end) then
        if TG_WHEN operator(pg_catalog.=) 'AFTER' then
            return null;
        end if;
    elsif not pgq._trg_event('j', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
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

revoke all on function pgq.jsontriga() from public;
grant execute on function pgq.jsontriga() to pgq_writer;
