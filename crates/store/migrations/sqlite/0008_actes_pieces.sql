-- Pacte: the acts of a contract's lifecycle and the documents attached (sqlite).
-- Keep in step with postgres/0008_actes_pieces.sql.
--
-- An act is written by the same transaction as the contract header it moves (audited as
-- entity `acte`); `entete_avant` is the header before the act, from which an undo takes back
-- what the act changed. An undone act stays, marked `annule_par`/`annule_le`.
CREATE TABLE actes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contrat_id INTEGER NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    etape TEXT NOT NULL,
    etat_avant TEXT NOT NULL,
    donnees TEXT NOT NULL,
    entete_avant TEXT NOT NULL,
    cree_par TEXT NOT NULL,
    cree_le TEXT NOT NULL,
    annule_par TEXT,
    annule_le TEXT
);
CREATE INDEX actes_contrat ON actes (contrat_id, id);

-- Documents attached to a contract, one of its fiches or one of its acts: the bytes in the
-- base with their SHA-256 (audited as entity `piece`, the hash standing for the content).
-- `fiche_id` has no foreign key: a document outlives the deletion of its fiche and stays
-- with the contract.
CREATE TABLE pieces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contrat_id INTEGER NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    fiche_id INTEGER,
    acte_id INTEGER REFERENCES actes (id),
    nom TEXT NOT NULL,
    type_mime TEXT NOT NULL,
    taille INTEGER NOT NULL CHECK (taille > 0),
    sha256 TEXT NOT NULL,
    contenu BLOB NOT NULL,
    depose_par TEXT NOT NULL,
    depose_le TEXT NOT NULL
);
CREATE INDEX pieces_contrat ON pieces (contrat_id, id);
