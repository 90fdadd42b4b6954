//! What the API reads from a request: the JSON body, the path, the query string and the
//! `If-Match` header. Every refusal is an [`ErreurApi`] with a French message naming the field
//! (and, for bodies, the line and column); axum's plain-text rejections never reach a client.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use pacte_core::NumeroFiche;
use pacte_core::fichier::ErreurLecture;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ErreurApi, ErreurWeb};

/// Largest accepted body, in bytes.
pub const TAILLE_MAX: usize = 2 * 1024 * 1024;

fn erreur(statut: StatusCode, code: &'static str, message: String, champ: Option<&str>) -> ErreurApi {
    ErreurApi(ErreurWeb {
        statut,
        code,
        message,
        champ: champ.map(str::to_string),
    })
}

fn requete(message: impl Into<String>, champ: &str) -> ErreurApi {
    erreur(StatusCode::BAD_REQUEST, "requete", message.into(), Some(champ))
}

// ---------------------------------------------------------------------------------------------
// JSON body

/// A JSON request body read into `T`, refused with an [`ErreurApi`]:
/// 415 without a JSON content type, 413 above [`TAILLE_MAX`], 400 for an empty body, bytes
/// that are not UTF-8 or malformed JSON, 422 for well-formed JSON that `T` refuses (wrong type,
/// unknown field, negative amount…).
#[derive(Debug)]
pub struct CorpsJson<T>(pub T);

impl<S, T> FromRequest<S> for CorpsJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Serialize,
{
    type Rejection = ErreurApi;

    async fn from_request(req: Request, etat: &S) -> Result<Self, ErreurApi> {
        corps_json(req, etat).await.map(CorpsJson)
    }
}

/// The JSON body of `req` (see [`CorpsJson`]), at most [`TAILLE_MAX`] bytes even on a route
/// that allows more for its documents.
async fn corps_json<S, T>(req: Request, etat: &S) -> Result<T, ErreurApi>
where
    S: Send + Sync,
    T: DeserializeOwned + Serialize,
{
    controler_type_contenu(req.headers().get(header::CONTENT_TYPE))?;
    let octets = Bytes::from_request(req, etat).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            trop_volumineux()
        } else {
            erreur(
                StatusCode::BAD_REQUEST,
                "requete",
                "corps de la requête illisible (connexion interrompue ?)".into(),
                None,
            )
        }
    })?;
    if octets.len() > TAILLE_MAX {
        return Err(trop_volumineux());
    }
    lire_json(&octets)
}

/// 413, naming the JSON limit.
fn trop_volumineux() -> ErreurApi {
    erreur(
        StatusCode::PAYLOAD_TOO_LARGE,
        "requete",
        format!(
            "corps de la requête trop volumineux : {} Mo au plus",
            TAILLE_MAX / (1024 * 1024)
        ),
        None,
    )
}

/// An act's body: its JSON, as [`CorpsJson`], or a `multipart/form-data` body whose part
/// `acte` holds the JSON and whose part `document` holds a file (the signed convention of a
/// signature). The route allows documents' sizes (`comptes::TAILLE_ENVOI_MAX`); the JSON
/// itself keeps the API's limit, [`TAILLE_MAX`].
#[derive(Debug)]
pub struct CorpsAvecDocument<T> {
    pub valeur: T,
    /// The file's name as sent, and its bytes.
    pub document: Option<(String, Vec<u8>)>,
}

fn essence_type(req: &Request) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

impl<S, T> FromRequest<S> for CorpsAvecDocument<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Serialize + Send,
{
    type Rejection = ErreurApi;

