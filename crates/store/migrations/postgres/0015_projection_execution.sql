-- Pacte: the financial execution as relational rows (PostgreSQL), for the consolidation pages and
-- their sums in SQL. Keep in step with sqlite/0015_projection_execution.sql.
--
-- A projection of the `executions` documents (migration 0010) and of their contracts, never
-- typed in: per contract, fiche and year, the figures `pacte_core::execution` computes
-- (`Execution::etat_notifie`, `situation`), in integer cents. Written by the same transaction
-- as the execution document (src/projection_execution.rs); `executions_projetees` says which
-- contract revision and execution version the rows were computed from, so that the rows of a
-- contract changed since (a fiche's plan moves the shares of a payment) or of a base from
-- before this migration are computed again when the base is opened and before a
-- consolidation is read. SQL alone cannot read the documents, so this migration creates the
-- tables empty.

CREATE TABLE execution_lignes (
    contrat_id BIGINT NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    fiche TEXT NOT NULL,
    axe BIGINT NOT NULL CHECK (axe BETWEEN 1 AND 4),
    annee BIGINT NOT NULL CHECK (annee BETWEEN 2024 AND 2028),
    notifie BIGINT NOT NULL,
    verse BIGINT NOT NULL,
    realise_etat BIGINT NOT NULL,
    realise_collectivite BIGINT NOT NULL,
    reporte_etat BIGINT NOT NULL,
    reporte_collectivite BIGINT NOT NULL,
    PRIMARY KEY (contrat_id, fiche, annee)
);
-- The consolidation sums per contract first (src/consolidation.rs).
CREATE INDEX execution_lignes_contrat ON execution_lignes (contrat_id, axe, annee);

CREATE TABLE executions_projetees (
    contrat_id BIGINT PRIMARY KEY REFERENCES contrats (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    version BIGINT NOT NULL
);
