//! A generated national data set: 125 contracts × 60 fiches × 4 years, for benchmarks and
//! load tests.
//!
//! [`jeu_national`] is deterministic: the same arguments always give the same contracts, on
//! every machine (a small seeded PRNG, no external randomness). Contract `i` depends only on
//! `i` and on the number of fiches, so a smaller set is a prefix of a larger one.
//!
//! Collectivities cycle over the eligible ones in this order: the 22 former CALPAE
//! signatories, the Ville de Marseille, then the 101 départements (axes 1, 3 and 4 only).
//! With more contracts than collectivities (the standard set has 125 for 124), the cycle
//! starts again.
//!
//! Contracts are built with the fixture builders ([`crate::fabrique`]) and are valid, except
//! for a few planted faults, listed by [`defauts_plantes`], so the rules engine has findings
//! to produce:
//! - every 7th contract (index multiple of [`PERIODE_COFI_50`]): one fiche whose State share
//!   exceeds the collectivity's in 2025 (R-COFI-50);
//! - every 11th contract (index multiple of [`PERIODE_SANS_T0`]): one local indicator
//!   without T0 (R-IND-02).
//!
//! Some fiches also raise alerts without being faulty: a collectivity share above the
//! State's without other co-funders (R-COFI-52).

use std::collections::BTreeMap;

use crate::contrat::{Cofinanceur, Contrat, EtatContrat, NatureAction, ParAnnee, Renforcement};
use crate::fabrique::{ContratBuilder, FicheBuilder};
use crate::referentiel::referentiel;
use crate::territoires::{Collectivite, Eligibilite, territoires};
use crate::{Annee, Axe, Montant};

/// Number of contracts of the standard set.
pub const CONTRATS_STANDARD: usize = 125;
/// Number of fiches per contract of the standard set.
pub const FICHES_STANDARD: usize = 60;
/// Contracts whose index is a multiple of this carry an R-COFI-50 fault.
pub const PERIODE_COFI_50: usize = 7;
/// Contracts whose index is a multiple of this carry an R-IND-02 fault (no T0).
pub const PERIODE_SANS_T0: usize = 11;

/// Coordination time for access to rights: the first axis-3 fiche of every contract, so the
/// other access-to-rights actions have their prerequisite (R-REF-01).
const TYPE_COORDINATION: &str = "AT-3-I-1.1-01";
/// Experimental FSL énergie aid, capped at 20 % of axis 4 (R-REF-07): left out so that random
/// draws cannot break the cap.
const TYPE_AIDES_FSL: &str = "AT-4-4.1-05";
/// Base seed of the set; contract `i` is seeded with `GRAINE + i`.
const GRAINE: u64 = 0x5041_4354_4532_3032; // "PACTE202"

/// The standard national set: `jeu_national(125, 60)`, 7 500 fiches.
pub fn jeu_national_standard() -> Vec<Contrat> {
    jeu_national(CONTRATS_STANDARD, FICHES_STANDARD)
}

/// `n_contrats` contracts of `n_fiches` fiches each, spread evenly over the contract's axes.
/// With fewer fiches than axes, some axes stay empty (an R-ACT-01 finding).
pub fn jeu_national(n_contrats: usize, n_fiches: usize) -> Vec<Contrat> {
    let collectivites = collectivites_eligibles();
    let types = TypesParAxe::new();
    (0..n_contrats)
        .map(|i| contrat(i, collectivites[i % collectivites.len()], n_fiches, &types))
        .collect()
}

/// The demonstration's national set: one contract of `n_fiches` fiches for every eligible
/// collectivity (the former CALPAE métropoles, the Ville de Marseille, the départements),
/// their states spread over the whole lifecycle (contract `i` in state `i` modulo the number
/// of states), a contract before its deliberation having no deliberation date nor signatory.
pub fn jeu_demonstration(n_fiches: usize) -> Vec<Contrat> {
    let n = collectivites_eligibles().len();
    let mut contrats = jeu_national(n, n_fiches);
    for (i, c) in contrats.iter_mut().enumerate() {
        let etat = EtatContrat::TOUS[i % EtatContrat::TOUS.len()];
        c.contrat.etat = etat;
        if matches!(
            etat,
            EtatContrat::Brouillon | EtatContrat::Negociation | EtatContrat::Valide
        ) {
            c.contrat.date_deliberation = None;
            c.contrat.signataires.clear();
        }
        // A signed contract has its signatories, as the signature act records them: the
        // préfet and the head of the collectivity's executive, one month after deliberating.
        if etat >= EtatContrat::Signe && c.contrat.signataires.is_empty() {
            c.contrat.signataires = signataires_demonstration(&c.contrat);
        }
    }
    contrats
}

