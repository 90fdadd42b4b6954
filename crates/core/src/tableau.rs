//! The annexe 10 financial table "Prévisionnel année n", computed from the fiches: one row
//! per financed action, a sub-total per axis, the "TOTAUX FINANCIERS" row (R-TAB-01..03).
//! Totals are always computed, never typed in. Each axis block also carries the axis's
//! proposed amount and 20 % floor from [`crate::financement::reperes`], so that the table
//! checks its sub-totals against the figures the rules use (R-FIN-04, annexe 5 II.a).

use serde::Serialize;

use crate::contrat::{Axe, Contrat, NumeroFiche};
use crate::financement::{ReperesAxe, reperes};
use crate::regles::type_contrat;
use crate::{Annee, Montant};

/// The columns of the forecast table, [004] A10 "Prévisionnel année 2024".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Colonnes {
    /// A: participation de l'État.
    pub etat: Montant,
    /// B: crédits de la collectivité (FSE+ compris).
    pub collectivite: Montant,
    /// C: autres financeurs.
    pub autres: Montant,
    /// F = A + B + C: budget global de l'action.
    pub total: Montant,
}

impl Colonnes {
    fn ajouter(&mut self, o: &Colonnes) {
        self.etat += o.etat;
        self.collectivite += o.collectivite;
        self.autres += o.autres;
        self.total += o.total;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Ligne {
    pub numero: NumeroFiche,
    pub intitule: String,
    #[serde(flatten)]
    pub montants: Colonnes,
}

#[derive(Debug, Clone, Serialize)]
pub struct BlocAxe {
    pub axe: Axe,
    pub lignes: Vec<Ligne>,
    /// "Sous total" of the axis.
    pub sous_total: Colonnes,
    /// The axis's proposed amount and floor, what its State sub-total is held to.
    #[serde(flatten)]
    pub reperes: ReperesAxe,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableauPrevisionnel {
    pub annee: Annee,
    pub axes: Vec<BlocAxe>,
    /// "TOTAUX FINANCIERS".
    pub totaux: Colonnes,
}

impl TableauPrevisionnel {
    pub fn sous_total(&self, axe: Axe) -> Colonnes {
        self.axes
            .iter()
            .find(|b| b.axe == axe)
            .map(|b| b.sous_total)
            .unwrap_or_default()
    }
}

/// The forecast table of year `annee`. Every axis appears (possibly empty); within an axis,
/// rows follow the fiche numbers; fiches with no amount that year are left out ("une ligne
/// par action financée").
pub fn previsionnel(contrat: &Contrat, annee: Annee) -> TableauPrevisionnel {
    let genre = type_contrat(contrat);
    let mut axes: Vec<BlocAxe> = Axe::TOUS
        .iter()
        .map(|&axe| BlocAxe {
            axe,
            lignes: Vec::new(),
            sous_total: Colonnes::default(),
            reperes: reperes(contrat, genre, axe),
        })
        .collect();
    for fiche in &contrat.fiches {
        let f = &fiche.financement;
        let montants = Colonnes {
            etat: f.etat(annee),
            collectivite: f.collectivite(annee),
            autres: f.autres(annee),
            total: f.total(annee),
        };
        if montants.total.est_nul() {
            continue;
        }
        let bloc = &mut axes[fiche.axe().numero() as usize - 1];
        bloc.sous_total.ajouter(&montants);
        bloc.lignes.push(Ligne {
            numero: fiche.numero,
            intitule: fiche.intitule.clone(),
            montants,
        });
    }
    let mut totaux = Colonnes::default();
    for bloc in &mut axes {
        bloc.lignes.sort_by_key(|l| l.numero);
        totaux.ajouter(&bloc.sous_total);
    }
    TableauPrevisionnel { annee, axes, totaux }
}
