//! The exchange handlers of the JSON API: a contract's messages (every thread) and correction
//! requests, writing a message, requesting a correction, answering and resolving one
//! (`If-Match`: the request's version). Routes in `api::table`, schemas in
//! `api/openapi/echanges.rs`.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use pacte_core::echanges::ActionEchange;
use pacte_store::echanges::{DemandeCorrection, Fil, Message};
use serde::{Deserialize, Serialize};

use super::{auteur, contrat, fiche_de, notification};
use crate::api::corps::{CheminContrat, CorpsJson, VersionLue};
use crate::api::reponses::etag;
use crate::comptes::ClientApi;
use crate::{ErreurApi, ErreurWeb, Etat};

/// A message as the API gives it.
#[derive(Debug, Serialize)]
pub(crate) struct MessageApi {
    id: i64,
    fiche: Option<String>,
    demande: Option<i64>,
    auteur: String,
    role: String,
    texte: String,
    cree_le: String,
}

impl From<&Message> for MessageApi {
    fn from(m: &Message) -> MessageApi {
        MessageApi {
            id: m.id,
            fiche: m.fiche.clone(),
            demande: m.demande_id,
            auteur: m.auteur.clone(),
            role: m.role.clone(),
            texte: m.texte.clone(),
            cree_le: m.cree_le.clone(),
        }
    }
}

/// A correction request as the API gives it.
#[derive(Debug, Serialize)]
pub(crate) struct DemandeApi {
    id: i64,
    version: i64,
    fiche: Option<String>,
    champ: Option<String>,
    texte: String,
    etat: &'static str,
    cree_par: String,
    cree_le: String,
    modifie_par: String,
    modifie_le: String,
}

impl From<&DemandeCorrection> for DemandeApi {
    fn from(d: &DemandeCorrection) -> DemandeApi {
        DemandeApi {
            id: d.tampon.id,
            version: d.tampon.version,
            fiche: d.fiche.clone(),
            champ: d.champ.clone(),
            texte: d.texte.clone(),
            etat: d.etat.code(),
            cree_par: d.cree_par.clone(),
            cree_le: d.cree_le.clone(),
            modifie_par: d.tampon.modifie_par.clone(),
            modifie_le: d.tampon.modifie_le.clone(),
        }
    }
}

#[derive(Serialize)]
struct ListeMessages {
    messages: Vec<MessageApi>,
}

#[derive(Serialize)]
struct ListeDemandes {
    demandes: Vec<DemandeApi>,
}

/// The body of a new message.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NouveauMessage {
    texte: String,
    #[serde(default)]
    fiche: Option<String>,
}

/// The body of a correction request.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NouvelleDemande {
    texte: String,
    #[serde(default)]
    fiche: Option<String>,
    #[serde(default)]
    champ: Option<String>,
}

/// The body of an answer or a resolution.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Suite {
    #[serde(default)]
    texte: String,
}

/// `/contrats/{id}/demandes/{demande}`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CheminDemande {
    id: i64,
    demande: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for CheminDemande {
    type Rejection = ErreurApi;

    async fn from_request_parts(parts: &mut Parts, etat: &S) -> Result<Self, ErreurApi> {
        let c = CheminContrat::from_request_parts(parts, etat).await?;
        let axum::extract::Path(valeurs) =
            axum::extract::Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, etat)
                .await
                .map_err(|_| ErreurApi(ErreurWeb::requete("chemin illisible")))?;
        let demande = valeurs
            .get("demande")
            .and_then(|d| d.trim().parse::<i64>().ok())
            .filter(|d| *d > 0)
            .ok_or_else(|| {
                ErreurApi(ErreurWeb {
                    champ: Some("demande".into()),
                    ..ErreurWeb::requete("numéro de demande de correction invalide : un entier supérieur à 0")
                })
            })?;
        Ok(CheminDemande { id: c.id, demande })
    }
}

fn invalide(e: pacte_store::ErreurStore, champ: &str) -> ErreurApi {
    match e {
        pacte_store::ErreurStore::Invalide(m) => ErreurApi(ErreurWeb::invalide(m, Some(champ.into()))),
        e => ErreurApi(e.into()),
    }
}

