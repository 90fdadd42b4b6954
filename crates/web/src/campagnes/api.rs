//! The campaign handlers of the JSON API: the campaigns (list, opening), a contract's
//! campaign of a year (state, expected figures with their targets, entered values,
//! findings, attainment, history), entering its figures and moving it (submit, return,
//! validate, reopen). Versions are sent in the body (`version`: 0 while nothing is recorded),
//! a stale one is a 409. Routes in `api::table`, schemas in `api/openapi/campagnes.rs`.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use pacte_core::campagne::{self, CleValeur, NatureIndicateur, Transition, ValeurSaisie};
use pacte_core::droits::{Action, Cible};
use pacte_core::{Annee, Date, NumeroFiche, Valeur};
use pacte_store::campagnes::CampagneStockee;
use serde::{Deserialize, Serialize};

use super::{annee_de, contrat_pour, donnees, garde_saisie, garde_transition, remarques_en_cours};
use crate::api::corps::{CheminContrat, CorpsJson};
use crate::comptes::ClientApi;
use crate::{ErreurApi, ErreurWeb, Etat, Utilisateur};

/// The body, read once the rights are checked (so that a refused caller gets its 403/404,
/// whatever it sent).
pub(crate) async fn corps_json<T: serde::de::DeserializeOwned + Serialize>(
    requete: axum::extract::Request,
    etat: &Etat,
) -> Result<CorpsJson<T>, ErreurApi> {
    <CorpsJson<T> as axum::extract::FromRequest<Etat>>::from_request(requete, etat).await
}

/// Largest value accepted, in hundredths (as `Valeur::parse`).
const REALISE_MAX: i64 = 1_000_000_000_000;

/// `/contrats/{id}/campagnes/{annee}`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CheminCampagne {
    pub(crate) id: i64,
    pub(crate) annee: Annee,
}

impl<S: Send + Sync> FromRequestParts<S> for CheminCampagne {
    type Rejection = ErreurApi;

    async fn from_request_parts(parts: &mut Parts, etat: &S) -> Result<Self, ErreurApi> {
        let c = CheminContrat::from_request_parts(parts, etat).await?;
        let axum::extract::Path(valeurs) =
            axum::extract::Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, etat)
                .await
                .map_err(|_| ErreurApi(ErreurWeb::requete("chemin illisible")))?;
        let annee = annee_de(valeurs.get("annee").map(String::as_str).unwrap_or_default()).map_err(|e| {
            ErreurApi(ErreurWeb {
                champ: Some("annee".into()),
                ..e
            })
        })?;
        Ok(CheminCampagne { id: c.id, annee })
    }
}

#[derive(Debug, Serialize)]
struct CampagneApi {
    annee: u16,
    echeance: String,
    version: i64,
    ouverte_par: String,
    ouverte_le: String,
}

impl From<&CampagneStockee> for CampagneApi {
    fn from(c: &CampagneStockee) -> CampagneApi {
        CampagneApi {
            annee: c.annee.valeur(),
            echeance: c.echeance.iso(),
            version: c.version,
            ouverte_par: c.ouverte_par.clone(),
            ouverte_le: c.ouverte_le.clone(),
        }
    }
}

#[derive(Serialize)]
struct ListeCampagnes {
    campagnes: Vec<CampagneApi>,
}

