//! The State's money per axis, answered once: the amount proposed for each axis, its 20 %
//! floor, the amount contracted in the fiches each year, and the global ceiling.
//!
//! Sources: instruction of 27/10/2023 (`004_…`), annexe 5 II.a — the State participation
//! proposed per axis is a "montant plafond", credits are fungible between the axes "sous
//! réserve de respecter un socle minimal de contractualisation de 20 % du montant proposé
//! pour chaque axe" —, and annexe 10 (the axis "Sous total" and the "TOTAUX FINANCIERS" row
//! give the contracted amounts). Rule codes (`shared/analysis/rules.md`): R-FIN-03 (global
//! ceiling = sum of the proposed amounts of the contract's axes), R-FIN-04 (20 % floor per
//! axis), R-TAB-03 (sub-totals); readings X-05 (only the global amount is an absolute
//! ceiling: an axis may exceed its own proposed amount) and X-37 (a département contracts
//! axes 1, 3 and 4 only).
//!
//! The rules (R-FIN-03/04), the contract page and the annexe 10 table all read these figures
//! from here; none recomputes a floor or a ceiling.

use serde::Serialize;

use crate::contrat::{Axe, Contrat};
use crate::regles::{TypeContrat, type_contrat};
use crate::tableau::{TableauPrevisionnel, previsionnel};
use crate::{Annee, Montant};

/// The floor of an axis, in percent of its proposed amount (annexe 5 II.a, R-FIN-04).
pub const SOCLE_POURCENT: u32 = 20;

/// The 20 % floor of an axis whose proposed amount is `propose`, rounded up to the cent: a
/// State amount meets the floor exactly when it is at least this amount (R-FIN-04).
pub fn socle(propose: Montant) -> Montant {
    Montant::pourcentage_plancher(propose, SOCLE_POURCENT)
}

/// What bounds an axis, whatever the year: the amount the State proposed for it (its
/// "montant plafond", annexe 5 II.a — not absolute, X-05) and its 20 % floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReperesAxe {
    /// The axis belongs to this kind of contract (X-37: not axis 2 for a département).
    pub dans_contrat: bool,
    /// The amount proposed for the axis (`contrat.montants_proposes`), when given.
    pub propose: Option<Montant>,
    /// 20 % of the proposed amount; only for an axis of the contract with a proposed amount
    /// (an axis outside the contract has no floor: it may carry nothing).
    pub socle: Option<Montant>,
}

/// The ceiling and floor of `axe` in `contrat`, given its kind.
pub fn reperes(contrat: &Contrat, genre: TypeContrat, axe: Axe) -> ReperesAxe {
    let dans_contrat = genre.axes().contains(&axe);
    let propose = contrat.contrat.montants_proposes.get(&axe).copied();
    ReperesAxe {
        dans_contrat,
        propose,
        socle: propose.filter(|_| dans_contrat).map(socle),
    }
}

/// One year of one axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AnneeAxe {
    pub annee: Annee,
    /// State amount of the axis's fiches that year: the axis "Sous total", column A, of the
    /// annexe 10 table.
    pub contractualise: Montant,
    /// The year carries a State participation and this axis stays below its floor: a
    /// R-FIN-04 finding. A year without any State amount is not floored.
    pub sous_socle: bool,
}

/// The money of one axis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AxeFinance {
    pub axe: Axe,
    #[serde(flatten)]
    pub reperes: ReperesAxe,
    /// Every contract year, in order.
    pub annees: Vec<AnneeAxe>,
}

impl AxeFinance {
    /// The axis carries something: it belongs to the contract, or has a proposed amount or a
    /// State amount outside it.
    pub fn present(&self) -> bool {
        self.reperes.dans_contrat
            || self.reperes.propose.is_some()
            || self.annees.iter().any(|a| !a.contractualise.est_nul())
    }
}

/// One year of the whole contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AnneeContrat {
    pub annee: Annee,
    /// Total State participation of the fiches ("TOTAUX FINANCIERS", column A).
    pub etat: Montant,
    /// Above the global ceiling, which is complete: a R-FIN-03 finding.
    pub depasse: bool,
}

/// The State money of a contract, per axis and globally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinancementContrat {
    pub type_contrat: TypeContrat,
    /// The four axes, in order (see [`AxeFinance::present`] for those worth showing).
    pub axes: Vec<AxeFinance>,
    /// Sum of the proposed amounts of the axes of the contract's kind (R-FIN-03); an amount
    /// proposed on an axis outside the contract does not count (X-37, R-ACT-01 refuses it).
    pub plafond_global: Montant,
    /// Every axis of the contract's kind has its proposed amount: only then is the global
    /// ceiling known and checked.
    pub plafond_complet: bool,
    pub annees: Vec<AnneeContrat>,
}

impl FinancementContrat {
    pub fn axe(&self, axe: Axe) -> &AxeFinance {
        &self.axes[axe.numero() as usize - 1]
    }
}

/// The State money of `contrat`, per axis and globally.
pub fn par_axe(contrat: &Contrat) -> FinancementContrat {
    let tableaux: Vec<_> = Annee::TOUTES.iter().map(|a| previsionnel(contrat, *a)).collect();
    depuis_tableaux(contrat, type_contrat(contrat), &tableaux)
}

