-- Pacte: exchanges on a contract (PostgreSQL). Keep in step with sqlite/0009_echanges.sql.
--
-- A thread of messages per contract (fiche NULL) and per fiche (its number), between the
-- State services and the collectivity; correction requests by the State on the contract, a
-- fiche or a field (ouverte → repondue → resolue); per-account read marks for the unread
-- counts. Messages and requests are written through the audited write path (entities
-- `message` and `demande_correction`); read marks are personal, derived data, not audited.

CREATE TABLE demandes_correction (
    id BIGSERIAL PRIMARY KEY,
    contrat_id BIGINT NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    -- The fiche's number (« 1.2 »), NULL for the contract itself.
    fiche TEXT,
    -- The field concerned, as the person wrote it, NULL for the whole fiche or contract.
    champ TEXT,
    texte TEXT NOT NULL,
    etat TEXT NOT NULL CHECK (etat IN ('ouverte', 'repondue', 'resolue')),
    version BIGINT NOT NULL CHECK (version >= 1),
    cree_par TEXT NOT NULL,
    cree_le TEXT NOT NULL,
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL
);
CREATE INDEX demandes_correction_contrat ON demandes_correction (contrat_id, etat);

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    contrat_id BIGINT NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    -- The fiche's number, NULL for the contract's own thread.
    fiche TEXT,
    -- The correction request the message opens, answers or resolves.
    demande_id BIGINT REFERENCES demandes_correction (id) ON DELETE CASCADE,
    -- The audit actor, and the account behind it (NULL for a command-line actor).
    auteur TEXT NOT NULL,
    compte_id BIGINT,
    -- The author's role code when writing (`ddets`, `collectivite_editeur`…).
    role TEXT NOT NULL,
    texte TEXT NOT NULL,
    -- An attached piece (table `pieces`); no foreign key here, the attachments' table is
    -- created by its own migration.
    piece_id BIGINT,
    cree_le TEXT NOT NULL
);
CREATE INDEX messages_contrat ON messages (contrat_id, fiche, id);

CREATE TABLE lectures_messages (
    utilisateur_id BIGINT NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    contrat_id BIGINT NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    -- The last message id this account has seen on the contract.
    dernier_lu BIGINT NOT NULL,
    PRIMARY KEY (utilisateur_id, contrat_id)
);
