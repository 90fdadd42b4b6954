//! The audit log, read in the application by whoever may (`Action::LireJournalAudit`: the
//! national administrator): the entries newest first, filtered and paginated by the store, the
//! integrity of the chain, and one entry with its change made readable.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use pacte_core::droits::{Action, Cible};
use pacte_core::territoires::territoires;
use pacte_store::audit::{ENTITES, OPERATIONS};
use pacte_store::{EntreeAudit, FiltreJournal, RapportAudit};
use serde::Deserialize;
use serde_json::Value;

use crate::comptes::{Auteurs, date_heure};
use crate::ui::pagination::{Pagination, lire_page};
use crate::ui::{Page, rendre};
use crate::{ErreurWeb, Etat, Utilisateur};

/// The list of entries.
pub const LISTE: &str = crate::ui::ADRESSE_JOURNAL;

/// Entries per page.
pub const PAR_PAGE: i64 = 50;

/// Up to this many entries, the list verifies the whole chain on every view; beyond, on
/// demand (« Vérifier la chaîne »). A verification reads every entry and every audited record:
/// about 150 ms for the 7 626 entries of the national set (125 contracts, 7 500 fiches).
pub const VERIFICATION_AUTOMATIQUE: i64 = 10_000;

/// Whether the list verifies the chain by itself, for a log of `entrees` entries.
fn verification_automatique(entrees: i64) -> bool {
    entrees <= VERIFICATION_AUTOMATIQUE
}

fn exiger(u: &Utilisateur) -> Result<(), ErreurWeb> {
    u.exiger(Action::LireJournalAudit, &Cible::Journal)
}

/// An entity for people.
pub fn entite_lisible(entite: &str) -> String {
    match entite {
        "contrat" => "Contrat".into(),
        "fiche" => "Fiche".into(),
        "utilisateur" => "Compte utilisateur".into(),
        "jeton_api" => "Jeton d'API".into(),
        "lien_proconnect" => "Liaison ProConnect".into(),
        "referentiel" => "Référentiel".into(),
        autre => autre.into(),
    }
}

/// An operation for people.
pub fn operation_lisible(operation: &str) -> String {
    match operation {
        "creation" => "Création".into(),
        "modification" => "Modification".into(),
        "suppression" => "Suppression".into(),
        "chargement" => "Chargement".into(),
        "modification du mot de passe" => "Modification du mot de passe".into(),
        "desactivation" => "Désactivation".into(),
        "revocation" => "Révocation".into(),
        "liaison" => "Liaison ProConnect".into(),
        "autorisation de liaison" => "Autorisation de liaison ProConnect".into(),
        autre => autre.into(),
    }
}

/// Who wrote an entry, for people (named from `auteurs`), and the page of their account when
/// there is one.
pub fn acteur_lisible(acteur: &str, auteurs: &Auteurs) -> (String, Option<String>) {
    let lien = match acteur.splitn(3, ':').collect::<Vec<_>>()[..] {
        ["utilisateur", id, _] if id.parse::<i64>().is_ok() => {
            Some(format!("/administration/utilisateurs/{id}"))
        }
        _ => None,
    };
    (auteurs.lisible(acteur), lien)
}

/// The snapshot of an entry: after the change, or before it for a deletion.
fn instantane(e: &EntreeAudit) -> Option<Value> {
    e.apres
        .as_deref()
        .or(e.avant.as_deref())
        .and_then(|t| serde_json::from_str(t).ok())
}

fn texte_de(v: Option<&Value>, cle: &str) -> Option<String> {
    v?.get(cle)?.as_str().map(str::to_string)
}

/// Where the objects of a set of entries are now: fiches by id, contracts still there.
#[derive(Debug, Default)]
struct Lieux {
    fiches: HashMap<i64, (i64, String)>,
    contrats: HashSet<i64>,
}

