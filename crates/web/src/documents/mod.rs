//! The documents of a contract (issue 14): the contract following annexe 8 and the yearly
//! avenant, as PDF or ODT, from `pacte-documents`. Whoever may read the contract may download
//! them. Pages: `GET /contrats/{id}/document/{format}` and
//! `GET /contrats/{id}/avenants/{annee}/{format}`; API:
//! `GET /api/v1/contrats/{id}/document?format=pdf|odt[&avenant=ANNEE]`.
//!
//! Also here: the signed version. When the signature act is recorded with its document, the
//! version and the verification code of the data are recorded in the act's transaction; the
//! contract page warns when the data changed since ([`alerte_signature`]).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pacte_core::actes::Acte;
use pacte_core::droits::Action;
use pacte_core::{Annee, Contrat};
use pacte_documents::avenant::DonneesAvenant;
use pacte_documents::contrat::DonneesContrat;
use pacte_documents::{ErreurDocument, Fichier, Format};
use pacte_store::ContratStocke;
use tokio::sync::Semaphore;

use crate::contrats::edition::id_contrat;
use crate::{ErreurApi, ErreurWeb, Etat, Utilisateur};

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoi {
    Contrat,
    Avenant(Annee),
}

/// A malformed address or parameter (400, naming the parameter).
fn requete(message: String, champ: &str) -> ErreurWeb {
    ErreurWeb {
        champ: Some(champ.to_string()),
        ..ErreurWeb::requete(message)
    }
}

fn format_de(texte: &str, champ: &str) -> Result<Format, ErreurWeb> {
    Format::depuis_code(texte)
        .ok_or_else(|| requete(format!("Format « {texte} » inconnu : pdf ou odt."), champ))
}

fn annee_de(texte: &str, champ: &str) -> Result<Annee, ErreurWeb> {
    texte
        .parse::<i64>()
        .ok()
        .and_then(|a| Annee::new(a).ok())
        .ok_or_else(|| {
            requete(
                format!("« {texte} » n'est pas une année du contrat : de 2024 à 2027."),
                champ,
            )
        })
}

fn erreur_document(e: ErreurDocument) -> ErreurWeb {
    match e {
        ErreurDocument::Incomplet(m) => ErreurWeb {
            statut: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalide",
            message: format!("Le document ne peut pas être produit : {m}."),
            champ: None,
        },
        ErreurDocument::Moteur(m) => ErreurWeb::interne(m),
    }
}

/// The acts in force of contract `id`, oldest first.
async fn actes_en_vigueur(etat: &Etat, id: i64) -> Result<Vec<Acte>, ErreurWeb> {
    Ok(etat
        .base
        .actes(id)
        .await?
        .into_iter()
        .filter(|a| a.en_vigueur())
        .map(|a| a.acte)
        .collect())
}

/// The verification code of the contract's document as the data stand: contract `contrat` at
/// `version` with its acts in force.
pub(crate) fn code_contrat(contrat: &Contrat, actes: &[Acte], version: i64) -> String {
    DonneesContrat {
        contrat,
        actes,
        version,
    }
    .code()
}

/// Places for laying documents out at once: one per core. typst already spreads one
/// document's pages over the cores, so more at once would not go faster; each would only hold
/// its layout in memory (some 150 MB for a 60-fiche contract, measured with
/// `cargo bench -p pacte-documents`) and slow the others down. The requests beyond wait their
/// turn; their number is bounded by the server's connection limit.
static PLACES: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    Arc::new(Semaphore::new(
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    ))
});

/// Runs `f` (a document's layout: a fraction of a second of CPU) off the async workers, once a
/// place is free. The place is held by the layout itself, so that a request given up by its
/// client does not free it before the work ends.
pub(crate) async fn mettre_en_page(
    f: impl FnOnce() -> Result<Fichier, ErreurDocument> + Send + 'static,
) -> Result<Result<Fichier, ErreurDocument>, ErreurWeb> {
    let place = Arc::clone(&PLACES)
        .acquire_owned()
        .await
        .map_err(|e| ErreurWeb::interne(format!("file des documents : {e}")))?;
    tokio::task::spawn_blocking(move || {
        let resultat = f();
        drop(place);
        resultat
    })
    .await
    .map_err(|e| ErreurWeb::interne(format!("mise en page du document : {e}")))
}

/// Generates the document `quoi` of the contract `c` (already read with the right to read).
pub async fn produire(
    etat: &Etat,
    c: ContratStocke,
    quoi: Quoi,
    format: Format,
) -> Result<Fichier, ErreurWeb> {
    let id = c.tampon.id;
    let actes = actes_en_vigueur(etat, id).await?;
    let execution = match quoi {
        Quoi::Contrat => None,
        Quoi::Avenant(_) => Some(etat.base.execution(id).await?.execution),
    };
    mettre_en_page(move || match (quoi, execution) {
        (Quoi::Avenant(annee), Some(execution)) => pacte_documents::avenant::fichier(
            &DonneesAvenant {
                contrat: &c.contrat,
                execution: &execution,
                annee,
                version: c.tampon.version,
            },
            format,
        ),
        _ => pacte_documents::contrat::fichier(
            &DonneesContrat {
                contrat: &c.contrat,
                actes: &actes,
                version: c.tampon.version,
            },
            format,
        ),
    })
    .await?
    .map_err(erreur_document)
}

