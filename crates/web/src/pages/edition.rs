//! Write pages: contract creation and header, fiche view/create/edit/delete, lifecycle.
//!
//! Every form is read at the edge: on any faulty field the form comes back (422) with exactly
//! what was typed and a French error next to the field, and nothing is written. A write that
//! was based on a stale version is refused (409) and nothing is overwritten.

use askama::Template;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use pacte_core::contrat::{EnTete, EtatContrat, NatureAction, NumeroFiche};
use pacte_core::referentiel::referentiel;
use pacte_core::{Annee, Contrat, FicheAction, Montant, verifier};
use pacte_store::{ContratStocke, ErreurStore};

use super::Page;
use super::formulaire::contrat::{self as fc, FormContrat};
use super::formulaire::fiche::{self as ff, FormFiche};
use super::formulaire::{Champ, ConstatVu, ErreurChamp, Saisie, abrege, nom_serde};
use crate::{ErreurWeb, Etat, Utilisateur};
use pacte_core::droits::{self, Action, Cible};

type Champs = Form<Vec<(String, String)>>;

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Renders a template with a status other than 200.
pub(crate) fn rendre_statut<T: Template>(statut: StatusCode, t: &T) -> Result<Response, ErreurWeb> {
    Ok((statut, Html(t.render()?)).into_response())
}

pub(crate) fn id_contrat(texte: &str) -> Result<i64, ErreurWeb> {
    texte
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| {
            ErreurWeb::introuvable(format!(
                "Aucun contrat ne porte le numéro « {} ».",
                abrege(texte, 40)
            ))
        })
}

pub(super) fn numero_fiche(texte: &str) -> Result<NumeroFiche, ErreurWeb> {
    NumeroFiche::parse(texte).map_err(|_| {
        ErreurWeb::introuvable(format!(
            "Aucune fiche ne porte le numéro « {} ».",
            abrege(texte, 40)
        ))
    })
}

/// Contract `id` for a change of its header or fiches: the user must be allowed to modify it,
/// and its state must allow changes (409 otherwise, naming the state).
async fn contrat_a_modifier(etat: &Etat, u: &Utilisateur, id: i64) -> Result<ContratStocke, ErreurWeb> {
    let c = u.contrat_pour(etat, id, Action::Modifier).await?;
    etat_permis(Action::Modifier, &c)?;
    Ok(c)
}

/// 409 when the contract's state does not allow `action`.
pub(crate) fn etat_permis(action: Action, c: &ContratStocke) -> Result<EtatContrat, ErreurWeb> {
    droits::etat_apres(action, c.contrat.contrat.etat).map_err(|m| ErreurWeb {
        statut: StatusCode::CONFLICT,
        code: "conflit",
        message: format!("{}.", premiere_majuscule(&m)),
        champ: None,
    })
}

/// The guard of a fiche write, run by the store on the contract's header as stored inside the
/// write's transaction: the contract's state must still allow `action` (a contract validated
/// meanwhile refuses the write).
pub(crate) fn garde_etat(action: Action) -> impl FnOnce(&EnTete) -> Result<(), pacte_store::Refus> + Send {
    move |e: &EnTete| {
        droits::etat_apres(action, e.etat)
            .map(|_| ())
            .map_err(|m| pacte_store::Refus::new(format!("{}.", premiere_majuscule(&m))))
    }
}

/// The guard of a header write by `action`, run by the store on the contract as stored (header
/// and fiches) inside the write's transaction: the stored state must still lead to the new
/// header's state by `action`, and a step that requires conformity (« validé » onwards) must
/// find no blocking finding on the contract as it will be — fiches written since the caller
/// read it included.
pub(crate) fn garde_entete(
    action: Action,
    apres: EnTete,
) -> impl FnOnce(&Contrat) -> Result<(), pacte_store::Refus> + Send {
    move |stocke: &Contrat| {
        let avant = stocke.contrat.etat;
        match droits::etat_apres(action, avant) {
            Err(m) => return Err(pacte_store::Refus::new(format!("{}.", premiere_majuscule(&m)))),
            Ok(vers)
                if vers != apres.etat || (vers != avant && !fc::etats_suivants(avant).contains(&vers)) =>
            {
                return Err(pacte_store::Refus::new(format!(
                    "Le contrat est à l'étape « {} » : il ne peut pas passer à l'étape « {} ».",
                    avant.libelle(),
                    apres.etat.libelle()
                )));
            }
            Ok(_) => {}
        }
        if apres.etat != avant && fc::exige_conformite(apres.etat) {
            let cible = apres.etat;
            let essai = Contrat {
                contrat: apres,
                fiches: stocke.fiches.clone(),
            };
            let mut codes: Vec<String> = Vec::new();
            let mut n = 0;
            for k in verifier(&essai)
                .iter()
                .filter(|k| k.gravite == pacte_core::Gravite::Bloquant)
            {
                n += 1;
                if !codes.iter().any(|c| c == k.code) {
                    codes.push(k.code.to_string());
                }
            }
            if n > 0 {
                let pluriel = if n > 1 { "s" } else { "" };
                return Err(pacte_store::Refus::avec_codes(
                    format!(
                        "Le contrat porte {n} constat{pluriel} bloquant{pluriel} ({}) : {} être corrigé{pluriel} avant de passer à l'étape « {} ». Rien n'a été enregistré.",
                        codes.join(", "),
                        if n > 1 { "ils doivent" } else { "il doit" },
                        cible.libelle()
                    ),
                    codes,
                ));
            }
        }
        Ok(())
    }
}

