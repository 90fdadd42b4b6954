//! User administration: national administrators list the accounts, create them and assign
//! their role and scope (`Action::GererUtilisateurs`).
//!
//! Every handler asks `Utilisateur::exiger(GererUtilisateurs, Utilisateurs)` first. Forms are
//! validated here, field by field, before anything is written: a refused form answers 422 with
//! what was typed and one French message per faulty field. The role and scope are checked by
//! `pacte_core::droits::Habilitation::new`, the same check as the command line's. The store
//! keeps the last active national administrator (checked in its transaction) and the version
//! of the account (a stale form answers 409, naming who changed the account and when).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use pacte_core::droits::{Action, Cible, Habilitation, Perimetre, Portee, Role};
use pacte_core::territoires::territoires;
use pacte_store::ErreurStore;
use pacte_store::comptes::{NouvelUtilisateur, ProfilUtilisateur, Utilisateur as Compte};
use serde::Deserialize;

use crate::comptes::{
    Auteurs, auteur_lisible, code_perimetre, code_role, date_heure, lire_habilitation, lire_role,
    mot_de_passe, verifier_nom,
};
use crate::ui::{Page, rendre};
use crate::{ErreurWeb, Etat, Utilisateur};

/// The list of accounts.
pub const LISTE: &str = crate::ui::ADRESSE_UTILISATEURS;

/// Role code of the accounts waiting for a habilitation.
const EN_ATTENTE: &str = "aucun";

fn exiger(u: &Utilisateur) -> Result<(), ErreurWeb> {
    u.exiger(Action::GererUtilisateurs, &Cible::Utilisateurs)
}

/// Number of active accounts waiting for a habilitation (role `aucun`).
pub async fn comptes_en_attente(etat: &Etat) -> Result<i64, ErreurWeb> {
    Ok(etat.base.compter_actifs_par_role(EN_ATTENTE).await?)
}

/// « 2 comptes en attente d'habilitation ».
pub fn texte_en_attente(n: i64) -> String {
    match n {
        0 => "Aucun compte en attente d'habilitation".into(),
        1 => "1 compte en attente d'habilitation".into(),
        n => format!("{n} comptes en attente d'habilitation"),
    }
}

/// A stored scope for people, with the territory's name; the stored text when it no longer
/// reads.
fn perimetre_lisible(c: &Compte) -> String {
    match lire_habilitation(&c.role, &c.perimetre) {
        Ok(h) => h.perimetre().to_string(),
        Err(_) => format!("{} (illisible)", c.perimetre),
    }
}

fn role_lisible(c: &Compte) -> String {
    lire_role(&c.role)
        .map(|r| r.libelle().to_string())
        .unwrap_or_else(|_| format!("{} (inconnu)", c.role))
}

// ---------------------------------------------------------------------------------------------
// List

#[derive(Debug, Clone)]
struct LigneCompte {
    id: i64,
    email: String,
    nom: String,
    role: String,
    en_attente: bool,
    perimetre: String,
    actif: bool,
    cree_le: String,
    modifie_par: String,
    modifie_le: String,
}