impl Lieux {
    async fn de(etat: &Etat, entrees: &[EntreeAudit]) -> Result<Lieux, ErreurWeb> {
        let ids = |entite: &str| -> Vec<i64> {
            let mut v: Vec<i64> = entrees
                .iter()
                .filter(|e| e.entite == entite)
                .filter_map(|e| e.entite_id.parse().ok())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        Ok(Lieux {
            fiches: etat.base.fiches_par_id(&ids("fiche")).await?,
            contrats: etat.base.contrats_existants(&ids("contrat")).await?,
        })
    }
}

/// The object of an entry for people, and its page when it still exists.
fn objet(e: &EntreeAudit, lieux: &Lieux) -> (String, Option<String>) {
    let v = instantane(e);
    let id: Option<i64> = e.entite_id.parse().ok();
    match e.entite.as_str() {
        "contrat" => {
            let nom = texte_de(v.as_ref(), "collectivite")
                .and_then(|c| territoires().collectivite(&c).map(|c| c.nom.clone()));
            let texte = match nom {
                Some(n) => format!("Contrat n° {} ({n})", e.entite_id),
                None => format!("Contrat n° {}", e.entite_id),
            };
            let lien = id
                .filter(|i| lieux.contrats.contains(i))
                .map(|i| format!("/contrats/{i}"));
            (texte, lien)
        }
        "fiche" => match id.and_then(|i| lieux.fiches.get(&i)) {
            Some((contrat, numero)) => (
                format!("Fiche {numero} du contrat n° {contrat}"),
                Some(format!("/contrats/{contrat}/fiches/{numero}")),
            ),
            None => {
                let texte = match texte_de(v.as_ref(), "numero") {
                    Some(numero) => format!("Fiche {numero} (n° {}, supprimée depuis)", e.entite_id),
                    None => format!("Fiche n° {} (supprimée depuis)", e.entite_id),
                };
                (texte, None)
            }
        },
        "utilisateur" => {
            let email = texte_de(v.as_ref(), "email").unwrap_or_else(|| format!("n° {}", e.entite_id));
            (
                format!("Compte {email}"),
                id.map(|i| format!("/administration/utilisateurs/{i}")),
            )
        }
        "jeton_api" => (format!("Jeton d'API n° {}", e.entite_id), None),
        "lien_proconnect" => (
            format!("Liaison ProConnect du compte n° {}", e.entite_id),
            id.map(|i| format!("/administration/utilisateurs/{i}")),
        ),
        "referentiel" => ("Référentiel des actions".into(), None),
        autre => (format!("{autre} {}", e.entite_id), None),
    }
}

/// The integrity banner: verified entries, or the first break.
struct Integrite {
    /// « Chaîne intègre : 1 234 entrées vérifiées ».
    titre: String,
    rupture: Option<(i64, String)>,
}

impl From<RapportAudit> for Integrite {
    fn from(r: RapportAudit) -> Integrite {
        let titre = match r.entrees {
            0 => "Chaîne intègre : journal vide".to_string(),
            1 => "Chaîne intègre : 1 entrée vérifiée".to_string(),
            n => format!("Chaîne intègre : {} entrées vérifiées", nombre(n as i64)),
        };
        // Entries the key did not authenticate were checked for continuity only: say so.
        let titre = match r.entrees - r.authentifiees {
            0 => titre,
            n if r.authentifiees == 0 => format!(
                "{titre} (continuité de la chaîne seulement : {} non authentifiée(s) par la clé du journal)",
                nombre(n as i64)
            ),
            n => format!(
                "{titre} (dont {} non authentifiée(s) par la clé du journal : continuité seulement)",
                nombre(n as i64)
            ),
        };
        // Money rows edited behind the application's back: shown as a break at the head.
        let montants = r.montants.first().map(|m| {
            (
                r.entrees as i64,
                format!(
                    "{m} ({} écart(s) entre les montants stockés et les fiches)",
                    r.montants.len()
                ),
            )
        });
        Integrite {
            titre,
            rupture: r.rupture.map(|r| (r.entree, r.raison)).or(montants),
        }
    }
}

/// « 1 234 » (ASCII spaces between thousands, as amounts are written).
pub fn nombre(n: i64) -> String {
    let chiffres = n.unsigned_abs().to_string();
    let mut sortie = String::new();
    for (i, c) in chiffres.chars().enumerate() {
        if i > 0 && (chiffres.len() - i).is_multiple_of(3) {
            sortie.push(' ');
        }
        sortie.push(c);
    }
    if n < 0 { format!("-{sortie}") } else { sortie }
}

// ---------------------------------------------------------------------------------------------
// List

#[derive(Debug, Default, Deserialize)]
pub struct Filtres {
    #[serde(default)]
    entite: String,
    #[serde(default)]
    acteur: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
    /// Kept as text: a page that is not a number gets a French message.
    #[serde(default)]
    page: String,
    /// `oui`: verify the chain even when the log is long.
    #[serde(default)]
    verifier: String,
}

struct LigneJournal {
    id: i64,
    date: String,
    acteur: String,
    acteur_lien: Option<String>,
    objet: String,
    objet_lien: Option<String>,
    operation: String,
}

#[derive(Template)]
#[template(path = "journal.html")]
struct PageJournal {
    page: Page,
    /// `None` when the log is too long to be verified on every view and was not asked to be.
    integrite: Option<Integrite>,
    /// Entries in the whole log (its head).
    entrees_journal: String,
    /// The address that verifies the chain, with the same filters and page.
    lien_verifier: String,
    lignes: Vec<LigneJournal>,
    total: i64,
    total_texte: String,
    pagination: Pagination,
    choix_entites: Vec<(String, String)>,
    choix_operations: Vec<(String, String)>,
    entite: String,
    acteur: String,
    operation: String,
    du: String,
    au: String,
    filtre: bool,
}

/// A day of the period filter: `AAAA-MM-JJ` (what a date field sends).
fn lire_jour(texte: &str, quoi: &str) -> Result<Option<String>, ErreurWeb> {
    let t = texte.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let b = t.as_bytes();
    let chiffres = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let valide = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && chiffres(0..4)
        && chiffres(5..7)
        && chiffres(8..10)
        && (1..=12).contains(&t[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&t[8..10].parse::<u32>().unwrap_or(0));
    if !valide {
        return Err(ErreurWeb::requete(format!(
            "La date « {quoi} » ({t}) n'est pas une date valide : le format attendu est AAAA-MM-JJ."
        )));
    }
    Ok(Some(t.to_string()))
}

/// The page number asked for: 1 when absent.
/// A value of a list filter: empty, or one of `permis`.
fn lire_choix(texte: &str, permis: &[&str], quoi: &str) -> Result<Option<String>, ErreurWeb> {
    let t = texte.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if permis.contains(&t) {
        Ok(Some(t.to_string()))
    } else {
        Err(ErreurWeb::requete(format!(
            "« {t} » n'est pas une valeur possible du filtre « {quoi} »."
        )))
    }
}

pub async fn liste(
    State(etat): State<Etat>,
    u: Utilisateur,
    Query(f): Query<Filtres>,
) -> Result<Response, ErreurWeb> {
    exiger(&u)?;
    let etat = etat.pour(&u);
    let numero = lire_page(&f.page)?;
    let acteur: String = f.acteur.trim().chars().take(200).collect();
    let filtre = FiltreJournal {
        entite: lire_choix(&f.entite, ENTITES, "objet")?,
        acteur: Some(acteur.clone()).filter(|a| !a.is_empty()),
        operation: lire_choix(&f.operation, OPERATIONS, "opération")?,
        du: lire_jour(&f.du, "du")?,
        au: lire_jour(&f.au, "au")?,
    };
    let resultat = etat.base.journal_filtre(&filtre, numero, PAR_PAGE).await?;
    let tete = etat.base.generation().await?;
    let integrite = if f.verifier == "oui" || verification_automatique(tete) {
        Some(Integrite::from(etat.base.verifier_audit().await?))
    } else {
        None
    };
    let lieux = Lieux::de(&etat, &resultat.entrees).await?;
    let auteurs = Auteurs::lire(&etat.base, resultat.entrees.iter().map(|e| e.acteur.as_str())).await?;
    let lignes = resultat
        .entrees
        .iter()
        .map(|e| {
            let (acteur, acteur_lien) = acteur_lisible(&e.acteur, &auteurs);
            let (objet, objet_lien) = objet(e, &lieux);
            LigneJournal {
                id: e.id,
                date: date_heure(&e.horodatage),
                acteur,
                acteur_lien,
                objet,
                objet_lien,
                operation: operation_lisible(&e.operation),
            }
        })
        .collect();
    // The address of page `n` with the same filters.
    let parametres: Vec<(&str, String)> = [
        ("entite", filtre.entite.clone().unwrap_or_default()),
        ("acteur", acteur.clone()),
        ("operation", filtre.operation.clone().unwrap_or_default()),
        ("du", filtre.du.clone().unwrap_or_default()),
        ("au", filtre.au.clone().unwrap_or_default()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let lien = |n: i64| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &parametres {
            q.append_pair(k, v);
        }
        q.append_pair("page", &n.to_string());
        format!("{LISTE}?{}", q.finish())
    };
    let lien_verifier = format!("{}&verifier=oui", lien(numero));
    let pagination = Pagination::new("Pagination du journal", numero, resultat.total, PAR_PAGE, lien);
    let choix = |valeurs: &[&str], lisible: fn(&str) -> String, tous: &str| {
        let mut v: Vec<(String, String)> = valeurs.iter().map(|c| (c.to_string(), lisible(c))).collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v.insert(0, (String::new(), tous.to_string()));
        v
    };
    let total_texte = match resultat.total {
        0 => "Aucune entrée ne correspond.".to_string(),
        1 => "1 entrée.".to_string(),
        n => format!("{} entrées.", nombre(n)),
    };
    rendre(&PageJournal {
        page: Page::new(&etat, "Journal d'audit", LISTE).ariane("Journal d'audit", None),
        integrite,
        entrees_journal: nombre(tete),
        lien_verifier,
        lignes,
        total: resultat.total,
        total_texte,
        pagination,
        choix_entites: choix(ENTITES, entite_lisible, "Tous les objets"),
        choix_operations: choix(OPERATIONS, operation_lisible, "Toutes les opérations"),
        filtre: filtre != FiltreJournal::default(),
        entite: filtre.entite.unwrap_or_default(),
        acteur,
        operation: filtre.operation.unwrap_or_default(),
        du: filtre.du.unwrap_or_default(),
        au: filtre.au.unwrap_or_default(),
    })
}

// ---------------------------------------------------------------------------------------------
// One entry

/// A JSON document as flat (path, value) pairs, in document order: `financement.etat.2024`,
/// `indicateurs[0].t0`. Empty objects and arrays are leaves.
pub fn aplatir(v: &Value) -> Vec<(String, Value)> {
    fn parcourir(chemin: &str, v: &Value, sortie: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    let c = if chemin.is_empty() {
                        k.clone()
                    } else {
                        format!("{chemin}.{k}")
                    };
                    parcourir(&c, x, sortie);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, x) in a.iter().enumerate() {
                    parcourir(&format!("{chemin}[{i}]"), x, sortie);
                }
            }
            _ => sortie.push((chemin.to_string(), v.clone())),
        }
    }
    let mut sortie = Vec::new();
    parcourir("", v, &mut sortie);
    sortie
}