fn premiere_majuscule(texte: &str) -> String {
    let mut c = texte.chars();
    c.next()
        .map(|p| p.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The position of fiche `numero` in a stored contract.
pub(super) fn position(c: &ContratStocke, numero: NumeroFiche) -> Result<usize, ErreurWeb> {
    c.contrat
        .fiches
        .iter()
        .position(|f| f.numero == numero)
        .ok_or_else(|| {
            ErreurWeb::introuvable(format!(
                "Le contrat n° {} n'a pas de fiche {numero} (elle a pu être supprimée ou renumérotée).",
                c.tampon.id
            ))
        })
}

/// The version sent back by a form.
pub(super) fn version_saisie(s: &Saisie) -> Result<i64, ErreurWeb> {
    s.get("version").trim().parse::<i64>().map_err(|_| {
        ErreurWeb::invalide(
            "Le formulaire ne porte pas la version de l'enregistrement modifié : rechargez la page avant d'enregistrer ; rien n'a été écrit.",
            Some("version".into()),
        )
    })
}

pub(super) fn page_contrat(
    etat: &Etat,
    titre: impl Into<String>,
    id: Option<i64>,
    entete: Option<&pacte_core::contrat::EnTete>,
) -> Page {
    let page = Page::new(etat, titre, "/contrats").ariane("Contrats", Some("/contrats".into()));
    match (id, entete) {
        (Some(id), Some(e)) => page.ariane(e.nom_collectivite(), Some(format!("/contrats/{id}"))),
        _ => page,
    }
}

#[derive(Template)]
#[template(path = "fiche_conflit.html")]
struct PageConflit {
    page: Page,
    message: String,
    recharger: String,
    retour: String,
}

/// `2024-06-27T09:15:02.123Z` as `le 27 juin 2024 à 11 h 15` (Paris time); other texts as they are.
fn horodatage(iso: &str) -> String {
    pacte_core::temps::horodatage_lisible(iso)
}

/// A store error after a write: the conflict page (409) naming who changed the record, with a
/// reload link; other errors as usual.
pub(super) fn erreur_ecriture(
    etat: &Etat,
    e: ErreurStore,
    recharger: String,
    retour: String,
) -> Result<Response, ErreurWeb> {
    match e {
        ErreurStore::Conflit {
            quoi,
            par,
            le,
            attendue,
            actuelle,
        } => {
            let accord = if quoi.starts_with("la ") {
                "modifiée"
            } else {
                "modifié"
            };
            let mut quoi = quoi;
            if let Some(premiere) = quoi.get_mut(..1) {
                premiere.make_ascii_uppercase();
            }
            rendre_statut(
                StatusCode::CONFLICT,
                &PageConflit {
                    page: Page::new(etat, "Modification concurrente", "/contrats"),
                    message: format!(
                        "{quoi} a été {accord} par {} {} depuis que vous l'avez ouvert(e) (version {attendue} lue, version {actuelle} enregistrée) : rien n'a été écrit.",
                        crate::comptes::auteur_lisible(&par),
                        horodatage(&le)
                    ),
                    recharger,
                    retour,
                },
            )
        }
        e => Err(e.into()),
    }
}

fn enregistre(requete: &Option<String>) -> bool {
    requete
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == "enregistre=1"))
}

// ---------------------------------------------------------------------------------------------
// Contract header

#[derive(Debug, Clone)]
struct Transition {
    etat: String,
    libelle: String,
    date: Option<Champ>,
    secondaire: bool,
}

#[derive(Debug, Clone)]
struct Cycle {
    id: i64,
    etat: String,
    version: i64,
    suivants: Vec<Transition>,
}

#[derive(Debug, Clone)]
struct Refus {
    titre: String,
    message: String,
    constats: Vec<ConstatVu>,
}

#[derive(Template)]
#[template(path = "contrat_formulaire.html")]
struct PageContrat {
    page: Page,
    titre: String,
    action: String,
    bouton: &'static str,
    annuler: String,
    id: Option<i64>,
    version: Option<i64>,
    f: FormContrat,
    erreurs: Vec<ErreurChamp>,
    message: Option<String>,
    cycle: Option<Cycle>,
    refus: Option<Refus>,
    /// The header form is offered (the user may modify the header in the contract's state);
    /// otherwise the page only offers the lifecycle steps.
    modifier: bool,
}