    async fn from_request(req: Request, etat: &S) -> Result<Self, ErreurApi> {
        if essence_type(&req) != "multipart/form-data" {
            return Ok(CorpsAvecDocument {
                valeur: corps_json(req, etat).await?,
                document: None,
            });
        }
        let illisible = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                erreur(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "requete",
                    format!(
                        "corps de la requête trop volumineux : {} Mo au plus avec le document",
                        crate::comptes::TAILLE_ENVOI_MAX / (1024 * 1024)
                    ),
                    None,
                )
            } else {
                requete(
                    format!("corps multipart illisible : {}", e.body_text()),
                    "Content-Type",
                )
            }
        };
        let mut envoi = axum::extract::Multipart::from_request(req, etat)
            .await
            .map_err(|e| {
                requete(
                    format!("corps multipart illisible : {}", e.body_text()),
                    "Content-Type",
                )
            })?;
        let mut valeur = None;
        let mut document = None;
        while let Some(partie) = envoi.next_field().await.map_err(illisible)? {
            let nom = partie.name().unwrap_or_default().to_string();
            match nom.as_str() {
                "acte" if valeur.is_none() => {
                    let octets = partie.bytes().await.map_err(illisible)?;
                    if octets.len() > TAILLE_MAX {
                        return Err(trop_volumineux());
                    }
                    valeur = Some(lire_json(&octets)?);
                }
                "document" if document.is_none() => {
                    let fichier = partie.file_name().unwrap_or_default().to_string();
                    let octets = partie.bytes().await.map_err(illisible)?;
                    document = Some((fichier, octets.to_vec()));
                }
                "acte" | "document" => {
                    return Err(requete(format!("partie « {nom} » envoyée deux fois"), &nom));
                }
                _ => {
                    return Err(requete(
                        format!(
                            "partie « {} » inconnue : les parties sont « acte » (le JSON de l'acte) et « document » (son fichier)",
                            nom.chars().take(100).collect::<String>()
                        ),
                        "Content-Type",
                    ));
                }
            }
        }
        let Some(valeur) = valeur else {
            return Err(requete(
                "partie « acte » absente : le JSON de l'acte est attendu dans la partie « acte »",
                "acte",
            ));
        };
        Ok(CorpsAvecDocument { valeur, document })
    }
}

fn controler_type_contenu(valeur: Option<&header::HeaderValue>) -> Result<(), ErreurApi> {
    let refus = |quoi: String| {
        erreur(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "requete",
            format!("{quoi} : envoyez le corps en JSON avec l'en-tête « Content-Type: application/json »"),
            Some("Content-Type"),
        )
    };
    let Some(valeur) = valeur else {
        return Err(refus("type de contenu absent".into()));
    };
    let texte = valeur.to_str().unwrap_or_default();
    let essence = texte
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let json =
        essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"));
    if json {
        Ok(())
    } else {
        Err(refus(format!("type de contenu « {texte} » non admis")))
    }
}

/// Reads a JSON document into `T`, with French errors located by line, column and field.
pub fn lire_json<T: DeserializeOwned + Serialize>(octets: &[u8]) -> Result<T, ErreurApi> {
    let texte = std::str::from_utf8(octets).map_err(|e| {
        let (ligne, colonne) = ligne_colonne(octets, e.valid_up_to());
        let lecture = ErreurLecture {
            ligne: Some(ligne),
            colonne: Some(colonne),
            champ: None,
            message: "octet invalide : le corps doit être un texte encodé en UTF-8".into(),
            syntaxe: true,
        };
        erreur(StatusCode::BAD_REQUEST, "requete", lecture.to_string(), None)
    })?;
    if texte.trim().is_empty() {
        return Err(erreur(
            StatusCode::BAD_REQUEST,
            "requete",
            "corps de la requête vide : un document JSON est attendu".into(),
            None,
        ));
    }
    let valeur: T = pacte_core::fichier::lire_json(texte).map_err(|e| {
        let (statut, code) = if e.syntaxe {
            (StatusCode::BAD_REQUEST, "requete")
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalide")
        };
        erreur(statut, code, e.to_string(), e.champ.as_deref())
    })?;
    refuser_nul(&valeur)?;
    Ok(valeur)
}

/// Refuses a text holding the character U+0000 (`"\u0000"` in JSON): no database keeps it
/// reliably (PostgreSQL refuses it in text columns), and no contract needs it.
fn refuser_nul<T: Serialize>(valeur: &T) -> Result<(), ErreurApi> {
    fn chercher(v: &serde_json::Value, chemin: &mut Vec<Segment>) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(a) => a.iter().enumerate().any(|(i, x)| {
                chemin.push(Segment::Indice(i));
                let trouve = chercher(x, chemin);
                if !trouve {
                    chemin.pop();
                }
                trouve
            }),
            serde_json::Value::Object(m) => m.iter().any(|(k, x)| {
                chemin.push(Segment::Cle(k.clone()));
                let trouve = k.contains('\0') || chercher(x, chemin);
                if !trouve {
                    chemin.pop();
                }
                trouve
            }),
            _ => false,
        }
    }
    let v = serde_json::to_value(valeur).unwrap_or_default();
    let mut chemin = Vec::new();
    if chercher(&v, &mut chemin) {
        let champ = (!chemin.is_empty()).then(|| ecrire_chemin(&chemin));
        return Err(ErreurApi(ErreurWeb::invalide(
            format!(
                "{}le caractère nul (\\u0000) n'est pas admis dans un texte",
                champ
                    .as_deref()
                    .map(|c| format!("champ « {c} » : "))
                    .unwrap_or_default()
            ),
            champ,
        )));
    }
    Ok(())
}

