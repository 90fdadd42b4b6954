//! Worked examples of the campaign rules at their boundaries.

use super::*;
use crate::contrat::TrajectoireNationale;
use crate::droits::{Cible, Decision, Habilitation, Perimetre, Role, decider};
use crate::execution::{Realisation, Versement};
use crate::fabrique::{ContratBuilder, FicheBuilder};

fn v(n: i64) -> Valeur {
    Valeur::entier(n)
}

fn f(n: &str) -> NumeroFiche {
    NumeroFiche::parse(n).unwrap()
}

/// One fiche 2.1 feeding NI-2.1 and NI-2.3 (T0 0, target 2025 100), one local indicator.
fn contrat() -> Contrat {
    ContratBuilder::metropole("200054807")
        .fiche(
            FicheBuilder::new("2.1", "AT-2-2.1.1-01", Montant::euros(100_000)).avec(|f| {
                f.indicateurs_nationaux = vec![
                    TrajectoireNationale {
                        code: "NI-2.1".into(),
                        t0: Some(v(0)),
                        cibles: [(Annee::TOUTES[0], v(50)), (Annee::TOUTES[1], v(100))].into(),
                    },
                    TrajectoireNationale {
                        code: "NI-2.3".into(),
                        t0: None,
                        cibles: BTreeMap::new(),
                    },
                ];
            }),
        )
        .build()
}

fn saisie(cle: CleValeur, realise: i64) -> ValeurSaisie {
    ValeurSaisie {
        realise: Some(Valeur::centiemes(realise)),
        ..ValeurSaisie::vide(cle)
    }
}

fn ni23(fiche: &str, i: u8, c: i64) -> ValeurSaisie {
    saisie(
        CleValeur {
            ventilation: i,
            ..CleValeur::national(f(fiche), "NI-2.3")
        },
        c,
    )
}

#[test]
fn echeance_31_mars_n_plus_1_et_prolongation() {
    assert_eq!(echeance_par_defaut(Annee::TOUTES[0]), Date::ymd(2025, 3, 31));
    assert_eq!(echeance_par_defaut(Annee::TOUTES[3]), Date::ymd(2028, 3, 31));
    let e = Date::ymd(2025, 3, 31);
    assert_eq!(
        echeance_contrat(e, Some(Date::ymd(2025, 4, 30))),
        Date::ymd(2025, 4, 30)
    );
    // An « extension » before the deadline does not shorten it.
    assert_eq!(echeance_contrat(e, Some(Date::ymd(2025, 3, 1))), e);
}

#[test]
fn retard_et_rappels_aux_bornes() {
    let e = Date::ymd(2025, 3, 31);
    // The deadline day is on time; the next day is late.
    assert!(!en_retard(EtatCampagne::EnCours, e, e));
    assert!(en_retard(EtatCampagne::EnCours, e, Date::ymd(2025, 4, 1)));
    assert!(!en_retard(EtatCampagne::Soumise, e, Date::ymd(2025, 4, 1)));
    assert!(!soumission_en_retard(e, e));
    assert!(soumission_en_retard(e, Date::ymd(2025, 4, 1)));
    // 1 March → 31 March: 30 days, the first day of the window; 28 February (31 days) is before it.
    assert_eq!(
        rappel(EtatCampagne::NonCommencee, e, Date::ymd(2025, 3, 1)),
        Some(Rappel::Bientot { jours: 30 })
    );
    assert_eq!(
        rappel(EtatCampagne::NonCommencee, e, Date::ymd(2025, 2, 28)),
        None
    );
    assert_eq!(
        rappel(EtatCampagne::Renvoyee, e, Date::ymd(2025, 4, 10)),
        Some(Rappel::EnRetard { jours: 10 })
    );
    assert_eq!(rappel(EtatCampagne::Validee, e, Date::ymd(2025, 4, 10)), None);
    // Leap year: 2028-02-28 → 2028-03-31 is 32 days.
    assert_eq!(ecart_jours(Date::ymd(2028, 2, 28), Date::ymd(2028, 3, 31)), 32);
}