fn cycle(etat: &Etat, c: &ContratStocke, date_saisie: Option<&str>, erreur_date: Option<String>) -> Cycle {
    let entete = &c.contrat.contrat;
    let cible = Cible::contrat(&c.contrat);
    // Only the steps the user may take are offered.
    let suivants = fc::etats_suivants(entete.etat)
        .iter()
        .filter(|e| {
            crate::comptes::action_vers(**e)
                .is_some_and(|a| etat.visiteur.as_ref().is_some_and(|v| v.peut(a, &cible)))
        })
        .map(|e| Transition {
            etat: nom_serde(e),
            libelle: e.libelle().to_string(),
            date: (*e == EtatContrat::Delibere).then(|| Champ {
                nom: "date_deliberation".into(),
                id: "cycle-date_deliberation".into(),
                libelle: "Date de la délibération".into(),
                precision: String::new(),
                aide: "Exigée pour l'étape « délibéré » (R-DOC-05).".into(),
                valeur: date_saisie
                    .map(str::to_string)
                    .or_else(|| entete.date_deliberation.map(|d| d.iso()))
                    .unwrap_or_default(),
                erreur: erreur_date.clone(),
                constats: Vec::new(),
            }),
            secondaire: *e == EtatContrat::Denonce,
        })
        .collect();
    Cycle {
        id: c.tampon.id,
        etat: entete.etat.libelle().to_string(),
        version: c.tampon.version,
        suivants,
    }
}

/// The header edit page of a stored contract, from `saisie` (the stored values or what was typed).
fn page_modifier_contrat(
    etat: &Etat,
    c: &ContratStocke,
    saisie: &Saisie,
    erreurs: Vec<ErreurChamp>,
    version: i64,
) -> PageContrat {
    let id = c.tampon.id;
    let constats = verifier(&c.contrat);
    let f = if erreurs.is_empty() {
        fc::formulaire(saisie, &erreurs, Some((&constats, id)))
    } else {
        fc::formulaire(saisie, &erreurs, None)
    };
    PageContrat {
        page: page_contrat(
            etat,
            "Modifier l'en-tête du contrat",
            Some(id),
            Some(&c.contrat.contrat),
        )
        .ariane("Modifier l'en-tête", None),
        titre: format!("Contrat de {} : en-tête", c.contrat.contrat.nom_collectivite()),
        action: format!("/contrats/{id}/modifier"),
        bouton: "Enregistrer l'en-tête",
        annuler: format!("/contrats/{id}"),
        id: Some(id),
        version: Some(version),
        f,
        erreurs,
        message: None,
        cycle: Some(cycle(etat, c, None, None)),
        refus: None,
        modifier: etat
            .visiteur
            .as_ref()
            .is_some_and(|v| v.propose(Action::Modifier, &c.contrat)),
    }
}

/// Whether `u` may create a contract at all: the national administrator, or the editor of a
/// collectivity for its own contract.
fn exiger_creation(u: &Utilisateur) -> Result<(), ErreurWeb> {
    u.exiger(Action::Importer, &u.cible_creation())
}

pub async fn nouveau_contrat(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    exiger_creation(&u)?;
    let etat = etat.pour(&u);
    let s = fc::saisie_vierge();
    super::rendre(&page_nouveau_contrat(&etat, &s, Vec::new()))
}

fn page_nouveau_contrat(etat: &Etat, s: &Saisie, erreurs: Vec<ErreurChamp>) -> PageContrat {
    PageContrat {
        page: page_contrat(etat, "Nouveau contrat", None, None).ariane("Nouveau contrat", None),
        titre: "Nouveau contrat local des solidarités".into(),
        action: "/contrats/nouveau".into(),
        bouton: "Créer le contrat",
        annuler: "/contrats".into(),
        id: None,
        version: None,
        f: fc::formulaire(s, &erreurs, None),
        erreurs,
        message: None,
        cycle: None,
        refus: None,
        modifier: true,
    }
}

pub async fn creer_contrat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    exiger_creation(&u)?;
    let etat = etat.pour(&u);
    let s = Saisie::new(champs);
    match fc::lire(&s, None) {
        Err(erreurs) => rendre_statut(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_nouveau_contrat(&etat, &s, erreurs),
        ),
        Ok(entete) => {
            let contrat = Contrat {
                contrat: entete,
                fiches: Vec::new(),
            };
            u.exiger(Action::Importer, &Cible::contrat(&contrat))?;
            let ids = etat.base.importer(&[contrat], &u.acteur()).await?;
            let id = ids
                .first()
                .copied()
                .ok_or_else(|| ErreurWeb::interne("import sans identifiant"))?;
            Ok(Redirect::to(&format!("/contrats/{id}")).into_response())
        }
    }
}

pub async fn modifier_contrat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    RawQuery(requete): RawQuery,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = u.contrat_pour(&etat, id_contrat(&id)?, Action::Lire).await?;
    // The header page also carries the lifecycle steps: open to whoever may modify the
    // header or take one of its steps.
    let cible = Cible::contrat(&c.contrat);
    let une_etape = fc::etats_suivants(c.contrat.contrat.etat)
        .iter()
        .filter_map(|e| crate::comptes::action_vers(*e))
        .any(|a| u.peut(a, &cible));
    if !une_etape {
        u.exiger(Action::Modifier, &cible)?;
    }
    let s = fc::saisie_de(&c.contrat.contrat);
    let mut p = page_modifier_contrat(&etat, &c, &s, Vec::new(), c.tampon.version);
    if enregistre(&requete) {
        p.message = Some(
            "En-tête enregistré. Les constats affichés sont recalculés sur le contrat enregistré.".into(),
        );
    }
    super::rendre(&p)
}

