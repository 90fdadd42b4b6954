//! Read pages: dashboard, référentiel, territories, contract list, contract page.

use axum::extract::{Path, State};
use axum::response::Response;

use crate::{ErreurWeb, Etat};

pub async fn accueil(State(_etat): State<Etat>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}

pub async fn referentiel(State(_etat): State<Etat>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}

pub async fn territoires(State(_etat): State<Etat>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}

pub async fn contrats(State(_etat): State<Etat>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}

pub async fn contrat(State(_etat): State<Etat>, Path(_id): Path<String>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
