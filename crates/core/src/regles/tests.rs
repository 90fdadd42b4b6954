//! Rule tests: each rule from a worked example, passing and failing, with the arithmetic in
//! the comments. One helper, [`constats`], so a change of the engine touches one function.

use super::*;
use crate::contrat::{
    Cofinanceur, Derogation, EtatContrat, NatureAction, NatureAmi, NatureDepense, PublicMobilite,
    Reconduction, Renforcement, SelectionAmi,
};
use crate::fabrique::{ContratBuilder, FicheBuilder, contrat_metropole_minimal};
use crate::{Annee, Date, Montant};
use proptest::prelude::*;

const AMP: &str = "200054807"; // Métropole d'Aix-Marseille-Provence
const A2024: Annee = Annee::TOUTES[0];

fn eur(e: i64) -> Montant {
    Montant::euros(e)
}

/// Findings of one rule on a contract: (target, message).
fn constats(c: &Contrat, code: &str) -> Vec<(String, String)> {
    assert!(regle(code).is_some(), "règle {code} absente du catalogue");
    verifier(c)
        .into_iter()
        .filter(|k| k.code == code)
        .map(|k| (k.cible.to_string(), k.message))
        .collect()
}

fn cibles(c: &Contrat, code: &str) -> Vec<String> {
    constats(c, code).into_iter().map(|(c, _)| c).collect()
}

/// The minimal valid contract with one more fiche.
fn avec_fiche(f: FicheBuilder) -> Contrat {
    let mut c = contrat_metropole_minimal();
    c.fiches.push(f.build());
    c
}

#[test]
fn le_contrat_minimal_ne_leve_aucun_constat() {
    let c = contrat_metropole_minimal();
    assert_eq!(
        verifier(&c),
        vec![],
        "un contrat complet et conforme ne doit lever aucun constat"
    );
}

#[test]
fn catalogue_codes_uniques_et_regles_demandees_presentes() {
    let mut codes: Vec<_> = regles().iter().map(|r| r.code).collect();
    let n = codes.len();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n, "codes en double");
    for code in [
        "R-ELIG-01",
        "R-ELIG-02",
        "R-CAL-01",
        "R-DOC-07",
        "R-ACT-01",
        "R-ACT-02",
        "R-ACT-03",
        "R-ACT-05",
        "R-ACT-06",
        "R-ACT-07",
        "R-ACT-10",
        "R-REF-01",
        "R-REF-02",
        "R-REF-04",
        "R-REF-07",
        "R-REF-08",
        "R-REF-18",
        "R-COFI-50",
        "R-COFI-51",
        "R-COFI-52",
        "R-FIN-03",
        "R-FIN-04",
        "R-FIN-05",
        "R-IND-01",
        "R-IND-02",
        "R-IND-03",
        "R-IND-04",
        "R-EVAL-03",
        "R-TAB-02",
        "R-TAB-03",
    ] {
        assert!(regle(code).is_some(), "{code} manque");
    }
    for r in regles() {
        assert!(
            r.source.starts_with("Instruction du 27/10/2023"),
            "{} : source {}",
            r.code,
            r.source
        );
    }
}

// --- Co-funding (annexe 5 II.b) ---

#[test]
fn r_cofi_51_exemple_caf_de_l_annexe_5_passe() {
    // [004] A5 II.b: budget 100 000 € = 40 000 € État + 40 000 € métropole + 20 000 € CAF.
    // State = métropole: parity holds, the CAF's share is outside the pair.
    let c = avec_fiche(FicheBuilder::new("1.2", "AT-1-1.2-01", eur(40_000)).avec(|f| {
        f.financement.autres = vec![Cofinanceur {
            nom: "CAF".into(),
            cee: false,
            montants: Annee::TOUTES.iter().map(|a| (*a, eur(20_000))).collect(),
        }];
    }));
    for code in ["R-COFI-50", "R-COFI-51", "R-COFI-52", "R-TAB-02"] {
        assert_eq!(constats(&c, code), vec![], "{code}");
    }
    assert_eq!(
        crate::tableau::previsionnel(&c, A2024).axes[0].lignes[1]
            .montants
            .total,
        eur(100_000)
    );
}

#[test]
fn r_cofi_51_parite_rompue_avec_un_autre_cofinanceur() {
    // 40 000 € État, 45 000 € métropole, 15 000 € CAF: with another co-funder, parity is
    // required (A5 II.b): blocking under R-COFI-51, not R-COFI-50 (State ≤ métropole).
    let c = avec_fiche(FicheBuilder::new("1.2", "AT-1-1.2-01", eur(40_000)).avec(|f| {
        f.financement.collectivite.insert(A2024, eur(45_000));
        f.financement.autres = vec![Cofinanceur {
            nom: "CAF".into(),
            cee: false,
            montants: [(A2024, eur(15_000))].into(),
        }];
    }));
    assert_eq!(
        cibles(&c, "R-COFI-51"),
        vec!["fiches[1.2].financement.collectivite.2024"]
    );
    assert_eq!(cibles(&c, "R-COFI-50"), Vec::<String>::new());
}

