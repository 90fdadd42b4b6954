//! The acts of the demonstration's contracts. A contract of the national set past its draft is
//! imported as a draft, then taken to its state step by step through the store's act write
//! (`Base::enregistrer_acte`), each act checked by `pacte_core::actes::verifier` and applied by
//! `pacte_core::actes::appliquer`, as the lifecycle forms do: the history of acts of a signed,
//! running, evaluated, closed or denounced contract tells how it got there (deliberation with
//! its date, body and reference; signature with each signatory and their quality; start of
//! execution; evaluation; closing; denunciation with its letter and notice).

use pacte_core::actes::{self, Acte, Instance, Partie, SignataireActe};
use pacte_core::contrat::{EnTete, EtatContrat};
use pacte_core::territoires::{Eligibilite, territoires};
use pacte_core::{Contrat, Date};
use pacte_store::{Base, ErreurStore, Refus};

/// What a contract must go through once imported as a draft: its target state and the header
/// data the acts carry (the deliberation date and the signatories of its file, if any).
#[derive(Debug, Clone)]
pub struct Parcours {
    etat: EtatContrat,
    entete: EnTete,
}

/// Takes `c` back to a draft, and returns the path to its state (`None` for a draft).
pub fn au_brouillon(c: &mut Contrat) -> Option<Parcours> {
    if c.contrat.etat == EtatContrat::Brouillon {
        return None;
    }
    let parcours = Parcours {
        etat: c.contrat.etat,
        entete: c.contrat.clone(),
    };
    c.contrat.etat = EtatContrat::Brouillon;
    c.contrat.date_deliberation = None;
    c.contrat.signataires.clear();
    Some(parcours)
}

/// `d`, or `plafond` if later: an act is never dated in the future.
fn au_plus(d: Date, plafond: Date) -> Date {
    d.min(plafond)
}

/// The signatories of the convention: those of the file, else the préfet of the département
/// of the collectivity's seat and the president of its executive.
fn signataires(e: &EnTete) -> Vec<SignataireActe> {
    if !e.signataires.is_empty() {
        return e
            .signataires
            .iter()
            .map(|s| SignataireActe {
                partie: if s.organisation.as_deref() == Some("État") {
                    Partie::Etat
                } else {
                    Partie::Collectivite
                },
                qualite: s.qualite.clone(),
                nom: s.nom.clone(),
                organisation: s.organisation.clone(),
            })
            .collect();
    }
    let t = territoires();
    let collectivite = t.collectivite(&e.collectivite);
    let departement = collectivite
        .and_then(|c| t.departements.iter().find(|d| d.code == c.departement))
        .map_or_else(|| "département".to_string(), |d| d.nom.clone());
    let president = match collectivite.map(|c| c.eligibilite) {
        Some(Eligibilite::Departement) => "Président du conseil départemental",
        Some(Eligibilite::VilleDeMarseille) => "Maire de Marseille",
        _ => "Président de la métropole",
    };
    vec![
        SignataireActe {
            partie: Partie::Etat,
            qualite: format!("Préfet de département ({departement})"),
            nom: None,
            organisation: Some("État".into()),
        },
        SignataireActe {
            partie: Partie::Collectivite,
            qualite: president.into(),
            nom: None,
            organisation: None,
        },
    ]
}