/// A generated file as the response: its type and a safe download name.
pub(crate) fn reponse(f: Fichier) -> Result<Response, ErreurWeb> {
    let mut r = f.octets.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(f.mime));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&crate::pieces::disposition(&f.nom))
            .map_err(|e| ErreurWeb::interne(format!("nom de fichier : {e}")))?,
    );
    Ok(r)
}

/// `GET /contrats/{id}/document/{format}`: the contract with its four annexes.
pub async fn contrat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    // Rights first: a contract out of reach answers the same whatever the address's tail.
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let format = format_de(&format, "format")?;
    reponse(produire(&etat, c, Quoi::Contrat, format).await?)
}

/// `GET /contrats/{id}/avenants/{annee}/{format}`: the avenant of a year.
pub async fn avenant(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, annee, format)): Path<(String, String, String)>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let annee = annee_de(&annee, "annee")?;
    let format = format_de(&format, "format")?;
    reponse(produire(&etat, c, Quoi::Avenant(annee), format).await?)
}

/// `GET /api/v1/contrats/{id}/document?format=pdf|odt[&avenant=ANNEE]`.
pub(crate) async fn api_document(
    State(etat): State<Etat>,
    crate::comptes::ClientApi(u): crate::comptes::ClientApi,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ErreurApi> {
    let id = match id.parse::<i64>() {
        Ok(id) if id > 0 => id,
        _ => {
            return Err(ErreurApi(requete(
                format!("« {id} » n'est pas un numéro de contrat : un entier positif est attendu"),
                "id",
            )));
        }
    };
    // Rights first: a contract out of reach answers 404 whatever the parameters.
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let format = match q.get("format") {
        Some(f) => format_de(f, "format")?,
        None => {
            return Err(ErreurApi(requete(
                "Le paramètre « format » est obligatoire : pdf ou odt.".into(),
                "format",
            )));
        }
    };
    let quoi = match q.get("avenant") {
        Some(a) => Quoi::Avenant(annee_de(a, "avenant")?),
        None => Quoi::Contrat,
    };
    Ok(reponse(produire(&etat, c, quoi, format).await?)?)
}

/// What the contract page says about the signed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlerteSignature {
    /// The data changed since the signature.
    pub modifie: bool,
    pub version_signee: i64,
    pub code_signe: String,
    pub code_actuel: String,
}

/// The signed version of contract `c` compared with its current data, when one is recorded.
pub(crate) async fn alerte_signature(
    etat: &Etat,
    c: &ContratStocke,
) -> Result<Option<AlerteSignature>, ErreurWeb> {
    let Some(v) = etat.base.version_signee(c.tampon.id).await? else {
        return Ok(None);
    };
    let actes = actes_en_vigueur(etat, c.tampon.id).await?;
    let code_actuel = code_contrat(&c.contrat, &actes, c.tampon.version);
    Ok(Some(AlerteSignature {
        modifie: code_actuel != v.code,
        version_signee: v.version,
        code_signe: v.code,
        code_actuel,
    }))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// However many documents are asked at once, no more are laid out at once than there are
    /// places; the others wait their turn and all are answered.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn les_mises_en_page_attendent_une_place() {
        let places = std::thread::available_parallelism().map_or(1, |n| n.get());
        let en_cours = Arc::new(AtomicUsize::new(0));
        let maximum = Arc::new(AtomicUsize::new(0));
        let demandes: Vec<_> = (0..places * 3)
            .map(|i| {
                let (en_cours, maximum) = (Arc::clone(&en_cours), Arc::clone(&maximum));
                tokio::spawn(mettre_en_page(move || {
                    let n = en_cours.fetch_add(1, Ordering::SeqCst) + 1;
                    maximum.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(40));
                    en_cours.fetch_sub(1, Ordering::SeqCst);
                    Ok(Fichier {
                        octets: vec![i as u8],
                        nom: format!("document-{i}"),
                        mime: Format::Pdf.mime(),
                    })
                }))
            })
            .collect();
        let mut noms = Vec::new();
        for d in demandes {
            noms.push(d.await.unwrap().unwrap().unwrap().nom);
        }
        assert_eq!(noms.len(), places * 3);
        let m = maximum.load(Ordering::SeqCst);
        assert!(
            (1..=places).contains(&m),
            "{m} mises en page simultanées pour {places} places"
        );
    }
}
