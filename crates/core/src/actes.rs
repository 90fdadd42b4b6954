//! The acts of a contract's lifecycle: each step (submission, validation, deliberation,
//! signature, start of execution, evaluation, closing, denunciation) records an act carrying
//! what the instruction asks of it ([004] annexe 8; rules.md R-DOC-04, R-DOC-05, R-DOC-10,
//! R-CAL-01), validated here as plain data.
//!
//! An act is stored beside the contract (`pacte-store`'s `actes` table) and applied to its
//! header by [`appliquer`] (the new state, and the deliberation date or the signatories it
//! carries); an act taken in error is undone by [`defaire`], which restores exactly what the
//! act changed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Date;
use crate::contrat::{EnTete, EtatContrat, LIGNES_MAX, Signataire, TEXTE_COURT_MAX, TEXTE_LONG_MAX};
use crate::droits::Action;

/// Longest notice period of a denunciation, in months (the contract model leaves the date
/// blank, « au plus tard le ... » ; a notice beyond a year would outlast most of the term).
pub const PREAVIS_MAX_MOIS: u8 = 12;

/// First and last day of a contract's span when its header names none (R-CAL-01).
pub const DEBUT_CONTRAT: Date = Date::ymd(2024, 1, 1);
pub const FIN_CONTRAT: Date = Date::ymd(2027, 12, 31);

/// A lifecycle step, named by the act it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(
    description = "Étape du cycle de vie : soumission, validation, deliberation, signature, debut_execution, evaluation, cloture, denonciation."
)]
pub enum Etape {
    Soumission,
    Validation,
    Deliberation,
    Signature,
    DebutExecution,
    Evaluation,
    Cloture,
    Denonciation,
}

impl Etape {
    /// Every step, in lifecycle order.
    pub const TOUTES: [Etape; 8] = [
        Etape::Soumission,
        Etape::Validation,
        Etape::Deliberation,
        Etape::Signature,
        Etape::DebutExecution,
        Etape::Evaluation,
        Etape::Cloture,
        Etape::Denonciation,
    ];

    /// The machine name, in addresses and the API: `debut_execution`.
    pub fn code(self) -> &'static str {
        match self {
            Etape::Soumission => "soumission",
            Etape::Validation => "validation",
            Etape::Deliberation => "deliberation",
            Etape::Signature => "signature",
            Etape::DebutExecution => "debut_execution",
            Etape::Evaluation => "evaluation",
            Etape::Cloture => "cloture",
            Etape::Denonciation => "denonciation",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Etape> {
        Etape::TOUTES.into_iter().find(|e| e.code() == code)
    }

    /// « la délibération », as in « Enregistrer la délibération ».
    pub fn libelle(self) -> &'static str {
        match self {
            Etape::Soumission => "la soumission à l'État",
            Etape::Validation => "la validation",
            Etape::Deliberation => "la délibération",
            Etape::Signature => "la signature",
            Etape::DebutExecution => "le début d'exécution",
            Etape::Evaluation => "l'évaluation",
            Etape::Cloture => "la clôture",
            Etape::Denonciation => "la dénonciation",
        }
    }

    /// The permission this step asks ([`crate::droits::decider`]).
    pub fn action(self) -> Action {
        match self {
            Etape::Soumission => Action::Soumettre,
            Etape::Validation => Action::Valider,
            Etape::Deliberation => Action::EnregistrerDeliberation,
            Etape::Signature => Action::EnregistrerSignature,
            Etape::DebutExecution => Action::MettreEnExecution,
            Etape::Evaluation => Action::Evaluer,
            Etape::Cloture => Action::Clore,
            Etape::Denonciation => Action::Denoncer,
        }
    }

    /// The state the contract reaches by this step.
    pub fn vers(self) -> EtatContrat {
        crate::droits::transition(self.action()).map_or(EtatContrat::Brouillon, |(_, vers)| vers)
    }

    /// The step that leads to `etat`.
    pub fn vers_etat(etat: EtatContrat) -> Option<Etape> {
        Etape::TOUTES.into_iter().find(|e| e.vers() == etat)
    }

