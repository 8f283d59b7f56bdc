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
select pgq._trg_make_row_trigger('logutriga', 'l');

revoke all on function pgq.logutriga() from public;
grant execute on function pgq.logutriga() to pgq_writer;