#[derive(Template)]
#[template(path = "utilisateurs.html")]
struct PageUtilisateurs {
    page: Page,
    lignes: Vec<LigneCompte>,
    total: usize,
    en_attente: i64,
    texte_en_attente: String,
    /// (code, label) of the role filter, « tous » first, then the accounts waiting.
    choix_roles: Vec<(String, String)>,
    role: String,
    etat_compte: String,
    q: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Filtres {
    #[serde(default)]
    role: String,
    /// `actifs`, `inactifs`, or anything else for all.
    #[serde(default)]
    etat: String,
    #[serde(default)]
    q: String,
}

pub async fn liste(
    State(etat): State<Etat>,
    u: Utilisateur,
    Query(f): Query<Filtres>,
) -> Result<Response, ErreurWeb> {
    exiger(&u)?;
    let etat = etat.pour(&u);
    let comptes = etat.base.utilisateurs().await?;
    let en_attente = comptes.iter().filter(|c| c.actif && c.role == EN_ATTENTE).count() as i64;
    let role = lire_role(&f.role).map(code_role).unwrap_or_default();
    let etat_compte = match f.etat.as_str() {
        "actifs" | "inactifs" => f.etat.clone(),
        _ => String::new(),
    };
    let q: String = f.q.trim().chars().take(200).collect();
    let cherche = q.to_lowercase();
    let auteurs = Auteurs::de(
        comptes
            .iter()
            .map(|c| (c.id, (c.nom.clone(), c.email.clone())))
            .collect(),
    );
    let mut lignes: Vec<LigneCompte> = comptes
        .iter()
        .filter(|c| role.is_empty() || c.role == role)
        .filter(|c| match etat_compte.as_str() {
            "actifs" => c.actif,
            "inactifs" => !c.actif,
            _ => true,
        })
        .filter(|c| {
            cherche.is_empty()
                || c.email.to_lowercase().contains(&cherche)
                || c.nom.to_lowercase().contains(&cherche)
        })
        .map(|c| LigneCompte {
            id: c.id,
            email: c.email.clone(),
            nom: c.nom.clone(),
            role: role_lisible(c),
            en_attente: c.actif && c.role == EN_ATTENTE,
            perimetre: perimetre_lisible(c),
            actif: c.actif,
            cree_le: date_heure(&c.cree_le),
            modifie_par: auteurs.lisible(&c.modifie_par),
            modifie_le: date_heure(&c.modifie_le),
        })
        .collect();
    // The accounts waiting for a habilitation first, then by address.
    lignes.sort_by(|a, b| {
        b.en_attente
            .cmp(&a.en_attente)
            .then_with(|| a.email.cmp(&b.email))
    });
    let mut choix_roles = vec![
        (String::new(), "Tous les rôles".to_string()),
        (
            EN_ATTENTE.to_string(),
            format!("En attente d'habilitation ({en_attente})"),
        ),
    ];
    choix_roles.extend(
        Role::TOUS
            .into_iter()
            .filter(|r| *r != Role::Aucun)
            .map(|r| (code_role(r), r.libelle().to_string())),
    );
    rendre(&PageUtilisateurs {
        page: Page::new(&etat, "Utilisateurs", LISTE).ariane("Utilisateurs", None),
        total: lignes.len(),
        lignes,
        en_attente,
        texte_en_attente: texte_en_attente(en_attente),
        choix_roles,
        role,
        etat_compte,
        q,
    })
}

// ---------------------------------------------------------------------------------------------
// Form (creation and edition)

/// What the form sends. Every field is kept as typed, to be shown again on refusal.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FormUtilisateur {
    #[serde(default)]
    email: String,
    #[serde(default)]
    nom: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    departement: String,
    #[serde(default)]
    collectivite: String,
    /// A collectivity outside Pacte's list, by SIREN.
    #[serde(default)]
    siren: String,
    #[serde(default)]
    organisation: String,
    /// Creation only; empty: an account that signs in through ProConnect only.
    #[serde(default)]
    mot_de_passe: String,
    /// Edition only: `oui` or `non`.
    #[serde(default)]
    actif: String,
    /// Edition only: the version of the account the form was loaded from.
    #[serde(default)]
    version: String,
}

impl FormUtilisateur {
    /// The form of a stored account.
    fn depuis(c: &Compte) -> FormUtilisateur {
        let mut f = FormUtilisateur {
            email: c.email.clone(),
            nom: c.nom.clone(),
            role: c.role.clone(),
            actif: if c.actif { "oui" } else { "non" }.into(),
            version: c.version.to_string(),
            ..FormUtilisateur::default()
        };
        if let Ok(h) = lire_habilitation(&c.role, &c.perimetre) {
            match h.perimetre() {
                Perimetre::Region(code) => f.region = code.clone(),
                Perimetre::Departement(code) => f.departement = code.clone(),
                Perimetre::Collectivite(code) if territoires().collectivite(code).is_some() => {
                    f.collectivite = code.clone()
                }
                Perimetre::Collectivite(code) => f.siren = code.clone(),
                Perimetre::Organisation(nom) => f.organisation = nom.clone(),
                Perimetre::National | Perimetre::Aucun => {}
            }
        }
        f
    }
}

/// A field at fault: its name (the HTML id) and the message.
#[derive(Debug, Clone)]
struct Erreur {
    champ: &'static str,
    message: String,
}

/// An alert above the form (a conflict, a refusal of the store).
#[derive(Debug, Clone)]
struct Alerte {
    titre: String,
    message: String,
}

/// The account being edited, as stored.
#[derive(Debug, Clone)]
struct FicheCompte {
    email: String,
    role: String,
    perimetre: String,
    actif: bool,
    mot_de_passe: bool,
    cree_le: String,
    modifie_par: String,
    modifie_le: String,
    /// Its link to ProConnect, told (on the account's page only).
    proconnect: Option<String>,
    /// The label of the button authorising a ProConnect link, when offered.
    autoriser_liaison: Option<&'static str>,
}

