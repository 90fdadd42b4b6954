//! Pacte's pure domain: référentiel, territories, contracts, rules and tables.
//!
//! Architecture invariant: no IO, no async, no database here. Every function is a function of
//! plain data; storage and HTTP live in other crates.

pub mod actes;
pub mod campagne;
pub mod contrat;
pub mod differences;
pub mod droits;
pub mod echanges;
pub mod execution;
pub mod exercice;
pub mod fabrique;
pub mod fichier;
pub mod financement;
pub mod jeu_national;
// Amounts in words for the documents (contract, avenant).
pub mod lettres;
pub mod montant;
pub mod referentiel;
pub mod regles;
pub mod tableau;
pub mod temps;
pub mod territoires;
pub mod valeur;
// Fiche form totals and French collation (contract lists, fiche form).
pub mod collation;
pub mod totaux;

pub use contrat::{Axe, Contrat, FicheAction, NumeroFiche};
pub use exercice::Exercice;
pub use montant::Montant;
pub use regles::{CibleConstat, Constat, Gravite, verifier};
pub use temps::{Annee, Date, Horodatage};
pub use valeur::Valeur;
