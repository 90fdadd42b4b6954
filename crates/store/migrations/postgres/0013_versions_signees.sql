-- Pacte: the version of the data a contract was signed on (PostgreSQL). Keep in step with sqlite/0013_versions_signees.sql.
--
-- When the signed convention is attached to the signature act, Pacte records which version of
-- the contract and which verification code (the hash of the data the generated document shows,
-- pacte-documents) were signed; the contract page compares them with the current data and
-- warns when the data changed after signature. One row per signature act.

CREATE TABLE versions_signees (
    acte_id BIGINT PRIMARY KEY REFERENCES actes (id) ON DELETE CASCADE,
    contrat_id BIGINT NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    code TEXT NOT NULL,
    enregistre_par TEXT NOT NULL,
    enregistre_le TEXT NOT NULL
);

CREATE INDEX versions_signees_contrat ON versions_signees (contrat_id);
