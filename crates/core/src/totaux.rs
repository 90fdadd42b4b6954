//! The totals of one fiche action, per year and per funder: what the fiche form shows under
//! its amounts (and what its script recomputes while the person types), from the same
//! functions the rules use (`Financement::etat`, `total`, `FicheAction::depenses`), so that
//! the totals shown, R-COFI-50 and R-TAB-02 never disagree.

use serde::Serialize;

use crate::{Annee, FicheAction, Montant};

/// The totals of one year of a fiche.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TotauxAnnee {
    pub annee: Annee,
    /// A: State share.
    pub etat: Montant,
    /// B: collectivity share (FSE+ included).
    pub collectivite: Montant,
    /// C: other co-funders together.
    pub autres: Montant,
    /// F = A + B + C.
    pub financement: Montant,
    /// Sum of the expense lines of the year.
    pub depenses: Montant,
}

impl TotauxAnnee {
    /// The State share is above the collectivity's (what R-COFI-50 reports).
    pub fn etat_depasse(&self) -> bool {
        self.etat > self.collectivite
    }

    /// The expense lines do not add up to the funding (what R-TAB-02 reports when the fiche
    /// has expense lines).
    pub fn ecart_depenses(&self) -> Option<Montant> {
        match self.depenses.cmp(&self.financement) {
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(self.depenses - self.financement),
            std::cmp::Ordering::Less => Some(self.financement - self.depenses),
        }
    }
}

/// The totals of a fiche: one line per contract year and the sums over the four years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotauxFiche {
    pub annees: Vec<TotauxAnnee>,
    /// Sums over the four years, `annee` being the last one.
    pub ensemble: TotauxAnnee,
    /// The fiche has expense lines (R-TAB-02 compares them with the funding only then).
    pub avec_depenses: bool,
}

/// The totals of fiche `f`.
pub fn totaux_fiche(f: &FicheAction) -> TotauxFiche {
    let fin = &f.financement;
    let annees: Vec<TotauxAnnee> = Annee::TOUTES
        .into_iter()
        .map(|a| TotauxAnnee {
            annee: a,
            etat: fin.etat(a),
            collectivite: fin.collectivite(a),
            autres: fin.autres(a),
            financement: fin.total(a),
            depenses: f.depenses(a),
        })
        .collect();
    let ensemble = TotauxAnnee {
        annee: Annee::TOUTES[3],
        etat: annees.iter().map(|t| t.etat).sum(),
        collectivite: annees.iter().map(|t| t.collectivite).sum(),
        autres: annees.iter().map(|t| t.autres).sum(),
        financement: annees.iter().map(|t| t.financement).sum(),
        depenses: annees.iter().map(|t| t.depenses).sum(),
    };
    TotauxFiche {
        annees,
        ensemble,
        avec_depenses: !f.depenses.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contrat::{Cofinanceur, LigneDepense, NatureDepense};
    use crate::fabrique::contrat_metropole_minimal;
    use crate::regles::verifier;

    fn e(n: i64) -> Montant {
        Montant::euros(n)
    }

    fn annee(i: usize) -> Annee {
        Annee::TOUTES[i]
    }

    /// Fiche 2.1 of the minimal contract (80 000 € a year from the State and from the
    /// collectivity) with, in 2024, two other co-funders (10 000 and 2 500) and a second expense
    /// line of 20 000.
    fn fiche() -> FicheAction {
        let mut f = contrat_metropole_minimal().fiches[1].clone();
        for (nom, m) in [("CAF", 10_000), ("CPAM", 2_500)] {
            f.financement.autres.push(Cofinanceur {
                nom: nom.into(),
                cee: false,
                montants: [(annee(0), e(m))].into_iter().collect(),
            });
        }
        f.depenses.push(LigneDepense {
            poste: "Locaux".into(),
            nature: NatureDepense::Fonctionnement,
            evaluation: false,
            montants: [(annee(0), e(20_000))].into_iter().collect(),
        });
        f
    }

    #[test]
    fn totaux_par_annee_et_par_financeur() {
        let t = totaux_fiche(&fiche());
        let a = t.annees[0];
        assert_eq!((a.etat, a.collectivite), (e(80_000), e(80_000)));
        // C = 10 000 + 2 500.
        assert_eq!(a.autres, e(12_500));
        // F = 80 000 + 80 000 + 12 500 = 172 500; expenses 160 000 + 20 000 = 180 000.
        assert_eq!(a.financement, e(172_500));
        assert_eq!(a.depenses, e(180_000));
        assert_eq!(a.ecart_depenses(), Some(e(7_500)));
        assert!(!a.etat_depasse());
        // 2025: 80 000 + 80 000 = 160 000, balanced by the builder's expense line.
        assert_eq!(t.annees[1].financement, e(160_000));
        assert_eq!(t.annees[1].ecart_depenses(), None);
        // Four years: State 4 × 80 000 = 320 000; F = 172 500 + 3 × 160 000 = 652 500.
        assert_eq!(t.ensemble.etat, e(320_000));
        assert_eq!(t.ensemble.autres, e(12_500));
        assert_eq!(t.ensemble.financement, e(652_500));
        assert_eq!(t.ensemble.depenses, e(660_000));
        assert!(t.avec_depenses);
    }

    /// The totals flag exactly the years the rules report: R-COFI-50 where the State share is
    /// above the collectivity's, R-TAB-02 where expenses and funding differ.
    #[test]
    fn les_totaux_annoncent_les_constats_des_regles() {
        let mut c = contrat_metropole_minimal();
        let mut f = fiche();
        // 2026: State 90 000 above the collectivity's 70 000 (F unchanged: 160 000).
        f.financement.etat.insert(annee(2), e(90_000));
        f.financement.collectivite.insert(annee(2), e(70_000));
        c.fiches[1] = f.clone();
        let constats = verifier(&c);
        let t = totaux_fiche(&f);
        let mut vus = (0, 0);
        for a in &t.annees {
            let porte = |code: &str, champ: &str| {
                constats.iter().any(|k| {
                    k.code == code && k.cible.to_string() == format!("fiches[2.1].{champ}.{}", a.annee)
                })
            };
            assert_eq!(
                a.etat_depasse(),
                porte("R-COFI-50", "financement.etat"),
                "R-COFI-50 en {}",
                a.annee
            );
            assert_eq!(
                a.ecart_depenses().is_some(),
                porte("R-TAB-02", "depenses"),
                "R-TAB-02 en {}",
                a.annee
            );
            vus.0 += usize::from(a.etat_depasse());
            vus.1 += usize::from(a.ecart_depenses().is_some());
        }
        // One year above parity (2026), one year unbalanced (2024).
        assert_eq!(vus, (1, 1));
    }
}