    /// Whether the act document (deliberation, signed convention, denunciation letter) is
    /// asked on this step's form.
    pub fn porte_document(self) -> bool {
        matches!(self, Etape::Deliberation | Etape::Signature | Etape::Denonciation)
    }
}

/// The body that deliberated ([004] A8, « Vu la délibération de la séance plénière /
/// commission permanente »).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "Instance délibérante : seance_pleniere ou commission_permanente.")]
pub enum Instance {
    SeancePleniere,
    CommissionPermanente,
}

impl Instance {
    pub const TOUTES: [Instance; 2] = [Instance::SeancePleniere, Instance::CommissionPermanente];

    pub fn code(self) -> &'static str {
        match self {
            Instance::SeancePleniere => "seance_pleniere",
            Instance::CommissionPermanente => "commission_permanente",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Instance> {
        Instance::TOUTES.into_iter().find(|e| e.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Instance::SeancePleniere => "séance plénière",
            Instance::CommissionPermanente => "commission permanente",
        }
    }
}

/// The party a signatory or a denunciation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "Partie : etat, collectivite ou partenaire (cosignataire).")]
pub enum Partie {
    Etat,
    Collectivite,
    Partenaire,
}

impl Partie {
    pub const TOUTES: [Partie; 3] = [Partie::Etat, Partie::Collectivite, Partie::Partenaire];

    pub fn code(self) -> &'static str {
        match self {
            Partie::Etat => "etat",
            Partie::Collectivite => "collectivite",
            Partie::Partenaire => "partenaire",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Partie> {
        Partie::TOUTES.into_iter().find(|e| e.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Partie::Etat => "État",
            Partie::Collectivite => "Collectivité",
            Partie::Partenaire => "Partenaire cosignataire",
        }
    }
}

/// One signatory of the convention, as the signature act records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Signataire de la convention : partie, qualité, nom et institution.")]
pub struct SignataireActe {
    pub partie: Partie,
    /// « Préfet des Bouches-du-Rhône », « Présidente de la Métropole »…
    #[schemars(length(min = 1, max = TEXTE_COURT_MAX))]
    pub qualite: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub nom: Option<String>,
    /// The institution represented (required for a partner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub organisation: Option<String>,
}

/// What an act records, by step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "etape", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(description = "Acte d'une étape du cycle de vie du contrat, avec ce que l'instruction exige.")]
pub enum Acte {
    Soumission {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(max = TEXTE_LONG_MAX))]
        observation: Option<String>,
    },
    Validation {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(max = TEXTE_LONG_MAX))]
        observation: Option<String>,
    },
    /// R-DOC-05: the deliberation authorising the signature.
    Deliberation {
        date: Date,
        instance: Instance,
        /// Number or reference of the deliberation (« DEL-2024-117 »).
        #[schemars(length(min = 1, max = TEXTE_COURT_MAX))]
        reference: String,
    },
    /// R-DOC-04: the signature, the préfet and the president of the executive at least.
    Signature {
        date: Date,
        #[schemars(length(min = 2, max = LIGNES_MAX))]
        signataires: Vec<SignataireActe>,
    },
    DebutExecution {
        date: Date,
    },
    /// The mid-term evaluation (R-FIN-07).
    Evaluation {
        date: Date,
        /// What was evaluated (« exécution 2024-2025, rapport à mi-parcours »).
        #[schemars(length(min = 1, max = TEXTE_LONG_MAX))]
        objet: String,
        /// Where the evaluation report is (a reference or an address).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(max = TEXTE_COURT_MAX))]
        rapport: Option<String>,
    },
    Cloture {
        date: Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(max = TEXTE_LONG_MAX))]
        observation: Option<String>,
    },
    /// R-DOC-10: by registered letter with acknowledgement of receipt; it takes effect after
    /// the notice (`date_effet` = `date_lettre` + `preavis_mois`).
    Denonciation {
        partie: Partie,
        /// Who denounces: the signatory's quality (« Préfète de l'Hérault »).
        #[schemars(length(min = 1, max = TEXTE_COURT_MAX))]
        auteur: String,
        /// Date of the registered letter.
        date_lettre: Date,
        #[schemars(length(min = 1, max = TEXTE_LONG_MAX))]
        motif: String,
        #[schemars(range(max = 12))]
        preavis_mois: u8,
        date_effet: Date,
    },
}

