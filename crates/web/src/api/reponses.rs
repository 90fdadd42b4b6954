//! The bodies the API answers with, shared by the handlers of every capability: a stored
//! contract or fiche with its stamp beside it, lists and their pages, resource addresses and
//! `ETag`s.

use axum::http::HeaderValue;
use pacte_core::contrat::EnTete;
use pacte_core::{Constat, FicheAction, NumeroFiche};
use pacte_store::{ContratStocke, Tampon};
use serde::Serialize;

/// Prefix under which [`routes`] is served.
use super::PREFIXE;

/// Who last changed a record, and its version.
#[derive(Debug, Serialize)]
struct TamponApi<'a> {
    pub(crate) version: i64,
    pub(crate) modifie_par: &'a str,
    pub(crate) modifie_le: &'a str,
}

impl<'a> From<&'a Tampon> for TamponApi<'a> {
    fn from(t: &'a Tampon) -> TamponApi<'a> {
        TamponApi {
            version: t.version,
            modifie_par: &t.modifie_par,
            modifie_le: &t.modifie_le,
        }
    }
}

/// A stored fiche: its number, its stamp, and the fiche as written in the contract file.
#[derive(Debug, Serialize)]
pub(crate) struct FicheApi<'a> {
    pub(crate) numero: NumeroFiche,
    #[serde(flatten)]
    tampon: TamponApi<'a>,
    pub(crate) fiche: &'a FicheAction,
}

impl<'a> FicheApi<'a> {
    pub(crate) fn new(fiche: &'a FicheAction, tampon: &'a Tampon) -> FicheApi<'a> {
        FicheApi {
            numero: fiche.numero,
            tampon: tampon.into(),
            fiche,
        }
    }
}

/// A stored contract: id and stamp of the header, the header as written in the contract file,
/// and its fiches with their own stamps.
#[derive(Debug, Serialize)]
pub(crate) struct ContratApi<'a> {
    pub(crate) id: i64,
    #[serde(flatten)]
    tampon: TamponApi<'a>,
    pub(crate) contrat: &'a EnTete,
    pub(crate) fiches: Vec<FicheApi<'a>>,
}

pub(crate) fn fiches_api(s: &ContratStocke) -> Vec<FicheApi<'_>> {
    s.contrat
        .fiches
        .iter()
        .zip(&s.fiches)
        .map(|(f, t)| FicheApi::new(f, t))
        .collect()
}

impl<'a> From<&'a ContratStocke> for ContratApi<'a> {
    fn from(s: &'a ContratStocke) -> ContratApi<'a> {
        ContratApi {
            id: s.tampon.id,
            tampon: (&s.tampon).into(),
            contrat: &s.contrat.contrat,
            fiches: fiches_api(s),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct CollectiviteApi {
    pub(crate) code: String,
    /// From the territories, or from the AMI selection; null when the code is unknown.
    pub(crate) nom: Option<String>,
}

/// One line of the contract list.
#[derive(Debug, Serialize)]
pub(crate) struct ResumeApi {
    pub(crate) id: i64,
    pub(crate) collectivite: CollectiviteApi,
    pub(crate) intitule: Option<String>,
    pub(crate) etat: pacte_core::contrat::EtatContrat,
    pub(crate) fiches: i64,
    pub(crate) version: i64,
    pub(crate) modifie_le: String,
    pub(crate) bloquants: usize,
    pub(crate) alertes: usize,
}

/// A page of a collection.
#[derive(Debug, Serialize)]
pub(crate) struct Page<T> {
    pub(crate) elements: Vec<T>,
    pub(crate) page: u32,
    pub(crate) par_page: u32,
    pub(crate) total: u64,
}

#[derive(Debug, Serialize)]
pub(crate) struct ListeFiches<'a> {
    pub(crate) fiches: Vec<FicheApi<'a>>,
}

/// The same body as `pacte check --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct ListeConstats {
    pub(crate) constats: Vec<Constat>,
}

pub(crate) fn url_contrat(id: i64) -> String {
    format!("{PREFIXE}/contrats/{id}")
}

pub(crate) fn url_fiche(id: i64, numero: NumeroFiche) -> String {
    format!("{PREFIXE}/contrats/{id}/fiches/{numero}")
}

pub(crate) fn entete(valeur: &str) -> HeaderValue {
    HeaderValue::from_str(valeur).expect("generated header values are ASCII")
}

pub(crate) fn etag(version: i64) -> HeaderValue {
    entete(&format!("\"{version}\""))
}