/// `GET /campagnes`: every signed-in user (the campaigns themselves are public to them).
pub(crate) async fn lister(
    State(etat): State<Etat>,
    ClientApi(_u): ClientApi,
) -> Result<Response, ErreurApi> {
    let c = etat.base.campagnes().await?;
    Ok(Json(ListeCampagnes {
        campagnes: c.iter().map(CampagneApi::from).collect(),
    })
    .into_response())
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NouvelleCampagne {
    annee: u16,
    #[serde(default)]
    echeance: Option<String>,
}

/// `POST /campagnes`: the national administrator opens a campaign.
pub(crate) async fn ouvrir(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    requete: axum::extract::Request,
) -> Result<Response, ErreurApi> {
    u.exiger(Action::OuvrirCampagne, &Cible::Campagnes)?;
    let CorpsJson(corps) = corps_json::<NouvelleCampagne>(requete, &etat).await?;
    let annee = Annee::new(corps.annee as i64)
        .map_err(|m| ErreurWeb::invalide(format!("année : {m}"), Some("annee".into())))?;
    let echeance = match corps.echeance.as_deref() {
        None => campagne::echeance_par_defaut(annee),
        Some(t) => Date::parse(t)
            .map_err(|m| ErreurWeb::invalide(format!("échéance : {m}"), Some("echeance".into())))?,
    };
    let c = etat
        .base
        .ouvrir_campagne(annee, echeance, &u.acteur())
        .await
        .map_err(|e| match e {
            pacte_store::ErreurStore::Invalide(m) => ErreurApi(ErreurWeb {
                statut: StatusCode::CONFLICT,
                code: "conflit",
                message: m,
                champ: Some("annee".into()),
            }),
            e => ErreurApi(e.into()),
        })?;
    Ok((StatusCode::CREATED, Json(CampagneApi::from(&c))).into_response())
}

/// A figure in the API: its key, the contract's T0 and target, the value entered (hundredths).
#[derive(Debug, Serialize)]
struct LigneApi {
    fiche: String,
    nature: &'static str,
    indicateur: String,
    ventilation: u8,
    libelle: String,
    unite: Option<String>,
    t0: Option<i64>,
    cible: Option<i64>,
    realise: Option<i64>,
    commentaire: Option<String>,
    changement_methode: bool,
    note_methode: Option<String>,
    effet_methode: Option<i64>,
    atteinte_millioniemes: Option<i64>,
    remarque: Option<String>,
}

#[derive(Debug, Serialize)]
struct ConstatApi {
    code: &'static str,
    gravite: &'static str,
    message: String,
}

#[derive(Debug, Serialize)]
struct TransitionApi {
    rang: i64,
    transition: String,
    etat_avant: &'static str,
    etat_apres: &'static str,
    motif: Option<String>,
    acteur: String,
    le: String,
    remarques: Vec<RemarqueApi>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemarqueApi {
    fiche: String,
    nature: String,
    indicateur: String,
    #[serde(default)]
    ventilation: u8,
    texte: String,
}

#[derive(Debug, Serialize)]
struct CampagneContratApi {
    contrat: i64,
    annee: u16,
    etat: &'static str,
    version: i64,
    echeance: String,
    prolongation: Option<String>,
    en_retard: bool,
    soumise_le: Option<String>,
    soumise_en_retard: bool,
    validee_le: Option<String>,
    atteinte_millioniemes: Option<i64>,
    lignes: Vec<LigneApi>,
    constats: Vec<ConstatApi>,
    transitions: Vec<TransitionApi>,
}

fn cle_de(
    fiche: &str,
    nature: &str,
    indicateur: &str,
    ventilation: u8,
    champ: &str,
) -> Result<CleValeur, ErreurApi> {
    let invalide = |m: String| ErreurApi(ErreurWeb::invalide(m, Some(champ.into())));
    Ok(CleValeur {
        fiche: NumeroFiche::parse(fiche).map_err(|m| invalide(format!("fiche : {m}")))?,
        nature: NatureIndicateur::depuis_code(nature)
            .ok_or_else(|| invalide(format!("nature « {nature} » : national ou local")))?,
        indicateur: indicateur.to_string(),
        ventilation,
    })
}

async fn reponse(etat: &Etat, u: &Utilisateur, id: i64, annee: Annee) -> Result<Response, ErreurApi> {
    let c = u.contrat_pour(etat, id, Action::Lire).await?;
    let d = donnees(etat, id, annee).await?;
    let contrat = &c.contrat;
    let remarques = remarques_en_cours(&d.suivi, &d.transitions);
    let atteintes = campagne::atteintes(contrat, annee, &d.valeurs);
    let lignes = campagne::lignes_attendues(contrat, annee)
        .into_iter()
        .map(|l| {
            let v = d.valeurs.iter().find(|v| v.cle == l.cle);
            LigneApi {
                fiche: l.cle.fiche.to_string(),
                nature: l.cle.nature.code(),
                indicateur: l.cle.indicateur.clone(),
                ventilation: l.cle.ventilation,
                libelle: l.libelle.clone(),
                unite: l.unite.clone(),
                t0: l.t0.map(Valeur::en_centiemes),
                cible: l.cible.map(Valeur::en_centiemes),
                realise: v.and_then(|v| v.realise).map(Valeur::en_centiemes),
                commentaire: v.and_then(|v| v.commentaire.clone()),
                changement_methode: v.is_some_and(|v| v.changement_methode),
                note_methode: v.and_then(|v| v.note_methode.clone()),
                effet_methode: v.and_then(|v| v.effet_methode),
                atteinte_millioniemes: atteintes
                    .lignes
                    .iter()
                    .find(|a| a.ligne.cle == l.cle)
                    .and_then(|a| a.atteinte)
                    .map(|a| a.millioniemes),
                remarque: remarques.get(&l.cle).cloned(),
            }
        })
        .collect();
    let echeance = campagne::echeance_contrat(d.campagne.echeance, d.suivi.prolongation);
    let corps = CampagneContratApi {
        contrat: id,
        annee: annee.valeur(),
        etat: d.suivi.etat.code(),
        version: d.suivi.tampon.version,
        echeance: echeance.iso(),
        prolongation: d.suivi.prolongation.map(Date::iso),
        en_retard: campagne::en_retard(d.suivi.etat, echeance, super::aujourdhui()),
        soumise_le: d.suivi.soumise_le.clone(),
        soumise_en_retard: d.suivi.soumise_en_retard,
        validee_le: d.suivi.validee_le.clone(),
        atteinte_millioniemes: atteintes.contrat.map(|a| a.millioniemes),
        lignes,
        constats: campagne::verifier_soumission(contrat, annee, &d.valeurs)
            .into_iter()
            .map(|k| ConstatApi {
                code: k.code,
                gravite: match k.gravite {
                    pacte_core::Gravite::Bloquant => "bloquant",
                    pacte_core::Gravite::Alerte => "alerte",
                },
                message: k.message,
            })
            .collect(),
        transitions: d
            .transitions
            .iter()
            .map(|t| TransitionApi {
                rang: t.rang,
                transition: t.transition.clone(),
                etat_avant: t.etat_avant.code(),
                etat_apres: t.etat_apres.code(),
                motif: t.motif.clone(),
                acteur: t.acteur.clone(),
                le: t.le.clone(),
                remarques: t
                    .remarques
                    .iter()
                    .map(|(k, texte)| RemarqueApi {
                        fiche: k.fiche.to_string(),
                        nature: k.nature.code().to_string(),
                        indicateur: k.indicateur.clone(),
                        ventilation: k.ventilation,
                        texte: texte.clone(),
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(Json(corps).into_response())
}

/// `GET /contrats/{id}/campagnes/{annee}`: whoever may read the contract.
pub(crate) async fn lire(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    chemin: CheminCampagne,
) -> Result<Response, ErreurApi> {
    reponse(&etat, &u, chemin.id, chemin.annee).await
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ValeurApi {
    fiche: String,
    nature: String,
    indicateur: String,
    #[serde(default)]
    ventilation: u8,
    #[serde(default)]
    realise: Option<i64>,
    #[serde(default)]
    commentaire: Option<String>,
    #[serde(default)]
    changement_methode: bool,
    #[serde(default)]
    note_methode: Option<String>,
    #[serde(default)]
    effet_methode: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Saisie {
    version: i64,
    valeurs: Vec<ValeurApi>,
}

/// `PUT /contrats/{id}/campagnes/{annee}/valeurs`: the collectivity's editor replaces the
/// figures entered (the whole set).
pub(crate) async fn saisir(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    chemin: CheminCampagne,
    requete: axum::extract::Request,
) -> Result<Response, ErreurApi> {
    let c = contrat_pour(&etat, &u, chemin.id, Action::SaisirCampagne).await?;
    let CorpsJson(corps) = corps_json::<Saisie>(requete, &etat).await?;
    super::campagne_ouverte(&etat, chemin.annee).await?;
    if corps.version < 0 {
        return Err(ErreurApi(ErreurWeb::invalide(
            "version : un entier positif ou nul",
            Some("version".into()),
        )));
    }
    let mut valeurs = Vec::new();
    for (i, v) in corps.valeurs.iter().enumerate() {
        let champ = format!("valeurs[{i}]");
        let cle = cle_de(&v.fiche, &v.nature, &v.indicateur, v.ventilation, &champ)?;
        let realise = match v.realise {
            Some(r) if !(0..=REALISE_MAX).contains(&r) => {
                return Err(ErreurApi(ErreurWeb::invalide(
                    format!("{champ}.realise : entre 0 et {REALISE_MAX} centièmes"),
                    Some(format!("{champ}.realise")),
                )));
            }
            r => r.map(Valeur::centiemes),
        };
        if v.effet_methode.is_some_and(|e| e.abs() > REALISE_MAX) {
            return Err(ErreurApi(ErreurWeb::invalide(
                format!("{champ}.effet_methode : entre -{REALISE_MAX} et {REALISE_MAX} centièmes"),
                Some(format!("{champ}.effet_methode")),
            )));
        }
        valeurs.push(ValeurSaisie {
            cle,
            realise,
            commentaire: v.commentaire.clone().filter(|t| !t.trim().is_empty()),
            changement_methode: v.changement_methode,
            note_methode: v.note_methode.clone().filter(|t| !t.trim().is_empty()),
            effet_methode: v.effet_methode,
        });
    }
    let bloquants: Vec<_> = campagne::verifier_saisie(&c.contrat, chemin.annee, &valeurs)
        .into_iter()
        .filter(|k| k.gravite == pacte_core::Gravite::Bloquant)
        .collect();
    if let Some(k) = bloquants.first() {
        let i = k
            .cle
            .as_ref()
            .and_then(|cle| valeurs.iter().position(|v| &v.cle == cle))
            .map(|i| format!("valeurs[{i}]"));
        return Err(ErreurApi(ErreurWeb::invalide(
            format!("{} ({})", k.message, k.code),
            i,
        )));
    }
    etat.base
        .enregistrer_valeurs(
            chemin.annee,
            chemin.id,
            corps.version,
            &u.acteur(),
            garde_saisie(chemin.annee, valeurs),
        )
        .await?;
    reponse(&etat, &u, chemin.id, chemin.annee).await
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NouvelleTransition {
    version: i64,
    transition: String,
    #[serde(default)]
    motif: Option<String>,
    #[serde(default)]
    remarques: Vec<RemarqueApi>,
}

/// `POST /contrats/{id}/campagnes/{annee}/transitions`: submit (collectivity's editor), return
/// or validate (DDETS, commissaire), reopen (commissaire).
pub(crate) async fn transition(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    chemin: CheminCampagne,
    requete: axum::extract::Request,
) -> Result<Response, ErreurApi> {
    super::contrat_pour_une_etape(&etat, &u, chemin.id).await?;
    let CorpsJson(corps) = corps_json::<NouvelleTransition>(requete, &etat).await?;
    let t = Transition::depuis_code(&corps.transition)
        .filter(|t| *t != Transition::Saisir)
        .ok_or_else(|| {
            ErreurApi(ErreurWeb::invalide(
                format!(
                    "transition « {} » : soumettre, renvoyer, valider ou rouvrir",
                    corps.transition
                ),
                Some("transition".into()),
            ))
        })?;
    let c = contrat_pour(&etat, &u, chemin.id, t.action()).await?;
    super::campagne_ouverte(&etat, chemin.annee).await?;
    let attendues: Vec<CleValeur> = campagne::lignes_attendues(&c.contrat, chemin.annee)
        .into_iter()
        .map(|l| l.cle)
        .collect();
    let mut remarques = Vec::new();
    for (i, r) in corps.remarques.iter().enumerate() {
        let champ = format!("remarques[{i}]");
        let cle = cle_de(&r.fiche, &r.nature, &r.indicateur, r.ventilation, &champ)?;
        if !attendues.contains(&cle) {
            return Err(ErreurApi(ErreurWeb::invalide(
                format!("{champ} : ce n'est pas un indicateur du contrat"),
                Some(champ),
            )));
        }
        if r.texte.trim().is_empty() || r.texte.chars().count() > campagne::COMMENTAIRE_MAX {
            return Err(ErreurApi(ErreurWeb::invalide(
                format!("{champ}.texte : de 1 à {} caractères", campagne::COMMENTAIRE_MAX),
                Some(format!("{champ}.texte")),
            )));
        }
        remarques.push((cle, r.texte.trim().to_string()));
    }
    if !remarques.is_empty() && t != Transition::Renvoyer {
        return Err(ErreurApi(ErreurWeb::invalide(
            "remarques : seulement pour un renvoi",
            Some("remarques".into()),
        )));
    }
    let motif = corps.motif.as_deref().map(str::trim).filter(|m| !m.is_empty());
    if t.exige_motif() && motif.is_none() && remarques.is_empty() {
        return Err(ErreurApi(ErreurWeb::invalide(
            format!("« {} » demande un motif", t.libelle()),
            Some("motif".into()),
        )));
    }
    if corps.version < 0 {
        return Err(ErreurApi(ErreurWeb::invalide(
            "version : un entier positif ou nul",
            Some("version".into()),
        )));
    }
    etat.base
        .changer_etat_campagne(
            chemin.annee,
            chemin.id,
            corps.version,
            t,
            motif,
            &remarques,
            &u.acteur(),
            garde_transition(chemin.annee, t),
        )
        .await
        .map_err(|e| match e {
            pacte_store::ErreurStore::Invalide(m) => ErreurApi(ErreurWeb::invalide(m, Some("motif".into()))),
            e => ErreurApi(e.into()),
        })?;
    reponse(&etat, &u, chemin.id, chemin.annee).await
}
