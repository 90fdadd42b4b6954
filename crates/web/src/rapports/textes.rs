//! The free-text parts of the campaign reports (`pacte_core::campagne::textes`):
//! - the collectivity's sections of its annual progress report of year n, on the campaign page
//!   (`POST /contrats/{id}/campagnes/{annee}/textes`), and of its mid-term execution report,
//!   on the mid-term page (`POST /contrats/{id}/mi-parcours/textes`): written by its editor
//!   (`Action::SaisirCampagne`, the contract's state allowing it) while the report's campaign
//!   is not validated, read by whoever reads the contract;
//! - the commissaire's text of the regional synthesis note, on its own page
//!   (`GET`/`POST /campagnes/{annee}/synthese[?region=CODE]`): written by the region's
//!   commissaire and the national administrator, read by the national roles too
//!   (`textes::decider_synthese`).
//!
//! A refused save (a text beyond 20 000 characters, a version changed meanwhile, a campaign
//! validated meanwhile) answers the form again with what was typed and a French message
//! naming the field; nothing is written. The store re-checks version and lock inside the write.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::Annee;
use pacte_core::campagne::EtatCampagne;
use pacte_core::campagne::textes::{
    self, ActionSynthese, RapportTexte, TEXTE_MAX, TITRE_SYNTHESE, Textes, decider_synthese, paragraphes,
    verrouille,
};
use pacte_core::droits::{Action, Decision};
use pacte_core::territoires::Region;
use pacte_store::contrats::ContratStocke;
use pacte_store::{ErreurStore, Refus};

use crate::campagnes::{annee_de, campagne_ouverte, contrat_pour, permis};
use crate::contrats::edition::{id_contrat, page_contrat};
use crate::ui::Page;
use crate::{ErreurWeb, Etat, Utilisateur};

/// « 20 000 ».
pub(crate) fn max_texte() -> String {
    textes::espace_milliers(TEXTE_MAX)
}

/// One section as the form or the page shows it.
pub(crate) struct SectionVue {
    pub code: &'static str,
    pub id_html: String,
    pub titre: &'static str,
    pub aide: &'static str,
    /// The text (typed, when a save was refused; stored otherwise).
    pub texte: String,
    pub longueur: usize,
    pub erreur: Option<String>,
    /// The stored text, when a concurrent save changed it.
    pub actuel: Option<String>,
}

impl SectionVue {
    pub fn paragraphes(&self) -> Vec<&str> {
        paragraphes(&self.texte)
    }
}

/// A report's free-text sections on a page: a form, or the texts.
pub(crate) struct TextesVue {
    pub ancre: &'static str,
    pub titre: String,
    pub explication: &'static str,
    pub action: String,
    pub version: i64,
    pub sections: Vec<SectionVue>,
    pub modifiable: bool,
    pub verrou: Option<String>,
    pub erreur: Option<String>,
    pub max: usize,
    pub max_texte: String,
    pub modifie: Option<String>,
}

/// What was typed in a refused save.
pub(crate) struct SaisieTextes {
    pub textes: Textes,
    pub erreurs: BTreeMap<String, String>,
    pub message: String,
    /// The version the form was loaded with.
    pub version: i64,
    /// The stored texts and version, after a concurrent save.
    pub actuels: Option<(Textes, i64)>,
}

fn action_textes(id: i64, rapport: RapportTexte) -> String {
    match rapport {
        RapportTexte::Annuel(a) => format!("/contrats/{id}/campagnes/{a}/textes"),
        RapportTexte::MiParcours => format!("/contrats/{id}/mi-parcours/textes"),
    }
}

fn retour(id: i64, rapport: RapportTexte) -> String {
    match rapport {
        RapportTexte::Annuel(a) => format!("/contrats/{id}/campagnes/{a}#analyse"),
        RapportTexte::MiParcours => format!("/contrats/{id}/mi-parcours#analyse"),
    }
}