#[test]
fn r_cofi_50_etat_50000_metropole_40000_echoue() {
    // 50 000 € État > 40 000 € métropole in 2024: the State share exceeds the collectivity's.
    let c = avec_fiche(FicheBuilder::new("2.2", "AT-2-2.2.2-01", eur(40_000)).avec(|f| {
        f.financement.etat.insert(A2024, eur(50_000));
    }));
    let k = constats(&c, "R-COFI-50");
    assert_eq!(k.len(), 1, "{k:?}");
    assert_eq!(k[0].0, "fiches[2.2].financement.etat.2024");
    assert!(
        k[0].1.contains("50 000,00 €") && k[0].1.contains("40 000,00 €"),
        "{}",
        k[0].1
    );
}

#[test]
fn r_cofi_50_pas_de_compensation_entre_actions() {
    // Fiche 1.2: 60 000 € État / 40 000 € métropole; fiche 1.3: 40 000 € / 60 000 €.
    // Globally 100 000 € each (50/50), but the rule applies action by action: 1.2 fails.
    let c = avec_fiche(FicheBuilder::new("1.2", "AT-1-1.2-01", eur(40_000)).avec(|f| {
        f.financement.etat.insert(A2024, eur(60_000));
    }));
    let mut c2 = c.clone();
    c2.fiches.push(
        FicheBuilder::new("1.3", "AT-1-1.2-02", eur(40_000))
            .avec(|f| {
                f.financement.collectivite.insert(A2024, eur(60_000));
            })
            .build(),
    );
    assert_eq!(
        cibles(&c2, "R-COFI-50"),
        vec!["fiches[1.2].financement.etat.2024"]
    );
    assert_eq!(
        cibles(&c2, "R-COFI-52"),
        vec!["fiches[1.3].financement.collectivite.2024"]
    );
}

#[test]
fn r_cofi_52_part_collectivite_superieure_sans_autre_cofinanceur() {
    // 40 000 € État, 50 000 € métropole, no one else: « au moins 50 % » holds, equality does not.
    let c = avec_fiche(FicheBuilder::new("1.2", "AT-1-1.2-01", eur(40_000)).avec(|f| {
        f.financement.collectivite.insert(A2024, eur(50_000));
    }));
    let k = verifier(&c);
    let k: Vec<_> = k.iter().filter(|k| k.code.starts_with("R-COFI")).collect();
    assert_eq!(k.len(), 1);
    assert_eq!((k[0].code, k[0].gravite), ("R-COFI-52", Gravite::Alerte));
}

proptest! {
    #[test]
    fn r_cofi_50_vrai_ssi_etat_inferieur_ou_egal_partout(
        montants in proptest::collection::vec(proptest::collection::vec((0i64..200_000, 0i64..200_000), 4), 1..6)
    ) {
        // R-COFI-50 holds iff State ≤ collectivity share for every action and every year.
        let mut b = ContratBuilder::metropole(AMP);
        for (i, annees) in montants.iter().enumerate() {
            let annees = annees.clone();
            b = b.fiche(FicheBuilder::new(&format!("1.{}", i + 1), "AT-1-1.1-01", Montant::ZERO).avec(move |f| {
                for (a, (e, c)) in Annee::TOUTES.iter().zip(annees) {
                    f.financement.etat.insert(*a, Montant::centimes(e * 100 + 7));
                    f.financement.collectivite.insert(*a, Montant::centimes(c * 100 + 7));
                }
            }));
        }
        let c = b.build();
        let attendu = montants.iter().flatten().all(|(e, c)| e <= c);
        prop_assert_eq!(constats(&c, "R-COFI-50").is_empty(), attendu);
    }

    #[test]
    fn totaux_du_tableau_egaux_a_la_somme_des_lignes(
        montants in proptest::collection::vec((1u8..=4, 0i64..10_000_000, 0i64..10_000_000, 0i64..10_000_000), 0..30)
    ) {
        let mut b = ContratBuilder::metropole(AMP);
        let types = ["AT-1-1.1-01", "AT-2-2.2.1-01", "AT-3-II-2-01", "AT-4-4.1-01"];
        for (i, (axe, e, c, o)) in montants.iter().enumerate() {
            let (e, c, o) = (Montant::centimes(*e), Montant::centimes(*c), Montant::centimes(*o));
            b = b.fiche(FicheBuilder::new(&format!("{axe}.{}", i + 1), types[*axe as usize - 1], e).avec(move |f| {
                f.financement.collectivite.insert(A2024, c);
                f.financement.autres = vec![Cofinanceur { nom: "CAF".into(), cee: false, montants: [(A2024, o)].into() }];
            }));
        }
        let t = crate::tableau::previsionnel(&b.build(), A2024);
        let lignes: Vec<_> = t.axes.iter().flat_map(|b| &b.lignes).collect();
        prop_assert_eq!(t.totaux.etat, lignes.iter().map(|l| l.montants.etat).sum::<Montant>());
        prop_assert_eq!(t.totaux.collectivite, lignes.iter().map(|l| l.montants.collectivite).sum::<Montant>());
        prop_assert_eq!(t.totaux.autres, lignes.iter().map(|l| l.montants.autres).sum::<Montant>());
        prop_assert_eq!(t.totaux.total, lignes.iter().map(|l| l.montants.total).sum::<Montant>());
        for bloc in &t.axes {
            prop_assert_eq!(bloc.sous_total.total, bloc.lignes.iter().map(|l| l.montants.total).sum::<Montant>());
            for l in &bloc.lignes {
                prop_assert_eq!(l.montants.total, l.montants.etat + l.montants.collectivite + l.montants.autres);
            }
        }
    }

    #[test]
    fn r_fin_04_socle_exact_au_centime(propose in 1i64..1_000_000_000, etat in 0i64..1_000_000_000) {
        // Finding iff 100 × État < 20 × proposé (integer arithmetic, no rounding).
        let c = contrat_plancher(Montant::centimes(propose), Montant::centimes(etat));
        let echoue = !cibles(&c, "R-FIN-04").iter().all(|x| x != "contrat.montants_proposes.1");
        prop_assert_eq!(echoue, (100 * etat as i128) < (20 * propose as i128));
    }
}

