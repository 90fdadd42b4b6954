-- Pacte: the e-mail reminders of the campaigns already sent (SQLite). Keep in step with
-- postgres/0017_rappels.sql.
--
-- One row per reminder sent (`pacte campagne rappels`, or the daily task of `pacte serve`),
-- so that the same reminder is never sent twice: its key is the campaign year, the contract,
-- the account told, the kind (`echeance`, `retard`, `renvoi`, `instruction`), the tier (days
-- before or after the deadline, or the rank of the return or submission in the campaign's
-- history) and, for the deadline reminders, the deadline the tier counts from (NULL
-- otherwise). A row is written before the mail goes out and removed if sending fails, both
-- through the audited write path (entity `rappel_campagne`).

CREATE TABLE rappels_campagne (
    annee INTEGER NOT NULL CHECK (annee BETWEEN 2024 AND 2027),
    contrat_id INTEGER NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    compte_id INTEGER NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    motif TEXT NOT NULL CHECK (motif IN ('echeance', 'retard', 'renvoi', 'instruction')),
    palier INTEGER NOT NULL,
    echeance TEXT,
    envoye_par TEXT NOT NULL,
    envoye_le TEXT NOT NULL
);
CREATE UNIQUE INDEX rappels_campagne_cle
    ON rappels_campagne (annee, contrat_id, compte_id, motif, palier, COALESCE(echeance, ''));
