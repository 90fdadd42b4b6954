//! Contract writes: new contract, header form, lifecycle transitions, and the guards every
//! contract or fiche write goes through (state allowed, header unchanged since read).
//!
//! Every form is read at the edge: on any faulty field the form comes back (422) with exactly
//! what was typed and a French error next to the field, and nothing is written. A write that
//! was based on a stale version is refused (409) and nothing is overwritten.

use askama::Template;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::contrat::{EnTete, EtatContrat, NumeroFiche};
use pacte_core::{Contrat, verifier};
use pacte_store::{ContratStocke, ErreurStore};

use crate::contrats::formulaire::{self as fc, FormContrat};
use crate::ui::formulaire::{Champ, ConstatVu, ErreurChamp, Saisie, abrege, nom_serde};
use crate::ui::{Page, rendre_statut};
use crate::{ErreurWeb, Etat, Utilisateur};
use pacte_core::droits::{self, Action, Cible};

pub(crate) type Champs = Form<Vec<(String, String)>>;

// ---------------------------------------------------------------------------------------------
// Shared helpers

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

pub(crate) fn numero_fiche(texte: &str) -> Result<NumeroFiche, ErreurWeb> {
    NumeroFiche::parse(texte).map_err(|_| {
        ErreurWeb::introuvable(format!(
            "Aucune fiche ne porte le numéro « {} ».",
            abrege(texte, 40)
        ))
    })
}

/// Contract `id` for a change of its header or fiches: the user must be allowed to modify it,
/// and its state must allow changes (409 otherwise, naming the state).
pub(crate) async fn contrat_a_modifier(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
) -> Result<ContratStocke, ErreurWeb> {
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
pub(crate) fn position(c: &ContratStocke, numero: NumeroFiche) -> Result<usize, ErreurWeb> {
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
pub(crate) fn version_saisie(s: &Saisie) -> Result<i64, ErreurWeb> {
    s.get("version").trim().parse::<i64>().map_err(|_| {
        ErreurWeb::invalide(
            "Le formulaire ne porte pas la version de l'enregistrement modifié : rechargez la page avant d'enregistrer ; rien n'a été écrit.",
            Some("version".into()),
        )
    })
}

pub(crate) fn page_contrat(
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
pub(crate) fn horodatage(iso: &str) -> String {
    pacte_core::temps::horodatage_lisible(iso)
}

/// A store error after a write: the conflict page (409) naming who changed the record, with a
/// reload link; other errors as usual.
pub(crate) fn erreur_ecriture(
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

pub(crate) fn enregistre(requete: &Option<String>) -> bool {
    requete
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == "enregistre=1"))
}

// ---------------------------------------------------------------------------------------------
// Contract header

#[derive(Debug, Clone)]
pub(crate) struct Transition {
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
pub(crate) struct Refus {
    titre: String,
    message: String,
    constats: Vec<ConstatVu>,
}

#[derive(Template)]
#[template(path = "contrat_formulaire.html")]
pub(crate) struct PageContrat {
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
    /// A save met a newer version: what the other person saved, field by field.
    conflit: Option<crate::ui::conflit::Conflit>,
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
        conflit: None,
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
    crate::ui::rendre(&page_nouveau_contrat(&etat, &s, Vec::new()))
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
        conflit: None,
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
            // One contract per collectivity and period: refused inside the write.
            let id = etat.base.creer_contrat(&contrat, &u.acteur()).await?;
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
    crate::ui::rendre(&p)
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
                // The form comes back with what was typed beside the stored version.
                Err(e @ ErreurStore::Conflit { .. }) => match etat.base.contrat(id).await {
                    Ok(frais) => {
                        let stockee = fc::saisie_de(&frais.contrat.contrat);
                        let mut champs = fc::libelles(&s);
                        champs.extend(fc::libelles(&stockee));
                        let mut p =
                            page_modifier_contrat(&etat, &frais, &s, Vec::new(), frais.tampon.version);
                        p.conflit = Some(crate::ui::conflit::Conflit {
                            message: fc::message_conflit(&e).unwrap_or_default(),
                            ecarts: crate::ui::conflit::ecarts(&s, &stockee, &champs),
                        });
                        rendre_statut(StatusCode::CONFLICT, &p)
                    }
                    Err(_) => erreur_ecriture(
                        &etat,
                        e,
                        format!("/contrats/{id}/modifier"),
                        format!("/contrats/{id}"),
                    ),
                },
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
    // A step whose act carries something is taken on its own form, with a confirmation
    // (`contrats::actes`); only the submission and the validation are taken here, each
    // recording its act.
    let etape = pacte_core::actes::Etape::vers_etat(cible);
    if let Some(e) = etape
        && !matches!(
            e,
            pacte_core::actes::Etape::Soumission | pacte_core::actes::Etape::Validation
        )
    {
        return Ok(Redirect::to(&format!("/contrats/{id}/etapes/{}", e.code())).into_response());
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
    let acte = match etape {
        Some(pacte_core::actes::Etape::Soumission) => {
            pacte_core::actes::Acte::Soumission { observation: None }
        }
        _ => pacte_core::actes::Acte::Validation { observation: None },
    };
    let apres = entete.clone();
    match etat
        .base
        .enregistrer_acte(id, version, &acte, &[], &u.acteur(), move |stocke, _| {
            garde(stocke)?;
            Ok(apres)
        })
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/contrats/{id}?etape={}", acte.etape().code())).into_response()),
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
