//! The yearly indicator campaigns (issue 15): the national administrator opens the campaign of
//! year n (`/campagnes`); per contract (`/contrats/{id}/campagnes/{annee}`) the collectivity
//! enters every indicator of every fiche beside its target and the national indicator's
//! counting rules, and submits; the DDETS or the commissaire returns it with a remark per
//! figure, or validates it; the commissaire alone reopens validated figures, with a reason.
//! The mid-term evaluation is in [`mi_parcours`], the JSON API in [`api`].
//!
//! Nothing is computed here: expected figures, checks and attainment come from
//! `pacte_core::campagne`, rights from `pacte_core::droits`, the writes (version and state
//! re-checked inside the transaction, audited) from `pacte_store::campagnes`.

pub mod api;
pub mod mi_parcours;
pub mod rappels;
pub mod rappels_courriel;
pub mod tableur;

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::campagne::{
    self, CleValeur, ConstatCampagne, EtatCampagne, LigneAttendue, Transition, ValeurSaisie,
};
use pacte_core::contrat::EtatContrat;
use pacte_core::droits::{Action, Cible};
use pacte_core::referentiel::referentiel;
use pacte_core::regles::Gravite;
use pacte_core::{Annee, Contrat, Date, Valeur};
use pacte_store::campagnes::{CampagneStockee, SuiviCampagne, TransitionStockee};
use pacte_store::contrats::ContratStocke;
use pacte_store::{ErreurStore, Refus};

use crate::contrats::edition::{id_contrat, page_contrat};
use crate::ui::Page;
use crate::{ErreurWeb, Etat, Utilisateur};

/// The contract states in which a campaign concerns a contract (signed and after).
pub const ETATS_CONCERNES: [EtatContrat; 3] =
    [EtatContrat::Signe, EtatContrat::EnExecution, EtatContrat::Evalue];

/// The year of an address, or a French 404.
pub(crate) fn annee_de(texte: &str) -> Result<Annee, ErreurWeb> {
    texte
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|a| Annee::new(a).ok())
        .ok_or_else(|| ErreurWeb::introuvable(format!("Année « {texte} » hors du Pacte : de 2024 à 2027.")))
}

/// Today in Paris, by the store's clock.
pub(crate) fn aujourdhui() -> Date {
    pacte_store::horloge::instant().jour_a_paris()
}

/// The campaign of `annee`, or a French 404.
pub(crate) async fn campagne_ouverte(etat: &Etat, annee: Annee) -> Result<CampagneStockee, ErreurWeb> {
    etat.base
        .campagne(annee)
        .await?
        .ok_or_else(|| ErreurWeb::introuvable(format!("La campagne {annee} n'est pas ouverte.")))
}

/// Whether `u` may take `action` on contract `c` now (rights and contract state).
pub(crate) fn permis(u: &Utilisateur, c: &Contrat, action: Action) -> bool {
    u.peut(action, &Cible::contrat(c)) && pacte_core::droits::etat_apres(action, c.contrat.etat).is_ok()
}

/// The contract for `action`, 403/404 as every page, then 409 when its state does not allow it.
pub(crate) async fn contrat_pour(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    action: Action,
) -> Result<ContratStocke, ErreurWeb> {
    let c = u.contrat_pour(etat, id, action).await?;
    crate::contrats::edition::etat_permis(action, &c)?;
    Ok(c)
}

/// The contract, for whoever may take some step of its campaign (enter, instruct, reopen):
/// 404 for whoever may not read it, 403 for a reader without any of these rights. Checked
/// before the request's body is read, which names the step.
pub(crate) async fn contrat_pour_une_etape(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
) -> Result<ContratStocke, ErreurWeb> {
    let c = u.contrat_pour(etat, id, Action::Lire).await?;
    let cible = Cible::contrat(&c.contrat);
    let actions = [
        Action::SaisirCampagne,
        Action::InstruireCampagne,
        Action::RouvrirCampagne,
    ];
    if !actions.iter().any(|a| u.peut(*a, &cible)) {
        u.exiger(Action::SaisirCampagne, &cible)?;
    }
    Ok(c)
}

