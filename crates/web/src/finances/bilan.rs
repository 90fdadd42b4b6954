//! The upload of a filled « Bilan n » (XLSX or ODS) by the collectivity's editor: a preview of
//! the realised amounts read against those stored, every error naming its sheet and cell
//! (`pacte_tableurs::lire_bilan`), then the application in one audited write, with the version
//! of the execution the preview was made from. Nothing is written when one cell is wrong: the
//! file is read again inside the write and refused if it no longer reads cleanly.
//!
//! The realised amounts are applied: they are the collectivity's declaration. The carry-overs
//! of the file are recorded as the collectivity's proposals (reading L-09): they count in no
//! figure until the State services confirm them, with the date of the management dialogue
//! (`Action::EnregistrerFinancesEtat`, the « Finances » page).

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use pacte_core::droits::Action;
use pacte_core::execution::{Execution, Realisation};
use pacte_core::{Annee, Contrat, Montant, NumeroFiche};
use pacte_store::Refus;
use pacte_tableurs::{BilanImporte, lire_bilan};

use crate::contrats::edition::{etat_permis, id_contrat, page_contrat};
use crate::ui::Page;
use crate::{ErreurWeb, Etat, Utilisateur};

/// One fiche whose realised amounts the file changes.
pub struct Difference {
    pub fiche: String,
    pub etat_avant: String,
    pub etat_apres: String,
    pub collectivite_avant: String,
    pub collectivite_apres: String,
}

#[derive(Template)]
#[template(path = "finances_bilan.html")]
struct PageApercu {
    page: Page,
    id: i64,
    annee: u16,
    nom_fichier: String,
    erreurs: Vec<String>,
    differences: Vec<Difference>,
    inchangees: usize,
    /// Carry-overs in the file (fiche, State, collectivity), recorded as proposals.
    reports: Vec<(String, String, String)>,
    version: i64,
    contenu: String,
}

/// The realised amounts stored for `fiche` in `annee` (the last line recorded).
fn stockee(e: &Execution, fiche: NumeroFiche, annee: Annee) -> Option<Realisation> {
    e.realisations
        .iter()
        .rev()
        .find(|r| r.fiche == fiche && r.annee == annee)
        .copied()
}

/// `e` with the realised amounts of the Bilan `b` replacing those of its year, and its
/// carry-overs as proposals replacing the year's earlier proposals (reading L-09).
pub fn appliquer(e: &Execution, b: &BilanImporte) -> Execution {
    let nouvelles = b.realisations(e);
    let mut apres = e.clone();
    apres
        .realisations
        .retain(|r| !(r.annee == b.annee && nouvelles.iter().any(|n| n.fiche == r.fiche)));
    apres.realisations.extend(nouvelles);
    pacte_core::execution::saisie::proposer_reports(&apres, b.annee, &b.reports())
}

fn annee_saisie(texte: &str) -> Result<Annee, ErreurWeb> {
    texte
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|a| Annee::new(a).ok())
        .ok_or_else(|| {
            ErreurWeb::invalide(
                format!(
                    "Année : « {} » n'est pas une année du contrat (2024 à 2027).",
                    texte.trim()
                ),
                Some("annee".into()),
            )
        })
}

fn version_saisie(texte: &str) -> Result<i64, ErreurWeb> {
    texte
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| {
            ErreurWeb::requete("Version de l'exécution illisible : rechargez la page « Finances ».")
        })
}

/// The contract, for a Bilan upload by `u`: rights first (403/404), then the state (409).
async fn contrat_pour_bilan(
    etat: &Etat,
    u: &Utilisateur,
    id: &str,
) -> Result<pacte_store::ContratStocke, ErreurWeb> {
    let id = id_contrat(id)?;
    let c = u.contrat_pour(etat, id, Action::DeclarerRealisations).await?;
    etat_permis(Action::DeclarerRealisations, &c)?;
    Ok(c)
}

fn differences(contrat: &Contrat, e: &Execution, b: &BilanImporte) -> (Vec<Difference>, usize) {
    let _ = contrat;
    let mut out = Vec::new();
    let mut inchangees = 0;
    for n in b.realisations(e) {
        let avant = stockee(e, n.fiche, b.annee);
        let (ea, ca) = avant.map_or((None, None), |r| (Some(r.etat), Some(r.collectivite)));
        if ea == Some(n.etat) && ca == Some(n.collectivite) {
            inchangees += 1;
            continue;
        }
        let texte = |m: Option<Montant>| m.map_or_else(|| "non déclaré".to_string(), |m| m.to_string());
        out.push(Difference {
            fiche: n.fiche.to_string(),
            etat_avant: texte(ea),
            etat_apres: n.etat.to_string(),
            collectivite_avant: texte(ca),
            collectivite_apres: n.collectivite.to_string(),
        });
    }
    (out, inchangees)
}

