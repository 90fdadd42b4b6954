//! The contract header form: collectivity, title, dates, proposed State amounts per axis and
//! the State commitment per year. The lifecycle state, the AMI block and the signatories are
//! not on this form: they are kept as stored.

use std::collections::BTreeMap;

use pacte_core::contrat::{EnTete, EtatContrat};
use pacte_core::regles::Objet;
use pacte_core::territoires::{NatureCollectivite, territoires};
use pacte_core::{Annee, Axe, Constat, Date};

use crate::ui::formulaire::{
    Champ, Choix, ConstatVu, ErreurChamp, Groupe, GroupeOptions, Lecture, Placement, Saisie, Vue, abrege,
};

/// The form of a new contract: the convention's dates already filled.
pub fn saisie_vierge() -> Saisie {
    let mut s = Saisie::default();
    s.set("debut", "2024-01-01");
    s.set("fin", "2027-12-31");
    s
}

pub fn saisie_de(e: &EnTete) -> Saisie {
    let mut s = Saisie::default();
    s.set("collectivite", e.collectivite.clone());
    if let Some(i) = &e.intitule {
        s.set("intitule", i.clone());
    }
    for (nom, d) in [
        ("debut", e.debut),
        ("fin", e.fin),
        ("date_deliberation", e.date_deliberation),
    ] {
        if let Some(d) = d {
            s.set(nom, d.iso());
        }
    }
    for (axe, m) in &e.montants_proposes {
        s.set(format!("montants_proposes.{}", axe.numero()), m.texte_fichier());
    }
    for (a, m) in &e.engagement_etat {
        s.set(format!("engagement_etat.{a}"), m.texte_fichier());
    }
    s
}

/// Reads the form into a header; `actuel` is the stored header (its state, AMI block and
/// signatories are kept; its collectivity is accepted even when it is not in the list).
pub fn lire(saisie: &Saisie, actuel: Option<&EnTete>) -> Result<EnTete, Vec<ErreurChamp>> {
    let mut l = Lecture::new(saisie);
    let code = saisie.get("collectivite").trim().to_string();
    let collectivite = if code.is_empty() {
        l.erreur(
            "collectivite",
            "« Collectivité » est obligatoire : choisissez la collectivité cocontractante dans la liste.",
        );
        None
    } else if territoires().collectivite(&code).is_some() || actuel.is_some_and(|e| e.collectivite == code) {
        Some(code)
    } else {
        l.erreur(
            "collectivite",
            format!(
                "Collectivité inconnue : « {} » n'est ni une métropole, ni un département, ni une collectivité éligible de la liste.",
                abrege(&code, 60)
            ),
        );
        None
    };
    let intitule = l.texte("intitule", "Intitulé du contrat");
    let debut = l.date("debut", "Début du contrat");
    let fin = l.date("fin", "Fin du contrat");
    let date_deliberation = l.date("date_deliberation", "Date de la délibération");
    let mut montants_proposes = BTreeMap::new();
    for axe in Axe::TOUS {
        let n = axe.numero();
        if let Some(m) = l.montant(
            &format!("montants_proposes.{n}"),
            &format!("Montant proposé, axe {n}"),
        ) {
            montants_proposes.insert(axe, m);
        }
    }
    let mut engagement_etat = BTreeMap::new();
    for a in Annee::TOUTES {
        if let Some(m) = l.montant(
            &format!("engagement_etat.{a}"),
            &format!("Engagement de l'État {a}"),
        ) {
            engagement_etat.insert(a, m);
        }
    }
    if let (Some(d), Some(f)) = (debut, fin)
        && f < d
    {
        l.erreur("fin", format!("« Fin du contrat » ({f}) précède le début ({d})."));
    }
    if !l.erreurs.is_empty() {
        return Err(l.erreurs);
    }
    let Some(collectivite) = collectivite else {
        return Err(l.erreurs);
    };
    Ok(EnTete {
        collectivite,
        intitule,
        debut,
        fin,
        etat: actuel.map(|e| e.etat).unwrap_or_default(),
        date_deliberation,
        ami: actuel.and_then(|e| e.ami.clone()),
        montants_proposes,
        engagement_etat,
        signataires: actuel.map(|e| e.signataires.clone()).unwrap_or_default(),
    })
}

/// Every field of the header form.
#[derive(Debug, Clone)]
pub struct FormContrat {
    pub collectivite: Choix,
    pub intitule: Champ,
    pub debut: Champ,
    pub fin: Champ,
    pub date_deliberation: Champ,
    pub montants: Groupe,
    pub montants_proposes: Vec<Champ>,
    pub engagement: Groupe,
    pub engagement_etat: Vec<Champ>,
    /// Findings of the header with no field of their own.
    pub panneau: Vec<ConstatVu>,
}

fn options_collectivites() -> Vec<GroupeOptions> {
    let t = territoires();
    let mut groupes = vec![GroupeOptions {
        libelle: String::new(),
        options: vec![(String::new(), "— Choisir une collectivité —".into())],
    }];
    let familles: [(&str, &[NatureCollectivite]); 3] = [
        (
            "Métropoles et communautés",
            &[
                NatureCollectivite::Metropole,
                NatureCollectivite::CommunauteUrbaine,
                NatureCollectivite::CommunauteAgglomeration,
            ],
        ),
        ("Ville de Marseille", &[NatureCollectivite::Commune]),
        (
            "Départements (contrat à trois axes : 1, 3 et 4)",
            &[NatureCollectivite::Departement],
        ),
    ];
    for (libelle, natures) in familles {
        let mut options: Vec<(String, String)> = t
            .collectivites
            .iter()
            .filter(|c| natures.contains(&c.nature))
            .map(|c| {
                let l = if c.nature == NatureCollectivite::Departement {
                    format!("{} — {}", c.code, c.nom)
                } else {
                    format!("{} ({})", c.nom, c.code)
                };
                (c.code.clone(), l)
            })
            .collect();
        if natures.contains(&NatureCollectivite::Departement) {
            // Départements in the order of their codes, as people look them up.
            options.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(&b.0)));
        } else {
            pacte_core::collation::trier_par(&mut options, |o| &o.1);
        }
        groupes.push(GroupeOptions {
            libelle: libelle.into(),
            options,
        });
    }
    groupes
}

