//! The annual report's free-text sections in the JSON API, beside the campaign of the year
//! (`/contrats/{id}/campagnes/{annee}/textes`): `GET` for whoever reads the contract, `PUT` for
//! the collectivity's editor while the campaign is not validated, with `If-Match: "<version>"`
//! (`"0"` before the first write, the sections being then empty); a stale version is a 409,
//! a text beyond 20 000 characters or an unknown section a 422 naming it. Rights are judged
//! before the version and the body are read. Schemas in `api/openapi/campagnes.rs`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pacte_core::campagne::textes::{self, RapportTexte, Textes, verrouille};
use pacte_core::droits::Action;
use serde::{Deserialize, Serialize};

use crate::api::reponses::etag;
use crate::campagnes::api::{CheminCampagne, corps_json};
use crate::campagnes::{campagne_ouverte, contrat_pour, permis};
use crate::comptes::ClientApi;
use crate::{ErreurApi, ErreurWeb, Etat, Utilisateur};

#[derive(Debug, Serialize)]
struct SectionApi {
    code: &'static str,
    titre: &'static str,
    texte: Option<String>,
}

#[derive(Debug, Serialize)]
struct TextesApi {
    contrat: i64,
    annee: u16,
    version: i64,
    verrouille: bool,
    modifiable: bool,
    sections: Vec<SectionApi>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SaisieTextesApi {
    /// Section code → text; an absent, null or blank section is emptied.
    sections: BTreeMap<String, Option<String>>,
}

async fn reponse(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    rapport: RapportTexte,
) -> Result<Response, ErreurApi> {
    let c = u.contrat_pour(etat, id, Action::Lire).await?;
    let t = etat.base.textes_rapport(id, rapport).await?;
    let suivi = etat.base.suivi_campagne(rapport.annee(), id).await?;
    let verrou = verrouille(suivi.etat);
    let corps = TextesApi {
        contrat: id,
        annee: rapport.annee().valeur(),
        version: t.tampon.version,
        verrouille: verrou,
        modifiable: !verrou && permis(u, &c.contrat, Action::SaisirCampagne),
        sections: rapport
            .sections()
            .iter()
            .map(|s| SectionApi {
                code: s.code,
                titre: s.titre,
                texte: t.sections.get(s.code).cloned(),
            })
            .collect(),
    };
    let mut r = Json(corps).into_response();
    r.headers_mut().insert(header::ETAG, etag(t.tampon.version));
    Ok(r)
}

/// `If-Match: "<version>"`, 0 allowed (nothing written yet).
fn version_lue(entetes: &HeaderMap) -> Result<i64, ErreurApi> {
    let valeurs: Vec<_> = entetes.get_all(header::IF_MATCH).iter().collect();
    let [valeur] = valeurs.as_slice() else {
        return Err(ErreurApi(ErreurWeb {
            statut: StatusCode::PRECONDITION_REQUIRED,
            code: "requete",
            message: "en-tête If-Match manquant ou répété : indiquez la version lue (champ « version », « 0 » avant le premier enregistrement), par exemple If-Match: \"0\"".into(),
            champ: Some("If-Match".into()),
        }));
    };
    let texte = valeur.to_str().unwrap_or_default().trim();
    let nu = texte
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(texte);
    nu.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(|| {
        ErreurApi(ErreurWeb {
            champ: Some("If-Match".into()),
            ..ErreurWeb::requete(format!(
                "en-tête If-Match « {texte} » invalide : la version lue est attendue entre guillemets, par exemple If-Match: \"0\""
            ))
        })
    })
}

/// `GET /contrats/{id}/campagnes/{annee}/textes`.
pub(crate) async fn lire(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    chemin: CheminCampagne,
) -> Result<Response, ErreurApi> {
    campagne_ouverte(&etat, chemin.annee).await?;
    reponse(&etat, &u, chemin.id, RapportTexte::Annuel(chemin.annee)).await
}

/// `PUT /contrats/{id}/campagnes/{annee}/textes`: replaces the sections (the whole set).
pub(crate) async fn ecrire(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    chemin: CheminCampagne,
    requete: axum::extract::Request,
) -> Result<Response, ErreurApi> {
    contrat_pour(&etat, &u, chemin.id, Action::SaisirCampagne).await?;
    let version = version_lue(requete.headers())?;
    let crate::api::corps::CorpsJson(corps) = corps_json::<SaisieTextesApi>(requete, &etat).await?;
    campagne_ouverte(&etat, chemin.annee).await?;
    let rapport = RapportTexte::Annuel(chemin.annee);
    let saisis: Textes = corps
        .sections
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    let propres = textes::nettoyer(saisis);
    if let Some((code, m)) = textes::verifier_textes(rapport, &propres).into_iter().next() {
        return Err(ErreurApi(ErreurWeb::invalide(
            m,
            Some(format!("sections.{code}")),
        )));
    }
    etat.base
        .enregistrer_textes_rapport(
            chemin.id,
            rapport,
            version,
            propres,
            &u.acteur(),
            super::textes::garde(rapport),
        )
        .await?;
    reponse(&etat, &u, chemin.id, rapport).await
}
