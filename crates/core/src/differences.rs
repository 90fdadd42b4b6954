//! What changed between two versions of a contract, field by field, for people: French field
//! labels and values formatted as the pages show them (amounts `45 000,00 €`, dates
//! `01/01/2024`, states by their label).
//!
//! One function, [`differences`], serves the contract history (two audited versions) and the
//! import of a file for a collectivity that already has a contract (the stored contract and
//! the file). It works on the serialised form of the domain types (the contract file format),
//! so a field added to the model is compared without a change here; only its label has to be
//! added to [`libelle`] (an unknown key is shown as it is named in the file).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::contrat::{Contrat, EtatContrat, NatureAction, NumeroFiche};
use crate::montant::Montant;
use crate::temps::Date;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The fiche the field belongs to; `None` for the contract header.
    pub fiche: Option<NumeroFiche>,
    /// The field's French label, from the outermost part in (`Financement › État › 2024`);
    /// « Fiche » alone when the whole fiche was added or removed.
    pub champ: String,
    /// The field's path in the contract file format (`financement.etat.2024`), empty for a
    /// whole fiche.
    pub chemin: String,
    /// The value before, formatted; `None` when the field was absent.
    pub avant: Option<String>,
    /// The value after, formatted; `None` when the field is gone.
    pub apres: Option<String>,
}

impl Difference {
    /// Where the field is, for a table's first column: « Contrat » or « Fiche 1.2 ».
    pub fn objet(&self) -> String {
        match self.fiche {
            None => "Contrat".to_string(),
            Some(n) => format!("Fiche {n}"),
        }
    }
}

/// Every field that differs between `ancien` and `nouveau`: the header's fields first, then
/// the fiches by number (fiches are matched by their number; one that exists on one side only
/// is one difference naming it). Lists inside a fiche (partners, co-funders, expense lines,
/// indicators, signatories) are compared position by position.
pub fn differences(ancien: &Contrat, nouveau: &Contrat) -> Vec<Difference> {
    let mut sortie = Vec::new();
    comparer_parties(
        None,
        &serde_json::to_value(&ancien.contrat).unwrap_or(Value::Null),
        &serde_json::to_value(&nouveau.contrat).unwrap_or(Value::Null),
        &mut sortie,
    );
    let avant: BTreeMap<NumeroFiche, &crate::FicheAction> =
        ancien.fiches.iter().map(|f| (f.numero, f)).collect();
    let apres: BTreeMap<NumeroFiche, &crate::FicheAction> =
        nouveau.fiches.iter().map(|f| (f.numero, f)).collect();
    let mut numeros: Vec<NumeroFiche> = avant.keys().chain(apres.keys()).copied().collect();
    numeros.sort();
    numeros.dedup();
    for n in numeros {
        match (avant.get(&n), apres.get(&n)) {
            (Some(a), Some(b)) => comparer_parties(
                Some(n),
                &serde_json::to_value(a).unwrap_or(Value::Null),
                &serde_json::to_value(b).unwrap_or(Value::Null),
                &mut sortie,
            ),
            (a, b) => sortie.push(Difference {
                fiche: Some(n),
                champ: "Fiche".to_string(),
                chemin: String::new(),
                avant: a.map(|f| format!("{n} — {}", f.intitule)),
                apres: b.map(|f| format!("{n} — {}", f.intitule)),
            }),
        }
    }
    sortie
}

/// The differences of one part (the header or one fiche), given as JSON values.
fn comparer_parties(fiche: Option<NumeroFiche>, a: &Value, b: &Value, sortie: &mut Vec<Difference>) {
    let mut feuilles_a = BTreeMap::new();
    let mut feuilles_b = BTreeMap::new();
    aplatir(a, &mut Vec::new(), &mut feuilles_a);
    aplatir(b, &mut Vec::new(), &mut feuilles_b);
    // Every path of either side, in the order of their printed form (stable for a table).
    let mut chemins: Vec<&Vec<String>> = Vec::new();
    for (_, (chemin, _)) in feuilles_a.iter() {
        chemins.push(chemin);
    }
    for (cle, (chemin, _)) in feuilles_b.iter() {
        if !feuilles_a.contains_key(cle) {
            chemins.push(chemin);
        }
    }
    chemins.sort_by_key(|c| c.join("."));
    chemins.dedup();
    for chemin in chemins {
        let cle = chemin.join(".");
        let va = feuilles_a.get(&cle).map(|(_, v)| v);
        let vb = feuilles_b.get(&cle).map(|(_, v)| v);
        if va == vb {
            continue;
        }
        if cle == "numero" {
            continue;
        }
        sortie.push(Difference {
            fiche,
            champ: chemin
                .iter()
                .enumerate()
                .map(|(i, s)| libelle(s, chemin[..i].last().map(String::as_str)))
                .collect::<Vec<_>>()
                .join(" › "),
            chemin: cle,
            avant: va.map(|v| formater(chemin, v)),
            apres: vb.map(|v| formater(chemin, v)),
        });
    }
}