#[test]
fn machine_a_etats_chaque_transition_depuis_chaque_etat() {
    use EtatCampagne::*;
    let attendu = |t: Transition, e: EtatCampagne| -> Option<EtatCampagne> {
        match (t, e) {
            (Transition::Saisir, NonCommencee | EnCours | Renvoyee) => Some(EnCours),
            (Transition::Soumettre, EnCours) => Some(Soumise),
            (Transition::Renvoyer, Soumise) => Some(Renvoyee),
            (Transition::Valider, Soumise) => Some(Validee),
            (Transition::Rouvrir, Validee) => Some(EnCours),
            _ => None,
        }
    };
    for t in Transition::TOUTES {
        for e in EtatCampagne::TOUS {
            assert_eq!(apres(e, t).ok(), attendu(t, e), "{t:?} depuis {e:?}");
        }
    }
    // A returned campaign is corrected (saved) before it is submitted again.
    assert!(apres(Renvoyee, Transition::Soumettre).is_err());
    // Locked after validation: no entry.
    assert!(!Validee.saisie_ouverte() && !Soumise.saisie_ouverte());
}

#[test]
fn droits_des_transitions_par_role() {
    let dans = "200054807"; // Aix-Marseille-Provence: Bouches-du-Rhône, PACA (93).
    let h = |role, p| Habilitation::new(role, p).unwrap();
    let cible = Cible::Contrat {
        collectivite: dans.into(),
        etat: crate::contrat::EtatContrat::EnExecution,
    };
    let roles = [
        (
            h(Role::CollectiviteEditeur, Perimetre::Collectivite(dans.into())),
            [true, false, false],
        ),
        (
            h(Role::CollectiviteLecteur, Perimetre::Collectivite(dans.into())),
            [false, false, false],
        ),
        (
            h(Role::Ddets, Perimetre::Departement("13".into())),
            [false, true, false],
        ),
        (
            h(Role::Commissaire, Perimetre::Region("93".into())),
            [false, true, true],
        ),
        (
            h(Role::AdministrateurNational, Perimetre::National),
            [false, false, false],
        ),
    ];
    for (hab, [saisir, instruire, rouvrir]) in roles {
        for (t, permis) in [
            (Transition::Saisir, saisir),
            (Transition::Soumettre, saisir),
            (Transition::Renvoyer, instruire),
            (Transition::Valider, instruire),
            (Transition::Rouvrir, rouvrir),
        ] {
            let d = decider(&hab, t.action(), &cible);
            assert_eq!(d == Decision::Autorise, permis, "{:?} {t:?}", hab.role());
        }
    }
    // Outside its département, a DDETS does not see the contract at all.
    let autre = h(Role::Ddets, Perimetre::Departement("34".into()));
    assert_eq!(
        decider(&autre, Action::InstruireCampagne, &cible),
        Decision::Masque
    );
    // Only the national administrator opens a campaign.
    assert_eq!(
        decider(
            &h(Role::AdministrateurNational, Perimetre::National),
            Action::OuvrirCampagne,
            &Cible::Campagnes
        ),
        Decision::Autorise
    );
    assert_eq!(
        decider(
            &h(Role::Commissaire, Perimetre::Region("93".into())),
            Action::OuvrirCampagne,
            &Cible::Campagnes
        ),
        Decision::Interdit
    );
    // Before signature, no campaign entry.
    assert!(
        crate::droits::etat_apres(Action::SaisirCampagne, crate::contrat::EtatContrat::Negociation).is_err()
    );
}

#[test]
fn lignes_attendues_ventilent_ni_2_3() {
    let c = contrat();
    let l = lignes_attendues(&c, Annee::TOUTES[1]);
    let cles: Vec<String> = l.iter().map(|l| l.cle.champ()).collect();
    assert_eq!(
        cles,
        [
            "2.1|national|NI-2.1|0",
            "2.1|national|NI-2.3|1",
            "2.1|national|NI-2.3|2",
            "2.1|national|NI-2.3|3",
            "2.1|local|1|0"
        ]
    );
    assert_eq!(l[0].cible, Some(v(100)));
    assert!(l[1].libelle.contains("personnes en très grande précarité"));
    assert_eq!(
        CleValeur::depuis_champ("2.1|national|NI-2.3|2"),
        Some(l[2].cle.clone())
    );
    assert_eq!(CleValeur::depuis_champ("2.1|national|NI-2.3"), None);
}