/// The store's guard of a transition: the contract's state (re-read in the write) allows the
/// right; a submission has no blocking finding (R-IND-05, R-REP-03, R-NI-*).
pub(crate) fn garde_transition(
    annee: Annee,
    transition: Transition,
) -> impl FnOnce(&Contrat, &SuiviCampagne, &[ValeurSaisie]) -> Result<(), Refus> + Send {
    move |contrat, _, valeurs| {
        pacte_core::droits::etat_apres(transition.action(), contrat.contrat.etat).map_err(Refus::new)?;
        if transition == Transition::Soumettre {
            refuser_bloquants(&campagne::verifier_soumission(contrat, annee, valeurs))?;
        }
        Ok(())
    }
}

/// A refusal naming the blocking findings, or nothing.
pub(crate) fn refuser_bloquants(constats: &[ConstatCampagne]) -> Result<(), Refus> {
    let bloquants: Vec<&ConstatCampagne> = constats
        .iter()
        .filter(|c| c.gravite == Gravite::Bloquant)
        .collect();
    if bloquants.is_empty() {
        return Ok(());
    }
    let mut message = String::from("Rien n'a été enregistré : ");
    message.push_str(
        &bloquants
            .iter()
            .take(5)
            .map(|c| format!("{} ({})", c.message, c.code))
            .collect::<Vec<_>>()
            .join(" ; "),
    );
    if bloquants.len() > 5 {
        message.push_str(&format!(" ; et {} autre(s)", bloquants.len() - 5));
    }
    let mut codes: Vec<String> = bloquants.iter().map(|c| c.code.to_string()).collect();
    codes.dedup();
    Err(Refus::avec_codes(message, codes))
}

/// The guard of a save: the contract's state allows entry, no blocking finding.
pub(crate) fn garde_saisie(
    annee: Annee,
    valeurs: Vec<ValeurSaisie>,
) -> impl FnOnce(&Contrat, &SuiviCampagne, &[ValeurSaisie]) -> Result<Vec<ValeurSaisie>, Refus> + Send {
    move |contrat, _, _| {
        pacte_core::droits::etat_apres(Action::SaisirCampagne, contrat.contrat.etat).map_err(Refus::new)?;
        refuser_bloquants(&campagne::verifier_saisie(contrat, annee, &valeurs))?;
        Ok(valeurs)
    }
}