/// The sections of contract `c`'s `rapport` for reader `u`, with a refused save's input.
pub(crate) async fn vue(
    etat: &Etat,
    u: &Utilisateur,
    c: &ContratStocke,
    rapport: RapportTexte,
    saisie: Option<SaisieTextes>,
) -> Result<TextesVue, ErreurWeb> {
    let id = c.tampon.id;
    let stocke = etat.base.textes_rapport(id, rapport).await?;
    let suivi = etat.base.suivi_campagne(rapport.annee(), id).await?;
    let verrou = verrouille(suivi.etat).then(|| {
        format!(
            "Textes verrouillés : la campagne {} est validée, comme ses chiffres. Une réouverture par la ou le commissaire les rend de nouveau modifiables.",
            rapport.annee()
        )
    });
    let modifiable = verrou.is_none() && permis(u, &c.contrat, Action::SaisirCampagne);
    let (version, actuels) = match &saisie {
        Some(SaisieTextes {
            actuels: Some((t, v)),
            ..
        }) => (*v, Some(t)),
        Some(x) => (x.version, None),
        None => (stocke.tampon.version, None),
    };
    let sections = rapport
        .sections()
        .iter()
        .map(|s| {
            let texte = match &saisie {
                Some(x) => x.textes.get(s.code).cloned().unwrap_or_default(),
                None => stocke.sections.get(s.code).cloned().unwrap_or_default(),
            };
            SectionVue {
                code: s.code,
                id_html: format!("texte-{}", s.code.replace('_', "-")),
                titre: s.titre,
                aide: s.aide,
                longueur: texte.chars().count(),
                texte,
                erreur: saisie.as_ref().and_then(|x| x.erreurs.get(s.code).cloned()),
                actuel: actuels.map(|t| t.get(s.code).cloned().unwrap_or_default()),
            }
        })
        .collect();
    let modifie = (stocke.tampon.version > 0).then(|| {
        format!(
            "Dernière modification par {} {}.",
            crate::comptes::auteur_lisible(&stocke.tampon.modifie_par),
            pacte_core::temps::horodatage_lisible(&stocke.tampon.modifie_le)
        )
    });
    Ok(TextesVue {
        ancre: "analyse",
        titre: match rapport {
            RapportTexte::Annuel(a) => {
                format!("Analyse de la collectivité — rapport d'état d'avancement {a}")
            }
            RapportTexte::MiParcours => {
                "Analyse de la collectivité — rapport d'exécution à mi-parcours".into()
            }
        },
        explication: match rapport {
            RapportTexte::Annuel(_) => {
                "Les parties rédigées du rapport annuel (R-REP-05, annexe 5 IV.a : l'état d'avancement des actions et le niveau de consommation des crédits). Elles sont imprimées dans le rapport PDF et ODT ; une section vide y est signalée comme non renseignée."
            }
            RapportTexte::MiParcours => {
                "Les parties rédigées du rapport d'exécution à mi-parcours (R-EVAL-01, annexe 8 art. 2.3) ; les résultats chiffrés, le bilan financier et la matrice des indicateurs sont calculés. Elles sont imprimées dans le rapport PDF et ODT."
            }
        },
        action: action_textes(id, rapport),
        version,
        sections,
        modifiable,
        verrou,
        erreur: saisie.map(|s| s.message),
        max: TEXTE_MAX,
        max_texte: max_texte(),
        modifie,
    })
}

#[derive(Template)]
#[template(path = "rapport_textes.html")]
struct PageTextes {
    page: Page,
    retour: String,
    textes: TextesVue,
}

fn carte(champs: Vec<(String, String)>) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for (k, v) in champs {
        m.entry(k).or_insert(v);
    }
    m
}

fn version_de(champs: &BTreeMap<String, String>) -> Result<i64, ErreurWeb> {
    champs
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0)
        .ok_or_else(|| {
            ErreurWeb::requete("Version des textes illisible : rechargez la page ; rien n'a été écrit.")
        })
}

/// The message of a refused save, and the stored texts after a concurrent one.
async fn refus(
    etat: &Etat,
    id: i64,
    rapport: RapportTexte,
    e: ErreurStore,
) -> Result<
    (
        StatusCode,
        String,
        Option<(Textes, i64)>,
        BTreeMap<String, String>,
    ),
    ErreurWeb,