/// Every leaf of `v` (scalars, and empty lists or objects as nothing) with its path.
fn aplatir(v: &Value, chemin: &mut Vec<String>, sortie: &mut BTreeMap<String, (Vec<String>, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                chemin.push(k.clone());
                aplatir(x, chemin, sortie);
                chemin.pop();
            }
        }
        Value::Array(l) => {
            for (i, x) in l.iter().enumerate() {
                chemin.push((i + 1).to_string());
                aplatir(x, chemin, sortie);
                chemin.pop();
            }
        }
        Value::Null => {}
        x => {
            sortie.insert(chemin.join("."), (chemin.clone(), x.clone()));
        }
    }
}

/// Whether the leaf at `chemin` is an amount in euros.
fn est_montant(chemin: &[String]) -> bool {
    let dans = |k: &str| chemin.iter().any(|s| s == k);
    dans("financement")
        || dans("budget_global")
        || dans("montants_proposes")
        || dans("engagement_etat")
        || dans("part_renforcee")
        || (dans("depenses") && dans("montants"))
}

/// A leaf's value as the pages show it.
fn formater(chemin: &[String], v: &Value) -> String {
    let dernier = chemin.last().map(String::as_str).unwrap_or("");
    if est_montant(chemin) {
        let m = match v {
            Value::Number(n) => n.as_i64().map(Montant::euros),
            Value::String(s) => Montant::parse(s).ok(),
            _ => None,
        };
        if let Some(m) = m {
            return m.to_string();
        }
    }
    match v {
        Value::Bool(true) => "oui".to_string(),
        Value::Bool(false) => "non".to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            if dernier == "etat"
                && chemin.len() == 1
                && let Some(e) = EtatContrat::depuis_code(s)
            {
                return e.libelle().to_string();
            }
            if let Ok(d) = Date::parse(s) {
                return d.to_string();
            }
            if let Some(l) = libelle_code(dernier, s) {
                return l.to_string();
            }
            s.clone()
        }
        autre => autre.to_string(),
    }
}

/// French labels of the enumerated codes the file stores in snake case.
fn libelle_code(cle: &str, code: &str) -> Option<&'static str> {
    Some(match (cle, code) {
        ("nature", "nouvelle") => NatureAction::Nouvelle.libelle(),
        ("nature", "renforcee") => NatureAction::Renforcee.libelle(),
        ("nature", "reconduction_calpae") => NatureAction::ReconductionCalpae.libelle(),
        ("mode_execution", "subvention") => "subvention",
        ("mode_execution", "marche") => "marché public",
        ("mode_execution", "regie") => "régie",
        _ => return None,
    })
}