/// The JSON Schema of [`Acte`] (the API's request body and the acts it lists).
pub fn schema_json() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Acte)).expect("a schema serializes to JSON")
}

/// A faulty field of an act: its name in the form and the API, the rule, a French message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErreurActe {
    pub champ: String,
    pub regle: &'static str,
    pub message: String,
}

impl std::fmt::Display for ErreurActe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.regle)
    }
}

/// `date` + `mois` months, the same day of the month (the month's last day when it has no such
/// day): a letter of 31 January with one month's notice takes effect on 29 February 2024.
pub fn plus_mois(date: Date, mois: u8) -> Date {
    let total = date.annee() * 12 + i32::from(date.mois()) - 1 + i32::from(mois);
    let (annee, m) = (total / 12, (total % 12) as u8 + 1);
    (1..=date.jour())
        .rev()
        .find_map(|j| Date::new(annee, m, j).ok())
        .unwrap_or(date)
}

impl Acte {
    pub fn etape(&self) -> Etape {
        match self {
            Acte::Soumission { .. } => Etape::Soumission,
            Acte::Validation { .. } => Etape::Validation,
            Acte::Deliberation { .. } => Etape::Deliberation,
            Acte::Signature { .. } => Etape::Signature,
            Acte::DebutExecution { .. } => Etape::DebutExecution,
            Acte::Evaluation { .. } => Etape::Evaluation,
            Acte::Cloture { .. } => Etape::Cloture,
            Acte::Denonciation { .. } => Etape::Denonciation,
        }
    }

    /// The date the act bears (the letter's for a denunciation); `None` for the submission and
    /// the validation, dated by their record.
    pub fn date(&self) -> Option<Date> {
        match self {
            Acte::Soumission { .. } | Acte::Validation { .. } => None,
            Acte::Deliberation { date, .. }
            | Acte::Signature { date, .. }
            | Acte::DebutExecution { date }
            | Acte::Evaluation { date, .. }
            | Acte::Cloture { date, .. } => Some(*date),
            Acte::Denonciation { date_lettre, .. } => Some(*date_lettre),
        }
    }