fn construire(v: &Vue) -> FormContrat {
    FormContrat {
        collectivite: v.choix(
            "collectivite",
            "Collectivité cocontractante",
            options_collectivites(),
        ),
        intitule: v.champ("intitule", "Intitulé du contrat"),
        debut: v.champ("debut", "Début du contrat"),
        fin: v.champ("fin", "Fin du contrat"),
        date_deliberation: v.champ("date_deliberation", "Date de la délibération"),
        montants: v.groupe("montants_proposes"),
        montants_proposes: Axe::TOUS
            .iter()
            .map(|a| {
                let n = a.numero();
                v.champ(&format!("montants_proposes.{n}"), format!("Axe {n}"))
                    .precise(v, " — montant proposé")
            })
            .collect(),
        engagement: v.groupe("engagement_etat"),
        engagement_etat: Annee::TOUTES
            .iter()
            .map(|a| {
                v.champ(&format!("engagement_etat.{a}"), a.to_string())
                    .precise(v, " — engagement de l'État")
            })
            .collect(),
        panneau: Vec::new(),
    }
}

/// The header form; `constats` (with the contract id) are placed next to their fields.
pub fn formulaire(
    saisie: &Saisie,
    erreurs: &[ErreurChamp],
    constats: Option<(&[Constat], i64)>,
) -> FormContrat {
    let Some((constats, id)) = constats else {
        return construire(&Vue::new(saisie, erreurs, None));
    };
    let ancres = {
        let v = Vue::new(saisie, erreurs, None);
        construire(&v);
        v.ancres()
    };
    let placement = Placement::new(constats, Objet::Contrat, &ancres, id);
    let mut f = construire(&Vue::new(saisie, erreurs, Some(&placement)));
    f.panneau = placement.panneau;
    f
}

/// Every field of the header form of `saisie`, in page order, with its full label.
pub fn libelles(saisie: &Saisie) -> Vec<crate::ui::formulaire::LibelleChamp> {
    let v = Vue::new(saisie, &[], None);
    construire(&v);
    v.libelles()
}

/// The lifecycle: the states a contract may move to from `etat`.
pub fn etats_suivants(etat: EtatContrat) -> &'static [EtatContrat] {
    use EtatContrat::*;
    match etat {
        Brouillon => &[Negociation],
        Negociation => &[Valide],
        Valide => &[Delibere],
        Delibere => &[Signe],
        Signe => &[EnExecution, Denonce],
        EnExecution => &[Evalue, Denonce],
        Evalue => &[Clos],
        Clos | Denonce => &[],
    }
}

/// States a contract may only reach without blocking findings.
pub fn exige_conformite(etat: EtatContrat) -> bool {
    use EtatContrat::*;
    matches!(etat, Valide | Delibere | Signe | EnExecution | Evalue | Clos)
}

/// Reads a state written in snake case (`en_execution`).
pub fn lire_etat(texte: &str) -> Option<EtatContrat> {
    serde_json::from_value(serde_json::Value::String(texte.trim().to_string())).ok()
}

/// A date typed on the lifecycle form.
pub fn lire_date(texte: &str) -> Result<Option<Date>, String> {
    if texte.trim().is_empty() {
        return Ok(None);
    }
    Date::parse(texte).map(Some)
}

/// The French sentence of a write refused for a stale version (who saved, when, which
/// versions), for the forms sent back with a 409 (`crate::ui::conflit`); `None` for another
/// error.
pub(crate) fn message_conflit(e: &pacte_store::ErreurStore) -> Option<String> {
    let pacte_store::ErreurStore::Conflit {
        quoi,
        par,
        le,
        attendue,
        actuelle,
    } = e
    else {
        return None;
    };
    let accord = if quoi.starts_with("la ") {
        "modifiée"
    } else {
        "modifié"
    };
    let mut quoi = quoi.clone();
    if let Some(premiere) = quoi.get_mut(..1) {
        premiere.make_ascii_uppercase();
    }
    Some(format!(
        "{quoi} a été {accord} par {} {} depuis que vous l'avez ouvert(e) (version {attendue} lue, version {actuelle} enregistrée).",
        crate::comptes::auteur_lisible(par),
        pacte_core::temps::horodatage_lisible(le)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn en_tete_aller_retour() {
        let c = pacte_core::fichier::lire_toml(include_str!(
            "../../../../exemples/metropole-aix-marseille-provence.toml"
        ))
        .unwrap();
        let s = saisie_de(&c.contrat);
        assert_eq!(lire(&s, Some(&c.contrat)).unwrap(), c.contrat);
    }

    #[test]
    fn cycle_de_vie() {
        assert_eq!(lire_etat("en_execution"), Some(EtatContrat::EnExecution));
        assert_eq!(lire_etat("n'importe quoi"), None);
        assert!(etats_suivants(EtatContrat::Negociation).contains(&EtatContrat::Valide));
        assert!(!etats_suivants(EtatContrat::Brouillon).contains(&EtatContrat::Signe));
    }
}
