//! The web crate's integration tests, in one binary: the real router, in-process, on fresh
//! SQLite bases (one binary links the application once; a binary per file made the build dozens
//! of times larger). `traces.rs` (a process-wide log subscriber) and `plafond_memoire.rs` (the
//! process's resident memory) stay binaries of their own: they measure the whole process.

#[path = "../commun/mod.rs"]
mod commun;
#[path = "../fournisseur_oidc/mod.rs"]
mod fournisseur_oidc;

mod actes;
mod administration;
mod api;
mod campagnes;
mod coherence;
mod comptes;
mod connexion_proconnect;
mod consolidation;
mod courses;
mod demonstration;
mod derogation;
mod documents;
mod droits;
mod durcissement;
mod echanges;
mod edition;
mod finances;
mod formulaire_fiche;
mod journal;
mod lecture;
mod listes;
mod openapi;
mod proconnect;
mod rappels;
mod rapports;
mod socle;
mod textes_rapports;
mod visibilite;