    /// What the act says, in one French line for the history of the contract.
    pub fn resume(&self) -> String {
        match self {
            Acte::Soumission { observation } | Acte::Validation { observation } => {
                observation.clone().unwrap_or_default()
            }
            Acte::Deliberation {
                date,
                instance,
                reference,
            } => format!("Délibération n° {reference} ({}) du {date}", instance.libelle()),
            Acte::Signature { date, signataires } => format!(
                "Signée le {date} par {}",
                signataires
                    .iter()
                    .map(|s| match &s.nom {
                        Some(n) => format!("{n}, {}", s.qualite),
                        None => s.qualite.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ),
            Acte::DebutExecution { date } => format!("Exécution commencée le {date}"),
            Acte::Evaluation { date, objet, rapport } => match rapport {
                Some(r) => format!("Évaluation du {date} : {objet} (rapport : {r})"),
                None => format!("Évaluation du {date} : {objet}"),
            },
            Acte::Cloture { date, observation } => match observation {
                Some(o) => format!("Clos le {date} : {o}"),
                None => format!("Clos le {date}"),
            },
            Acte::Denonciation {
                partie,
                auteur,
                date_lettre,
                motif,
                preavis_mois,
                date_effet,
            } => format!(
                "Dénoncé par {auteur} ({}) par lettre recommandée du {date_lettre}, préavis de {preavis_mois} mois, effet le {date_effet} : {motif}",
                partie.libelle()
            ),
        }
    }
}

/// The span of the contract: its header's dates, else 1 January 2024 – 31 December 2027.
pub fn periode(entete: &EnTete) -> (Date, Date) {
    (
        entete.debut.unwrap_or(DEBUT_CONTRAT),
        entete.fin.unwrap_or(FIN_CONTRAT),
    )
}

/// Checks `acte` against the contract's header as it is before the act, the acts already in
/// force (oldest first) and today's date. Every faulty field is reported, with the rule it
/// breaks and a French message naming the field.
pub fn verifier(
    acte: &Acte,
    entete: &EnTete,
    precedents: &[Acte],
    aujourdhui: Date,
) -> Result<(), Vec<ErreurActe>> {
    let mut erreurs = Vec::new();
    let mut erreur = |champ: &str, regle: &'static str, message: String| {
        erreurs.push(ErreurActe {
            champ: champ.to_string(),
            regle,
            message,
        })
    };
    let (debut, fin) = periode(entete);
    let dernier = precedents.iter().filter_map(Acte::date).max();
    // A dated act lies within the contract's span, is not in the future, and follows the acts
    // before it.
    let mut date_dans_periode = |champ: &str, libelle: &str, d: Date, debut_admis: Date| {
        if d < debut_admis || d > fin {
            erreur(
                champ,
                "R-CAL-01",
                format!("{libelle} : le {d} est hors de la période du contrat (du {debut_admis} au {fin})."),
            );
        } else if d > aujourdhui {
            erreur(
                champ,
                "R-CAL-01",
                format!("{libelle} : le {d} est dans le futur (nous sommes le {aujourdhui})."),
            );
        } else if let Some(p) = dernier
            && d < p
        {
            erreur(
                champ,
                "R-CAL-01",
                format!("{libelle} : le {d} précède l'acte précédent du contrat, daté du {p}."),
            );
        }
    };
    let texte = |champ: &str, libelle: &str, t: &str, max: usize, requis: bool, regle: &'static str| {
        let n = t.trim().chars().count();
        if requis && n == 0 {
            Some(ErreurActe {
                champ: champ.to_string(),
                regle,
                message: format!("{libelle} : à renseigner."),
            })
        } else if t.chars().count() > max {
            Some(ErreurActe {
                champ: champ.to_string(),
                regle,
                message: format!("{libelle} : {} caractères pour {max} au plus.", t.chars().count()),
            })
        } else {
            None
        }
    };
    let mut textes = Vec::new();
    match acte {
        Acte::Soumission { observation } | Acte::Validation { observation } => {
            textes.extend(texte(
                "observation",
                "Observation",
                observation.as_deref().unwrap_or(""),
                TEXTE_LONG_MAX,
                false,
                "R-DOC-01",
            ));
        }
        Acte::Deliberation { date, reference, .. } => {
            // A deliberation may precede the contract's first day (it authorises the signature),
            // but not its last.
            date_dans_periode(
                "date",
                "Date de la délibération",
                *date,
                Date::ymd(debut.annee() - 1, 1, 1),
            );
            textes.extend(texte(
                "reference",
                "Référence de la délibération",
                reference,
                TEXTE_COURT_MAX,
                true,
                "R-DOC-05",
            ));
        }
        Acte::Signature { date, signataires } => {
            date_dans_periode(
                "date",
                "Date de signature",
                *date,
                Date::ymd(debut.annee() - 1, 1, 1),
            );
            if let Some(d) = entete.date_deliberation
                && *date < d
            {
                erreur(
                    "date",
                    "R-DOC-05",
                    format!("Date de signature : le {date} précède la délibération qui l'autorise, du {d}."),
                );
            }
            if signataires.len() > LIGNES_MAX {
                erreur(
                    "signataires",
                    "R-DOC-04",
                    format!(
                        "Signataires : {} lignes pour {LIGNES_MAX} au plus.",
                        signataires.len()
                    ),
                );
            }
            for partie in [Partie::Etat, Partie::Collectivite] {
                if !signataires.iter().any(|s| s.partie == partie) {
                    erreur(
                        "signataires",
                        "R-DOC-04",
                        format!(
                            "Signataires : la convention est signée au moins par {} ; aucun signataire de la partie « {} » n'est renseigné.",
                            match partie {
                                Partie::Etat => "le préfet ou la préfète de département",
                                _ => "le président ou la présidente de l'exécutif de la collectivité",
                            },
                            partie.libelle()
                        ),
                    );
                }
            }
            for (i, s) in signataires.iter().enumerate() {
                let n = i + 1;
                textes.extend(texte(
                    &format!("signataires[{i}].qualite"),
                    &format!("Qualité du signataire {n}"),
                    &s.qualite,
                    TEXTE_COURT_MAX,
                    true,
                    "R-DOC-04",
                ));
                textes.extend(texte(
                    &format!("signataires[{i}].nom"),
                    &format!("Nom du signataire {n}"),
                    s.nom.as_deref().unwrap_or(""),
                    TEXTE_COURT_MAX,
                    false,
                    "R-DOC-04",
                ));
                textes.extend(texte(
                    &format!("signataires[{i}].organisation"),
                    &format!("Institution du signataire {n}"),
                    s.organisation.as_deref().unwrap_or(""),
                    TEXTE_COURT_MAX,
                    s.partie == Partie::Partenaire,
                    "R-DOC-04",
                ));
            }
        }
        Acte::DebutExecution { date } => {
            date_dans_periode("date", "Date de début d'exécution", *date, debut);
        }
        Acte::Evaluation { date, objet, rapport } => {
            date_dans_periode("date", "Date de l'évaluation", *date, debut);
            textes.extend(texte(
                "objet",
                "Objet de l'évaluation",
                objet,
                TEXTE_LONG_MAX,
                true,
                "R-FIN-07",
            ));
            textes.extend(texte(
                "rapport",
                "Rapport d'évaluation",
                rapport.as_deref().unwrap_or(""),
                TEXTE_COURT_MAX,
                false,
                "R-FIN-07",
            ));
        }
        Acte::Cloture { date, observation } => {
            date_dans_periode("date", "Date de clôture", *date, debut);
            textes.extend(texte(
                "observation",
                "Observation",
                observation.as_deref().unwrap_or(""),
                TEXTE_LONG_MAX,
                false,
                "R-CAL-01",
            ));
        }
        Acte::Denonciation {
            auteur,
            date_lettre,
            motif,
            preavis_mois,
            date_effet,
            partie,
        } => {
            date_dans_periode(
                "date_lettre",
                "Date de la lettre recommandée",
                *date_lettre,
                debut,
            );
            if *partie == Partie::Partenaire {
                erreur(
                    "partie",
                    "R-DOC-10",
                    "Partie qui dénonce : seules les parties signataires, l'État ou la collectivité, peuvent dénoncer la convention.".into(),
                );
            }
            textes.extend(texte(
                "auteur",
                "Auteur de la dénonciation",
                auteur,
                TEXTE_COURT_MAX,
                true,
                "R-DOC-10",
            ));
            textes.extend(texte(
                "motif",
                "Motif de la dénonciation",
                motif,
                TEXTE_LONG_MAX,
                true,
                "R-DOC-10",
            ));
            if *preavis_mois > PREAVIS_MAX_MOIS {
                erreur(
                    "preavis_mois",
                    "R-DOC-10",
                    format!("Préavis : {preavis_mois} mois pour {PREAVIS_MAX_MOIS} au plus."),
                );
            } else {
                let attendue = plus_mois(*date_lettre, *preavis_mois);
                if *date_effet != attendue {
                    erreur(
                        "date_effet",
                        "R-DOC-10",
                        format!(
                            "Date d'effet : la dénonciation prend effet au terme du préavis, le {attendue} (lettre du {date_lettre} + {preavis_mois} mois), et non le {date_effet}."
                        ),
                    );
                } else if attendue > fin {
                    erreur(
                        "date_effet",
                        "R-DOC-10",
                        format!(
                            "Date d'effet : le {attendue} est après la fin du contrat ({fin}) ; une dénonciation prend effet en cours de conventionnement."
                        ),
                    );
                }
            }
        }
    }
    erreurs.extend(textes);
    if erreurs.is_empty() { Ok(()) } else { Err(erreurs) }
}