impl FicheCompte {
    fn de(c: &Compte) -> FicheCompte {
        FicheCompte {
            email: c.email.clone(),
            role: role_lisible(c),
            perimetre: perimetre_lisible(c),
            actif: c.actif,
            mot_de_passe: c.hash_mot_de_passe.is_some(),
            cree_le: date_heure(&c.cree_le),
            modifie_par: auteur_lisible(&c.modifie_par),
            modifie_le: date_heure(&c.modifie_le),
            proconnect: None,
            autoriser_liaison: None,
        }
    }
}

/// A role in the select: code, label, the kind of scope it is exercised over.
#[derive(Debug, Clone)]
struct ChoixRole {
    code: String,
    libelle: String,
    portee: &'static str,
}

#[derive(Template)]
#[template(path = "utilisateur_formulaire.html")]
struct PageFormulaire {
    page: Page,
    titre: String,
    /// Where the form is sent.
    action: String,
    /// `None`: the creation form.
    compte: Option<FicheCompte>,
    f: FormUtilisateur,
    erreurs: Vec<Erreur>,
    alerte: Option<Alerte>,
    message: Option<&'static str>,
    roles: Vec<ChoixRole>,
    regions: Vec<(String, String)>,
    departements: Vec<(String, String)>,
    collectivites: Vec<(String, String)>,
}

impl PageFormulaire {
    fn new(etat: &Etat, compte: Option<&Compte>, f: FormUtilisateur) -> PageFormulaire {
        let (titre, action, page) = match compte {
            None => (
                "Créer un compte".to_string(),
                format!("{LISTE}/nouveau"),
                Page::new(etat, "Créer un compte", LISTE)
                    .ariane("Utilisateurs", Some(LISTE.to_string()))
                    .ariane("Créer un compte", None),
            ),
            Some(c) => (
                format!("Compte : {}", c.nom),
                format!("{LISTE}/{}", c.id),
                Page::new(etat, format!("Compte : {}", c.nom), LISTE)
                    .ariane("Utilisateurs", Some(LISTE.to_string()))
                    .ariane(c.email.clone(), None),
            ),
        };
        let t = territoires();
        let mut regions: Vec<(String, String)> = t
            .regions
            .iter()
            .map(|r| (r.code.clone(), format!("{} ({})", r.nom, r.code)))
            .collect();
        regions.sort_by(|a, b| a.1.cmp(&b.1));
        let departements = t
            .departements
            .iter()
            .map(|d| (d.code.clone(), format!("{} ({})", d.nom, d.code)))
            .collect();
        let mut collectivites: Vec<(String, String)> = t
            .collectivites
            .iter()
            .map(|c| {
                let siren = c
                    .siren
                    .as_ref()
                    .map(|s| format!(" — SIREN {}", s.as_str()))
                    .unwrap_or_default();
                (c.code.clone(), format!("{}{siren}", c.nom))
            })
            .collect();
        collectivites.sort_by(|a, b| a.1.cmp(&b.1));
        PageFormulaire {
            page,
            titre,
            action,
            compte: compte.map(FicheCompte::de),
            f,
            erreurs: Vec::new(),
            alerte: None,
            message: None,
            roles: Role::TOUS
                .into_iter()
                .map(|r| ChoixRole {
                    code: code_role(r),
                    libelle: r.libelle().to_string(),
                    portee: r.portee().libelle(),
                })
                .collect(),
            regions,
            departements,
            collectivites,
        }
    }

    /// The message of `champ`, if it is at fault.
    fn erreur(&self, champ: &str) -> Option<&str> {
        self.erreurs
            .iter()
            .find(|e| e.champ == champ)
            .map(|e| e.message.as_str())
    }

    fn repondre(&self, statut: StatusCode) -> Result<Response, ErreurWeb> {
        Ok((statut, Html(self.render()?)).into_response())
    }
}