/// The fields that differ between two documents: (path, before, after), `None` where the
/// field is absent; in the order of `avant`, then the fields only `apres` has.
pub fn difference(avant: &Value, apres: &Value) -> Vec<(String, Option<Value>, Option<Value>)> {
    let a = aplatir(avant);
    let b = aplatir(apres);
    let index_b: HashMap<&str, &Value> = b.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let index_a: HashMap<&str, &Value> = a.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut sortie = Vec::new();
    for (k, v) in &a {
        match index_b.get(k.as_str()) {
            Some(w) if *w == v => {}
            Some(w) => sortie.push((k.clone(), Some(v.clone()), Some((*w).clone()))),
            None => sortie.push((k.clone(), Some(v.clone()), None)),
        }
    }
    for (k, w) in &b {
        if !index_a.contains_key(k.as_str()) {
            sortie.push((k.clone(), None, Some(w.clone())));
        }
    }
    sortie
}

/// A value for people: text as is, `null` as « (vide) », the rest as JSON.
fn valeur_lisible(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(Value::Null) => "(vide)".into(),
        Some(Value::String(s)) if s.is_empty() => "(texte vide)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "oui".into(),
        Some(Value::Bool(false)) => "non".into(),
        Some(autre) => autre.to_string(),
    }
}