// --- Ceilings and floor (annexe 5 II.a) ---

/// Axis 1 with `etat` of State every year against `propose` proposed; other axes exactly at
/// their proposed amount.
fn contrat_plancher(propose: Montant, etat: Montant) -> Contrat {
    ContratBuilder::metropole(AMP)
        .fiche(FicheBuilder::new("1.1", "AT-1-1.1-02", etat).evaluation(Montant::ZERO + eur(1)))
        .fiche(FicheBuilder::new("2.1", "AT-2-2.2.1-01", eur(80_000)))
        .fiche(FicheBuilder::new("3.1", "AT-3-II-2-01", eur(60_000)))
        .fiche(FicheBuilder::new("4.1", "AT-4-4.1-01", eur(50_000)))
        .proposes(&[
            (Axe::A1, propose),
            (Axe::A2, eur(80_000)),
            (Axe::A3, eur(60_000)),
            (Axe::A4, eur(50_000)),
        ])
        .build()
}

#[test]
fn r_fin_04_axe_a_exactement_20_pourcent_passe_un_centime_de_moins_echoue() {
    // Proposed for axis 1: 100 000,00 €. 20 % = 20 000,00 €.
    // State 20 000,00 € → passes; 19 999,99 € → fails, in each of the 4 years.
    let ok = contrat_plancher(eur(100_000), eur(20_000));
    assert_eq!(constats(&ok, "R-FIN-04"), vec![]);
    let ko = contrat_plancher(eur(100_000), Montant::centimes(1_999_999));
    let k = constats(&ko, "R-FIN-04");
    assert_eq!(k.len(), 4, "{k:?}");
    assert!(
        k[0].1.contains("19 999,99 €") && k[0].1.contains("20 000,00 €"),
        "{}",
        k[0].1
    );
}

#[test]
fn r_fin_03_plafond_global_et_fongibilite() {
    // Proposed: 100 000 + 80 000 + 60 000 + 50 000 = 290 000 € a year.
    // Axis 1 at 150 000 €: axis 1 exceeds its own amount (allowed by fungibility) but the
    // total 150 000 + 80 000 + 60 000 + 50 000 = 340 000 € exceeds 290 000 € by 50 000 €.
    let c = contrat_plancher(eur(100_000), eur(150_000));
    let k = constats(&c, "R-FIN-03");
    assert_eq!(k.len(), 4);
    assert!(
        k[0].1.contains("340 000,00 €") && k[0].1.contains("290 000,00 €") && k[0].1.contains("50 000,00 €")
    );
    // Fungibility: axis 1 at 120 000 € and axis 2 down to 60 000 €: total 290 000 € ≤ 290 000 €.
    let mut c = contrat_plancher(eur(100_000), eur(120_000));
    for a in Annee::TOUTES {
        c.fiches[1].financement.etat.insert(a, eur(60_000));
        c.fiches[1].financement.collectivite.insert(a, eur(60_000));
        c.fiches[1].depenses[0].montants.insert(a, eur(120_000));
    }
    assert_eq!(constats(&c, "R-FIN-03"), vec![]);
    assert_eq!(
        constats(&c, "R-FIN-04"),
        vec![],
        "60 000 € ≥ 20 % de 80 000 € = 16 000 €"
    );
}

#[test]
fn r_fin_03_montants_proposes_absents() {
    let mut c = contrat_metropole_minimal();
    c.contrat.montants_proposes.clear();
    assert_eq!(cibles(&c, "R-FIN-03"), vec!["contrat.montants_proposes"]);
}

#[test]
fn r_fin_05_montant_2025_different_de_2024() {
    // 2024: 290 000 € in total; 2025: fiche 1.1 down from 100 000 € to 90 000 € → 280 000 €.
    let mut c = contrat_metropole_minimal();
    c.fiches[0].financement.etat.insert(Annee::TOUTES[1], eur(90_000));
    let k = constats(&c, "R-FIN-05");
    assert_eq!(k.len(), 1);
    assert_eq!(k[0].0, "contrat.engagement_etat.2025");
    assert!(
        k[0].1.contains("280 000,00 €") && k[0].1.contains("290 000,00 €"),
        "{}",
        k[0].1
    );
}

// --- Tables (annexe 10) ---

#[test]
fn r_tab_02_budget_global_et_postes_de_depenses() {
    // A + B + C = 100 000 + 100 000 + 0 = 200 000 € (+ the 10 000 € evaluation line is part of
    // the expense lines, not of the funding: the builder balances it). Declared F = 210 000 €.
    let mut c = contrat_metropole_minimal();
    c.fiches[0].budget_global.insert(A2024, eur(210_000));
    c.fiches[0].depenses[0].montants.insert(Annee::TOUTES[2], eur(1));
    let k = cibles(&c, "R-TAB-02");
    assert_eq!(
        k,
        vec!["fiches[1.1].budget_global.2024", "fiches[1.1].depenses.2026"]
    );
}

