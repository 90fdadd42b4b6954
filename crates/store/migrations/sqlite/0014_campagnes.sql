-- Pacte: the yearly indicator campaigns and the mid-term evaluation (SQLite). Keep in step
-- with postgres/0014_campagnes.sql.
--
-- Relational rows, so that lists, dashboards and consolidations count and sum them in SQL:
-- a campaign per year (annexe 6, R-REP-01: year n reported by 31 March n+1); per contract its
-- state with a version (no row: not started, version 0); every figure entered as a row
-- (values in hundredths of the indicator's unit); every transition and, for a return, the
-- State's remark on each figure; the collectivity's mid-term report dates and the
-- commissaire's 2027 decisions per fiche (annexe 8 art. 2.3, R-EVAL-01/02, R-FIN-07). Written
-- through the audited write path (entities `campagne`, `campagne_contrat`, `mi_parcours`).
-- Dates are ISO `AAAA-MM-JJ`, timestamps the store's clock text.

CREATE TABLE campagnes (
    annee INTEGER PRIMARY KEY CHECK (annee BETWEEN 2024 AND 2027),
    echeance TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    ouverte_par TEXT NOT NULL,
    ouverte_le TEXT NOT NULL,
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL
);

CREATE TABLE campagnes_contrats (
    annee INTEGER NOT NULL REFERENCES campagnes (annee) ON DELETE CASCADE,
    contrat_id INTEGER NOT NULL REFERENCES contrats (id) ON DELETE CASCADE,
    etat TEXT NOT NULL CHECK (etat IN ('non_commencee', 'en_cours', 'soumise', 'renvoyee', 'validee')),
    -- The contract's extended deadline, when the State granted one.
    prolongation TEXT,
    -- The last submission, and whether it came after the deadline (0/1).
    soumise_le TEXT,
    soumise_en_retard INTEGER NOT NULL DEFAULT 0 CHECK (soumise_en_retard IN (0, 1)),
    validee_le TEXT,
    version INTEGER NOT NULL CHECK (version >= 1),
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL,
    PRIMARY KEY (annee, contrat_id)
);
CREATE INDEX campagnes_contrats_etat ON campagnes_contrats (annee, etat);
CREATE INDEX campagnes_contrats_contrat ON campagnes_contrats (contrat_id);

CREATE TABLE valeurs_indicateurs (
    annee INTEGER NOT NULL,
    contrat_id INTEGER NOT NULL,
    -- The fiche's number (« 2.1 ») and its axis (1 to 4).
    fiche TEXT NOT NULL,
    axe INTEGER NOT NULL CHECK (axe BETWEEN 1 AND 4),
    nature TEXT NOT NULL CHECK (nature IN ('national', 'local')),
    -- A national code (« NI-2.1 ») or the 1-based rank of the fiche's local indicator.
    indicateur TEXT NOT NULL,
    -- 0: the indicator itself; 1 to 3: NI-2.3's breakdowns, in the référentiel's order.
    ventilation INTEGER NOT NULL DEFAULT 0 CHECK (ventilation BETWEEN 0 AND 3),
    -- Hundredths of the unit: realised in year n (NULL: not entered), the year's target and
    -- the T0 of the contract when the figure was written.
    realise INTEGER CHECK (realise >= 0),
    cible INTEGER,
    t0 INTEGER,
    commentaire TEXT,
    changement_methode INTEGER NOT NULL DEFAULT 0 CHECK (changement_methode IN (0, 1)),
    note_methode TEXT,
    -- The quantified effect of a method change, signed hundredths (R-REP-03).
    effet_methode INTEGER,
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL,
    PRIMARY KEY (annee, contrat_id, fiche, nature, indicateur, ventilation),
    FOREIGN KEY (annee, contrat_id) REFERENCES campagnes_contrats (annee, contrat_id) ON DELETE CASCADE
);
CREATE INDEX valeurs_indicateurs_indicateur ON valeurs_indicateurs (annee, nature, indicateur, ventilation);

CREATE TABLE transitions_campagne (
    annee INTEGER NOT NULL,
    contrat_id INTEGER NOT NULL,
    -- 1, 2, 3… per contract and year, in order.
    rang INTEGER NOT NULL CHECK (rang >= 1),
    transition TEXT NOT NULL CHECK (transition IN ('saisir', 'soumettre', 'renvoyer', 'valider', 'rouvrir', 'prolonger')),
    etat_avant TEXT NOT NULL,
    etat_apres TEXT NOT NULL,
    motif TEXT,
    acteur TEXT NOT NULL,
    le TEXT NOT NULL,
    PRIMARY KEY (annee, contrat_id, rang),
    FOREIGN KEY (annee, contrat_id) REFERENCES campagnes_contrats (annee, contrat_id) ON DELETE CASCADE
);

CREATE TABLE remarques_campagne (
    annee INTEGER NOT NULL,
    contrat_id INTEGER NOT NULL,
    rang INTEGER NOT NULL,
    fiche TEXT NOT NULL,
    nature TEXT NOT NULL CHECK (nature IN ('national', 'local')),
    indicateur TEXT NOT NULL,
    ventilation INTEGER NOT NULL DEFAULT 0,
    texte TEXT NOT NULL,
    PRIMARY KEY (annee, contrat_id, rang, fiche, nature, indicateur, ventilation),
    FOREIGN KEY (annee, contrat_id, rang) REFERENCES transitions_campagne (annee, contrat_id, rang) ON DELETE CASCADE
);

CREATE TABLE mi_parcours (
    contrat_id INTEGER PRIMARY KEY REFERENCES contrats (id) ON DELETE CASCADE,
    date_deliberation TEXT,
    date_envoi TEXT,
    version INTEGER NOT NULL CHECK (version >= 1),
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL
);

CREATE TABLE decisions_mi_parcours (
    contrat_id INTEGER NOT NULL REFERENCES mi_parcours (contrat_id) ON DELETE CASCADE,
    fiche TEXT NOT NULL,
    axe INTEGER NOT NULL CHECK (axe BETWEEN 1 AND 4),
    -- Cents: the State amount planned for 2027 and the proposal when the decision was taken,
    -- and the amount decided.
    etat_2027_prevu INTEGER NOT NULL,
    etat_2027_propose INTEGER,
    etat_2027 INTEGER NOT NULL CHECK (etat_2027 >= 0),
    motif TEXT NOT NULL,
    decide_par TEXT NOT NULL,
    decide_le TEXT NOT NULL,
    PRIMARY KEY (contrat_id, fiche)
);
