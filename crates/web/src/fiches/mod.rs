//! Fiches action: the fiche page, the fiche forms (new, change, delete), the form reading, and
//! the fiche handlers of the JSON API.

pub mod api;
pub mod declarations;
pub mod edition;
pub mod formulaire;
pub mod page;