#[test]
fn ni_2_3_doit_totaliser_ni_2_1() {
    let c = contrat();
    let a = Annee::TOUTES[1];
    let ni21 = |n| saisie(CleValeur::national(f("2.1"), "NI-2.1"), n);
    // 40 + 35 + 25 = 100 = NI-2.1: accepted.
    let ok = [
        ni21(10_000),
        ni23("2.1", 1, 4_000),
        ni23("2.1", 2, 3_500),
        ni23("2.1", 3, 2_500),
    ];
    assert!(verifier_saisie(&c, a, &ok).is_empty());
    // One hundredth more in a breakdown: refused.
    let ko = [
        ni21(10_000),
        ni23("2.1", 1, 4_001),
        ni23("2.1", 2, 3_500),
        ni23("2.1", 3, 2_500),
    ];
    let cs = verifier_saisie(&c, a, &ko);
    assert_eq!(cs.len(), 1);
    assert_eq!((cs[0].code, cs[0].gravite), ("R-NI-2.3", Gravite::Bloquant));
    assert!(cs[0].message.contains("100,01"), "{}", cs[0].message);
    // A breakdown without NI-2.1, or incomplete: refused.
    assert_eq!(verifier_saisie(&c, a, &ok[1..])[0].code, "R-NI-2.3");
    assert_eq!(verifier_saisie(&c, a, &ok[..3])[0].code, "R-NI-2.3");
}

#[test]
fn ni_1_2_est_exclusif() {
    let c = ContratBuilder::metropole("200054807")
        .fiche(
            FicheBuilder::new("1.1", "AT-1-1.1-01", Montant::euros(10_000)).avec(|f| {
                f.indicateurs_nationaux = ["NI-1.1", "NI-1.2"]
                    .map(|code| TrajectoireNationale {
                        code: code.into(),
                        t0: None,
                        cibles: BTreeMap::new(),
                    })
                    .to_vec();
            }),
        )
        .build();
    let a = Annee::TOUTES[0];
    let s = |code, n| saisie(CleValeur::national(f("1.1"), code), n);
    // NI-1.2 counted, NI-1.1 at zero: fine.
    assert!(verifier_saisie(&c, a, &[s("NI-1.2", 300), s("NI-1.1", 0)]).is_empty());
    // Both counted on the same action: refused.
    let cs = verifier_saisie(&c, a, &[s("NI-1.2", 300), s("NI-1.1", 100)]);
    assert_eq!(cs.iter().map(|c| c.code).collect::<Vec<_>>(), ["R-NI-1.2"]);
    assert_eq!(cs[0].cle, Some(CleValeur::national(f("1.1"), "NI-1.1")));
}

#[test]
fn changement_de_methode_sans_note_ou_sans_effet_refuse() {
    let c = contrat();
    let a = Annee::TOUTES[1];
    let base = ValeurSaisie {
        changement_methode: true,
        ..saisie(CleValeur::local(f("2.1"), 1), 12_000)
    };
    assert_eq!(
        verifier_saisie(&c, a, std::slice::from_ref(&base))[0].code,
        "R-REP-03"
    );
    let note = ValeurSaisie {
        note_methode: Some("Les permanences sont désormais comptées".into()),
        ..base.clone()
    };
    assert_eq!(
        verifier_saisie(&c, a, std::slice::from_ref(&note))[0].code,
        "R-REP-03"
    );
    let complet = ValeurSaisie {
        effet_methode: Some(lire_effet("+12").unwrap()),
        ..note
    };
    assert!(verifier_saisie(&c, a, &[complet]).is_empty());
    assert_eq!(lire_effet("-3,5"), Ok(-350));
    assert_eq!(ecrire_effet(-350), "-3,5");
    assert!(lire_effet("beaucoup").is_err());
}

#[test]
fn indicateur_etranger_et_soumission_incomplete() {
    let c = contrat();
    let a = Annee::TOUTES[1];
    let etranger = saisie(CleValeur::national(f("2.1"), "NI-4.3"), 100);
    assert_eq!(verifier_saisie(&c, a, &[etranger])[0].code, "R-IND-05");
    let s = verifier_soumission(&c, a, &[]);
    // Five expected figures missing (R-IND-05) and the local indicator has a 2025 target.
    assert_eq!(s.iter().filter(|c| c.code == "R-IND-05").count(), 5);
    assert_eq!(manquantes(&c, a, &[]).len(), 5);
}

