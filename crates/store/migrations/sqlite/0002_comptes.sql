-- Pacte: accounts, sessions, API tokens, login attempts (SQLite). Keep in step with
-- postgres/0002_comptes.sql.
--
-- No secret is stored: passwords as argon2id hashes (PHC strings), session ids and API tokens
-- as the hex SHA-256 of the secret. Flags are integers 0/1 on both engines.

CREATE TABLE utilisateurs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Lower-cased by the application.
    email TEXT NOT NULL UNIQUE,
    nom TEXT NOT NULL,
    -- NULL for accounts that only sign in through ProConnect.
    hash_mot_de_passe TEXT,
    role TEXT NOT NULL,
    perimetre TEXT NOT NULL,
    actif INTEGER NOT NULL CHECK (actif IN (0, 1)),
    version INTEGER NOT NULL CHECK (version >= 1),
    cree_le TEXT NOT NULL,
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL
);
CREATE INDEX utilisateurs_role ON utilisateurs (role, actif);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    cree_le TEXT NOT NULL,
    expire_le TEXT NOT NULL,
    derniere_activite TEXT NOT NULL,
    jeton_csrf TEXT NOT NULL
);
CREATE INDEX sessions_utilisateur ON sessions (utilisateur_id);
CREATE INDEX sessions_expire_le ON sessions (expire_le);

CREATE TABLE jetons_api (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateurs (id),
    libelle TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    cree_le TEXT NOT NULL,
    expire_le TEXT NOT NULL,
    revoque_le TEXT
);
CREATE INDEX jetons_api_utilisateur ON jetons_api (utilisateur_id);

-- cle: "compte:<email>" or "adresse:<ip>".
CREATE TABLE tentatives_connexion (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cle TEXT NOT NULL,
    horodatage TEXT NOT NULL,
    reussie INTEGER NOT NULL CHECK (reussie IN (0, 1))
);
CREATE INDEX tentatives_connexion_cle ON tentatives_connexion (cle, horodatage);
CREATE INDEX tentatives_connexion_horodatage ON tentatives_connexion (horodatage);