pub async fn enregistrer_contrat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = contrat_a_modifier(&etat, &u, id_contrat(&id)?).await?;
    let id = c.tampon.id;
    let s = Saisie::new(champs);
    let version = version_saisie(&s)?;
    match fc::lire(&s, Some(&c.contrat.contrat)) {
        Err(erreurs) => rendre_statut(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_modifier_contrat(&etat, &c, &s, erreurs, version),
        ),
        Ok(entete) => {
            // The contract must stay within the user's reach (no moving it to another
            // collectivity).
            u.exiger(
                Action::Modifier,
                &Cible::Contrat {
                    collectivite: entete.collectivite.clone(),
                    etat: entete.etat,
                },
            )?;
            let garde = garde_entete(Action::Modifier, entete.clone());
            let ecrit = etat
                .base
                .modifier_entete(id, &entete, version, &u.acteur(), garde)
                .await;
            match ecrit {
                Ok(_) => Ok(Redirect::to(&format!("/contrats/{id}/modifier?enregistre=1")).into_response()),
                Err(e) => erreur_ecriture(
                    &etat,
                    e,
                    format!("/contrats/{id}/modifier"),
                    format!("/contrats/{id}"),
                ),
            }
        }
    }
}

pub async fn changer_etat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = u.contrat_pour(&etat, id_contrat(&id)?, Action::Lire).await?;
    let id = c.tampon.id;
    let s = Saisie::new(champs);
    let version = version_saisie(&s)?;
    let actuel = c.contrat.contrat.etat;
    let refuser_statut = |statut: StatusCode,
                          titre: String,
                          message: String,
                          constats: Vec<ConstatVu>,
                          erreur_date: Option<String>| {
        let mut p = page_modifier_contrat(
            &etat,
            &c,
            &fc::saisie_de(&c.contrat.contrat),
            Vec::new(),
            c.tampon.version,
        );
        p.cycle = Some(cycle(&etat, &c, Some(s.get("date_deliberation")), erreur_date));
        p.refus = Some(Refus {
            titre,
            message,
            constats,
        });
        rendre_statut(statut, &p)
    };
    let refuser = |titre, message, constats, erreur_date| {
        refuser_statut(
            StatusCode::UNPROCESSABLE_ENTITY,
            titre,
            message,
            constats,
            erreur_date,
        )
    };
    let demande = s.get("etat");
    let Some(cible) = fc::lire_etat(demande) else {
        return refuser(
            "Étape inconnue".into(),
            format!(
                "« {} » n'est pas une étape du contrat (brouillon, negociation, valide, delibere, signe, en_execution, evalue, clos, denonce).",
                abrege(demande, 40)
            ),
            Vec::new(),
            None,
        );
    };
    // Rights first: a contract the user may not change answers 403 whatever its state.
    let action = crate::comptes::action_vers(cible).unwrap_or(Action::Soumettre);
    u.exiger(action, &Cible::contrat(&c.contrat))?;
    let suivants = fc::etats_suivants(actuel);
    if !suivants.contains(&cible) || droits::etat_apres(action, actuel) != Ok(cible) {
        let possibles: Vec<&str> = suivants.iter().map(|e| e.libelle()).collect();
        return refuser(
            format!("Passage à l'étape « {} » impossible", cible.libelle()),
            format!(
                "Le contrat est à l'étape « {} » : {}.",
                actuel.libelle(),
                if possibles.is_empty() {
                    "aucune étape ne la suit".to_string()
                } else {
                    format!("l'étape suivante possible est « {} »", possibles.join(" » ou « "))
                }
            ),
            Vec::new(),
            None,
        );
    }
    let mut entete = c.contrat.contrat.clone();
    entete.etat = cible;
    match fc::lire_date(s.get("date_deliberation")) {
        Ok(Some(d)) => entete.date_deliberation = Some(d),
        Ok(None) => {}
        Err(e) => {
            let message = format!("Date invalide pour « Date de la délibération » : {e}.");
            return refuser(
                format!("Passage à l'étape « {} » impossible", cible.libelle()),
                message.clone(),
                Vec::new(),
                Some(message),
            );
        }
    }
    if cible == EtatContrat::Delibere && entete.date_deliberation.is_none() {
        let message =
            "La date de la délibération autorisant la signature est exigée pour passer à l'étape « délibéré » (R-DOC-05).".to_string();
        return refuser(
            "Passage à l'étape « délibéré » impossible".into(),
            message.clone(),
            Vec::new(),
            Some(message),
        );
    }
    if fc::exige_conformite(cible) {
        let essai = Contrat {
            contrat: entete.clone(),
            fiches: c.contrat.fiches.clone(),
        };
        let modifiable = u.propose(Action::Modifier, &c.contrat);
        let bloquants: Vec<ConstatVu> = verifier(&essai)
            .iter()
            .filter(|k| k.gravite == pacte_core::Gravite::Bloquant)
            .map(|k| ConstatVu::new(k, id, modifiable))
            .collect();
        if !bloquants.is_empty() {
            return refuser(
                format!("Passage à l'étape « {} » impossible", cible.libelle()),
                format!(
                    "Le contrat porte {} constat{} bloquant{} : {} doivent être corrigés avant de passer à l'étape « {} ». Rien n'a été enregistré.",
                    bloquants.len(),
                    if bloquants.len() > 1 { "s" } else { "" },
                    if bloquants.len() > 1 { "s" } else { "" },
                    if bloquants.len() > 1 { "ils" } else { "il" },
                    cible.libelle()
                ),
                bloquants,
                None,
            );
        }
    }
    // What was checked above is checked again by the store on the contract as stored, inside
    // the write's transaction: a fiche written meanwhile is judged too.
    let garde = garde_entete(action, entete.clone());
    match etat
        .base
        .modifier_entete(id, &entete, version, &u.acteur(), garde)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/contrats/{id}")).into_response()),
        Err(ErreurStore::Refus(r)) => {
            // The findings of the contract as it is now, as the store judged it.
            let modifiable = u.propose(Action::Modifier, &c.contrat);
            let constats = match etat.base.contrat(id).await {
                Ok(frais) => verifier(&Contrat {
                    contrat: entete,
                    fiches: frais.contrat.fiches,
                })
                .iter()
                .filter(|k| k.gravite == pacte_core::Gravite::Bloquant)
                .map(|k| ConstatVu::new(k, id, modifiable))
                .collect(),
                Err(_) => Vec::new(),
            };
            refuser_statut(
                StatusCode::CONFLICT,
                format!("Passage à l'étape « {} » impossible", cible.libelle()),
                r.message,
                constats,
                None,
            )
        }
        Err(e) => erreur_ecriture(
            &etat,
            e,
            format!("/contrats/{id}/modifier#etape"),
            format!("/contrats/{id}"),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Fiche view

#[derive(Debug, Clone)]
struct LigneBudget {
    annee: String,
    etat: String,
    collectivite: String,
    fse: String,
    autres: String,
    total: String,
    global: String,
    depenses: String,
    renforcee: String,
}

/// A row of a table: a label, a note, a mark and one value per column.
#[derive(Debug, Clone)]
struct LigneTableau {
    libelle: String,
    precision: String,
    marque: bool,
    montants: Vec<String>,
}

/// The fiche page's button to the derogation page (R-ACT-03).
#[derive(Debug, Clone)]
struct BoutonDerogation {
    libelle: &'static str,
    /// The fiche is out of the référentiel without a derogation (R-ACT-02): the main button.
    principal: bool,
}

#[derive(Template)]
#[template(path = "fiche.html")]
struct PageFiche {
    page: Page,
    contrat_id: i64,
    collectivite: String,
    numero: String,
    f: FicheAction,
    axe_numero: u8,
    axe: String,
    /// The user may edit the fiche (« Modifier la fiche »).
    modifier: bool,
    /// Offered to whoever may grant the derogation (the commissaire of the region).
    bouton_derogation: Option<BoutonDerogation>,
    /// R-ACT-02: out of the référentiel and no derogation.
    sans_derogation: bool,
    /// What was just recorded.
    notice: Option<&'static str>,
    sous_axe: String,
    type_action: String,
    nature: Option<&'static str>,
    mode: &'static str,
    public: Option<&'static str>,
    fin: Option<String>,
    renforcee: bool,
    annees: Vec<String>,
    budget: Vec<LigneBudget>,
    cofinanceurs: Vec<LigneTableau>,
    depenses: Vec<LigneTableau>,
    indicateurs: Vec<LigneTableau>,
    nationaux: Vec<LigneTableau>,
    nationaux_manquants: String,
    constats: Vec<ConstatVu>,
    nb_bloquants: usize,
}

fn montant_ou_tiret(m: Option<&Montant>) -> String {
    m.map(Montant::to_string).unwrap_or_else(|| "—".into())
}

fn valeur_ou_tiret<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

/// The findings of fiche `numero` among those of its contract.
/// `modifiable`: the reader may change the contract (the links then go to the fiche form).
pub(super) fn constats_fiche(
    contrat: &Contrat,
    numero: NumeroFiche,
    id: i64,
    modifiable: bool,
) -> Vec<ConstatVu> {
    verifier(contrat)
        .iter()
        .filter(|k| k.cible.fiche_concernee() == Some(numero))
        .map(|k| ConstatVu::new(k, id, modifiable))
        .collect()
}

/// A fiche's axis, sub-axis and action type in words, as the fiche and derogation pages show
/// them.
pub(super) fn rattachement(f: &FicheAction) -> (String, String, String) {
    let r = referentiel();
    let axe = r.axe(f.axe());
    let sous_axe = match (ff::place(f), &f.sous_axe) {
        (Some(p), _) => format!("{} — {}", p.sous_axe.code, p.sous_axe.intitule),
        (None, Some(s)) => format!("« {s} » (inconnu du référentiel)"),
        (None, None) => "non renseigné".into(),
    };
    let type_action = match f.type_action.as_deref() {
        Some(t) => match r.type_action(t) {
            Some((_, ta)) => format!("{} — {} ({})", ta.id, ta.intitule, ta.statut.libelle()),
            None => format!("« {t} » (inconnu du référentiel)"),
        },
        None => "non renseigné".into(),
    };
    (
        format!("Axe {} — {}", axe.code, axe.intitule),
        sous_axe,
        type_action,
    )
}

/// The notice of the fiche page after a derogation was recorded (`?derogation=…`).
fn notice_derogation(requete: &Option<String>) -> Option<&'static str> {
    let q = requete.as_deref()?;
    if q.split('&').any(|p| p == "derogation=accordee") {
        Some("Dérogation enregistrée. Les constats de la fiche sont recalculés.")
    } else if q.split('&').any(|p| p == "derogation=retiree") {
        Some("Dérogation retirée. Les constats de la fiche sont recalculés.")
    } else {
        None
    }
}