/// The header after `acte`: its step's state, and what the act carries into the header (the
/// deliberation's date, R-DOC-05; the signatories and their date, R-DOC-04).
pub fn appliquer(acte: &Acte, entete: &EnTete) -> EnTete {
    let mut e = entete.clone();
    e.etat = acte.etape().vers();
    match acte {
        Acte::Deliberation { date, .. } => e.date_deliberation = Some(*date),
        Acte::Signature { date, signataires } => {
            e.signataires = signataires
                .iter()
                .map(|s| Signataire {
                    nom: s.nom.clone(),
                    qualite: s.qualite.clone(),
                    organisation: s.organisation.clone().or_else(|| match s.partie {
                        Partie::Etat => Some("État".to_string()),
                        Partie::Collectivite => Some(entete.nom_collectivite()),
                        Partie::Partenaire => None,
                    }),
                    date_signature: Some(*date),
                })
                .collect();
        }
        _ => {}
    }
    e
}

/// The header once `acte` is undone: `actuel` with the state and the fields the act changed
/// taken back from `avant`, the header as it was before the act.
pub fn defaire(acte: &Acte, avant: &EnTete, actuel: &EnTete) -> EnTete {
    let mut e = actuel.clone();
    e.etat = avant.etat;
    match acte {
        Acte::Deliberation { .. } => e.date_deliberation = avant.date_deliberation,
        Acte::Signature { .. } => e.signataires = avant.signataires.clone(),
        _ => {}
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entete(etat: EtatContrat) -> EnTete {
        let mut c = crate::fabrique::ContratBuilder::new("200054807").build();
        c.contrat.etat = etat;
        c.contrat
    }

    const AUJOURDHUI: Date = Date::ymd(2026, 12, 5);

    fn champs(r: Result<(), Vec<ErreurActe>>) -> Vec<(String, &'static str)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.champ, e.regle))
            .collect()
    }

    fn signataire(partie: Partie, qualite: &str) -> SignataireActe {
        SignataireActe {
            partie,
            qualite: qualite.into(),
            nom: None,
            organisation: None,
        }
    }

    #[test]
    fn deliberation_dans_la_periode_acceptee() {
        let a = Acte::Deliberation {
            date: Date::ymd(2024, 3, 28),
            instance: Instance::SeancePleniere,
            reference: "DEL-2024-117".into(),
        };
        assert_eq!(
            verifier(&a, &entete(EtatContrat::Valide), &[], AUJOURDHUI),
            Ok(())
        );
    }

    #[test]
    fn deliberation_apres_la_fin_refusee() {
        // The issue's case: a deliberation of 1 June 2030, after the contract's end (2027-12-31).
        let a = Acte::Deliberation {
            date: Date::ymd(2030, 6, 1),
            instance: Instance::SeancePleniere,
            reference: "DEL-1".into(),
        };
        let e = verifier(&a, &entete(EtatContrat::Valide), &[], Date::ymd(2031, 1, 1)).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].champ, "date");
        assert_eq!(e[0].regle, "R-CAL-01");
        assert!(
            e[0].message.contains("hors de la période du contrat"),
            "{}",
            e[0].message
        );
        assert!(e[0].message.contains("31/12/2027"), "{}", e[0].message);
    }

    #[test]
    fn deliberation_dans_le_futur_ou_sans_reference_refusee() {
        let a = Acte::Deliberation {
            date: Date::ymd(2027, 1, 10),
            instance: Instance::CommissionPermanente,
            reference: "  ".into(),
        };
        assert_eq!(
            champs(verifier(&a, &entete(EtatContrat::Valide), &[], AUJOURDHUI)),
            vec![
                ("date".to_string(), "R-CAL-01"),
                ("reference".to_string(), "R-DOC-05")
            ]
        );
    }

    #[test]
    fn signature_sans_signataires_refusee() {
        // The issue's case: « signé » with no signatory. Both parties are missing.
        let a = Acte::Signature {
            date: Date::ymd(2024, 4, 2),
            signataires: Vec::new(),
        };
        let e = verifier(&a, &entete(EtatContrat::Delibere), &[], AUJOURDHUI).unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(
            e.iter()
                .all(|e| e.champ == "signataires" && e.regle == "R-DOC-04")
        );
        assert!(e[0].message.contains("« État »"), "{}", e[0].message);
        assert!(e[1].message.contains("« Collectivité »"), "{}", e[1].message);
    }

    #[test]
    fn signature_avec_l_etat_seul_refusee_puis_complete_acceptee() {
        let mut signataires = vec![signataire(Partie::Etat, "Préfet des Bouches-du-Rhône")];
        let mut e = entete(EtatContrat::Delibere);
        e.date_deliberation = Some(Date::ymd(2024, 3, 28));
        let a = Acte::Signature {
            date: Date::ymd(2024, 4, 2),
            signataires: signataires.clone(),
        };
        assert_eq!(
            champs(verifier(&a, &e, &[], AUJOURDHUI)),
            vec![("signataires".to_string(), "R-DOC-04")]
        );
        signataires.push(signataire(Partie::Collectivite, "Présidente de la Métropole"));
        let a = Acte::Signature {
            date: Date::ymd(2024, 4, 2),
            signataires,
        };
        assert_eq!(verifier(&a, &e, &[], AUJOURDHUI), Ok(()));
    }

    #[test]
    fn signature_avant_la_deliberation_refusee() {
        let mut e = entete(EtatContrat::Delibere);
        e.date_deliberation = Some(Date::ymd(2024, 3, 28));
        let a = Acte::Signature {
            date: Date::ymd(2024, 3, 27),
            signataires: vec![
                signataire(Partie::Etat, "Préfet"),
                signataire(Partie::Collectivite, "Président"),
            ],
        };
        assert_eq!(
            champs(verifier(&a, &e, &[], AUJOURDHUI)),
            vec![("date".to_string(), "R-DOC-05")]
        );
    }

    #[test]
    fn cosignataire_partenaire_sans_institution_refuse() {
        let a = Acte::Signature {
            date: Date::ymd(2024, 4, 2),
            signataires: vec![
                signataire(Partie::Etat, "Préfet"),
                signataire(Partie::Collectivite, "Président"),
                signataire(Partie::Partenaire, "Directrice"),
            ],
        };
        assert_eq!(
            champs(verifier(&a, &entete(EtatContrat::Delibere), &[], AUJOURDHUI)),
            vec![("signataires[2].organisation".to_string(), "R-DOC-04")]
        );
    }

    #[test]
    fn un_acte_ne_precede_pas_le_precedent() {
        let precedents = [Acte::Signature {
            date: Date::ymd(2024, 4, 2),
            signataires: Vec::new(),
        }];
        let a = Acte::DebutExecution {
            date: Date::ymd(2024, 4, 1),
        };
        let e = verifier(&a, &entete(EtatContrat::Signe), &precedents, AUJOURDHUI).unwrap_err();
        assert_eq!(e[0].champ, "date");
        assert!(
            e[0].message.contains("précède l'acte précédent"),
            "{}",
            e[0].message
        );
        let a = Acte::DebutExecution {
            date: Date::ymd(2024, 4, 2),
        };
        assert_eq!(
            verifier(&a, &entete(EtatContrat::Signe), &precedents, AUJOURDHUI),
            Ok(())
        );
    }

    #[test]
    fn evaluation_sans_objet_refusee() {
        let a = Acte::Evaluation {
            date: Date::ymd(2026, 3, 31),
            objet: String::new(),
            rapport: None,
        };
        assert_eq!(
            champs(verifier(&a, &entete(EtatContrat::EnExecution), &[], AUJOURDHUI)),
            vec![("objet".to_string(), "R-FIN-07")]
        );
    }

    fn denonciation(date_lettre: Date, preavis_mois: u8, date_effet: Date) -> Acte {
        Acte::Denonciation {
            partie: Partie::Collectivite,
            auteur: "Président de la Métropole".into(),
            date_lettre,
            motif: "Réorientation des politiques de solidarité".into(),
            preavis_mois,
            date_effet,
        }
    }

    #[test]
    fn denonciation_date_d_effet_lettre_plus_preavis() {
        // Letter of 15 March 2026 + 3 months' notice = effect on 15 June 2026.
        let e = entete(EtatContrat::EnExecution);
        let a = denonciation(Date::ymd(2026, 3, 15), 3, Date::ymd(2026, 6, 15));
        assert_eq!(verifier(&a, &e, &[], AUJOURDHUI), Ok(()));
        // Any other effective date is refused, naming the expected one.
        let a = denonciation(Date::ymd(2026, 3, 15), 3, Date::ymd(2026, 6, 1));
        let err = verifier(&a, &e, &[], AUJOURDHUI).unwrap_err();
        assert_eq!(err[0].champ, "date_effet");
        assert_eq!(err[0].regle, "R-DOC-10");
        assert!(err[0].message.contains("15/06/2026"), "{}", err[0].message);
    }

    #[test]
    fn denonciation_effet_apres_la_fin_refusee() {
        // Letter of 1 November 2027 + 3 months = 1 February 2028, after 31 December 2027.
        let e = entete(EtatContrat::EnExecution);
        let a = denonciation(Date::ymd(2027, 11, 1), 3, Date::ymd(2028, 2, 1));
        let err = verifier(&a, &e, &[], Date::ymd(2027, 11, 2)).unwrap_err();
        assert_eq!(err[0].champ, "date_effet");
        assert!(
            err[0].message.contains("après la fin du contrat"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn denonciation_lettre_hors_periode_ou_preavis_trop_long_refusee() {
        let e = entete(EtatContrat::Signe);
        let a = denonciation(Date::ymd(2023, 12, 1), 1, Date::ymd(2024, 1, 1));
        assert_eq!(
            champs(verifier(&a, &e, &[], AUJOURDHUI)),
            vec![("date_lettre".to_string(), "R-CAL-01")]
        );
        let a = denonciation(Date::ymd(2025, 1, 10), 13, Date::ymd(2026, 2, 10));
        assert_eq!(
            champs(verifier(&a, &e, &[], AUJOURDHUI)),
            vec![("preavis_mois".to_string(), "R-DOC-10")]
        );
    }

    #[test]
    fn plus_mois_fin_de_mois() {
        assert_eq!(plus_mois(Date::ymd(2024, 1, 31), 1), Date::ymd(2024, 2, 29));
        assert_eq!(plus_mois(Date::ymd(2025, 11, 30), 3), Date::ymd(2026, 2, 28));
        assert_eq!(plus_mois(Date::ymd(2025, 5, 6), 0), Date::ymd(2025, 5, 6));
    }

    #[test]
    fn appliquer_puis_defaire_rend_l_en_tete() {
        let avant = entete(EtatContrat::Delibere);
        let a = Acte::Signature {
            date: Date::ymd(2024, 4, 2),
            signataires: vec![
                signataire(Partie::Etat, "Préfet"),
                signataire(Partie::Collectivite, "Président"),
            ],
        };
        let apres = appliquer(&a, &avant);
        assert_eq!(apres.etat, EtatContrat::Signe);
        assert_eq!(apres.signataires.len(), 2);
        assert_eq!(apres.signataires[0].organisation.as_deref(), Some("État"));
        assert_eq!(apres.signataires[1].date_signature, Some(Date::ymd(2024, 4, 2)));
        assert_eq!(defaire(&a, &avant, &apres), avant);
    }

    #[test]
    fn etapes_et_etats() {
        for e in Etape::TOUTES {
            assert_eq!(Etape::depuis_code(e.code()), Some(e));
            assert_eq!(Etape::vers_etat(e.vers()), Some(e));
        }
        assert_eq!(Etape::Denonciation.vers(), EtatContrat::Denonce);
        assert_eq!(Etape::Soumission.vers(), EtatContrat::Negociation);
    }

    #[test]
    fn acte_json_aller_retour() {
        let a = denonciation(Date::ymd(2026, 3, 15), 3, Date::ymd(2026, 6, 15));
        let t = serde_json::to_string(&a).unwrap();
        assert!(t.starts_with(r#"{"etape":"denonciation""#), "{t}");
        assert_eq!(serde_json::from_str::<Acte>(&t).unwrap(), a);
    }
}