#[test]
fn r_tab_03_engagement_ecrit_different_des_fiches() {
    // Article 2.2 says 300 000 € in 2024; fiches total 100 000 + 80 000 + 60 000 + 50 000 = 290 000 €.
    let mut c = contrat_metropole_minimal();
    c.contrat.engagement_etat.insert(A2024, eur(300_000));
    let k = constats(&c, "R-TAB-03");
    assert_eq!(k.len(), 1);
    assert!(k[0].1.contains("300 000,00 €") && k[0].1.contains("290 000,00 €"));
}

#[test]
fn r_tab_01_numeros_en_double() {
    let c = avec_fiche(FicheBuilder::new("1.1", "AT-1-1.2-01", eur(10_000)));
    assert_eq!(cibles(&c, "R-TAB-01"), vec!["fiches[1.1]"]);
}

#[test]
fn r_doc_06_budget_sans_postes() {
    let mut c = contrat_metropole_minimal();
    c.fiches[1].depenses.clear();
    assert_eq!(cibles(&c, "R-DOC-06"), vec!["fiches[2.1].depenses"]);
    assert_eq!(
        cibles(&c, "R-TAB-02"),
        Vec::<String>::new(),
        "pas de double constat sans postes"
    );
}

// --- Eligibility and calendar ---

#[test]
fn r_elig_01_collectivites_non_eligibles() {
    // Métropole de Lyon: not among the 22.
    let c = ContratBuilder::metropole("200046977").build();
    assert_eq!(cibles(&c, "R-ELIG-01"), vec!["contrat.collectivite"]);
    // A SIREN with a wrong check digit.
    let k = constats(&ContratBuilder::metropole("200054808").build(), "R-ELIG-01");
    assert!(k[0].1.contains("clé de contrôle"), "{}", k[0].1);
    // A département is eligible to its own contract.
    assert_eq!(
        cibles(&ContratBuilder::departement("13").build(), "R-ELIG-01"),
        Vec::<String>::new()
    );
    assert_eq!(
        cibles(&ContratBuilder::departement("99").build(), "R-ELIG-01"),
        vec!["contrat.collectivite"]
    );
}

#[test]
fn r_elig_02_seule_la_ville_de_marseille_parmi_les_communes() {
    assert_eq!(
        cibles(&ContratBuilder::metropole("211300553").build(), "R-ELIG-02"),
        Vec::<String>::new()
    );
    // Commune de Nice (SIREN 210600888): a commune, not Marseille.
    let c = ContratBuilder::metropole("210600888").build();
    assert_eq!(cibles(&c, "R-ELIG-02"), vec!["contrat.collectivite"]);
    assert_eq!(cibles(&c, "R-ELIG-01"), Vec::<String>::new(), "un seul constat");
}

#[test]
fn r_elig_03_communaute_retenue_par_l_ami() {
    let ami = |retenue| SelectionAmi {
        nom: "Communauté d'agglomération du Grand Exemple".into(),
        nature: NatureAmi::CommunauteAgglomeration,
        departement: Some("59".into()),
        retenue,
        date: Some(Date::ymd(2024, 6, 30)),
    };
    let base = |retenue, debut| {
        ContratBuilder::metropole("200069037")
            .avec(|e| {
                e.ami = Some(ami(retenue));
                e.debut = Some(debut);
            })
            .build()
    };
    let ok = base(true, Date::ymd(2025, 1, 1));
    assert_eq!(cibles(&ok, "R-ELIG-03"), Vec::<String>::new());
    assert_eq!(cibles(&ok, "R-ELIG-01"), Vec::<String>::new());
    assert_eq!(cibles(&ok, "R-CAL-01"), Vec::<String>::new());
    let ko = base(false, Date::ymd(2024, 1, 1));
    assert_eq!(
        cibles(&ko, "R-ELIG-03"),
        vec!["contrat.ami.retenue", "contrat.debut"]
    );
    assert_eq!(cibles(&ko, "R-CAL-01"), vec!["contrat.debut"]);
}

#[test]
fn r_cal_01_dates_du_contrat() {
    let mut c = contrat_metropole_minimal();
    c.contrat.debut = Some(Date::ymd(2024, 3, 1));
    c.contrat.fin = None;
    assert_eq!(cibles(&c, "R-CAL-01"), vec!["contrat.debut", "contrat.fin"]);
}

#[test]
fn r_doc_07_calendrier_au_dela_de_2027() {
    // 1 February 2024 + 48 months ends on 31 January 2028 > 31 December 2027.
    let mut c = contrat_metropole_minimal();
    c.fiches[2].debut = Some(Date::ymd(2024, 2, 1));
    let k = constats(&c, "R-DOC-07");
    assert_eq!(k[0].0, "fiches[3.1].duree_mois");
    assert!(k[0].1.contains("31/01/2028"), "{}", k[0].1);
    // 47 months from the same date end on 31 December 2027: passes.
    c.fiches[2].duree_mois = Some(47);
    assert_eq!(constats(&c, "R-DOC-07"), vec![]);
    c.fiches[2].debut = None;
    assert_eq!(cibles(&c, "R-DOC-07"), vec!["fiches[3.1].debut"]);
}