#[test]
fn atteinte_exactement_50_passe_un_centieme_dessous_echoue() {
    // T0 0, target 100: realised 50 is exactly 50 %.
    let a = atteinte(Some(v(0)), Some(v(100)), Some(v(50))).unwrap();
    assert_eq!(a.millioniemes, 500_000);
    assert!(a.au_moins_pourcent(50));
    assert_eq!(a.texte(), "50,00 %");
    // 49,99: (4 999 / 10 000) = 49,99 % → fails.
    let b = atteinte(Some(v(0)), Some(v(100)), Some(Valeur::centiemes(4_999))).unwrap();
    assert!(!b.au_moins_pourcent(50));
    assert_eq!(b.pourcent_plancher(), 49);
    // From T0: T0 100, target 140, realised 120 → 20 / 40 = 50 %; 119 → 19/40 = 47,5 %.
    assert!(
        atteinte(Some(v(100)), Some(v(140)), Some(v(120)))
            .unwrap()
            .au_moins_pourcent(50)
    );
    assert_eq!(
        atteinte(Some(v(100)), Some(v(140)), Some(v(119)))
            .unwrap()
            .millioniemes,
        475_000
    );
    // A decreasing target: T0 200, target 100, realised 150 → −50 / −100 = 50 %.
    assert_eq!(
        atteinte(Some(v(200)), Some(v(100)), Some(v(150)))
            .unwrap()
            .millioniemes,
        500_000
    );
    // Moving away: realised 90 from T0 100 to 140 → −25 %.
    assert_eq!(
        atteinte(Some(v(100)), Some(v(140)), Some(v(90)))
            .unwrap()
            .millioniemes,
        -250_000
    );
    // Target equal to T0.
    assert_eq!(
        atteinte(Some(v(5)), Some(v(5)), Some(v(5))).unwrap().millioniemes,
        MILLION
    );
    assert_eq!(
        atteinte(Some(v(5)), Some(v(5)), Some(v(4))).unwrap().millioniemes,
        0
    );
    assert_eq!(atteinte(None, None, Some(v(5))), None);
}

#[test]
fn atteinte_par_fiche_axe_contrat_et_totaux_nationaux() {
    let c = contrat();
    let a = Annee::TOUTES[1];
    // NI-2.1: 0 → 100, realised 150 → 150 % bounded to 100 %.
    // Local: T0 100, target 2025 140, realised 110 → 25 %. Fiche: (100 + 25) / 2 = 62,5 %.
    let vals = [
        saisie(CleValeur::national(f("2.1"), "NI-2.1"), 15_000),
        saisie(CleValeur::local(f("2.1"), 1), 11_000),
    ];
    let at = atteintes(&c, a, &vals);
    assert_eq!(at.fiches[&f("2.1")].millioniemes, 625_000);
    assert_eq!(at.axes[&Axe::A2].millioniemes, 625_000);
    assert_eq!(at.contrat.unwrap().millioniemes, 625_000);
    assert_eq!(at.atteinte_pourcent(f("2.1")), Some(62));
    let t = totaux_nationaux(&c, a, &vals);
    assert_eq!(t[0].code, "NI-2.1");
    assert_eq!((t[0].realise, t[0].cible, t[0].fiches), (v(150), v(100), 1));
}