pub async fn fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    RawQuery(requete): RawQuery,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let numero = numero_fiche(&numero)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let f = c.contrat.fiches[position(&c, numero)?].clone();
    let r = referentiel();
    let place = ff::place(&f);
    let (axe, sous_axe, type_action) = rattachement(&f);
    let fin_ = &f.financement;
    let parts = f.renforcement.as_ref().map(|r| &r.part_renforcee);
    let mut budget: Vec<LigneBudget> = Annee::TOUTES
        .iter()
        .map(|a| LigneBudget {
            annee: a.to_string(),
            etat: fin_.etat(*a).to_string(),
            collectivite: fin_.collectivite(*a).to_string(),
            fse: fin_.fse_plus(*a).to_string(),
            autres: fin_.autres(*a).to_string(),
            total: fin_.total(*a).to_string(),
            global: montant_ou_tiret(f.budget_global.get(a)),
            depenses: f.depenses(*a).to_string(),
            renforcee: montant_ou_tiret(parts.and_then(|p| p.get(a))),
        })
        .collect();
    let somme = |g: &dyn Fn(Annee) -> Montant| -> String {
        Annee::TOUTES.iter().map(|a| g(*a)).sum::<Montant>().to_string()
    };
    budget.push(LigneBudget {
        annee: "Total 2024-2027".into(),
        etat: somme(&|a| fin_.etat(a)),
        collectivite: somme(&|a| fin_.collectivite(a)),
        fse: somme(&|a| fin_.fse_plus(a)),
        autres: somme(&|a| fin_.autres(a)),
        total: somme(&|a| fin_.total(a)),
        global: if f.budget_global.is_empty() {
            "—".into()
        } else {
            f.budget_global.values().sum::<Montant>().to_string()
        },
        depenses: somme(&|a| f.depenses(a)),
        renforcee: parts
            .map(|p| p.values().sum::<Montant>().to_string())
            .unwrap_or_else(|| "—".into()),
    });
    let par_annee = |m: &pacte_core::contrat::ParAnnee<Montant>| -> Vec<String> {
        Annee::TOUTES.iter().map(|a| montant_ou_tiret(m.get(a))).collect()
    };
    let cofinanceurs = fin_
        .autres
        .iter()
        .map(|c| LigneTableau {
            libelle: c.nom.clone(),
            precision: String::new(),
            marque: c.cee,
            montants: par_annee(&c.montants),
        })
        .collect();
    let depenses = f
        .depenses
        .iter()
        .map(|d| LigneTableau {
            libelle: d.poste.clone(),
            precision: if d.nature == pacte_core::contrat::NatureDepense::Investissement {
                "investissement".into()
            } else {
                String::new()
            },
            marque: d.evaluation,
            montants: par_annee(&d.montants),
        })
        .collect();
    let indicateurs = f
        .indicateurs
        .iter()
        .map(|i| {
            let mut v = vec![valeur_ou_tiret(i.t0)];
            v.extend(Annee::TOUTES.iter().map(|a| valeur_ou_tiret(i.cibles.get(a))));
            v.push(valeur_ou_tiret(i.cible_finale));
            LigneTableau {
                libelle: i.libelle.clone(),
                precision: i.unite.clone().unwrap_or_default(),
                marque: false,
                montants: v,
            }
        })
        .collect();
    let nationaux = f
        .indicateurs_nationaux
        .iter()
        .map(|t| {
            let mut v = vec![valeur_ou_tiret(t.t0)];
            v.extend(Annee::TOUTES.iter().map(|a| valeur_ou_tiret(t.cibles.get(a))));
            LigneTableau {
                libelle: t.code.clone(),
                precision: r
                    .indicateur(&t.code)
                    .map(|n| abrege(&n.libelle, 140))
                    .unwrap_or_else(|| "inconnu de l'annexe 6".into()),
                marque: false,
                montants: v,
            }
        })
        .collect();
    let manquants: Vec<String> = place
        .map(|p| {
            p.sous_axe
                .indicateurs_nationaux
                .iter()
                .filter(|code| {
                    !f.indicateurs_nationaux
                        .iter()
                        .any(|t| t.code.trim() == code.as_str())
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let modifiable = u.propose(Action::Modifier, &c.contrat);
    let constats = constats_fiche(&c.contrat, numero, id, modifiable);
    let entete = &c.contrat.contrat;
    let page = page_contrat(&etat, format!("Fiche {numero}"), Some(id), Some(entete))
        .ariane(format!("Fiche {numero}"), None);
    // The controls the user may use, from the same decision as their handlers.
    let sans_derogation = constats.iter().any(|k| k.code == "R-ACT-02") && f.derogation.is_none();
    let derogation = u
        .propose(Action::AccorderDerogation, &c.contrat)
        .then(|| BoutonDerogation {
            libelle: if f.derogation.is_some() {
                "Modifier la dérogation"
            } else {
                "Accorder une dérogation"
            },
            principal: sans_derogation,
        });
    super::rendre(&PageFiche {
        page,
        contrat_id: id,
        collectivite: entete.nom_collectivite(),
        numero: numero.to_string(),
        axe_numero: f.axe().numero(),
        axe,
        modifier: modifiable,
        bouton_derogation: derogation,
        sans_derogation,
        notice: notice_derogation(&requete),
        sous_axe,
        type_action,
        nature: f.nature.map(NatureAction::libelle),
        mode: match f.mode_execution {
            Some(pacte_core::contrat::ModeExecution::Subvention) => "subvention",
            Some(pacte_core::contrat::ModeExecution::Marche) => "marché public",
            Some(pacte_core::contrat::ModeExecution::Regie) => "régie",
            None => "non renseigné",
        },
        public: f.public_mobilite.map(|p| match p {
            pacte_core::contrat::PublicMobilite::BrsaDemandeursEmploi => {
                "bénéficiaires du RSA et demandeurs d'emploi (axe 2)"
            }
            pacte_core::contrat::PublicMobilite::TousPublics => "tous publics en précarité mobilité (axe 4)",
        }),
        fin: f.fin().map(|d| d.to_string()),
        renforcee: f.nature == Some(NatureAction::Renforcee) || f.renforcement.is_some(),
        annees: Annee::TOUTES.iter().map(ToString::to_string).collect(),
        budget,
        cofinanceurs,
        depenses,
        indicateurs,
        nationaux,
        nationaux_manquants: manquants.join(", "),
        nb_bloquants: constats.iter().filter(|k| k.bloquant).count(),
        constats,
        f,
    })
}

// ---------------------------------------------------------------------------------------------
// Fiche form

#[derive(Template)]
#[template(path = "fiche_formulaire.html")]
struct PageFicheFormulaire {
    page: Page,
    titre: String,
    collectivite: String,
    action: String,
    annuler: String,
    contrat_id: i64,
    /// The stored fiche's number (edit form only).
    numero: Option<String>,
    version: Option<i64>,
    f: FormFiche,
    erreurs: Vec<ErreurChamp>,
    message: Option<String>,
    nb_constats: usize,
    numeros_pris: String,
    /// The stored fiche's derogation, shown read-only: the commissaire grants it (R-ACT-03).
    derogation: Option<pacte_core::contrat::Derogation>,
}

fn numeros_pris(c: &ContratStocke, sauf: Option<NumeroFiche>) -> String {
    let mut n: Vec<NumeroFiche> = c
        .contrat
        .fiches
        .iter()
        .map(|f| f.numero)
        .filter(|n| Some(*n) != sauf)
        .collect();
    n.sort();
    n.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn page_nouvelle_fiche(
    etat: &Etat,
    c: &ContratStocke,
    s: &Saisie,
    erreurs: Vec<ErreurChamp>,
) -> PageFicheFormulaire {
    let id = c.tampon.id;
    let entete = &c.contrat.contrat;
    PageFicheFormulaire {
        page: page_contrat(etat, "Nouvelle fiche action", Some(id), Some(entete))
            .ariane("Nouvelle fiche", None),
        titre: "Nouvelle fiche action".into(),
        collectivite: entete.nom_collectivite(),
        action: format!("/contrats/{id}/fiches/nouvelle"),
        annuler: format!("/contrats/{id}"),
        contrat_id: id,
        numero: None,
        version: None,
        f: ff::formulaire(s, &erreurs, None),
        erreurs,
        message: None,
        nb_constats: 0,
        numeros_pris: numeros_pris(c, None),
        derogation: None,
    }
}

/// The edit form of fiche `numero`; findings are placed next to their fields unless the form
/// carries input errors (they describe the stored fiche, not what was typed).
fn page_modifier_fiche(
    etat: &Etat,
    c: &ContratStocke,
    numero: NumeroFiche,
    s: &Saisie,
    erreurs: Vec<ErreurChamp>,
    version: i64,
) -> PageFicheFormulaire {
    let id = c.tampon.id;
    let entete = &c.contrat.contrat;
    let constats = verifier(&c.contrat);
    let nb_constats = constats
        .iter()
        .filter(|k| k.cible.fiche_concernee() == Some(numero))
        .count();
    let f = if erreurs.is_empty() {
        ff::formulaire(s, &erreurs, Some((&constats, numero, id)))
    } else {
        ff::formulaire(s, &erreurs, None)
    };
    PageFicheFormulaire {
        page: page_contrat(
            etat,
            format!("Modifier la fiche {numero}"),
            Some(id),
            Some(entete),
        )
        .ariane(
            format!("Fiche {numero}"),
            Some(format!("/contrats/{id}/fiches/{numero}")),
        )
        .ariane("Modifier", None),
        titre: format!("Fiche action {numero}"),
        collectivite: entete.nom_collectivite(),
        action: format!("/contrats/{id}/fiches/{numero}/modifier"),
        annuler: format!("/contrats/{id}/fiches/{numero}"),
        contrat_id: id,
        numero: Some(numero.to_string()),
        version: Some(version),
        f,
        erreurs,
        message: None,
        nb_constats,
        numeros_pris: numeros_pris(c, Some(numero)),
        derogation: c
            .contrat
            .fiches
            .iter()
            .find(|f| f.numero == numero)
            .and_then(|f| f.derogation.clone()),
    }
}

/// A number already taken, found by the store at write time: shown on the number field.
fn erreur_numero(e: ErreurStore) -> Result<Vec<ErreurChamp>, ErreurStore> {
    match e {
        ErreurStore::Invalide(m) => Ok(vec![ErreurChamp {
            nom: "numero".into(),
            message: format!("Numéro de fiche refusé : {m}."),
        }]),
        e => Err(e),
    }
}

pub async fn nouvelle_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = u.contrat_pour(&etat, id_contrat(&id)?, Action::Modifier).await?;
    super::rendre(&page_nouvelle_fiche(&etat, &c, &ff::saisie_vierge(), Vec::new()))
}

pub async fn creer_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = contrat_a_modifier(&etat, &u, id_contrat(&id)?).await?;
    let id = c.tampon.id;
    let s = Saisie::new(champs);
    let autres: Vec<&FicheAction> = c.contrat.fiches.iter().collect();
    let refus = |erreurs| {
        rendre_statut(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_nouvelle_fiche(&etat, &c, &s, erreurs),
        )
    };
    match ff::lire(&s, None, &autres) {
        Err(erreurs) => refus(erreurs),
        Ok(fiche) => match etat
            .base
            .ajouter_fiche(id, &fiche, &u.acteur(), garde_etat(Action::Modifier))
            .await
        {
            Ok(_) => Ok(Redirect::to(&format!(
                "/contrats/{id}/fiches/{}/modifier?enregistre=1",
                fiche.numero
            ))
            .into_response()),
            Err(e) => refus(erreur_numero(e)?),
        },
    }
}

pub async fn modifier_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    RawQuery(requete): RawQuery,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let numero = numero_fiche(&numero)?;
    let c = u.contrat_pour(&etat, id, Action::Modifier).await?;
    let i = position(&c, numero)?;
    let s = ff::saisie_de(&c.contrat.fiches[i]);
    let mut p = page_modifier_fiche(&etat, &c, numero, &s, Vec::new(), c.fiches[i].version);
    if enregistre(&requete) {
        p.message = Some("Fiche enregistrée. Les constats sont recalculés sur le contrat enregistré.".into());
    }
    super::rendre(&p)
}

pub async fn enregistrer_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let numero = numero_fiche(&numero)?;
    let c = contrat_a_modifier(&etat, &u, id).await?;
    let i = position(&c, numero)?;
    let s = Saisie::new(champs);
    let version = version_saisie(&s)?;
    let actuelle = &c.contrat.fiches[i];
    let autres: Vec<&FicheAction> = c.contrat.fiches.iter().filter(|f| f.numero != numero).collect();
    let refus = |erreurs| {
        rendre_statut(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_modifier_fiche(&etat, &c, numero, &s, erreurs, version),
        )
    };
    match ff::lire(&s, Some(actuelle), &autres) {
        Err(erreurs) => refus(erreurs),
        Ok(fiche) => match etat
            .base
            .modifier_fiche(
                id,
                numero,
                &fiche,
                version,
                &u.acteur(),
                garde_etat(Action::Modifier),
            )
            .await
        {
            Ok(_) => Ok(Redirect::to(&format!(
                "/contrats/{id}/fiches/{}/modifier?enregistre=1",
                fiche.numero
            ))
            .into_response()),
            Err(e @ ErreurStore::Conflit { .. }) => erreur_ecriture(
                &etat,
                e,
                format!("/contrats/{id}/fiches/{numero}/modifier"),
                format!("/contrats/{id}"),
            ),
            Err(e) => refus(erreur_numero(e)?),
        },
    }
}

pub async fn supprimer_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let numero = numero_fiche(&numero)?;
    contrat_a_modifier(&etat, &u, id).await?;
    let s = Saisie::new(champs);
    let version = version_saisie(&s)?;
    match etat
        .base
        .supprimer_fiche(id, numero, version, &u.acteur(), garde_etat(Action::Modifier))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/contrats/{id}")).into_response()),
        Err(ErreurStore::Introuvable { .. }) => Err(ErreurWeb::introuvable(format!(
            "Le contrat n° {id} n'a pas de fiche {numero} (elle a pu être supprimée ou renumérotée)."
        ))),
        Err(e) => erreur_ecriture(
            &etat,
            e,
            format!("/contrats/{id}/fiches/{numero}/modifier"),
            format!("/contrats/{id}"),
        ),
    }
}