pub(crate) async fn lister_messages(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
) -> Result<Response, ErreurApi> {
    contrat(&etat, &u, c.id, ActionEchange::Lire).await?;
    let messages = etat.base.messages_du_contrat(c.id).await?;
    Ok(Json(ListeMessages {
        messages: messages.iter().map(MessageApi::from).collect(),
    })
    .into_response())
}

pub(crate) async fn ecrire_message(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
    CorpsJson(corps): CorpsJson<NouveauMessage>,
) -> Result<Response, ErreurApi> {
    let stocke = contrat(&etat, &u, c.id, ActionEchange::Ecrire).await?;
    let fiche = corps.fiche.as_deref().map(|f| fiche_de(&stocke, f)).transpose()?;
    let fil = Fil {
        contrat_id: c.id,
        fiche,
    };
    let m = etat
        .base
        .ecrire_message(&fil, &auteur(&u), &corps.texte, None, &u.acteur())
        .await
        .map_err(|e| invalide(e, "texte"))?;
    notification::apres_ecriture(&etat, &stocke, u.compte.id, notification::Evenement::Message(&m));
    Ok((StatusCode::CREATED, Json(MessageApi::from(&m))).into_response())
}

pub(crate) async fn lister_demandes(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
) -> Result<Response, ErreurApi> {
    contrat(&etat, &u, c.id, ActionEchange::Lire).await?;
    let demandes = etat.base.demandes_correction(c.id).await?;
    Ok(Json(ListeDemandes {
        demandes: demandes.iter().map(DemandeApi::from).collect(),
    })
    .into_response())
}

pub(crate) async fn demander(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
    CorpsJson(corps): CorpsJson<NouvelleDemande>,
) -> Result<Response, ErreurApi> {
    let stocke = contrat(&etat, &u, c.id, ActionEchange::DemanderCorrection).await?;
    let fiche = corps.fiche.as_deref().map(|f| fiche_de(&stocke, f)).transpose()?;
    let fil = Fil {
        contrat_id: c.id,
        fiche,
    };
    let d = etat
        .base
        .demander_correction(
            &fil,
            corps.champ.as_deref(),
            &auteur(&u),
            &corps.texte,
            &u.acteur(),
        )
        .await
        .map_err(|e| invalide(e, "texte"))?;
    notification::apres_ecriture(&etat, &stocke, u.compte.id, notification::Evenement::Demande(&d));
    let mut r = (StatusCode::CREATED, Json(DemandeApi::from(&d))).into_response();
    r.headers_mut()
        .insert(axum::http::header::ETAG, etag(d.tampon.version));
    Ok(r)
}

async fn avancer(
    etat: Etat,
    u: crate::Utilisateur,
    chemin: CheminDemande,
    version: VersionLue,
    corps: Suite,
    action: ActionEchange,
) -> Result<Response, ErreurApi> {
    let stocke = contrat(&etat, &u, chemin.id, action).await?;
    match etat.base.demande_correction(chemin.demande).await {
        Ok(d) if d.contrat_id == chemin.id => {}
        Ok(_) | Err(pacte_store::ErreurStore::Introuvable { .. }) => {
            return Err(ErreurApi(ErreurWeb::introuvable(format!(
                "demande de correction {} du contrat {} introuvable",
                chemin.demande, chemin.id
            ))));
        }
        Err(e) => return Err(ErreurApi(e.into())),
    }
    let d = etat
        .base
        .faire_avancer_demande(
            chemin.demande,
            action,
            version.0,
            &auteur(&u),
            &corps.texte,
            &u.acteur(),
        )
        .await
        .map_err(|e| invalide(e, "texte"))?;
    notification::apres_ecriture(&etat, &stocke, u.compte.id, notification::Evenement::Avancee(&d));
    let mut r = Json(DemandeApi::from(&d)).into_response();
    r.headers_mut()
        .insert(axum::http::header::ETAG, etag(d.tampon.version));
    Ok(r)
}

pub(crate) async fn repondre(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    chemin: CheminDemande,
    version: VersionLue,
    CorpsJson(corps): CorpsJson<Suite>,
) -> Result<Response, ErreurApi> {
    avancer(etat, u, chemin, version, corps, ActionEchange::Repondre).await
}

pub(crate) async fn resoudre(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    chemin: CheminDemande,
    version: VersionLue,
    CorpsJson(corps): CorpsJson<Suite>,
) -> Result<Response, ErreurApi> {
    avancer(etat, u, chemin, version, corps, ActionEchange::Resoudre).await
}