/// Annexe 4 of the convention: NI-2.2 fed by three fiches. T0 30 + 20 + 5 = 55; 2024 targets
/// 40 + 25 + 10 = 75; the third fiche gives no 2025 target, so the contract has no 2025 sum
/// (a partial sum would pass for the contract's figure); several fiches: a majorant.
#[test]
fn trajectoire_du_contrat_par_indicateur_national() {
    let traj = |code: &str, t0: Option<i64>, cibles: &[(usize, i64)]| TrajectoireNationale {
        code: code.into(),
        t0: t0.map(v),
        cibles: cibles.iter().map(|(a, c)| (Annee::TOUTES[*a], v(*c))).collect(),
    };
    let fiche = |n: &str, ts: Vec<TrajectoireNationale>| {
        FicheBuilder::new(n, "AT-1-1.1-01", Montant::euros(10_000)).avec(move |f| {
            f.indicateurs.clear();
            f.indicateurs_nationaux = ts;
        })
    };
    let c = ContratBuilder::metropole("200054807")
        .fiche(fiche(
            "1.1",
            vec![
                traj("NI-2.2", Some(30), &[(0, 40), (1, 50)]),
                traj("NI-1.1", None, &[(0, 7)]),
            ],
        ))
        .fiche(fiche("1.2", vec![traj("NI-2.2", Some(20), &[(0, 25), (1, 30)])]))
        .fiche(fiche("1.3", vec![traj("NI-2.2", Some(5), &[(0, 10)])]))
        .build();
    let t = trajectoires_contrat(&c);
    let ni22 = &t["NI-2.2"];
    assert_eq!((ni22.fiches, ni22.t0, ni22.majorant), (3, Some(v(55)), true));
    assert_eq!(ni22.cibles.get(&Annee::TOUTES[0]), Some(&v(75)));
    assert_eq!(ni22.cibles.get(&Annee::TOUTES[1]), None);
    let ni11 = &t["NI-1.1"];
    assert_eq!((ni11.fiches, ni11.t0, ni11.majorant), (1, None, false));
    assert_eq!(ni11.cibles.get(&Annee::TOUTES[0]), Some(&v(7)));
}

/// Two fiches of 10 000 € a year; fiche 1.1 reached exactly 50 %, fiche 1.2 one hundredth
/// below; fiche 1.2 consumed 40 % of what was paid.
fn mi_parcours() -> (Contrat, Execution, Vec<ValeurSaisie>) {
    let traj = |t0: i64, c25: i64| TrajectoireNationale {
        code: "NI-1.1".into(),
        t0: Some(v(t0)),
        cibles: [(Annee::TOUTES[1], v(c25))].into(),
    };
    let c = ContratBuilder::metropole("200054807")
        .fiche(
            FicheBuilder::new("1.1", "AT-1-1.1-01", Montant::euros(10_000)).avec(|f| {
                f.indicateurs.clear();
                f.indicateurs_nationaux = vec![traj(0, 100)];
            }),
        )
        .fiche(
            FicheBuilder::new("1.2", "AT-1-1.1-01", Montant::euros(10_000)).avec(|f| {
                f.indicateurs.clear();
                f.indicateurs_nationaux = vec![traj(0, 100)];
            }),
        )
        .build();
    let mut e = Execution::default();
    for a in ANNEES_MI_PARCOURS {
        e.versements.push(Versement {
            annee: a,
            date: Date::ymd(a.valeur() as i32, 6, 1),
            montant: Montant::euros(20_000),
            programme: execution::PROGRAMME_304,
            code_chorus: String::new(),
            libelle_chorus: String::new(),
            iban: String::new(),
            ordonnateur: String::new(),
            comptable: String::new(),
        });
        for (fiche, realise) in [("1.1", 9_000), ("1.2", 4_000)] {
            e.realisations.push(Realisation {
                fiche: f(fiche),
                annee: a,
                etat: Montant::euros(realise),
                collectivite: Montant::euros(realise),
                autres: Montant::ZERO,
            });
        }
    }
    let vals = vec![
        saisie(CleValeur::national(f("1.1"), "NI-1.1"), 5_000),
        saisie(CleValeur::national(f("1.2"), "NI-1.1"), 4_999),
    ];
    (c, e, vals)
}

#[test]
fn mi_parcours_exactement_50_passe_un_centieme_dessous_propose_une_revision() {
    let (c, e, vals) = mi_parcours();
    let at = atteintes(&c, ANNEE_REFERENCE_MI_PARCOURS, &vals);
    // R-FIN-07's extension point of the execution reads the campaign.
    assert_eq!(execution::candidates_revision_2027(&c, &at), [f("1.2")]);
    let l = evaluation_mi_parcours(&c, &e, &at);
    assert!(!l[0].sous_atteinte && l[0].etat_2027_propose.is_none());
    // 1.1: 18 000 of 20 000 paid consumed = 90 %.
    assert_eq!(l[0].consommation, Some(900_000));
    // 1.2: 49,99 % attained and 8 000 / 20 000 = 40 % consumed: both sides fail; the proposal
    // is the lower rate, 40 % of the 2027 amount of 10 000 € = 4 000 €.
    assert!(l[1].sous_atteinte && l[1].sous_consommation);
    assert_eq!(l[1].etat_2027_prevu, Montant::euros(10_000));
    assert_eq!(l[1].etat_2027_propose, Some(Montant::euros(4_000)));
    let cs = constats_mi_parcours(&l);
    assert_eq!(
        cs.iter().map(|c| c.code).collect::<Vec<_>>(),
        ["R-FIN-07", "R-FIN-06"]
    );
    assert!(cs[0].message.contains("49,99 %"), "{}", cs[0].message);
}