> {
    Ok(match e {
        ErreurStore::Conflit { par, le, .. } => {
            let s = etat.base.textes_rapport(id, rapport).await?;
            (
                StatusCode::CONFLICT,
                format!(
                    "Ces textes ont été modifiés par {} {} depuis votre lecture : rien n'a été enregistré. Votre saisie est conservée ci-dessous, avec le texte enregistré entre-temps sous chaque section ; enregistrez de nouveau pour le remplacer par le vôtre.",
                    crate::comptes::auteur_lisible(&par),
                    pacte_core::temps::horodatage_lisible(&le)
                ),
                Some((s.sections, s.tampon.version)),
                BTreeMap::new(),
            )
        }
        ErreurStore::Refus(r) => (
            StatusCode::CONFLICT,
            format!("{} ; rien n'a été enregistré.", r.message),
            None,
            BTreeMap::new(),
        ),
        ErreurStore::Invalide(m) => (StatusCode::UNPROCESSABLE_ENTITY, m, None, BTreeMap::new()),
        e => return Err(e.into()),
    })
}

/// The store's guard: the contract's state allows entry and the campaign of the report is
/// not validated (both re-read inside the write).
pub(crate) fn garde(
    rapport: RapportTexte,
) -> impl FnOnce(&pacte_core::Contrat, &pacte_store::campagnes::SuiviCampagne) -> Result<(), Refus> + Send {
    move |contrat, suivi| {
        pacte_core::droits::etat_apres(Action::SaisirCampagne, contrat.contrat.etat).map_err(Refus::new)?;
        if verrouille(suivi.etat) {
            return Err(Refus::new(format!(
                "la campagne {} est validée : les textes du {} sont verrouillés, comme ses chiffres",
                rapport.annee(),
                rapport.nom()
            )));
        }
        Ok(())
    }
}

/// Saves a report's sections from the form; refused, answers the form with what was typed.
async fn enregistrer(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    rapport: RapportTexte,
    champs: Vec<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let c = contrat_pour(etat, u, id, Action::SaisirCampagne).await?;
    if let RapportTexte::Annuel(a) = rapport {
        campagne_ouverte(etat, a).await?;
    }
    let champs = carte(champs);
    let version = version_de(&champs)?;
    let saisis: Textes = rapport
        .sections()
        .iter()
        .map(|s| {
            (
                s.code.to_string(),
                champs.get(s.code).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let propres = textes::nettoyer(saisis.clone());
    let erreurs: BTreeMap<String, String> = textes::verifier_textes(rapport, &propres).into_iter().collect();
    let (statut, message, actuels, erreurs) = if !erreurs.is_empty() {
        let n = erreurs.len();
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Rien n'a été enregistré : {n} section(s) à corriger, signalée(s) ci-dessous."),
            None,
            erreurs,
        )
    } else {
        match etat
            .base
            .enregistrer_textes_rapport(id, rapport, version, propres, &u.acteur(), garde(rapport))
            .await
        {
            Ok(_) => return Ok(Redirect::to(&retour(id, rapport)).into_response()),
            Err(e) => refus(etat, id, rapport, e).await?,
        }
    };
    let textes = vue(
        etat,
        u,
        &c,
        rapport,
        Some(SaisieTextes {
            textes: saisis,
            erreurs,
            message,
            version,
            actuels,
        }),
    )
    .await?;
    let p = PageTextes {
        page: page_contrat(etat, textes.titre.clone(), Some(id), Some(&c.contrat.contrat)),
        retour: retour(id, rapport),
        textes,
    };
    crate::ui::rendre_statut(statut, &p)
}

/// `POST /contrats/{id}/campagnes/{annee}/textes`: the annual report's sections.
pub async fn enregistrer_annuel(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, annee)): Path<(String, String)>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let annee = annee_de(&annee)?;
    enregistrer(&etat, &u, id, RapportTexte::Annuel(annee), champs).await
}