/// The acts from the draft to `p.etat`, in order, dated consistently: the deliberation of the
/// file (else 15 February 2024), the signature of the file (else three weeks later), the start
/// of execution a month after the signature, the mid-term evaluation in April 2026, the
/// closing in November 2026; a denunciation is made by the State in September 2025, on a
/// contract in execution. No date is later than `aujourdhui`.
pub fn actes(p: &Parcours, reference: &str, aujourdhui: Date) -> Vec<Acte> {
    let e = &p.entete;
    let deliberation = au_plus(e.date_deliberation.unwrap_or(Date::ymd(2024, 2, 15)), aujourdhui);
    let signature = au_plus(
        e.signataires
            .iter()
            .filter_map(|s| s.date_signature)
            .max()
            .unwrap_or_else(|| actes::plus_mois(deliberation, 1).veille())
            .max(deliberation),
        aujourdhui,
    );
    let execution = au_plus(actes::plus_mois(signature, 1), aujourdhui);
    let mut tous = vec![
        Acte::Soumission {
            observation: Some("Projet de contrat transmis aux services de l'État pour instruction.".into()),
        },
        Acte::Validation {
            observation: Some("Contrat conforme à l'instruction après négociation avec la DDETS.".into()),
        },
        Acte::Deliberation {
            date: deliberation,
            instance: Instance::CommissionPermanente,
            reference: format!("DEL-{}-{reference}", deliberation.annee()),
        },
        Acte::Signature {
            date: signature,
            signataires: signataires(e),
        },
        Acte::DebutExecution { date: execution },
    ];
    let suite = match p.etat {
        EtatContrat::Denonce => {
            let lettre = au_plus(Date::ymd(2025, 9, 15), aujourdhui).max(execution);
            vec![Acte::Denonciation {
                partie: Partie::Etat,
                auteur: signataires(e)
                    .into_iter()
                    .find(|s| s.partie == Partie::Etat)
                    .map_or_else(|| "Préfet de département".into(), |s| s.qualite),
                date_lettre: lettre,
                motif: "Les actions de l'axe 2 n'ont pas commencé dix-huit mois après la signature, malgré deux relances du comité de pilotage."
                    .into(),
                preavis_mois: 3,
                date_effet: actes::plus_mois(lettre, 3),
            }]
        }
        _ => {
            let evaluation = au_plus(Date::ymd(2026, 4, 15), aujourdhui).max(execution);
            vec![
                Acte::Evaluation {
                    date: evaluation,
                    objet: "Exécution 2024-2025 : rapport d'exécution à mi-parcours et dialogue de gestion.".into(),
                    rapport: Some(format!("Rapport à mi-parcours {reference}, remis le 31 mars 2026")),
                },
                Acte::Cloture {
                    date: au_plus(Date::ymd(2026, 11, 20), aujourdhui).max(evaluation),
                    observation: Some("Clôture anticipée d'un commun accord : les actions sont reprises par la convention d'insertion du département.".into()),
                },
            ]
        }
    };
    tous.extend(suite);
    // Up to the act that leads to the state (a denunciation follows the start of execution).
    let n = match p.etat {
        EtatContrat::Denonce => tous.len(),
        etat => tous
            .iter()
            .position(|a| a.etape().vers() == etat)
            .map_or(0, |i| i + 1),
    };
    tous.truncate(n);
    tous
}

/// Records the acts that take contract `id`, imported as a draft, along `p`, each checked and
/// applied as the lifecycle forms do.
pub async fn enregistrer(base: &Base, id: i64, p: &Parcours, acteur: &str) -> Result<(), ErreurStore> {
    let aujourdhui = pacte_store::horloge::instant().jour_a_paris();
    let mut version = base.contrat(id).await?.tampon.version;
    for acte in actes(p, &format!("{id:03}"), aujourdhui) {
        let a = acte.clone();
        let (_, t) = base
            .enregistrer_acte(id, version, &acte, &[], acteur, move |c, precedents| {
                actes::verifier(&a, &c.contrat, precedents, aujourdhui).map_err(|erreurs| {
                    Refus::new(
                        erreurs
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" "),
                    )
                })?;
                Ok(actes::appliquer(&a, &c.contrat))
            })
            .await?;
        version = t.version;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parcours(etat: EtatContrat) -> Parcours {
        let mut c = pacte_core::jeu_national::jeu_national(1, 2).remove(0);
        c.contrat.etat = etat;
        au_brouillon(&mut c).expect("past the draft")
    }

    #[test]
    fn un_acte_par_etape_jusqu_a_l_etat() {
        let aujourdhui = Date::ymd(2026, 12, 5);
        let etapes = |etat| -> Vec<&str> {
            actes(&parcours(etat), "001", aujourdhui)
                .iter()
                .map(|a| a.etape().code())
                .collect()
        };
        assert_eq!(etapes(EtatContrat::Negociation), ["soumission"]);
        assert_eq!(
            etapes(EtatContrat::Signe),
            ["soumission", "validation", "deliberation", "signature"]
        );
        assert_eq!(
            etapes(EtatContrat::Clos),
            [
                "soumission",
                "validation",
                "deliberation",
                "signature",
                "debut_execution",
                "evaluation",
                "cloture"
            ]
        );
        assert_eq!(
            etapes(EtatContrat::Denonce),
            [
                "soumission",
                "validation",
                "deliberation",
                "signature",
                "debut_execution",
                "denonciation"
            ]
        );
    }

    /// Every act passes the check the forms apply, on the header as it is when it is taken.
    #[test]
    fn chaque_acte_passe_la_verification() {
        for aujourdhui in [Date::ymd(2026, 12, 5), Date::ymd(2026, 5, 1)] {
            for etat in EtatContrat::TOUS.into_iter().skip(1) {
                let p = parcours(etat);
                let mut entete = p.entete.clone();
                entete.etat = EtatContrat::Brouillon;
                entete.date_deliberation = None;
                entete.signataires.clear();
                let mut precedents = Vec::new();
                for a in actes(&p, "001", aujourdhui) {
                    actes::verifier(&a, &entete, &precedents, aujourdhui)
                        .unwrap_or_else(|e| panic!("{etat:?}, {:?} : {e:?}", a.etape()));
                    entete = actes::appliquer(&a, &entete);
                    precedents.push(a);
                }
                assert_eq!(entete.etat, etat);
            }
        }
    }
}