#[test]
fn mi_parcours_atteinte_seule_proposition_arrondie_au_centime_superieur() {
    let (c, mut e, mut vals) = mi_parcours();
    // Fiche 1.2 consumed everything: only the attainment side fails.
    for r in e.realisations.iter_mut().filter(|r| r.fiche == f("1.2")) {
        r.etat = Montant::euros(10_000);
    }
    vals[1].realise = Some(Valeur::centiemes(3_333));
    let at = atteintes(&c, ANNEE_REFERENCE_MI_PARCOURS, &vals);
    let l = evaluation_mi_parcours(&c, &e, &at);
    assert!(l[1].sous_atteinte && !l[1].sous_consommation);
    // 33,33 % of 10 000 € = 3 333,00 €.
    assert_eq!(l[1].etat_2027_propose, Some(Montant::euros(3_333)));
    // Rounding up: 1 000 000 cents × 333 300 / 10^6 = 333 300 cents exactly; with a 2027 amount
    // of 10 000,01 €: 1 000 001 × 0,3333 = 333 300,3333 → 333 301 cents.
    assert_eq!(
        part(Montant::centimes(1_000_001), 333_300),
        Montant::centimes(333_301)
    );
}

#[test]
fn rapport_mi_parcours_au_plus_tard_le_31_mars_2026() {
    let r = |d: Option<Date>, e: Option<Date>| RapportMiParcours {
        date_deliberation: d,
        date_envoi: e,
    };
    assert!(verifier_rapport(&r(Some(Date::ymd(2026, 3, 20)), Some(DATE_LIMITE_RAPPORT))).is_empty());
    let tard = verifier_rapport(&r(Some(Date::ymd(2026, 3, 20)), Some(Date::ymd(2026, 4, 1))));
    assert_eq!(tard.iter().map(|e| e.0).collect::<Vec<_>>(), ["date_envoi"]);
    assert_eq!(
        verifier_rapport(&r(None, Some(Date::ymd(2026, 3, 1))))[0].0,
        "date_deliberation"
    );
    assert_eq!(
        verifier_rapport(&r(Some(Date::ymd(2026, 3, 20)), Some(Date::ymd(2026, 3, 19))))[0].0,
        "date_envoi"
    );
    assert_eq!(
        verifier_rapport(&r(Some(Date::ymd(2025, 12, 31)), None))[0].0,
        "date_deliberation"
    );
}

#[test]
fn decisions_donnent_les_lignes_de_l_avenant_2027() {
    let (c, e, _) = mi_parcours();
    let d = |fiche: &str, euros| DecisionMiParcours {
        fiche: f(fiche),
        etat_2027: Montant::euros(euros),
        motif: "Cible 2025 atteinte à 49,99 %".into(),
    };
    // 1.1 keeps its 10 000 €: no line; 1.2 goes to 6 000 €.
    let lignes = lignes_avenant_2027(&c, &e, &[d("1.1", 10_000), d("1.2", 6_000)]);
    assert_eq!(lignes.len(), 1);
    assert_eq!(
        (lignes[0].fiche, lignes[0].etat),
        (f("1.2"), Montant::euros(6_000))
    );
    assert!(lignes[0].motif.starts_with("Évaluation à mi-parcours (R-FIN-07)"));
    assert!(verifier_decision(&c, &d("3.9", 1)).is_err());
    assert!(
        verifier_decision(
            &c,
            &DecisionMiParcours {
                motif: " ".into(),
                ..d("1.1", 1)
            }
        )
        .is_err()
    );
}
