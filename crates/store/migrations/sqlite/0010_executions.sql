-- Pacte: the financial execution of a contract (SQLite). Keep in step with postgres/0010_executions.sql.
--
-- One document per contract: its `Execution` (pacte_core::execution) as JSON — notifications,
-- avenants, payments, realised amounts, carry-overs, reductions — with a version for the
-- optimistic concurrency check. Written through the audited write path (entity `execution`,
-- the whole document before and after). No row: nothing recorded yet (version 0).

CREATE TABLE executions (
    contrat_id INTEGER PRIMARY KEY REFERENCES contrats (id) ON DELETE CASCADE,
    donnees TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL
);