#[test]
fn r_doc_05_contrat_delibere_sans_deliberation() {
    let mut c = contrat_metropole_minimal();
    c.contrat.date_deliberation = None;
    assert_eq!(cibles(&c, "R-DOC-05"), vec!["contrat.date_deliberation"]);
    c.contrat.etat = EtatContrat::Negociation;
    assert_eq!(cibles(&c, "R-DOC-05"), Vec::<String>::new());
}

// --- Actions ---

#[test]
fn r_act_01_un_axe_sans_action() {
    let mut c = contrat_metropole_minimal();
    c.fiches.retain(|f| f.axe() != Axe::A2);
    assert_eq!(cibles(&c, "R-ACT-01"), vec!["contrat.axes.2"]);
}

#[test]
fn r_act_01_departement_axes_1_3_4_sans_axe_2() {
    let dep = |avec_axe2: bool| {
        let mut b = ContratBuilder::departement("13")
            .fiche(FicheBuilder::new("1.1", "AT-1-1.1-02", eur(100_000)).evaluation(eur(5_000)))
            .fiche(FicheBuilder::new("3.1", "AT-3-II-2-01", eur(60_000)))
            .fiche(FicheBuilder::new("4.1", "AT-4-4.1-01", eur(50_000)));
        if avec_axe2 {
            b = b.fiche(FicheBuilder::new("2.1", "AT-2-2.2.1-01", eur(80_000)));
        }
        b.build()
    };
    assert_eq!(
        verifier(&dep(false)),
        vec![],
        "un contrat départemental complet sur 1, 3, 4 est conforme"
    );
    assert_eq!(
        cibles(&dep(true), "R-ACT-01"),
        vec!["fiches[2.1]", "contrat.montants_proposes.2"]
    );
}

#[test]
fn r_act_02_conformite_au_referentiel() {
    let k = |f: FicheBuilder| cibles(&avec_fiche(f), "R-ACT-02");
    let base = || FicheBuilder::new("1.2", "AT-1-1.2-01", eur(10_000));
    assert_eq!(
        k(base().avec(|f| f.type_action = Some("AT-9-9.9-99".into()))),
        vec!["fiches[1.2].type_action"]
    );
    assert_eq!(
        k(base().avec(|f| f.sous_axe = Some("9.9".into()))),
        vec!["fiches[1.2].sous_axe"]
    );
    // A sub-axis of axis 4 on a fiche of axis 1.
    assert_eq!(
        k(base().avec(|f| {
            f.sous_axe = Some("A4-4.3".into());
            f.type_action = None;
        })),
        vec!["fiches[1.2].sous_axe"]
    );
    // Type of sub-axis 1.2 declared under sub-axis 1.1.
    assert_eq!(
        k(base().avec(|f| f.sous_axe = Some("1.1".into()))),
        vec!["fiches[1.2].type_action"]
    );
    assert_eq!(
        k(base().avec(|f| {
            f.sous_axe = None;
            f.type_action = None;
        })),
        vec!["fiches[1.2].sous_axe"]
    );
    // Out of the référentiel without derogation.
    assert_eq!(
        k(base().avec(|f| f.hors_referentiel = true)),
        vec!["fiches[1.2].derogation"]
    );
}

#[test]
fn r_act_03_et_r_ref_03_derogations() {
    let derogation = |complete: bool, diplp: bool| Derogation {
        accordee_par: complete.then(|| "Commissaire à la lutte contre la pauvreté".into()),
        date: Some(Date::ymd(2024, 1, 10)),
        justification: complete.then(|| "Offre insuffisante de laveries solidaires sur le territoire".into()),
        diplp_informee: diplp,
        date_information_diplp: None,
    };
    let fiche = |d: Derogation| {
        avec_fiche(
            FicheBuilder::new("4.2", "AT-4-4.3-01", eur(10_000)).avec(move |f| {
                f.hors_referentiel = true;
                f.derogation = Some(d);
            }),
        )
    };
    let mut ok = fiche(derogation(true, true));
    ok.fiches[4].derogation.as_mut().unwrap().date_information_diplp = Some(Date::ymd(2024, 1, 5));
    for code in ["R-ACT-02", "R-REF-03"] {
        assert_eq!(cibles(&ok, code), Vec::<String>::new(), "{code}");
    }
    // A complete derogation is admissible; the exception stays visible as an alert.
    assert_eq!(cibles(&ok, "R-ACT-03"), vec!["fiches[4.2].derogation"]);
    let ko = fiche(derogation(false, false));
    let k = constats(&ko, "R-ACT-02");
    assert!(
        k[0].1.contains("qui l'a accordée") && k[0].1.contains("justification"),
        "{}",
        k[0].1
    );
    assert_eq!(cibles(&ko, "R-ACT-03"), Vec::<String>::new());
    assert_eq!(
        cibles(&ko, "R-REF-03"),
        vec!["fiches[4.2].derogation.diplp_informee"]
    );
}