struct Changement {
    champ: String,
    avant: String,
    apres: String,
}

/// What the detail page shows of the change.
enum Contenu {
    /// Before and after: the fields that changed.
    Changements(Vec<Changement>),
    /// One snapshot (creation, deletion): its fields.
    Instantane {
        titre: String,
        champs: Vec<(String, String)>,
    },
    /// A snapshot that does not read as JSON: as stored.
    Brut {
        titre: String,
        texte: String,
    },
    Rien,
}

#[derive(Template)]
#[template(path = "journal_entree.html")]
struct PageEntree {
    page: Page,
    e: EntreeAudit,
    date: String,
    acteur: String,
    acteur_lien: Option<String>,
    objet: String,
    objet_lien: Option<String>,
    entite: String,
    operation: String,
    contenu: Contenu,
    precedente: Option<i64>,
}

fn contenu(e: &EntreeAudit) -> Contenu {
    let lire = |t: &Option<String>| t.as_deref().map(serde_json::from_str::<Value>);
    match (lire(&e.avant), lire(&e.apres)) {
        (Some(Ok(a)), Some(Ok(b))) => Contenu::Changements(
            difference(&a, &b)
                .into_iter()
                .map(|(champ, avant, apres)| Changement {
                    champ,
                    avant: valeur_lisible(avant.as_ref()),
                    apres: valeur_lisible(apres.as_ref()),
                })
                .collect(),
        ),
        (avant, apres) => {
            let (titre, doc, texte) = match (apres, avant) {
                (Some(doc), _) => ("État enregistré", doc, e.apres.clone()),
                (None, Some(doc)) => ("État avant la suppression", doc, e.avant.clone()),
                (None, None) => return Contenu::Rien,
            };
            match doc {
                Ok(v) => Contenu::Instantane {
                    titre: titre.into(),
                    champs: aplatir(&v)
                        .into_iter()
                        .map(|(k, v)| (k, valeur_lisible(Some(&v))))
                        .collect(),
                },
                Err(_) => Contenu::Brut {
                    titre: titre.into(),
                    texte: texte.unwrap_or_default(),
                },
            }
        }
    }
}

