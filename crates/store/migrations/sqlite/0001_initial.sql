-- Pacte: initial schema (SQLite). Keep in step with postgres/0001_initial.sql.
CREATE TABLE referentiel_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    empreinte TEXT NOT NULL,
    charge_le TEXT NOT NULL
);

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    nom TEXT NOT NULL
);

CREATE TABLE departements (
    code TEXT PRIMARY KEY,
    nom TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions (code)
);

CREATE TABLE collectivites (
    code TEXT PRIMARY KEY,
    nom TEXT NOT NULL,
    nature TEXT NOT NULL,
    siren TEXT,
    departement TEXT NOT NULL REFERENCES departements (code),
    eligibilite TEXT NOT NULL
);

CREATE TABLE contrats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collectivite TEXT NOT NULL,
    etat TEXT NOT NULL,
    entete TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    cree_le TEXT NOT NULL,
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL
);
CREATE INDEX contrats_collectivite ON contrats (collectivite);

CREATE TABLE fiches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contrat_id INTEGER NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    numero TEXT NOT NULL,
    axe INTEGER NOT NULL CHECK (axe BETWEEN 1 AND 4),
    position INTEGER NOT NULL,
    donnees TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL,
    UNIQUE (contrat_id, numero)
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    horodatage TEXT NOT NULL,
    acteur TEXT NOT NULL,
    entite TEXT NOT NULL,
    entite_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    avant TEXT,
    apres TEXT,
    hash_precedent TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- One row: the head of the audit chain. Every write transaction updates it first, which
-- serialises writers on both backends.
CREATE TABLE audit_tete (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    dernier_id INTEGER NOT NULL,
    dernier_hash TEXT NOT NULL,
    verrou INTEGER NOT NULL
);
INSERT INTO audit_tete (id, dernier_id, dernier_hash, verrou) VALUES (1, 0, '', 0);