/// [`par_axe`] from the annexe 10 tables already computed (one per contract year, in order).
pub fn depuis_tableaux(
    contrat: &Contrat,
    genre: TypeContrat,
    tableaux: &[TableauPrevisionnel],
) -> FinancementContrat {
    let axes = Axe::TOUS
        .iter()
        .map(|&axe| {
            let reperes = reperes(contrat, genre, axe);
            let annees = tableaux
                .iter()
                .map(|t| {
                    let contractualise = t.sous_total(axe).etat;
                    AnneeAxe {
                        annee: t.annee,
                        contractualise,
                        sous_socle: !t.totaux.etat.est_nul()
                            && reperes.socle.is_some_and(|s| contractualise < s),
                    }
                })
                .collect();
            AxeFinance { axe, reperes, annees }
        })
        .collect();
    let proposes = &contrat.contrat.montants_proposes;
    let plafond_global: Montant = genre.axes().iter().filter_map(|a| proposes.get(a)).sum();
    let plafond_complet = genre.axes().iter().all(|a| proposes.contains_key(a));
    let annees = tableaux
        .iter()
        .map(|t| AnneeContrat {
            annee: t.annee,
            etat: t.totaux.etat,
            depasse: plafond_complet && t.totaux.etat > plafond_global,
        })
        .collect();
    FinancementContrat {
        type_contrat: genre,
        axes,
        plafond_global,
        plafond_complet,
        annees,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fabrique::{ContratBuilder, FicheBuilder};
    use crate::regles::verifier;
    use crate::tableau::previsionnel;

    fn eur(e: i64) -> Montant {
        Montant::euros(e)
    }

    proptest::proptest! {
        /// Comparing with the rounded-up floor is the exact percent comparison of
        /// `Montant::au_moins_pourcentage_de` (100 × etat ≥ 20 × propose), to the cent.
        #[test]
        fn atteindre_le_socle_c_est_atteindre_20_pour_cent(
            propose in 0i64..10_000_000_000,
            etat in 0i64..10_000_000_000,
        ) {
            let (p, e) = (Montant::centimes(propose), Montant::centimes(etat));
            proptest::prop_assert_eq!(e >= socle(p), e.au_moins_pourcentage_de(SOCLE_POURCENT, p));
        }
    }

    #[test]
    fn le_socle_est_arrondi_au_centime_superieur() {
        // 20 % of 300 000 € = 60 000 €; 20 % of 0,07 € = 0,014 € → 0,02 €.
        assert_eq!(socle(eur(300_000)), eur(60_000));
        assert_eq!(socle(Montant::centimes(7)), Montant::centimes(2));
    }

    /// Every figure of [`par_axe`] agrees with R-FIN-03/04's findings and with the annexe 10
    /// table, for `contrat`.
    pub(crate) fn accord(nom: &str, contrat: &Contrat) {
        let f = par_axe(contrat);
        let constats = verifier(contrat);
        let cibles = |code: &str| -> Vec<String> {
            constats
                .iter()
                .filter(|c| c.code == code)
                .map(|c| c.cible.to_string())
                .collect()
        };
        let fin03 = cibles("R-FIN-03");
        let fin04 = cibles("R-FIN-04");
        for a in &f.annees {
            let t = previsionnel(contrat, a.annee);
            assert_eq!(a.etat, t.totaux.etat, "{nom} {}", a.annee);
            for x in &f.axes {
                let bloc = t.axes.iter().find(|b| b.axe == x.axe).unwrap();
                // The table shows the same ceiling and floor, and its sub-total is the
                // contracted amount.
                assert_eq!(bloc.reperes, x.reperes, "{nom} {} {}", a.annee, x.axe);
                let annee = x.annees.iter().find(|y| y.annee == a.annee).unwrap();
                assert_eq!(annee.contractualise, bloc.sous_total.etat, "{nom} {}", x.axe);
            }
        }
        // R-FIN-04: one finding per (year, axis) below the floor, and none elsewhere.
        let sous_socle: usize = f
            .axes
            .iter()
            .map(|x| x.annees.iter().filter(|a| a.sous_socle).count())
            .sum();
        assert_eq!(fin04.len(), sous_socle, "{nom}: R-FIN-04 {fin04:?}");
        for x in &f.axes {
            let attendu = format!("contrat.montants_proposes.{}", x.axe.numero());
            let n = fin04.iter().filter(|c| **c == attendu).count();
            assert_eq!(
                n,
                x.annees.iter().filter(|a| a.sous_socle).count(),
                "{nom} {}",
                x.axe
            );
        }
        // R-FIN-03: one finding per year above a complete ceiling (its other findings name a
        // missing amount, `contrat.montants_proposes.N` or the whole map when empty).
        let depassements = fin03.iter().filter(|c| *c == "contrat.montants_proposes").count();
        let attendus = f.annees.iter().filter(|a| a.depasse).count();
        if contrat.contrat.montants_proposes.is_empty() {
            assert_eq!((depassements, attendus), (1, 0), "{nom}");
        } else {
            assert_eq!(depassements, attendus, "{nom}: R-FIN-03 {fin03:?}");
        }
    }

    #[test]
    fn la_page_les_regles_et_le_tableau_s_accordent_sur_les_exemples() {
        for (nom, texte) in [
            (
                "metropole-aix-marseille-provence",
                include_str!("../../../exemples/metropole-aix-marseille-provence.toml"),
            ),
            (
                "departement-bouches-du-rhone",
                include_str!("../../../exemples/departement-bouches-du-rhone.toml"),
            ),
            (
                "contrat-avec-erreurs",
                include_str!("../../../exemples/contrat-avec-erreurs.toml"),
            ),
        ] {
            let c = crate::fichier::lire_toml(texte).unwrap();
            accord(nom, &c);
            if nom == "contrat-avec-erreurs" {
                // Not vacuous: axis 4 carries 50 000 € a year for 300 000 € proposed, below its
                // floor of 60 000 €, each of the four years.
                let a4 = par_axe(&c).axe(Axe::A4).clone();
                assert_eq!(a4.reperes.socle, Some(eur(60_000)));
                assert_eq!(a4.annees.iter().filter(|a| a.sous_socle).count(), 4);
            }
        }
    }

    #[test]
    fn la_page_les_regles_et_le_tableau_s_accordent_sur_le_jeu_national() {
        for c in crate::jeu_national::jeu_national_standard() {
            accord(&c.contrat.collectivite, &c);
        }
    }

    /// A département proposes an amount on axis 2, which is not part of its contract.
    /// The old contract page summed every proposed amount into the global ceiling and showed a
    /// floor for axis 2; R-FIN-03 sums only the axes 1, 3 and 4. Both now read `par_axe`.
    #[test]
    fn un_montant_propose_hors_du_type_de_contrat_ne_compte_pas() {
        // Bouches-du-Rhône (département): axes 1, 3, 4 proposed 100 000 € each, and 250 000 €
        // on axis 2. Fiches, every year: State 100 000 € on axes 1 and 3, 150 000 € on axis 4.
        let c = ContratBuilder::departement("13")
            .fiche(FicheBuilder::new("1.1", "AT-1-1.1-02", eur(100_000)).evaluation(eur(10_000)))
            .fiche(FicheBuilder::new("3.1", "AT-3-II-2-01", eur(100_000)))
            .fiche(FicheBuilder::new("4.1", "AT-4-4.1-01", eur(150_000)))
            .proposes(&[
                (Axe::A1, eur(100_000)),
                (Axe::A2, eur(250_000)),
                (Axe::A3, eur(100_000)),
                (Axe::A4, eur(100_000)),
            ])
            .build();
        let f = par_axe(&c);
        assert_eq!(f.type_contrat, TypeContrat::Departement);
        // Global ceiling = 100 000 + 100 000 + 100 000 = 300 000 € (axis 2 left out); the old
        // page said 300 000 + 250 000 = 550 000 €.
        assert_eq!(f.plafond_global, eur(300_000));
        assert!(f.plafond_complet);
        // Each year: State total 100 000 + 100 000 + 150 000 = 350 000 € > 300 000 €: above
        // the ceiling by 50 000 € (the old page showed a margin of 550 000 − 350 000 =
        // 200 000 €).
        for a in &f.annees {
            assert_eq!(a.etat, eur(350_000));
            assert!(a.depasse, "{}", a.annee);
        }
        // Axis 2 has its proposed amount shown, but no floor: 20 % of 250 000 € = 50 000 €
        // would have put it « sous le socle » with 0 € on the old page.
        let a2 = f.axe(Axe::A2);
        assert!(!a2.reperes.dans_contrat && a2.present());
        assert_eq!((a2.reperes.propose, a2.reperes.socle), (Some(eur(250_000)), None));
        assert!(a2.annees.iter().all(|a| !a.sous_socle));
        // Axis 4: 150 000 € ≥ 20 % × 100 000 € = 20 000 €: above its own proposed amount by
        // fungibility, which is allowed.
        assert_eq!(f.axe(Axe::A4).reperes.socle, Some(eur(20_000)));
        assert!(f.axe(Axe::A4).annees.iter().all(|a| !a.sous_socle));
        // The rules say the same: R-FIN-03 each of the four years, naming 300 000 €; no
        // R-FIN-04 on axis 2.
        let constats = verifier(&c);
        let fin03: Vec<_> = constats.iter().filter(|k| k.code == "R-FIN-03").collect();
        assert_eq!(fin03.len(), 4);
        assert!(fin03[0].message.starts_with("2024"), "{}", fin03[0].message);
        assert!(
            fin03[0].message.contains("(300 000,00 €)"),
            "{}",
            fin03[0].message
        );
        assert!(
            fin03[0].message.contains("de 50 000,00 €"),
            "{}",
            fin03[0].message
        );
        assert!(
            !constats
                .iter()
                .any(|k| k.code == "R-FIN-04" && k.cible.to_string().ends_with(".2"))
        );
        accord("axe 2 d'un département", &c);
    }
}