/// « le nom est vide » → « Le nom est vide. »
fn phrase(message: &str) -> String {
    let mut c = message.trim().chars();
    let debut = c
        .next()
        .map(|p| p.to_uppercase().collect::<String>())
        .unwrap_or_default();
    let mut s = format!("{debut}{}", c.as_str());
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// The role and scope of the form, or the faulty fields. The scope is read from the field of
/// the role's kind (region, département, collectivity, organisation); the others are ignored.
fn habilitation_du_formulaire(f: &FormUtilisateur, erreurs: &mut Vec<Erreur>) -> Option<Habilitation> {
    let role = match lire_role(&f.role) {
        Ok(r) => r,
        Err(_) if f.role.trim().is_empty() => {
            erreurs.push(Erreur {
                champ: "role",
                message: "Rôle : choisissez un rôle dans la liste.".into(),
            });
            return None;
        }
        Err(e) => {
            erreurs.push(Erreur {
                champ: "role",
                message: format!("Rôle : {}", phrase(&e)),
            });
            return None;
        }
    };
    let (champ, libelle, perimetre) = match role.portee() {
        Portee::National => ("role", "Rôle", Perimetre::National),
        Portee::Aucun => ("role", "Rôle", Perimetre::Aucun),
        Portee::Region => ("region", "Région", Perimetre::Region(f.region.trim().into())),
        Portee::Departement => (
            "departement",
            "Département",
            Perimetre::Departement(f.departement.trim().into()),
        ),
        Portee::Collectivite => {
            if f.collectivite.trim().is_empty() && !f.siren.trim().is_empty() {
                (
                    "siren",
                    "SIREN",
                    Perimetre::Collectivite(f.siren.split_whitespace().collect()),
                )
            } else {
                (
                    "collectivite",
                    "Collectivité",
                    Perimetre::Collectivite(f.collectivite.trim().into()),
                )
            }
        }
        Portee::Organisation => (
            "organisation",
            "Organisation partenaire",
            Perimetre::Organisation(f.organisation.trim().into()),
        ),
    };
    let vide = match &perimetre {
        Perimetre::Region(c) | Perimetre::Departement(c) | Perimetre::Collectivite(c) => c.is_empty(),
        Perimetre::Organisation(n) => n.is_empty(),
        Perimetre::National | Perimetre::Aucun => false,
    };
    if vide {
        let consigne = match role.portee() {
            Portee::Region => "choisissez la région",
            Portee::Departement => "choisissez le département",
            Portee::Collectivite => "choisissez la collectivité dans la liste ou indiquez son SIREN",
            _ => "indiquez le nom de l'organisation",
        };
        erreurs.push(Erreur {
            champ,
            message: format!(
                "{libelle} : le rôle « {} » s'exerce sur {} ; {consigne}.",
                role.libelle(),
                role.portee().libelle()
            ),
        });
        return None;
    }
    match Habilitation::new(role, perimetre) {
        Ok(h) => Some(h),
        Err(e) => {
            erreurs.push(Erreur {
                champ,
                message: format!("{libelle} : {}", phrase(&e)),
            });
            None
        }
    }
}

fn verifier_le_nom(f: &FormUtilisateur, erreurs: &mut Vec<Erreur>) -> Option<String> {
    verifier_nom(&f.nom)
        .map_err(|e| {
            erreurs.push(Erreur {
                champ: "nom",
                message: format!("Nom : {}", phrase(&e)),
            })
        })
        .ok()
}

fn introuvable() -> ErreurWeb {
    ErreurWeb::introuvable("Ce compte n'existe pas.")
}

async fn compte(etat: &Etat, id: &str) -> Result<Compte, ErreurWeb> {
    let id: i64 = id.trim().parse().map_err(|_| introuvable())?;
    match etat.base.utilisateur(id).await {
        Ok(c) => Ok(c),
        Err(ErreurStore::Introuvable { .. }) => Err(introuvable()),
        Err(e) => Err(e.into()),
    }
}

// ----- Creation -----

pub async fn nouveau(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    exiger(&u)?;
    let etat = etat.pour(&u);
    let f = FormUtilisateur {
        role: code_role(Role::Aucun),
        ..FormUtilisateur::default()
    };
    rendre(&PageFormulaire::new(&etat, None, f))
}

pub async fn creer(
    State(etat): State<Etat>,
    u: Utilisateur,
    Form(f): Form<FormUtilisateur>,
) -> Result<Response, ErreurWeb> {
    exiger(&u)?;
    let etat = etat.pour(&u);
    let mut erreurs = Vec::new();
    let email = match pacte_store::comptes::email_valide(&f.email) {
        Ok(e) => match etat.base.utilisateur_par_email(&e).await? {
            Some(_) => {
                erreurs.push(Erreur {
                    champ: "email",
                    message: format!("Adresse électronique : un compte existe déjà pour l'adresse {e}."),
                });
                None
            }
            None => Some(e),
        },
        Err(ErreurStore::Invalide(_)) => {
            erreurs.push(Erreur {
                champ: "email",
                message: format!(
                    "Adresse électronique : « {} » n'est pas une adresse valide (attendu nom@domaine, sans espace).",
                    f.email.trim().chars().take(200).collect::<String>()
                ),
            });
            None
        }
        Err(e) => return Err(e.into()),
    };
    let nom = verifier_le_nom(&f, &mut erreurs);
    let habilitation = habilitation_du_formulaire(&f, &mut erreurs);
    let refus_mot_de_passe = if f.mot_de_passe.is_empty() {
        None
    } else {
        mot_de_passe::refus_nouveau(&f.mot_de_passe)
    };
    if let Some(m) = refus_mot_de_passe {
        erreurs.push(Erreur {
            champ: "mot_de_passe",
            message: format!("Mot de passe initial : {m}"),
        });
    }
    let (Some(email), Some(nom), Some(h), true) = (email, nom, habilitation, erreurs.is_empty()) else {
        return refuser(&etat, None, f, erreurs, None, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let nouveau = NouvelUtilisateur {
        email,
        nom,
        hash_mot_de_passe: (!f.mot_de_passe.is_empty())
            .then(|| mot_de_passe::hacher(&f.mot_de_passe, etat.options.cout_hachage)),
        role: code_role(h.role()),
        perimetre: code_perimetre(h.perimetre()),
    };
    match etat.base.creer_utilisateur(&nouveau, &u.acteur()).await {
        Ok(c) => Ok(Redirect::to(&format!("{LISTE}/{}?cree=1", c.id)).into_response()),
        Err(ErreurStore::Invalide(m)) => {
            let alerte = Alerte {
                titre: "Le compte n'a pas été créé".into(),
                message: phrase(&m),
            };
            refuser(
                &etat,
                None,
                f,
                Vec::new(),
                Some(alerte),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// The form again, with what was typed (never the password), the faults and the alert.
fn refuser(
    etat: &Etat,
    compte: Option<&Compte>,
    mut f: FormUtilisateur,
    erreurs: Vec<Erreur>,
    alerte: Option<Alerte>,
    statut: StatusCode,
) -> Result<Response, ErreurWeb> {
    f.mot_de_passe.clear();
    let mut p = PageFormulaire::new(etat, compte, f);
    p.erreurs = erreurs;
    p.alerte = alerte;
    p.repondre(statut)
}

// ----- Edition -----

#[derive(Debug, Deserialize)]
pub struct Enregistre {
    enregistre: Option<String>,
    cree: Option<String>,
    proconnect: Option<String>,
}

pub async fn fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    Query(q): Query<Enregistre>,
) -> Result<Response, ErreurWeb> {
    exiger(&u)?;
    let etat = etat.pour(&u);
    let c = compte(&etat, &id).await?;
    let mut p = PageFormulaire::new(&etat, Some(&c), FormUtilisateur::depuis(&c));
    let lien = etat.base.lien_proconnect(c.id).await?;
    if let Some(fc) = p.compte.as_mut() {
        let (texte, bouton) = match &lien {
            Some(l) if l.sujet.is_some() => (
                format!(
                    "lié à une identité ProConnect depuis le {}, par {}",
                    date_heure(&l.modifie_le),
                    auteur_lisible(&l.modifie_par)
                ),
                Some("Autoriser une nouvelle liaison ProConnect"),
            ),
            Some(l) => (
                format!(
                    "liaison autorisée le {} par {}, faite à la prochaine connexion par ProConnect",
                    date_heure(&l.modifie_le),
                    auteur_lisible(&l.modifie_par)
                ),
                None,
            ),
            None if c.hash_mot_de_passe.is_some() => (
                "non lié ; la personne peut le lier depuis son compte (« Lier mon compte ProConnect »), ou vous pouvez autoriser la liaison".into(),
                Some("Autoriser la liaison ProConnect"),
            ),
            None => (
                "non lié ; il le sera à la première connexion par ProConnect".into(),
                None,
            ),
        };
        fc.proconnect = etat.proconnect.is_some().then_some(texte);
        fc.autoriser_liaison = bouton.filter(|_| etat.proconnect.is_some());
    }
    p.message = if q.proconnect.is_some() {
        Some(
            "Liaison ProConnect autorisée : elle se fera à la prochaine connexion de la personne par ProConnect, avec l'adresse du compte.",
        )
    } else if q.cree.is_some() {
        Some("Compte créé.")
    } else if q.enregistre.is_some() {
        Some("Modifications enregistrées.")
    } else {
        None
    };
    rendre(&p)
}

pub async fn enregistrer(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    Form(mut f): Form<FormUtilisateur>,
) -> Result<Response, ErreurWeb> {
    exiger(&u)?;
    let etat = etat.pour(&u);
    let c = compte(&etat, &id).await?;
    // The address is not edited: it is the sign-in identity.
    f.email = c.email.clone();
    let mut erreurs = Vec::new();
    let nom = verifier_le_nom(&f, &mut erreurs);
    let habilitation = habilitation_du_formulaire(&f, &mut erreurs);
    let actif = match f.actif.as_str() {
        "oui" => Some(true),
        "non" => Some(false),
        _ => {
            erreurs.push(Erreur {
                champ: "actif",
                message: "État du compte : choisissez « Actif » ou « Désactivé ».".into(),
            });
            None
        }
    };
    if actif == Some(false) && c.id == u.compte.id {
        erreurs.push(Erreur {
            champ: "actif",
            message: "État du compte : vous ne pouvez pas désactiver votre propre compte ; un autre administrateur national peut le faire.".into(),
        });
    }
    let version = f.version.trim().parse::<i64>().ok();
    if version.is_none() {
        erreurs.push(Erreur {
            champ: "version",
            message: "Le formulaire ne porte pas la version du compte : rechargez la page, puis recommencez."
                .into(),
        });
    }
    let (Some(nom), Some(h), Some(actif), Some(version), true) =
        (nom, habilitation, actif, version, erreurs.is_empty())
    else {
        return refuser(
            &etat,
            Some(&c),
            f,
            erreurs,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let profil = ProfilUtilisateur {
        nom,
        role: code_role(h.role()),
        perimetre: code_perimetre(h.perimetre()),
        actif,
    };
    match etat
        .base
        .modifier_utilisateur(c.id, &profil, version, &u.acteur())
        .await
    {
        Ok(_) => {
            // An administrator who gave up their own role no longer reaches this page.
            let encore = c.id != u.compte.id || h.role() == Role::AdministrateurNational;
            let cible = if encore {
                format!("{LISTE}/{}?enregistre=1", c.id)
            } else {
                "/".to_string()
            };
            Ok(Redirect::to(&cible).into_response())
        }
        Err(ErreurStore::Conflit { par, le, .. }) => {
            // Shown with what the user typed, now over the current version: sending it again
            // replaces the other change knowingly.
            let actuel = etat.base.utilisateur(c.id).await?;
            f.version = actuel.version.to_string();
            let alerte = Alerte {
                titre: "Ce compte a été modifié pendant votre saisie".into(),
                message: format!(
                    "{} l'a modifié le {} : rien n'a été enregistré. Il est maintenant « {} », {}, {}. Vérifiez vos changements ci-dessous, puis enregistrez de nouveau.",
                    Auteurs::lire(&etat.base, [par.as_str()]).await?.lisible(&par),
                    date_heure(&le),
                    role_lisible(&actuel),
                    perimetre_lisible(&actuel),
                    if actuel.actif { "actif" } else { "désactivé" }
                ),
            };
            refuser(
                &etat,
                Some(&actuel),
                f,
                Vec::new(),
                Some(alerte),
                StatusCode::CONFLICT,
            )
        }
        Err(ErreurStore::Invalide(m)) => {
            // The last active national administrator is neither demoted nor deactivated.
            let champ = if actif { "role" } else { "actif" };
            let libelle = if actif { "Rôle" } else { "État du compte" };
            let erreurs = vec![Erreur {
                champ,
                message: format!("{libelle} : {}", phrase(&m)),
            }];
            refuser(
                &etat,
                Some(&c),
                f,
                erreurs,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

// ----- ProConnect -----

/// `POST /administration/utilisateurs/{id}/proconnect`: the explicit act that lets the next
/// ProConnect sign-in with the account's address link it to that identity — a password account
/// included, and replacing the identity it was linked to (audited by the store).
pub async fn autoriser_proconnect(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    exiger(&u)?;
    let c = compte(&etat, &id).await?;
    etat.base.autoriser_liaison_proconnect(c.id, &u.acteur()).await?;
    Ok(Redirect::to(&format!("{LISTE}/{}?proconnect=1", c.id)).into_response())
}
