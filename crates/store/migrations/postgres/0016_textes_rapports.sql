-- Pacte: the free-text parts of the campaign reports (PostgreSQL). Keep in step with
-- sqlite/0016_textes_rapports.sql.
--
-- The collectivity's sections of its annual progress report of year n (R-REP-05, annexe 5
-- IV.a) and of its mid-term execution report (R-EVAL-01, annexe 8 art. 2.3; stored with the
-- year of its reference campaign, 2025), one row per report with one version: the sections
-- are a JSON object (section code → text, each at most 20 000 characters, checked by the
-- store), read and written together by one form. The commissaire's text of the regional
-- synthesis note of year n (R-REP-06), one row per region (INSEE code) and year. No row:
-- nothing written yet, version 0. Written through the audited write path (entities
-- `textes_rapport`, `texte_synthese`); backed up with the campaigns.

CREATE TABLE textes_rapports (
    contrat_id BIGINT NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    rapport TEXT NOT NULL CHECK (rapport IN ('annuel', 'mi_parcours')),
    annee BIGINT NOT NULL CHECK (annee BETWEEN 2024 AND 2027),
    sections TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL,
    PRIMARY KEY (contrat_id, rapport, annee),
    CHECK (rapport = 'annuel' OR annee = 2025)
);

CREATE TABLE textes_syntheses (
    region TEXT NOT NULL,
    annee BIGINT NOT NULL CHECK (annee BETWEEN 2024 AND 2027),
    texte TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL,
    PRIMARY KEY (region, annee)
);
