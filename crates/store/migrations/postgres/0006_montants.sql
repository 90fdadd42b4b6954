-- Pacte: the figures that lists, dashboards and consolidations sum or filter, as relational
-- rows in integer cents beside the JSON documents they come from (written by the same
-- transaction as the document, see src/sommes.rs), and the per-contract revision that keys
-- what is derived from a contract (cached pages, findings counts).
-- Keep in step with the other engine's 0006_montants.sql.

-- Moved by every write to the contract's header or to one of its fiches.
ALTER TABLE contrats ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;

-- One row per fiche and year that carries money: State, collectivity (FSE+ included), the
-- FSE+ part of it, other co-funders (summed), in cents.
CREATE TABLE montants_fiches (
    contrat_id BIGINT NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    fiche_id BIGINT NOT NULL REFERENCES fiches (id) ON DELETE CASCADE,
    axe BIGINT NOT NULL CHECK (axe BETWEEN 1 AND 4),
    annee BIGINT NOT NULL CHECK (annee BETWEEN 2024 AND 2028),
    etat BIGINT NOT NULL,
    collectivite BIGINT NOT NULL,
    fse_plus BIGINT NOT NULL,
    autres BIGINT NOT NULL,
    PRIMARY KEY (fiche_id, annee)
);
CREATE INDEX montants_fiches_contrat ON montants_fiches (contrat_id, axe, annee);

-- The State amount proposed per axis by the contract's header (cents).
CREATE TABLE montants_proposes (
    contrat_id BIGINT NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    axe BIGINT NOT NULL CHECK (axe BETWEEN 1 AND 4),
    montant BIGINT NOT NULL,
    PRIMARY KEY (contrat_id, axe)
);

-- Findings counts of a contract at a revision, computed once by the application from the
-- rules and kept for lists and dashboards. Derived data: neither audited nor backed up.
CREATE TABLE syntheses (
    contrat_id BIGINT PRIMARY KEY REFERENCES contrats (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    bloquants BIGINT NOT NULL,
    alertes BIGINT NOT NULL
);

-- 1 once the money rows of the contracts stored before this migration have been computed
-- (done by the application when it opens the base: SQL alone cannot read the documents).
CREATE TABLE montants_construits (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    fait BIGINT NOT NULL
);
INSERT INTO montants_construits (id, fait) VALUES (1, 0);
