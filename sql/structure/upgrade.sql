-- Run after all functions are (re)defined: structural fixups and the
-- generated insert dispatcher (covers queues that already exist on upgrade).
select pgq.upgrade_schema();
select pgq._regen_insert_dispatch();