/// The préfet and the head of the executive of a demonstration contract, signing on
/// 15 March 2024.
fn signataires_demonstration(e: &crate::contrat::EnTete) -> Vec<crate::contrat::Signataire> {
    let t = territoires();
    let departement = t
        .collectivite(&e.collectivite)
        .and_then(|c| t.departement(&c.departement))
        .map_or_else(|| "département".to_string(), |d| d.nom.clone());
    let date = Some(crate::Date::ymd(2024, 3, 15));
    vec![
        crate::contrat::Signataire {
            nom: None,
            qualite: format!("Préfet de département ({departement})"),
            organisation: Some("État".into()),
            date_signature: date,
        },
        crate::contrat::Signataire {
            nom: None,
            qualite: format!("Président de l'exécutif de {}", e.nom_collectivite()),
            organisation: Some(e.nom_collectivite()),
            date_signature: date,
        },
    ]
}

/// Codes of the blocking rules planted in contract `index` (empty for a valid contract).
pub fn defauts_plantes(index: usize) -> Vec<&'static str> {
    let mut codes = Vec::new();
    if index.is_multiple_of(PERIODE_COFI_50) {
        // The contracts are in execution: concluded without its conditions (R-COFI-53).
        codes.push("R-COFI-50");
        codes.push("R-COFI-53");
    }
    if index.is_multiple_of(PERIODE_SANS_T0) {
        codes.push("R-IND-02");
    }
    codes
}

/// The eligible collectivities in cycle order: CALPAE EPCI, Ville de Marseille, départements.
fn collectivites_eligibles() -> Vec<&'static Collectivite> {
    let toutes = &territoires().collectivites;
    [
        Eligibilite::Calpae,
        Eligibilite::VilleDeMarseille,
        Eligibilite::Departement,
    ]
    .iter()
    .flat_map(|e| toutes.iter().filter(move |c| c.eligibilite == *e))
    .collect()
}

