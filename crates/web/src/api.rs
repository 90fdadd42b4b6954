//! The JSON API under `/api/v1/` (conventions in docs/API.md, schema at /api/v1/openapi.json).

use axum::Router;

use crate::Etat;

pub fn routes() -> Router<Etat> {
    Router::new()
}