/// 1-based line and column (in characters) of a byte offset.
fn ligne_colonne(octets: &[u8], offset: usize) -> (usize, usize) {
    let avant = &octets[..offset.min(octets.len())];
    let ligne = avant.iter().filter(|b| **b == b'\n').count() + 1;
    let debut = avant.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let colonne = String::from_utf8_lossy(&avant[debut..]).chars().count() + 1;
    (ligne, colonne)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Cle(String),
    Indice(usize),
}

fn ecrire_chemin(chemin: &[Segment]) -> String {
    let mut s = String::new();
    for seg in chemin {
        match seg {
            Segment::Cle(c) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(c);
            }
            Segment::Indice(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn id_contrat(valeurs: &HashMap<String, String>) -> Result<i64, ErreurApi> {
    let brut = valeurs.get("id").map(String::as_str).unwrap_or_default();
    match brut.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(requete(
            format!(
                "« {brut} » n'est pas un numéro de contrat : un entier positif est attendu (champ « id » de la liste des contrats)"
            ),
            "id",
        )),
    }
}

/// `/contrats/{id}`: the contract number, an integer above zero.
#[derive(Debug, Clone, Copy)]
pub struct CheminContrat {
    pub id: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for CheminContrat {
    type Rejection = ErreurApi;

    async fn from_request_parts(parts: &mut Parts, etat: &S) -> Result<Self, ErreurApi> {
        let valeurs = lire_chemin(parts, etat).await?;
        Ok(CheminContrat {
            id: id_contrat(&valeurs)?,
        })
    }
}

/// `/contrats/{id}/fiches/{numero}`: the contract number and a fiche number `axe.rang`.
#[derive(Debug, Clone, Copy)]
pub struct CheminFiche {
    pub id: i64,
    pub numero: NumeroFiche,
}

impl<S: Send + Sync> FromRequestParts<S> for CheminFiche {
    type Rejection = ErreurApi;

    async fn from_request_parts(parts: &mut Parts, etat: &S) -> Result<Self, ErreurApi> {
        let valeurs = lire_chemin(parts, etat).await?;
        let id = id_contrat(&valeurs)?;
        let brut = valeurs.get("numero").map(String::as_str).unwrap_or_default();
        let numero = NumeroFiche::parse(brut).map_err(|m| requete(m, "numero"))?;
        Ok(CheminFiche { id, numero })
    }
}

async fn lire_chemin<S: Send + Sync>(
    parts: &mut Parts,
    etat: &S,
) -> Result<HashMap<String, String>, ErreurApi> {
    Path::<HashMap<String, String>>::from_request_parts(parts, etat)
        .await
        .map(|Path(v)| v)
        .map_err(|_| {
            erreur(
                StatusCode::BAD_REQUEST,
                "requete",
                "adresse invalide : un segment du chemin n'est pas un texte UTF-8 valide".into(),
                None,
            )
        })
}

// ---------------------------------------------------------------------------------------------
// Query string

/// Default number of contracts per page.
pub const PAR_PAGE_DEFAUT: u32 = 50;
/// Largest number of contracts per page.
pub const PAR_PAGE_MAX: u32 = 200;

/// `?page=1&par_page=50`: 1-based page number and page size (1 to [`PAR_PAGE_MAX`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    pub page: u32,
    pub par_page: u32,
}

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = ErreurApi;

    async fn from_request_parts(parts: &mut Parts, _etat: &S) -> Result<Self, ErreurApi> {
        let Query(paires) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri).map_err(|_| {
            erreur(
                StatusCode::BAD_REQUEST,
                "requete",
                "paramètres de l'adresse illisibles".into(),
                None,
            )
        })?;
        let mut p = Pagination {
            page: 1,
            par_page: PAR_PAGE_DEFAUT,
        };
        let mut vus = Vec::new();
        for (nom, valeur) in paires {
            if vus.contains(&nom) {
                return Err(requete(
                    format!("le paramètre « {nom} » est donné deux fois"),
                    &nom,
                ));
            }
            match nom.as_str() {
                "page" => {
                    p.page = valeur.trim().parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                        requete(
                            format!("page « {valeur} » invalide : un entier à partir de 1 est attendu"),
                            "page",
                        )
                    })?;
                }
                "par_page" => {
                    p.par_page = valeur
                        .trim()
                        .parse()
                        .ok()
                        .filter(|n| (1..=PAR_PAGE_MAX).contains(n))
                        .ok_or_else(|| {
                            requete(
                                format!("par_page « {valeur} » invalide : un entier de 1 à {PAR_PAGE_MAX} est attendu"),
                                "par_page",
                            )
                        })?;
                }
                _ => {
                    return Err(requete(
                        format!("paramètre inconnu « {nom} » (paramètres admis : page, par_page)"),
                        &nom,
                    ));
                }
            }
            vus.push(nom);
        }
        Ok(p)
    }
}