/// `POST /contrats/{id}/bilan` (multipart: `annee`, `version`, `fichier`): the preview.
pub async fn apercu(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    requete: axum::extract::Request,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = contrat_pour_bilan(&etat, &u, &id).await?;
    let id = c.tampon.id;
    // The body is read once the rights are checked.
    let illisible = |e: axum::extract::multipart::MultipartError| {
        ErreurWeb::requete(format!("L'envoi du fichier n'a pas pu être lu : {e}."))
    };
    let mut envoi = <Multipart as axum::extract::FromRequest<()>>::from_request(requete, &())
        .await
        .map_err(|e| ErreurWeb::requete(format!("L'envoi du fichier n'a pas pu être lu : {e}.")))?;
    let (mut fichier, mut annee, mut version) = (None, String::new(), String::new());
    while let Some(champ) = envoi.next_field().await.map_err(illisible)? {
        match champ.name() {
            Some("fichier") => {
                let nom = champ.file_name().unwrap_or_default().to_string();
                fichier = Some((nom, champ.bytes().await.map_err(illisible)?.to_vec()));
            }
            Some("annee") => annee = champ.text().await.map_err(illisible)?,
            Some("version") => version = champ.text().await.map_err(illisible)?,
            _ => {}
        }
    }
    let annee = annee_saisie(&annee)?;
    let version = version_saisie(&version)?;
    let Some((nom, octets)) = fichier.filter(|(_, o)| !o.is_empty()) else {
        return Err(ErreurWeb::invalide(
            "Fichier : aucun fichier reçu ; choisissez le tableau « Bilan » rempli (XLSX ou ODS).",
            Some("fichier".into()),
        ));
    };
    let e = etat.base.execution(id).await?;
    let b = lire_bilan(&octets, &c.contrat, &e.execution, annee);
    let (differences, inchangees) = if b.est_valide() {
        differences(&c.contrat, &e.execution, &b)
    } else {
        (Vec::new(), 0)
    };
    let statut = if b.est_valide() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = PageApercu {
        page: page_contrat(&etat, "Import du Bilan", Some(id), Some(&c.contrat.contrat))
            .ariane("Finances", Some(format!("/contrats/{id}/finances")))
            .ariane("Import du Bilan", None),
        id,
        annee: annee.valeur(),
        nom_fichier: pacte_store::pieces::nom_sur(&nom),
        erreurs: b.erreurs.iter().map(ToString::to_string).collect(),
        differences,
        inchangees,
        reports: b
            .reports()
            .iter()
            .map(|r| {
                (
                    r.fiche.to_string(),
                    r.etat.to_string(),
                    r.collectivite.to_string(),
                )
            })
            .collect(),
        version,
        contenu: base64::engine::general_purpose::STANDARD.encode(&octets),
    };
    Ok((statut, crate::ui::rendre(&p)?).into_response())
}

/// `POST /contrats/{id}/bilan/appliquer` (form: `annee`, `version`, `contenu` in base64).
pub async fn appliquer_bilan(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = contrat_pour_bilan(&etat, &u, &id).await?;
    let id = c.tampon.id;
    let champ = |n: &str| {
        champs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let annee = annee_saisie(champ("annee"))?;
    let version = version_saisie(champ("version"))?;
    let octets = base64::engine::general_purpose::STANDARD
        .decode(champ("contenu").trim())
        .map_err(|_| {
            ErreurWeb::requete("Le fichier du Bilan n'a pas été transmis : envoyez-le de nouveau.")
        })?;
    etat.base
        .enregistrer_execution(id, version, &u.acteur(), move |contrat, stockee| {
            let b = lire_bilan(&octets, contrat, stockee, annee);
            if let Some(e) = b.erreurs.first() {
                return Err(Refus::new(format!("Bilan refusé, rien n'a été enregistré : {e}")));
            }
            Ok(appliquer(stockee, &b))
        })
        .await?;
    Ok(Redirect::to(&format!("/contrats/{id}/finances?bilan={}", annee.valeur())).into_response())
}
