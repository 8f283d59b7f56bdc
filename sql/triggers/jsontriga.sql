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
    if pgq._trg_event('j', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
                      TG_NARGS, TG_ARGV, NEW, OLD, NEW::pg_catalog.text, OLD::pg_catalog.text,
                      pg_catalog.current_setting('search_path')) then
        if TG_OP operator(pg_catalog.=) 'DELETE' then
            return OLD;
        end if;
        return NEW;
    end if;
    return null;
end;
$$;

revoke all on function pgq.jsontriga() from public;
grant execute on function pgq.jsontriga() to pgq_writer;