// ---------------------------------------------------------------------------------------------
// If-Match

/// The version read by the client, from `If-Match: "<version>"`; required by every change of
/// an existing record (optimistic concurrency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionLue(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for VersionLue {
    type Rejection = ErreurApi;

    async fn from_request_parts(parts: &mut Parts, _etat: &S) -> Result<Self, ErreurApi> {
        let valeurs: Vec<_> = parts.headers.get_all(header::IF_MATCH).iter().collect();
        let [valeur] = valeurs.as_slice() else {
            return Err(if valeurs.is_empty() {
                erreur(
                    StatusCode::PRECONDITION_REQUIRED,
                    "requete",
                    "en-tête If-Match manquant : indiquez la version lue (champ « version » de la ressource), par exemple If-Match: \"3\"".into(),
                    Some("If-Match"),
                )
            } else {
                requete(
                    "en-tête If-Match donné plusieurs fois : indiquez une seule version",
                    "If-Match",
                )
            });
        };
        let texte = valeur.to_str().unwrap_or_default().trim();
        let nu = texte
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(texte);
        match nu.parse::<i64>() {
            Ok(v) if v >= 1 => Ok(VersionLue(v)),
            _ => Err(requete(
                format!(
                    "en-tête If-Match « {} » invalide : la version lue est attendue entre guillemets, par exemple If-Match: \"3\"",
                    String::from_utf8_lossy(valeur.as_bytes())
                ),
                "If-Match",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_en_francais() {
        #[derive(Debug, serde::Deserialize, serde::Serialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            a: u32,
            b: Vec<String>,
        }
        let e = lire_json::<T>(b"{\"a\": 1}").unwrap_err().0;
        assert_eq!((e.code, e.champ.as_deref()), ("invalide", Some("b")));
        assert_eq!(
            e.message,
            "ligne 1, colonne 8, champ « b » : champ obligatoire « b » manquant"
        );
        let e = lire_json::<T>(b"{\"a\": -1, \"b\": []}").unwrap_err().0;
        assert_eq!(e.champ.as_deref(), Some("a"));
        assert!(
            e.message
                .contains("le nombre -1 trouvé là où un nombre entier positif est attendu"),
            "{}",
            e.message
        );
        let e = lire_json::<T>(b"{\"a\": 1, \"b\": [\"x\", 2]}").unwrap_err().0;
        assert_eq!(e.champ.as_deref(), Some("b[1]"));
        let e = lire_json::<T>(b"{\"a\": 1,\n \"c\": 2}").unwrap_err().0;
        assert_eq!(e.champ.as_deref(), Some("c"));
        assert!(e.message.starts_with("ligne 2"), "{}", e.message);
        let e = lire_json::<T>(b"{\"a\": 1,").unwrap_err().0;
        assert_eq!((e.code, e.statut), ("requete", StatusCode::BAD_REQUEST));
        let e = lire_json::<T>(b"\xff").unwrap_err().0;
        assert!(e.message.contains("UTF-8"), "{}", e.message);
    }
}