/// What the commissaire's derogation must state before it is recorded (R-ACT-03, R-REF-03):
/// a laundry service outside the référentiel, granted on 10 January 2024, DIPLP informed on
/// 5 January.
#[test]
fn derogation_complete_ou_lacunaire() {
    let complete = Derogation {
        accordee_par: Some("Claire Martin, commissaire PACA".into()),
        date: Some(Date::ymd(2024, 1, 10)),
        justification: Some("Aucune laverie solidaire à moins de 30 km".into()),
        diplp_informee: true,
        date_information_diplp: Some(Date::ymd(2024, 1, 5)),
    };
    assert!(complete.lacunes(true).is_empty());
    assert!(complete.lacunes(false).is_empty());
    let champs =
        |d: &Derogation, axe_4: bool| d.lacunes(axe_4).into_iter().map(|(c, _)| c).collect::<Vec<_>>();
    let vide = Derogation {
        accordee_par: Some("  ".into()),
        date: None,
        justification: None,
        diplp_informee: false,
        date_information_diplp: None,
    };
    assert_eq!(champs(&vide, false), ["justification", "date", "accordee_par"]);
    assert_eq!(
        champs(&vide, true),
        [
            "justification",
            "date",
            "accordee_par",
            "diplp_informee",
            "date_information_diplp"
        ]
    );
    // The DIPLP informed after the derogation: not « en amont ».
    let tardive = Derogation {
        date_information_diplp: Some(Date::ymd(2024, 1, 11)),
        ..complete.clone()
    };
    let l = tardive.lacunes(true);
    assert_eq!(l.len(), 1);
    assert!(
        l[0].1.contains("postérieure") && l[0].1.contains("R-REF-03"),
        "{}",
        l[0].1
    );
    // Outside axis 4, the information of the DIPLP is not asked.
    assert!(tardive.lacunes(false).is_empty());
}

#[test]
fn r_act_05_nature_manquante() {
    let c = avec_fiche(FicheBuilder::new("1.2", "AT-1-1.2-01", eur(10_000)).avec(|f| f.nature = None));
    assert_eq!(cibles(&c, "R-ACT-05"), vec!["fiches[1.2].nature"]);
}

#[test]
fn r_act_06_action_renforcee_seule_la_part_renforcee() {
    // Reinforced share 2024: 200 000 €. State 100 000 € = 50 % of it → passes.
    // State 100 000,01 € (collectivity likewise) → fails; the other years have no share → fail.
    let renforcee = |etat: Montant| {
        avec_fiche(
            FicheBuilder::new("1.2", "AT-1-1.2-01", Montant::ZERO).avec(move |f| {
                f.nature = Some(NatureAction::Renforcee);
                f.renforcement = Some(Renforcement {
                    existant: Some("File active de 80 familles".into()),
                    part_renforcee: [(A2024, eur(200_000))].into(),
                });
                f.financement.etat = [(A2024, etat)].into();
                f.financement.collectivite = [(A2024, etat)].into();
            }),
        )
    };
    assert_eq!(cibles(&renforcee(eur(100_000)), "R-ACT-06"), Vec::<String>::new());
    let k = constats(&renforcee(Montant::centimes(10_000_001)), "R-ACT-06");
    assert_eq!(k.len(), 1);
    assert!(
        k[0].1.contains("100 000,01 €") && k[0].1.contains("200 000,00 €"),
        "{}",
        k[0].1
    );
    let mut sans_part = renforcee(eur(1_000));
    sans_part.fiches[4].renforcement = None;
    assert_eq!(
        cibles(&sans_part, "R-ACT-06"),
        vec!["fiches[1.2].renforcement.part_renforcee.2024"]
    );
}

#[test]
fn r_act_07_reconduction_calpae_justifiee() {
    let fiche = |r: Option<Reconduction>| {
        avec_fiche(
            FicheBuilder::new("1.2", "AT-1-1.2-01", eur(10_000)).avec(move |f| {
                f.nature = Some(NatureAction::ReconductionCalpae);
                f.reconduction = r;
            }),
        )
    };
    let complete = Reconduction {
        justification_efficacite: Some("Taux de sortie positive de 62 % en 2022".into()),
        justification_impact: Some("Retour à l'école de 80 % des jeunes suivis".into()),
        conformite_referentiel: true,
        accord_des_parties: true,
    };
    assert_eq!(cibles(&fiche(Some(complete)), "R-ACT-07"), Vec::<String>::new());
    let k = constats(&fiche(None), "R-ACT-07");
    assert_eq!(k.len(), 1);
    assert_eq!(regle("R-ACT-07").unwrap().gravite, Gravite::Alerte);
    assert!(k[0].1.contains("l'accord des deux parties"));
}

#[test]
fn r_act_10_fse_plus() {
    // FSE+ 10 000 € within a 40 000 € métropole share of a new action: fine.
    let fiche = |nature, fse| {
        avec_fiche(
            FicheBuilder::new("1.2", "AT-1-1.2-01", eur(40_000)).avec(move |f| {
                f.nature = Some(nature);
                f.financement.fse_plus = [(A2024, fse)].into();
                if nature == NatureAction::Renforcee {
                    f.renforcement = Some(Renforcement {
                        existant: None,
                        part_renforcee: Annee::TOUTES.iter().map(|a| (*a, eur(80_000))).collect(),
                    });
                }
            }),
        )
    };
    assert_eq!(
        cibles(&fiche(NatureAction::Nouvelle, eur(10_000)), "R-ACT-10"),
        Vec::<String>::new()
    );
    assert_eq!(
        cibles(&fiche(NatureAction::Renforcee, eur(10_000)), "R-ACT-10"),
        vec!["fiches[1.2].financement.fse_plus"]
    );
    // FSE+ 45 000 € > métropole share 40 000 €: the excess would finance the State's share.
    assert_eq!(
        cibles(&fiche(NatureAction::Nouvelle, eur(45_000)), "R-ACT-10"),
        vec!["fiches[1.2].financement.fse_plus.2024"]
    );
}