/// The référentiel's action types that random draws pick from, per axis.
struct TypesParAxe([Vec<&'static str>; 4]);

impl TypesParAxe {
    fn new() -> TypesParAxe {
        let mut par_axe: [Vec<&'static str>; 4] = Default::default();
        for (place, t) in referentiel().types_action() {
            if t.id != TYPE_COORDINATION && t.id != TYPE_AIDES_FSL {
                par_axe[place.axe.code as usize - 1].push(t.id.as_str());
            }
        }
        TypesParAxe(par_axe)
    }

    fn tirer(&self, axe: Axe, alea: &mut Alea) -> &'static str {
        let types = &self.0[axe.numero() as usize - 1];
        types[alea.indice(types.len())]
    }
}

const OPERATEURS: [&str; 6] = [
    "Centre communal d'action sociale",
    "Caisse d'allocations familiales",
    "Association de prévention spécialisée",
    "Mission locale",
    "Service départemental d'action sociale",
    "Régie de quartier",
];

const CAF: &str = "Caisse d'allocations familiales";

/// How a fiche is funded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Montage {
    /// New action, State and collectivity 50/50.
    Paritaire,
    /// 50/50 plus the CAF as another co-funder.
    AvecCaf,
    /// 50/50 new action whose collectivity share includes FSE+.
    AvecFse,
    /// Reinforced action: the State funds half of the reinforced share.
    Renforcee,
    /// Collectivity above the State, no other co-funder (an R-COFI-52 alert).
    CollectiviteMajoritaire,
}

impl Montage {
    fn tirer(alea: &mut Alea) -> Montage {
        match alea.indice(100) {
            0..65 => Montage::Paritaire,
            65..77 => Montage::AvecCaf,
            77..82 => Montage::AvecFse,
            82..93 => Montage::Renforcee,
            _ => Montage::CollectiviteMajoritaire,
        }
    }
}

fn par_an(m: Montant) -> ParAnnee<Montant> {
    Annee::TOUTES.iter().map(|a| (*a, m)).collect()
}

/// `euros` rounded down to the hundred, at least 100 €.
fn centaines(euros: i64) -> Montant {
    Montant::euros((euros / 100).max(1) * 100)
}

fn contrat(index: usize, collectivite: &Collectivite, n_fiches: usize, types: &TypesParAxe) -> Contrat {
    let mut alea = Alea::new(GRAINE.wrapping_add(index as u64));
    let axes: &[Axe] = if collectivite.eligibilite == Eligibilite::Departement {
        &[Axe::A1, Axe::A3, Axe::A4]
    } else {
        &Axe::TOUS
    };
    let fiche_evaluee = alea.indice(n_fiches.max(1));
    let fiche_cofi_50 = index
        .is_multiple_of(PERIODE_COFI_50)
        .then(|| alea.indice(n_fiches.max(1)));
    let fiche_sans_t0 = index
        .is_multiple_of(PERIODE_SANS_T0)
        .then(|| alea.indice(n_fiches.max(1)));

    let mut rangs = [0u16; 4];
    let mut builder = ContratBuilder::new(&collectivite.code).avec(|e| {
        e.intitule = Some(format!(
            "Contrat local des solidarités 2024-2027 — {}",
            collectivite.nom
        ));
    });
    for k in 0..n_fiches {
        let axe = axes[k % axes.len()];
        let rang = &mut rangs[axe.numero() as usize - 1];
        *rang += 1;
        let type_action = if axe == Axe::A3 && *rang == 1 {
            TYPE_COORDINATION
        } else {
            types.tirer(axe, &mut alea)
        };
        let euros = alea.entre(100, 2_500) as i64 * 100; // 10 000 € to 250 000 € a year
        let etat = Montant::euros(euros);
        let montage = Montage::tirer(&mut alea);
        let operateur = OPERATEURS[alea.indice(OPERATEURS.len())];

        let mut fiche = FicheBuilder::new(&format!("{}.{rang}", axe.numero()), type_action, etat).avec(|f| {
            f.operateur = Some(operateur.into());
            match montage {
                Montage::Paritaire => {}
                Montage::AvecCaf => f.financement.autres.push(Cofinanceur {
                    nom: CAF.into(),
                    cee: false,
                    montants: par_an(centaines(euros / 2)),
                }),
                Montage::AvecFse => f.financement.fse_plus = par_an(centaines(euros / 3)),
                Montage::Renforcee => {
                    f.nature = Some(NatureAction::Renforcee);
                    f.renforcement = Some(Renforcement {
                        existant: Some(
                            "Action déjà conduite avant 2024 ; le renfort étend la file active.".into(),
                        ),
                        // State + collectivity fund the reinforced share: the State's half.
                        part_renforcee: par_an(etat + etat),
                    });
                }
                Montage::CollectiviteMajoritaire => {
                    f.financement.collectivite = par_an(etat + centaines(euros / 5));
                }
            }
        });
        if k == fiche_evaluee {
            fiche = fiche.evaluation(centaines(euros / 10));
        }
        if fiche_cofi_50 == Some(k) {
            // The collectivity lowers its 2025 share; the State's stays: R-COFI-50.
            fiche = fiche.avec(|f| {
                f.financement
                    .collectivite
                    .insert(Annee::TOUTES[1], centaines(euros * 4 / 5));
            });
        }
        if fiche_sans_t0 == Some(k) {
            fiche = fiche.avec(|f| {
                if let Some(i) = f.indicateurs.first_mut() {
                    i.t0 = None;
                }
            });
        }
        builder = builder.fiche(fiche);
    }
    builder.build()
}

/// A small seeded PRNG (xorshift64*, seeded through splitmix64): deterministic and
/// platform-independent, good enough to spread test data.
struct Alea(u64);

impl Alea {
    fn new(graine: u64) -> Alea {
        let mut z = graine.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        // xorshift must not start from zero.
        Alea((z ^ (z >> 31)) | 1)
    }

    fn suivant(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`); the modulo bias is negligible for small `n`.
    fn indice(&mut self, n: usize) -> usize {
        (self.suivant() % n as u64) as usize
    }

    /// A number in `min..=max`.
    fn entre(&mut self, min: u64, max: u64) -> u64 {
        min + self.suivant() % (max - min + 1)
    }
}

/// Total State share of a set per year, for load-test sanity checks and summaries.
pub fn total_etat(jeu: &[Contrat]) -> BTreeMap<Annee, Montant> {
    Annee::TOUTES
        .iter()
        .map(|a| {
            let total = jeu
                .iter()
                .flat_map(|c| &c.fiches)
                .map(|f| f.financement.etat(*a))
                .sum();
            (*a, total)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::{Gravite, verifier};

    fn standard() -> &'static [Contrat] {
        static JEU: OnceLock<Vec<Contrat>> = OnceLock::new();
        JEU.get_or_init(jeu_national_standard)
    }

    fn codes_bloquants(c: &Contrat) -> Vec<&'static str> {
        let mut codes: Vec<_> = verifier(c)
            .into_iter()
            .filter(|k| k.gravite == Gravite::Bloquant)
            .map(|k| k.code)
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }

    #[test]
    fn le_jeu_standard_compte_125_contrats_et_7500_fiches() {
        let jeu = standard();
        assert_eq!(jeu.len(), 125);
        assert_eq!(jeu.iter().map(|c| c.fiches.len()).sum::<usize>(), 7_500);
        for c in jeu {
            let mut numeros: Vec<_> = c.fiches.iter().map(|f| f.numero).collect();
            numeros.sort();
            numeros.dedup();
            assert_eq!(numeros.len(), 60, "numéros de fiche en double");
            assert_eq!(c.fiches.iter().filter(|f| f.evaluation_impact).count(), 1);
        }
        // 22 EPCI, Marseille, 101 départements, then the cycle starts again.
        assert_eq!(jeu[0].contrat.collectivite, "200054807");
        assert_eq!(jeu[22].contrat.collectivite, "211300553");
        assert_eq!(jeu[23].contrat.collectivite, "01");
        assert_eq!(jeu[124].contrat.collectivite, "200054807");
        // Départements carry no axis 2.
        assert!(jeu[23].fiches.iter().all(|f| f.axe() != Axe::A2));
    }

    #[test]
    fn la_generation_est_deterministe() {
        let jeu = jeu_national_standard();
        assert_eq!(jeu, standard());
        // A smaller set is a prefix of a larger one.
        assert_eq!(jeu_national(3, 60), standard()[..3]);
    }

    #[test]
    fn les_montants_sont_realistes() {
        for f in standard().iter().flat_map(|c| &c.fiches) {
            for a in Annee::TOUTES {
                let etat = f.financement.etat(a);
                assert!(etat >= Montant::euros(10_000) && etat <= Montant::euros(250_000));
                assert_eq!(etat.en_centimes() % 100, 0, "euros entiers");
            }
        }
        let total = total_etat(standard());
        assert!(total[&Annee::TOUTES[0]] > Montant::euros(500_000_000));
    }

    #[test]
    fn un_contrat_sans_defaut_plante_n_a_aucun_constat_bloquant() {
        // 1: an EPCI (Bordeaux), 23: a département (Ain), 30: another (Ardennes). The Ville de
        // Marseille (22, a multiple of 11) is covered by the exhaustive test below.
        for i in [1, 23, 30] {
            assert!(defauts_plantes(i).is_empty());
            let c = &standard()[i];
            let bloquants: Vec<_> = verifier(c)
                .into_iter()
                .filter(|k| k.gravite == Gravite::Bloquant)
                .collect();
            assert_eq!(bloquants, vec![], "contrat {i} ({})", c.contrat.collectivite);
        }
    }

    #[test]
    fn les_defauts_plantes_sont_trouves() {
        let c = &standard()[14];
        assert_eq!(defauts_plantes(14), ["R-COFI-50", "R-COFI-53"]);
        let cofi: Vec<_> = verifier(c)
            .into_iter()
            .filter(|k| k.code == "R-COFI-50")
            .collect();
        assert_eq!(cofi.len(), 1);
        assert!(
            cofi[0].cible.to_string().ends_with(".financement.etat.2025"),
            "{}",
            cofi[0].cible
        );
        assert_eq!(codes_bloquants(&standard()[33]), ["R-IND-02"]);
        assert_eq!(
            codes_bloquants(&standard()[77]),
            ["R-COFI-50", "R-COFI-53", "R-IND-02"]
        );
    }

    #[test]
    fn chaque_contrat_ne_porte_que_ses_defauts_plantes() {
        for (i, c) in standard().iter().enumerate() {
            assert_eq!(codes_bloquants(c), defauts_plantes(i), "contrat {i}");
        }
    }

    #[test]
    fn jeu_de_demonstration_complet() {
        let j = jeu_demonstration(4);
        let eligibles = collectivites_eligibles();
        // One contract per eligible collectivity, none twice.
        assert_eq!(j.len(), eligibles.len());
        let codes: std::collections::HashSet<&str> =
            j.iter().map(|c| c.contrat.collectivite.as_str()).collect();
        assert_eq!(codes.len(), eligibles.len());
        let marseille = eligibles
            .iter()
            .find(|k| k.eligibilite == Eligibilite::VilleDeMarseille)
            .expect("la Ville de Marseille est éligible");
        assert!(codes.contains(marseille.code.as_str()));
        assert!(
            eligibles
                .iter()
                .filter(|k| k.eligibilite == Eligibilite::Departement)
                .count()
                >= 100
        );
        // Every state of the lifecycle is represented.
        for e in EtatContrat::TOUS {
            assert!(j.iter().any(|c| c.contrat.etat == e), "{e:?}");
        }
        // Before the deliberation, no deliberation date.
        assert!(
            j.iter()
                .filter(|c| c.contrat.etat == EtatContrat::Negociation)
                .all(|c| c.contrat.date_deliberation.is_none())
        );
    }
}
