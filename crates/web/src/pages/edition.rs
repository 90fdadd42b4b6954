//! Write pages: contract creation and header, fiche view/create/edit/delete, lifecycle.

use axum::extract::{Path, State};
use axum::response::Response;

use crate::{ErreurWeb, Etat};

pub async fn nouveau_contrat(State(_etat): State<Etat>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn creer_contrat(State(_etat): State<Etat>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn modifier_contrat(
    State(_etat): State<Etat>,
    Path(_id): Path<String>,
) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn enregistrer_contrat(
    State(_etat): State<Etat>,
    Path(_id): Path<String>,
) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn changer_etat(State(_etat): State<Etat>, Path(_id): Path<String>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn nouvelle_fiche(
    State(_etat): State<Etat>,
    Path(_id): Path<String>,
) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn creer_fiche(State(_etat): State<Etat>, Path(_id): Path<String>) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn fiche(
    State(_etat): State<Etat>,
    Path(_p): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn modifier_fiche(
    State(_etat): State<Etat>,
    Path(_p): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn enregistrer_fiche(
    State(_etat): State<Etat>,
    Path(_p): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
pub async fn supprimer_fiche(
    State(_etat): State<Etat>,
    Path(_p): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    Err(ErreurWeb::introuvable("Page en cours de construction."))
}