/// The French label of one path segment; `parent` is the segment before it. Years and list
/// positions stay as they are (« 2024 », « 2 »); an unknown key is shown as named in the file.
fn libelle(segment: &str, parent: Option<&str>) -> String {
    let l = match (parent, segment) {
        (Some("financement"), "etat") => "État",
        (Some("financement"), "collectivite") => "Collectivité",
        (Some("montants_proposes"), a) => return format!("Axe {a}"),
        (_, "collectivite") => "Collectivité (code)",
        (_, "intitule") => "Intitulé",
        (_, "debut") => "Début",
        (_, "fin") => "Fin",
        (_, "etat") => "État du contrat",
        (_, "date_deliberation") => "Date de délibération",
        (_, "ami") => "Sélection par l'AMI",
        (_, "montants_proposes") => "Participation de l'État proposée",
        (_, "engagement_etat") => "Engagement de l'État (article 2.2)",
        (_, "signataires") => "Signataires",
        (_, "nom") => "Nom",
        (_, "nature") => "Nature",
        (_, "departement") => "Département",
        (_, "retenue") => "Retenue",
        (_, "date") => "Date",
        (_, "qualite") => "Qualité",
        (_, "organisation") => "Organisation",
        (_, "date_signature") => "Date de signature",
        (_, "description") => "Description",
        (_, "sous_axe") => "Sous-axe",
        (_, "type_action") => "Type d'action",
        (_, "hors_referentiel") => "Hors référentiel",
        (_, "derogation") => "Dérogation",
        (_, "accordee_par") => "Accordée par",
        (_, "justification") => "Justification",
        (_, "diplp_informee") => "DIPLP informée",
        (_, "date_information_diplp") => "Date d'information de la DIPLP",
        (_, "renforcement") => "Renforcement",
        (_, "existant") => "Action existante",
        (_, "part_renforcee") => "Part renforcée",
        (_, "reconduction") => "Reconduction",
        (_, "justification_efficacite") => "Justification de l'efficacité",
        (_, "justification_impact") => "Justification de l'impact",
        (_, "conformite_referentiel") => "Conformité au référentiel",
        (_, "accord_des_parties") => "Accord des parties",
        (_, "duree_mois") => "Durée (mois)",
        (_, "operateur") => "Opérateur",
        (_, "mode_execution") => "Mode d'exécution",
        (_, "partenaires") => "Partenaires",
        (_, "public_mobilite") => "Public de la mobilité",
        (_, "hors_plafond_slime") => "Hors plafond SLIME",
        (_, "evaluation_impact") => "Évaluation d'impact",
        (_, "financement") => "Financement",
        (_, "fse_plus") => "FSE+",
        (_, "autres") => "Autres cofinanceurs",
        (_, "cee") => "CEE",
        (_, "montants") => "Montants",
        (_, "budget_global") => "Budget global",
        (_, "depenses") => "Dépenses",
        (_, "poste") => "Poste",
        (_, "evaluation") => "Évaluation",
        (_, "indicateurs") => "Indicateurs locaux",
        (_, "indicateurs_nationaux") => "Indicateurs nationaux",
        (_, "libelle") => "Libellé",
        (_, "unite") => "Unité",
        (_, "t0") => "T0",
        (_, "cibles") => "Cibles",
        (_, "cible_finale") => "Cible finale",
        (_, "code") => "Code",
        (_, autre) => return autre.to_string(),
    };
    l.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fabrique::FicheBuilder;

    fn contrat() -> Contrat {
        crate::fabrique::contrat_metropole_minimal()
    }

    #[test]
    fn deux_versions_identiques_ne_different_en_rien() {
        let c = contrat();
        assert_eq!(differences(&c, &c.clone()), Vec::new());
    }

    #[test]
    fn un_montant_change_est_nomme_en_francais_et_formate() {
        let a = contrat();
        let mut b = a.clone();
        let an = crate::Annee::new(2024).unwrap();
        let avant = b.fiches[0].financement.etat[&an];
        let apres = avant + Montant::euros(5_000);
        b.fiches[0].financement.etat.insert(an, apres);
        let d = differences(&a, &b);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].fiche, Some(a.fiches[0].numero));
        assert_eq!(d[0].champ, "Financement › État › 2024");
        assert_eq!(d[0].chemin, "financement.etat.2024");
        assert_eq!(d[0].avant.as_deref(), Some(avant.to_string().as_str()));
        assert_eq!(d[0].apres.as_deref(), Some(apres.to_string().as_str()));
        assert!(d[0].apres.as_deref().unwrap().ends_with(" €"));
    }

    #[test]
    fn l_en_tete_avant_les_fiches_et_les_etats_par_leur_libelle() {
        let a = contrat();
        let mut b = a.clone();
        b.contrat.etat = EtatContrat::Valide;
        b.contrat.intitule = Some("Nouveau titre".into());
        b.fiches[0].intitule = "Autre intitulé".into();
        let d = differences(&a, &b);
        let champs: Vec<(String, &str)> = d.iter().map(|x| (x.objet(), x.champ.as_str())).collect();
        assert_eq!(
            champs,
            vec![
                ("Contrat".to_string(), "État du contrat"),
                ("Contrat".to_string(), "Intitulé"),
                (format!("Fiche {}", a.fiches[0].numero), "Intitulé"),
            ]
        );
        assert_eq!(d[0].apres.as_deref(), Some(EtatContrat::Valide.libelle()));
        assert_eq!(d[1].apres.as_deref(), Some("Nouveau titre"));
    }

    #[test]
    fn une_fiche_ajoutee_ou_retiree_est_une_difference() {
        let a = contrat();
        let mut b = a.clone();
        let nouvelle = FicheBuilder::new("2.2", "AT-2-2.2.1-01", Montant::euros(1_000)).build();
        let n = nouvelle.numero;
        b.fiches.push(nouvelle);
        let d = differences(&a, &b);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (d[0].fiche, d[0].champ.as_str(), d[0].avant.as_deref()),
            (Some(n), "Fiche", None)
        );
        assert!(d[0].apres.as_deref().unwrap().starts_with(&format!("{n} — ")));
        let retour = differences(&b, &a);
        assert_eq!(retour.len(), 1);
        assert_eq!(retour[0].apres, None);
    }
}
