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
select pgq._trg_make_row_trigger('jsontriga', 'j');

revoke all on function pgq.jsontriga() from public;
grant execute on function pgq.jsontriga() to pgq_writer;