/// `POST /contrats/{id}/mi-parcours/textes`: the mid-term report's sections.
pub async fn enregistrer_mi_parcours(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    enregistrer(&etat, &u, id, RapportTexte::MiParcours, champs).await
}

// ---------------------------------------------------------------------------------------------
// The synthesis note's text
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "synthese.html")]
struct PageSynthese {
    page: Page,
    annee: u16,
    /// The region shown, or none (a national role choosing).
    region: Option<Region>,
    regions: Vec<(String, String)>,
    titre_texte: &'static str,
    texte: String,
    longueur: usize,
    version: i64,
    modifiable: bool,
    modifie: Option<String>,
    erreur: Option<String>,
    actuel: Option<String>,
    max: usize,
    max_texte: String,
    validees: usize,
    contrats: usize,
}

impl PageSynthese {
    pub fn paragraphes(&self) -> Vec<&str> {
        paragraphes(&self.texte)
    }
}

/// The region of the address (`region=CODE`), or the commissaire's own: 403 for whoever may
/// not read it, 404 for an unknown code; `None` for a national role who named none.
pub(crate) fn region_lue(u: &Utilisateur, demandee: Option<&str>) -> Result<Option<Region>, ErreurWeb> {
    let h = &u.habilitation;
    let code = match (
        demandee.map(str::trim).filter(|r| !r.is_empty()),
        super::region_du_commissaire(h),
    ) {
        (Some(r), _) => r.to_string(),
        (None, Some(r)) => r.to_string(),
        (None, None) if super::synthese_nationale(h) => return Ok(None),
        (None, None) => {
            return Err(ErreurWeb::interdit(
                "Action refusée : la note de synthèse régionale est rédigée par la ou le commissaire de la région et lue par les rôles nationaux.",
            ));
        }
    };
    let region = pacte_core::territoires::territoires()
        .region(&code)
        .ok_or_else(|| ErreurWeb::introuvable(format!("Région « {code} » inconnue.")))?;
    if decider_synthese(h, &region.code, ActionSynthese::Lire) != Decision::Autorise {
        return Err(ErreurWeb::interdit(format!(
            "Action refusée : la note de synthèse de la région {} est réservée à sa ou son commissaire et aux rôles nationaux.",
            region.nom
        )));
    }
    Ok(Some(region.clone()))
}

#[allow(clippy::too_many_arguments)]
async fn rendre_synthese(
    etat: &Etat,
    u: &Utilisateur,
    annee: Annee,
    region: Option<Region>,
    statut: StatusCode,
    saisie: Option<(String, i64)>,
    erreur: Option<String>,
    actuel: Option<(String, i64)>,
) -> Result<Response, ErreurWeb> {
    let (texte, version, modifie, modifiable, validees, contrats) = match &region {
        None => (String::new(), 0, None, false, 0, 0),
        Some(r) => {
            let s = etat.base.texte_synthese(&r.code, annee).await?;
            let lus = etat.base.contrats_synthese(&r.code, annee).await?;
            let modifie = (s.tampon.version > 0).then(|| {
                format!(
                    "Dernière modification par {} {}.",
                    crate::comptes::auteur_lisible(&s.tampon.modifie_par),
                    pacte_core::temps::horodatage_lisible(&s.tampon.modifie_le)
                )
            });
            let version = match (&actuel, &saisie) {
                (Some((_, v)), _) | (None, Some((_, v))) => *v,
                (None, None) => s.tampon.version,
            };
            (
                saisie.clone().map_or(s.texte, |(t, _)| t),
                version,
                modifie,
                decider_synthese(&u.habilitation, &r.code, ActionSynthese::Ecrire) == Decision::Autorise,
                lus.iter()
                    .filter(|x| x.etat_campagne == EtatCampagne::Validee)
                    .count(),
                lus.len(),
            )
        }
    };
    let titre = match &region {
        Some(r) => format!("Note de synthèse régionale {annee} — {}", r.nom),
        None => format!("Note de synthèse régionale {annee}"),
    };
    let p = PageSynthese {
        page: Page::new(etat, titre, "/campagnes")
            .ariane("Campagnes d'indicateurs", Some("/campagnes".into())),
        annee: annee.valeur(),
        region,
        regions: super::regions(),
        titre_texte: TITRE_SYNTHESE,
        longueur: texte.chars().count(),
        texte,
        version,
        modifiable,
        modifie,
        erreur,
        actuel: actuel.map(|(t, _)| t),
        max: TEXTE_MAX,
        max_texte: max_texte(),
        validees,
        contrats,
    };
    crate::ui::rendre_statut(statut, &p)
}