// --- Référentiel-specific rules ---

#[test]
fn r_ref_01_coordination_prealable_de_l_acces_aux_droits() {
    // An "aller vers" access-to-rights action (A3-I-2.1.2) without coordination time.
    let sans = avec_fiche(FicheBuilder::new("3.2", "AT-3-I-2.1.2-01", eur(30_000)));
    assert_eq!(cibles(&sans, "R-REF-01"), vec!["contrat.axes.3"]);
    // With coordination starting the same day: passes. Starting later: fails.
    let mut avec = sans.clone();
    avec.fiches
        .push(FicheBuilder::new("3.3", "AT-3-I-1.1-01", eur(20_000)).build());
    assert_eq!(cibles(&avec, "R-REF-01"), Vec::<String>::new());
    avec.fiches[5].debut = Some(Date::ymd(2024, 6, 1));
    avec.fiches[5].duree_mois = Some(43);
    assert_eq!(cibles(&avec, "R-REF-01"), vec!["fiches[3.3].debut"]);
}

#[test]
fn r_ref_02_mobilite_sur_le_bon_axe() {
    let axe4 = |p| {
        avec_fiche(FicheBuilder::new("4.2", "AT-4-4.2-01", eur(20_000)).avec(move |f| f.public_mobilite = p))
    };
    assert_eq!(
        cibles(&axe4(Some(PublicMobilite::TousPublics)), "R-REF-02"),
        Vec::<String>::new()
    );
    assert_eq!(
        cibles(&axe4(Some(PublicMobilite::BrsaDemandeursEmploi)), "R-REF-02"),
        vec!["fiches[4.2].public_mobilite"]
    );
    assert_eq!(
        cibles(&axe4(None), "R-REF-02"),
        vec!["fiches[4.2].public_mobilite"]
    );
    let axe2 = avec_fiche(
        FicheBuilder::new("2.2", "AT-2-2.1.4-01", eur(20_000))
            .avec(|f| f.public_mobilite = Some(PublicMobilite::TousPublics)),
    );
    assert_eq!(cibles(&axe2, "R-REF-02"), vec!["fiches[2.2].public_mobilite"]);
}

#[test]
fn r_ref_04_slime_plafond_de_70_pourcent() {
    // SLIME+ action, 2024: État 30 000 € + CEE 40 000 € = 70 000 €; métropole 30 000 €;
    // total 100 000 €. 70 000 / 100 000 = 70 % → passes. CEE 40 000,01 € → 70 000,01 € > 70 % of
    // 100 000,01 € (= 70 000,007 €) → fails.
    let slime = |cee: Montant| {
        avec_fiche(
            FicheBuilder::new("4.2", "AT-4-4.1-02", Montant::ZERO).avec(move |f| {
                f.financement.etat = [(A2024, eur(30_000))].into();
                f.financement.collectivite = [(A2024, eur(30_000))].into();
                f.financement.autres = vec![Cofinanceur {
                    nom: "CEE précarité".into(),
                    cee: true,
                    montants: [(A2024, cee)].into(),
                }];
            }),
        )
    };
    assert_eq!(cibles(&slime(eur(40_000)), "R-REF-04"), Vec::<String>::new());
    assert_eq!(
        cibles(&slime(Montant::centimes(4_000_001)), "R-REF-04"),
        vec!["fiches[4.2].financement.etat.2024"]
    );
    let mut hors_plafond = slime(eur(90_000));
    hors_plafond.fiches[4].hors_plafond_slime = true;
    assert_eq!(cibles(&hors_plafond, "R-REF-04"), Vec::<String>::new());
}

#[test]
fn r_ref_07_aides_fsl_energie_20_pourcent_de_l_axe_4() {
    // Axis 4: platform 4.1 at 50 000 € État + 50 000 € métropole = 100 000 €, plus the FSL aid
    // fiche 4.2 at x € + x €. Base = 100 000 + 2x. Cap: 2x ≤ 20 % × (100 000 + 2x) ⇔ x ≤ 12 500 €.
    let fsl = |x: Montant| avec_fiche(FicheBuilder::new("4.2", "AT-4-4.1-05", x));
    assert_eq!(cibles(&fsl(eur(12_500)), "R-REF-07"), Vec::<String>::new());
    assert_eq!(cibles(&fsl(Montant::centimes(1_250_001)), "R-REF-07").len(), 4);
}

