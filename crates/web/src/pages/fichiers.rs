//! Contract files: upload (preview, then atomic import) and download.

use axum::extract::{Path, State};
use axum::response::Response;

use crate::{ErreurWeb, Etat};

pub async fn apercu_import(State(_etat): State<Etat>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn confirmer_import(State(_etat): State<Etat>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn telecharger(State(_etat): State<Etat>, Path(_id): Path<String>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