/// `GET /campagnes/{annee}/synthese[?region=CODE]`: the note's text and downloads.
pub async fn page_synthese(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(annee): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let annee = annee_de(&annee)?;
    let region = region_lue(&u, q.get("region").map(String::as_str))?;
    campagne_ouverte(&etat, annee).await?;
    rendre_synthese(&etat, &u, annee, region, StatusCode::OK, None, None, None).await
}

/// `POST /campagnes/{annee}/synthese`: the commissaire (or the national administrator) writes
/// the text of the region's note (`region`, `version`, `texte`).
pub async fn enregistrer_synthese(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(annee): Path<String>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let annee = annee_de(&annee)?;
    // Who may write no region's text is refused before anything else is read.
    let sienne = super::region_du_commissaire(&u.habilitation).unwrap_or_default();
    if decider_synthese(&u.habilitation, sienne, ActionSynthese::Ecrire) != Decision::Autorise {
        return Err(ErreurWeb::interdit(
            "Action refusée : le texte de la note de synthèse régionale est écrit par la ou le commissaire de la région (ou l'administration nationale).",
        ));
    }
    let champs = carte(champs);
    let region = match region_lue(&u, champs.get("region").map(String::as_str))? {
        Some(r) => r,
        None => {
            return Err(ErreurWeb {
                champ: Some("region".into()),
                ..ErreurWeb::requete("Indiquez la région de la note de synthèse (code INSEE).")
            });
        }
    };
    if decider_synthese(&u.habilitation, &region.code, ActionSynthese::Ecrire) != Decision::Autorise {
        return Err(ErreurWeb::interdit(format!(
            "Action refusée : le texte de la note de synthèse de la région {} est écrit par sa ou son commissaire (ou l'administration nationale).",
            region.nom
        )));
    }
    campagne_ouverte(&etat, annee).await?;
    let version = version_de(&champs)?;
    let saisi = champs.get("texte").cloned().unwrap_or_default();
    let propre = textes::normaliser(&saisi);
    if let Err(m) = textes::verifier_texte(TITRE_SYNTHESE, &propre) {
        return rendre_synthese(
            &etat,
            &u,
            annee,
            Some(region),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((saisi, version)),
            Some(format!("{m}.")),
            None,
        )
        .await;
    }
    match etat
        .base
        .enregistrer_texte_synthese(&region.code, annee, version, &propre, &u.acteur())
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/campagnes/{annee}/synthese?region={}", region.code)).into_response())
        }
        Err(ErreurStore::Conflit { par, le, .. }) => {
            let s = etat.base.texte_synthese(&region.code, annee).await?;
            let m = format!(
                "Ce texte a été modifié par {} {} depuis votre lecture : rien n'a été enregistré. Votre saisie est conservée ci-dessous, avec le texte enregistré entre-temps ; enregistrez de nouveau pour le remplacer par le vôtre.",
                crate::comptes::auteur_lisible(&par),
                pacte_core::temps::horodatage_lisible(&le)
            );
            rendre_synthese(
                &etat,
                &u,
                annee,
                Some(region),
                StatusCode::CONFLICT,
                Some((saisi, version)),
                Some(m),
                Some((s.texte, s.tampon.version)),
            )
            .await
        }
        Err(ErreurStore::Invalide(m)) => {
            rendre_synthese(
                &etat,
                &u,
                annee,
                Some(region),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((saisi, version)),
                Some(m),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