#[test]
fn r_ref_08_investissement_eco_mobilite() {
    // Axis 4: 4.1 at 50 000 + 50 000 €, 4.2 (garage solidaire) at 25 000 + 25 000 €: base 150 000 €.
    // Investment line of 30 000 € = 20 % → passes; 30 000,01 € → fails.
    let garage = |inv: Montant| {
        avec_fiche(
            FicheBuilder::new("4.2", "AT-4-4.2-03", eur(25_000)).avec(move |f| {
                f.depenses.push(crate::contrat::LigneDepense {
                    poste: "Achat de véhicules Crit'Air 1".into(),
                    nature: NatureDepense::Investissement,
                    evaluation: false,
                    montants: [(A2024, inv)].into(),
                });
            }),
        )
    };
    assert_eq!(cibles(&garage(eur(30_000)), "R-REF-08"), Vec::<String>::new());
    assert_eq!(
        cibles(&garage(Montant::centimes(3_000_001)), "R-REF-08"),
        vec!["fiches[4.2].depenses"]
    );
}

// --- Indicators and evaluation ---

#[test]
fn r_ind_01_et_02_indicateurs_locaux() {
    let mut c = contrat_metropole_minimal();
    c.fiches[1].indicateurs.clear();
    c.fiches[2].indicateurs[0].t0 = None;
    c.fiches[3].indicateurs[0].cibles.remove(&Annee::TOUTES[3]);
    assert_eq!(cibles(&c, "R-IND-01"), vec!["fiches[2.1].indicateurs"]);
    let k = constats(&c, "R-IND-02");
    assert_eq!(k[0].0, "fiches[3.1].indicateurs[0].t0");
    assert!(k[0].1.contains("T0"));
    assert_eq!(k[1].0, "fiches[4.1].indicateurs[0].cibles");
    assert!(k[1].1.contains("2027"));
}

#[test]
fn r_ind_03_et_04_indicateurs_nationaux() {
    // Fiche 1.1 is on sub-axis A1-1.1, to which NI-1.1 is attached.
    let mut c = contrat_metropole_minimal();
    c.fiches[0].indicateurs_nationaux.clear();
    let k = constats(&c, "R-IND-03");
    assert_eq!(k.len(), 1);
    assert!(k[0].1.contains("NI-1.1"));
    let mut c = contrat_metropole_minimal();
    c.fiches[0].indicateurs_nationaux[0]
        .cibles
        .remove(&Annee::TOUTES[1]);
    c.fiches[0]
        .indicateurs_nationaux
        .push(crate::contrat::TrajectoireNationale {
            code: "NI-9.9".into(),
            t0: None,
            cibles: Annee::TOUTES
                .iter()
                .map(|a| (*a, crate::Valeur::entier(1)))
                .collect(),
        });
    assert_eq!(
        cibles(&c, "R-IND-04"),
        vec!["fiches[1.1].indicateurs_nationaux[0].cibles"]
    );
    assert_eq!(cibles(&c, "R-IND-03"), vec!["fiches[1.1].indicateurs_nationaux"]);
}

#[test]
fn r_ind_03_ni_4_3_pour_la_seule_tarification_sociale_des_cantines() {
    // NI-4.3 (pupils in REP/REP+ with meals under 1 €) is attached to sub-axis A4-4.3, but
    // [004] A4 III makes it the indicator of the canteen pricing action only (AT-4-4.3-02):
    // a food logistics action (AT-4-4.3-01) of the same sub-axis does not report it.
    let sans_ni = |t: &str| {
        avec_fiche(FicheBuilder::new("4.2", t, eur(10_000)).avec(|f| f.indicateurs_nationaux.clear()))
    };
    assert_eq!(cibles(&sans_ni("AT-4-4.3-01"), "R-IND-03"), Vec::<String>::new());
    assert_eq!(
        cibles(&sans_ni("AT-4-4.3-02"), "R-IND-03"),
        vec!["fiches[4.2].indicateurs_nationaux"]
    );
}

#[test]
fn r_doc_06_fiche_sans_aucun_financement() {
    let mut c = contrat_metropole_minimal();
    c.fiches[1].financement = Default::default();
    c.fiches[1].depenses.clear();
    assert_eq!(cibles(&c, "R-DOC-06"), vec!["fiches[2.1].financement"]);
}

#[test]
fn r_fin_03_un_axe_sans_montant_propose() {
    // Leaving axis 4 out of the proposed amounts must not dodge the 20 % floor silently.
    let mut c = contrat_metropole_minimal();
    c.contrat.montants_proposes.remove(&Axe::A4);
    assert_eq!(cibles(&c, "R-FIN-03"), vec!["contrat.montants_proposes.4"]);
}

#[test]
fn r_eval_03_et_r_ref_18_evaluation_d_impact() {
    let mut c = contrat_metropole_minimal();
    c.fiches[0].depenses.retain(|l| !l.evaluation);
    assert_eq!(cibles(&c, "R-REF-18"), vec!["fiches[1.1].depenses"]);
    c.fiches[0].evaluation_impact = false;
    assert_eq!(cibles(&c, "R-EVAL-03"), vec!["contrat.fiches"]);
    assert_eq!(cibles(&c, "R-REF-18"), Vec::<String>::new());
}

#[test]
fn constats_tries_bloquants_d_abord() {
    let mut c = contrat_metropole_minimal();
    c.fiches[1].financement.collectivite.insert(A2024, eur(90_000)); // R-COFI-52 (alerte)
    c.fiches[1].depenses.clear(); // R-DOC-06 (bloquant)
    let k = verifier(&c);
    assert_eq!(
        k.iter().map(|k| k.gravite).collect::<Vec<_>>(),
        vec![Gravite::Bloquant, Gravite::Alerte]
    );
}