/// The remarks of the last return, by figure, while the collectivity corrects.
pub(crate) fn remarques_en_cours(
    suivi: &SuiviCampagne,
    h: &[TransitionStockee],
) -> BTreeMap<CleValeur, String> {
    if !matches!(suivi.etat, EtatCampagne::Renvoyee | EtatCampagne::EnCours) {
        return BTreeMap::new();
    }
    let dernier_envoi = h.iter().rposition(|t| t.transition == "soumettre");
    match h.iter().rposition(|t| t.transition == "renvoyer") {
        Some(i) if dernier_envoi.is_none_or(|s| s < i) => h[i].remarques.iter().cloned().collect(),
        _ => BTreeMap::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The campaigns page
// ---------------------------------------------------------------------------------------------

struct LigneSuiviVue {
    id: i64,
    collectivite: String,
    etat: &'static str,
    code_etat: &'static str,
    echeance: String,
    en_retard: bool,
    soumise_en_retard: bool,
}

struct CampagneVue {
    annee: u16,
    echeance: String,
    ouverte_le: String,
    lignes: Vec<LigneSuiviVue>,
    validees: usize,
    en_retard: usize,
}

#[derive(Template)]
#[template(path = "campagnes.html")]
struct PageCampagnes {
    page: Page,
    campagnes: Vec<CampagneVue>,
    /// Years the national administrator may still open, with their default deadline.
    a_ouvrir: Vec<(u16, String)>,
    erreur: Option<String>,
}

/// The readable contracts a campaign concerns, with their campaign state.
pub(crate) async fn suivis_lisibles(
    etat: &Etat,
    u: &Utilisateur,
    c: &CampagneStockee,
) -> Result<Vec<(pacte_store::sommes::LigneContrat, SuiviCampagne)>, ErreurWeb> {
    let portee = u.habilitation.portee_lecture();
    let lignes = etat.base.contrats_lisibles(&portee, None, 1, None).await?.lignes;
    let mut suivis: BTreeMap<i64, SuiviCampagne> = etat
        .base
        .suivis_campagne(c.annee)
        .await?
        .into_iter()
        .map(|s| (s.contrat_id, s))
        .collect();
    Ok(lignes
        .into_iter()
        .filter(|l| ETATS_CONCERNES.contains(&l.etat))
        .map(|l| {
            let s = suivis.remove(&l.id).unwrap_or_else(|| SuiviCampagne {
                annee: c.annee,
                contrat_id: l.id,
                etat: EtatCampagne::NonCommencee,
                prolongation: None,
                soumise_le: None,
                soumise_en_retard: false,
                validee_le: None,
                tampon: pacte_store::Tampon {
                    id: l.id,
                    version: 0,
                    modifie_par: String::new(),
                    modifie_le: String::new(),
                },
            });
            (l, s)
        })
        .collect())
}

async fn rendre_campagnes(
    etat: &Etat,
    u: &Utilisateur,
    erreur: Option<String>,
) -> Result<Response, ErreurWeb> {
    let mut campagnes = Vec::new();
    let stockees = etat.base.campagnes().await?;
    let jour = aujourdhui();
    for c in stockees.iter().rev() {
        let mut lignes = Vec::new();
        for (l, s) in suivis_lisibles(etat, u, c).await? {
            let echeance = campagne::echeance_contrat(c.echeance, s.prolongation);
            lignes.push(LigneSuiviVue {
                id: l.id,
                collectivite: l.entete.nom_collectivite(),
                etat: s.etat.libelle(),
                code_etat: s.etat.code(),
                echeance: echeance.to_string(),
                en_retard: campagne::en_retard(s.etat, echeance, jour),
                soumise_en_retard: s.soumise_en_retard,
            });
        }
        pacte_core::collation::trier_par(&mut lignes, |l| l.collectivite.as_str());
        campagnes.push(CampagneVue {
            annee: c.annee.valeur(),
            echeance: c.echeance.to_string(),
            ouverte_le: crate::contrats::edition::horodatage(&c.ouverte_le),
            validees: lignes.iter().filter(|l| l.code_etat == "validee").count(),
            en_retard: lignes.iter().filter(|l| l.en_retard).count(),
            lignes,
        });
    }
    let a_ouvrir = if u.peut(Action::OuvrirCampagne, &Cible::Campagnes) {
        Annee::TOUTES
            .into_iter()
            .filter(|a| !stockees.iter().any(|c| c.annee == *a))
            .map(|a| (a.valeur(), campagne::echeance_par_defaut(a).iso()))
            .collect()
    } else {
        Vec::new()
    };
    let page = Page::new(etat, "Campagnes d'indicateurs", "/campagnes");
    let statut = if erreur.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    crate::ui::rendre_statut(
        statut,
        &PageCampagnes {
            page,
            campagnes,
            a_ouvrir,
            erreur,
        },
    )
}

/// `GET /campagnes`: every campaign, and for each the reader's contracts with their state.
pub async fn liste(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    rendre_campagnes(&etat, &u, None).await
}

/// `POST /campagnes`: opens a campaign (national administrator).
pub async fn ouvrir(
    State(etat): State<Etat>,
    u: Utilisateur,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    u.exiger(Action::OuvrirCampagne, &Cible::Campagnes)?;
    let champ = |n: &str| {
        champs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let annee = match champ("annee")
        .parse::<i64>()
        .map_err(|e| e.to_string())
        .and_then(Annee::new)
    {
        Ok(a) => a,
        Err(_) => {
            return rendre_campagnes(
                &etat,
                &u,
                Some(format!(
                    "Année : « {} » n'est pas une année du Pacte (2024 à 2027).",
                    champ("annee")
                )),
            )
            .await;
        }
    };
    let echeance = if champ("echeance").is_empty() {
        campagne::echeance_par_defaut(annee)
    } else {
        match Date::parse(champ("echeance")) {
            Ok(d) => d,
            Err(m) => return rendre_campagnes(&etat, &u, Some(format!("Échéance : {m}."))).await,
        }
    };
    match etat.base.ouvrir_campagne(annee, echeance, &u.acteur()).await {
        Ok(_) => Ok(Redirect::to("/campagnes").into_response()),
        Err(ErreurStore::Invalide(m)) => rendre_campagnes(&etat, &u, Some(format!("{m}."))).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// A contract's campaign
// ---------------------------------------------------------------------------------------------

/// How a national indicator is counted, from the référentiel (annexe 6).
pub(crate) struct DefinitionVue {
    pub regles: Vec<String>,
    pub exclusions: Vec<String>,
    pub dedoublonnage: String,
    pub periode: String,
    pub estimations: String,
}

pub(crate) fn definition(code: &str) -> Option<DefinitionVue> {
    let d = referentiel().indicateur(code)?;
    Some(DefinitionVue {
        regles: d.regles_decompte.clone(),
        exclusions: d.exclusions.clone(),
        dedoublonnage: d.dedoublonnage.clone(),
        periode: d.periode.clone(),
        estimations: d.estimations.clone(),
    })
}

struct LigneVue {
    champ: String,
    id_html: String,
    fiche: String,
    intitule_fiche: String,
    nature: &'static str,
    libelle: String,
    unite: String,
    t0: String,
    cible: String,
    realise: String,
    commentaire: String,
    changement_methode: bool,
    note_methode: String,
    effet_methode: String,
    atteinte: String,
    definition: Option<DefinitionVue>,
    remarque: Option<String>,
    erreurs: Vec<String>,
}

struct TransitionVue {
    libelle: String,
    par: String,
    le: String,
    motif: Option<String>,
    remarques: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "campagne_contrat.html")]
struct PageCampagne {
    page: Page,
    id: i64,
    annee: u16,
    collectivite: String,
    etat: &'static str,
    code_etat: &'static str,
    echeance: String,
    en_retard: bool,
    soumise_en_retard: bool,
    version: i64,
    lignes: Vec<LigneVue>,
    manquantes: Vec<String>,
    constats: Vec<(String, &'static str, String)>,
    historique: Vec<TransitionVue>,
    atteinte_contrat: String,
    totaux: Vec<(String, String, String)>,
    saisir: bool,
    soumettre: bool,
    instruire: bool,
    rouvrir: bool,
    prolonger: bool,
    verrouillee: bool,
    erreur: Option<String>,
    /// The collectivity's sections of the annual report of the year.
    textes: crate::rapports::textes::TextesVue,
}

fn id_html(champ: &str) -> String {
    champ
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// What a reader sees of a contract's campaign.
pub(crate) struct Donnees {
    pub campagne: CampagneStockee,
    pub suivi: SuiviCampagne,
    pub valeurs: Vec<ValeurSaisie>,
    pub transitions: Vec<TransitionStockee>,
}

pub(crate) async fn donnees(etat: &Etat, id: i64, annee: Annee) -> Result<Donnees, ErreurWeb> {
    Ok(Donnees {
        campagne: campagne_ouverte(etat, annee).await?,
        suivi: etat.base.suivi_campagne(annee, id).await?,
        valeurs: etat.base.valeurs_campagne(annee, id).await?,
        transitions: etat.base.transitions_campagne(annee, id).await?,
    })
}

/// Typed-in values and their errors, when a save is refused.
struct Saisie {
    champs: BTreeMap<String, String>,
    erreurs: BTreeMap<String, Vec<String>>,
    message: String,
}

#[allow(clippy::too_many_arguments)]
async fn rendre_campagne(
    etat: &Etat,
    u: &Utilisateur,
    c: &ContratStocke,
    id: i64,
    annee: Annee,
    saisie: Option<Saisie>,
) -> Result<Response, ErreurWeb> {
    let d = donnees(etat, id, annee).await?;
    let contrat = &c.contrat;
    let stockees: BTreeMap<&CleValeur, &ValeurSaisie> = d.valeurs.iter().map(|v| (&v.cle, v)).collect();
    let remarques = remarques_en_cours(&d.suivi, &d.transitions);
    let atteintes = campagne::atteintes(contrat, annee, &d.valeurs);
    let par_cle: BTreeMap<&CleValeur, Option<campagne::Atteinte>> = atteintes
        .lignes
        .iter()
        .map(|l| (&l.ligne.cle, l.atteinte))
        .collect();
    let lignes = campagne::lignes_attendues(contrat, annee)
        .into_iter()
        .map(|l: LigneAttendue| {
            let champ = l.cle.champ();
            let v = stockees.get(&l.cle);
            let typed = |prefixe: &str| {
                saisie
                    .as_ref()
                    .and_then(|s| s.champs.get(&format!("{prefixe}|{champ}")).cloned())
            };
            LigneVue {
                id_html: id_html(&champ),
                fiche: l.cle.fiche.to_string(),
                intitule_fiche: l.intitule_fiche.clone(),
                nature: match l.cle.nature {
                    campagne::NatureIndicateur::National => "national",
                    campagne::NatureIndicateur::Local => "local",
                },
                libelle: l.libelle.clone(),
                unite: l.unite.clone().unwrap_or_default(),
                t0: l.t0.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
                cible: l.cible.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
                realise: typed("realise").unwrap_or_else(|| {
                    v.and_then(|v| v.realise)
                        .map(|r| r.to_string())
                        .unwrap_or_default()
                }),
                commentaire: typed("commentaire")
                    .unwrap_or_else(|| v.and_then(|v| v.commentaire.clone()).unwrap_or_default()),
                changement_methode: match &saisie {
                    Some(s) => s.champs.contains_key(&format!("methode|{champ}")),
                    None => v.is_some_and(|v| v.changement_methode),
                },
                note_methode: typed("note")
                    .unwrap_or_else(|| v.and_then(|v| v.note_methode.clone()).unwrap_or_default()),
                effet_methode: typed("effet").unwrap_or_else(|| {
                    v.and_then(|v| v.effet_methode)
                        .map(campagne::ecrire_effet)
                        .unwrap_or_default()
                }),
                atteinte: par_cle
                    .get(&l.cle)
                    .copied()
                    .flatten()
                    .map(|a| a.texte())
                    .unwrap_or_default(),
                definition: (l.cle.nature == campagne::NatureIndicateur::National)
                    .then(|| definition(&l.cle.indicateur))
                    .flatten(),
                remarque: remarques.get(&l.cle).cloned(),
                erreurs: saisie
                    .as_ref()
                    .and_then(|s| s.erreurs.get(&champ).cloned())
                    .unwrap_or_default(),
                champ,
            }
        })
        .collect();
    let manquantes = campagne::manquantes(contrat, annee, &d.valeurs)
        .into_iter()
        .map(|l| format!("Fiche {} — {}", l.cle.fiche, l.libelle))
        .collect();
    let constats = if d.suivi.etat == EtatCampagne::NonCommencee {
        Vec::new()
    } else {
        campagne::verifier_soumission(contrat, annee, &d.valeurs)
            .into_iter()
            .filter(|k| k.code != "R-IND-05")
            .map(|k| {
                (
                    k.code.to_string(),
                    if k.gravite == Gravite::Bloquant {
                        "bloquant"
                    } else {
                        "alerte"
                    },
                    k.message,
                )
            })
            .collect()
    };
    let auteurs =
        crate::comptes::Auteurs::lire(&etat.base, d.transitions.iter().map(|t| t.acteur.as_str())).await?;
    let historique = d
        .transitions
        .iter()
        .map(|t| TransitionVue {
            libelle: Transition::depuis_code(&t.transition)
                .map(|x| x.libelle().to_string())
                .unwrap_or_else(|| "Prolonger l'échéance".into()),
            par: auteurs.lisible(&t.acteur),
            le: crate::contrats::edition::horodatage(&t.le),
            motif: t.motif.clone(),
            remarques: t
                .remarques
                .iter()
                .map(|(k, r)| (format!("Fiche {} — {}", k.fiche, k.indicateur), r.clone()))
                .collect(),
        })
        .collect();
    let totaux = campagne::totaux_nationaux(contrat, annee, &d.valeurs)
        .into_iter()
        .map(|t| {
            let code = if t.ventilation == 0 {
                t.code.clone()
            } else {
                format!("{} (catégorie {})", t.code, t.ventilation)
            };
            let cible = if t.ventilation == 0 {
                t.cible.to_string()
            } else {
                "—".into()
            };
            (code, t.realise.to_string(), cible)
        })
        .collect();
    let echeance = campagne::echeance_contrat(d.campagne.echeance, d.suivi.prolongation);
    let ouverte = d.suivi.etat.saisie_ouverte();
    let p = PageCampagne {
        page: page_contrat(
            etat,
            format!("Campagne {annee}"),
            Some(id),
            Some(&contrat.contrat),
        ),
        id,
        annee: annee.valeur(),
        collectivite: contrat.contrat.nom_collectivite(),
        etat: d.suivi.etat.libelle(),
        code_etat: d.suivi.etat.code(),
        echeance: echeance.to_string(),
        en_retard: campagne::en_retard(d.suivi.etat, echeance, aujourdhui()),
        soumise_en_retard: d.suivi.soumise_en_retard,
        version: d.suivi.tampon.version,
        lignes,
        manquantes,
        constats,
        historique,
        atteinte_contrat: atteintes.contrat.map(|a| a.texte()).unwrap_or_else(|| "—".into()),
        totaux,
        saisir: ouverte && permis(u, contrat, Action::SaisirCampagne),
        soumettre: d.suivi.etat == EtatCampagne::EnCours && permis(u, contrat, Action::SaisirCampagne),
        instruire: d.suivi.etat == EtatCampagne::Soumise && permis(u, contrat, Action::InstruireCampagne),
        rouvrir: d.suivi.etat == EtatCampagne::Validee && permis(u, contrat, Action::RouvrirCampagne),
        prolonger: d.suivi.etat.attend_la_collectivite() && permis(u, contrat, Action::InstruireCampagne),
        verrouillee: d.suivi.etat == EtatCampagne::Validee,
        erreur: saisie.map(|s| s.message),
        textes: crate::rapports::textes::vue(
            etat,
            u,
            c,
            pacte_core::campagne::textes::RapportTexte::Annuel(annee),
            None,
        )
        .await?,
    };
    let statut = if p.erreur.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    crate::ui::rendre_statut(statut, &p)
}

/// `GET /contrats/{id}/campagnes/{annee}`: whoever may read the contract.
pub async fn page(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, annee)): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let annee = annee_de(&annee)?;
    rendre_campagne(&etat, &u, &c, id, annee, None).await
}

/// Reads the entry form: for every expected figure, its value, comment and method note. A
/// figure left wholly empty is not entered. Errors are per field, in French.
fn lire_formulaire(
    contrat: &Contrat,
    annee: Annee,
    champs: &BTreeMap<String, String>,
) -> (Vec<ValeurSaisie>, BTreeMap<String, Vec<String>>) {
    let mut valeurs = Vec::new();
    let mut erreurs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let texte = |p: &str, champ: &str| {
        champs
            .get(&format!("{p}|{champ}"))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    for l in campagne::lignes_attendues(contrat, annee) {
        let champ = l.cle.champ();
        let mut e = Vec::new();
        let realise = texte("realise", &champ).and_then(|t| match Valeur::parse(&t) {
            Ok(v) => Some(v),
            Err(m) => {
                e.push(format!("Valeur réalisée : {m}."));
                None
            }
        });
        let effet = texte("effet", &champ).and_then(|t| match campagne::lire_effet(&t) {
            Ok(v) => Some(v),
            Err(m) => {
                e.push(format!("Effet du changement : {m}."));
                None
            }
        });
        let v = ValeurSaisie {
            cle: l.cle.clone(),
            realise,
            commentaire: texte("commentaire", &champ),
            changement_methode: champs.contains_key(&format!("methode|{champ}")),
            note_methode: texte("note", &champ),
            effet_methode: effet,
        };
        if !e.is_empty() {
            erreurs.insert(champ.clone(), e);
        }
        if v.realise.is_some() || v.commentaire.is_some() || v.changement_methode || v.note_methode.is_some()
        {
            valeurs.push(v);
        }
    }
    for k in campagne::verifier_saisie(contrat, annee, &valeurs) {
        if k.gravite == Gravite::Bloquant
            && let Some(cle) = &k.cle
        {
            erreurs
                .entry(cle.champ())
                .or_default()
                .push(format!("{} ({})", k.message, k.code));
        }
    }
    (valeurs, erreurs)
}

fn retour(id: i64, annee: Annee) -> Response {
    Redirect::to(&format!("/contrats/{id}/campagnes/{annee}")).into_response()
}

fn version_de(champs: &BTreeMap<String, String>) -> Result<i64, ErreurWeb> {
    champs
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0)
        .ok_or_else(|| {
            ErreurWeb::requete("Version de la campagne illisible : rechargez la page ; rien n'a été écrit.")
        })
}

fn carte(champs: Vec<(String, String)>) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for (k, v) in champs {
        m.entry(k).or_insert(v);
    }
    m
}

/// `POST /contrats/{id}/campagnes/{annee}/valeurs`: the collectivity saves its figures.
pub async fn enregistrer(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, annee)): Path<(String, String)>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let c = contrat_pour(&etat, &u, id, Action::SaisirCampagne).await?;
    let annee = annee_de(&annee)?;
    campagne_ouverte(&etat, annee).await?;
    let champs = carte(champs);
    let version = version_de(&champs)?;
    let (valeurs, erreurs) = lire_formulaire(&c.contrat, annee, &champs);
    if !erreurs.is_empty() {
        let message = format!(
            "Rien n'a été enregistré : {} indicateur(s) à corriger, signalés ci-dessous.",
            erreurs.len()
        );
        let saisie = Saisie {
            champs,
            erreurs,
            message,
        };
        return rendre_campagne(&etat, &u, &c, id, annee, Some(saisie)).await;
    }
    etat.base
        .enregistrer_valeurs(annee, id, version, &u.acteur(), garde_saisie(annee, valeurs))
        .await?;
    Ok(retour(id, annee))
}

/// `POST /contrats/{id}/campagnes/{annee}/transition`: submit (collectivity), return or
/// validate (DDETS, commissaire), reopen (commissaire), extend the deadline (DDETS,
/// commissaire: `transition=prolonger`, `prolongation=AAAA-MM-JJ`).
pub async fn transition(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, annee)): Path<(String, String)>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    contrat_pour_une_etape(&etat, &u, id).await?;
    let annee = annee_de(&annee)?;
    let champs = carte(champs);
    let code = champs.get("transition").map(String::as_str).unwrap_or("");
    if code == "prolonger" {
        contrat_pour(&etat, &u, id, Action::InstruireCampagne).await?;
        campagne_ouverte(&etat, annee).await?;
        let version = version_de(&champs)?;
        let texte = champs.get("prolongation").map(|s| s.trim()).unwrap_or("");
        let date = if texte.is_empty() {
            None
        } else {
            Some(Date::parse(texte).map_err(|m| {
                ErreurWeb::invalide(format!("Nouvelle échéance : {m}."), Some("prolongation".into()))
            })?)
        };
        etat.base
            .prolonger_campagne(annee, id, version, date, &u.acteur(), |contrat, _| {
                pacte_core::droits::etat_apres(Action::InstruireCampagne, contrat.contrat.etat)
                    .map(|_| ())
                    .map_err(Refus::new)
            })
            .await?;
        return Ok(retour(id, annee));
    }
    let t = Transition::depuis_code(code)
        .filter(|t| *t != Transition::Saisir)
        .ok_or_else(|| {
            ErreurWeb::invalide(
                format!("Transition « {code} » inconnue : soumettre, renvoyer, valider ou rouvrir."),
                Some("transition".into()),
            )
        })?;
    let c = contrat_pour(&etat, &u, id, t.action()).await?;
    campagne_ouverte(&etat, annee).await?;
    let version = version_de(&champs)?;
    let attendues: BTreeMap<String, CleValeur> = campagne::lignes_attendues(&c.contrat, annee)
        .into_iter()
        .map(|l| (l.cle.champ(), l.cle))
        .collect();
    let mut remarques = Vec::new();
    if t == Transition::Renvoyer {
        for (k, v) in &champs {
            if let Some(champ) = k.strip_prefix("remarque|")
                && !v.trim().is_empty()
            {
                let cle = attendues.get(champ).ok_or_else(|| {
                    ErreurWeb::invalide(
                        format!("Remarque sur « {champ} » : ce n'est pas un indicateur du contrat."),
                        Some(k.clone()),
                    )
                })?;
                if v.chars().count() > campagne::COMMENTAIRE_MAX {
                    return Err(ErreurWeb::invalide(
                        format!("Remarque : {} caractères au plus.", campagne::COMMENTAIRE_MAX),
                        Some(k.clone()),
                    ));
                }
                remarques.push((cle.clone(), v.trim().to_string()));
            }
        }
    }
    let motif = champs.get("motif").map(|m| m.trim()).filter(|m| !m.is_empty());
    if t == Transition::Renvoyer && motif.is_none() && remarques.is_empty() {
        return Err(ErreurWeb::invalide(
            "Renvoyer pour correction : indiquez au moins une remarque sur un chiffre ou un motif.",
            Some("motif".into()),
        ));
    }
    if t == Transition::Rouvrir && motif.is_none() {
        return Err(ErreurWeb::invalide(
            "Rouvrir : le motif de la réouverture est obligatoire ; il est journalisé.",
            Some("motif".into()),
        ));
    }
    etat.base
        .changer_etat_campagne(
            annee,
            id,
            version,
            t,
            motif,
            &remarques,
            &u.acteur(),
            garde_transition(annee, t),
        )
        .await?;
    Ok(retour(id, annee))
}