pub async fn entree(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    exiger(&u)?;
    let etat = etat.pour(&u);
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| ErreurWeb::introuvable(format!("Le journal n'a pas d'entrée « {id} ».")))?;
    let e = etat
        .base
        .entree_audit(id)
        .await?
        .ok_or_else(|| ErreurWeb::introuvable(format!("Le journal n'a pas d'entrée n° {id}.")))?;
    let lieux = Lieux::de(&etat, std::slice::from_ref(&e)).await?;
    let auteurs = Auteurs::lire(&etat.base, [e.acteur.as_str()]).await?;
    let (acteur, acteur_lien) = acteur_lisible(&e.acteur, &auteurs);
    let (objet, objet_lien) = objet(&e, &lieux);
    let titre = format!("Entrée n° {id} du journal d'audit");
    rendre(&PageEntree {
        page: Page::new(&etat, titre.clone(), LISTE)
            .ariane("Journal d'audit", Some(LISTE.to_string()))
            .ariane(format!("Entrée n° {id}"), None),
        date: date_heure(&e.horodatage),
        acteur,
        acteur_lien,
        objet,
        objet_lien,
        entite: entite_lisible(&e.entite),
        operation: operation_lisible(&e.operation),
        contenu: contenu(&e),
        precedente: (id > 1).then_some(id - 1),
        e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn acteurs_lisibles() {
        let marie = Auteurs::de([(3, ("Marie Dupont".to_string(), "marie@exemple.fr".to_string()))].into());
        let personne = Auteurs::default();
        assert_eq!(
            acteur_lisible("utilisateur:3:marie@exemple.fr", &marie),
            (
                "Marie Dupont (marie@exemple.fr)".into(),
                Some("/administration/utilisateurs/3".into())
            )
        );
        assert_eq!(
            acteur_lisible("utilisateur:3:marie@exemple.fr", &personne).0,
            "marie@exemple.fr"
        );
        assert_eq!(
            acteur_lisible("jeton:12:marie@exemple.fr", &marie).0,
            "Marie Dupont (marie@exemple.fr), jeton d'API n° 12"
        );
        assert_eq!(
            acteur_lisible("proconnect:abc-123", &personne).0,
            "ProConnect (première connexion)"
        );
        assert_eq!(
            acteur_lisible("cli:marie", &personne).0,
            "ligne de commande (marie)"
        );
        assert_eq!(acteur_lisible("demo", &personne).0, "données de démonstration");
        assert_eq!(acteur_lisible("autre:chose", &personne).0, "autre:chose");
    }

    #[test]
    fn difference_a_plat() {
        let avant = json!({"intitule": "A", "financement": {"etat": {"2024": 10, "2025": 5}}, "liste": [1, 2], "vide": null});
        let apres = json!({"intitule": "B", "financement": {"etat": {"2024": 12, "2025": 5}}, "liste": [1], "nouveau": true, "vide": null});
        let d = difference(&avant, &apres);
        let chemins: Vec<&str> = d.iter().map(|(c, _, _)| c.as_str()).collect();
        assert_eq!(
            chemins,
            ["financement.etat.2024", "intitule", "liste[1]", "nouveau"]
        );
        assert_eq!(d[0].1, Some(json!(10)));
        assert_eq!(d[0].2, Some(json!(12)));
        assert_eq!(d[2].2, None);
        assert_eq!(d[3].1, None);
        assert!(difference(&avant, &avant).is_empty());
    }

    #[test]
    fn nombres_et_filtres() {
        assert_eq!(nombre(7), "7");
        assert_eq!(nombre(7500), "7 500");
        assert_eq!(nombre(1_234_567), "1 234 567");
        assert_eq!(lire_page("").unwrap(), 1);
        assert_eq!(lire_page("3").unwrap(), 3);
        assert!(lire_page("abc").is_err());
        assert!(lire_page("0").is_err());
        assert_eq!(
            lire_jour("2026-11-23", "du").unwrap().as_deref(),
            Some("2026-11-23")
        );
        assert!(lire_jour("23/11/2026", "du").is_err());
        assert!(lire_jour("2026-13-01", "du").is_err());
        // The national set is verified on every view; a log several times longer, on demand.
        assert!(verification_automatique(7_626));
        assert!(!verification_automatique(VERIFICATION_AUTOMATIQUE + 1));
    }
}
