//! Contracts: the list, the contract page, the new-contract and header forms, the lifecycle,
//! the form reading, and the contract handlers of the JSON API.
//!
//! The guards every contract or fiche write goes through (`edition::etat_permis`,
//! `edition::garde_etat`, `edition::garde_entete`) live here; `fiches`, `derogations` and
//! `fichiers` use them, never the other way round.

pub mod actes;
pub mod api;
pub mod coherence;
pub mod edition;
pub mod existant;
pub mod formulaire;
pub mod historique;
pub mod liste;
pub mod page;
