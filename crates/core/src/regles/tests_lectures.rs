//! Worked examples of the corrected readings (each at its boundary, citing the source line of
//! [004], the instruction of 27 October 2023).

use super::*;
use crate::contrat::{Cofinanceur, Derogation, EtatContrat, NatureAmi, PublicMobilite, SelectionAmi};
use crate::fabrique::{ContratBuilder, FicheBuilder, contrat_metropole_minimal};
use crate::{Annee, Date, Montant};

fn eur(e: i64) -> Montant {
    Montant::euros(e)
}

fn cibles(c: &Contrat, code: &str) -> Vec<String> {
    assert!(regle(code).is_some(), "règle {code} absente du catalogue");
    verifier(c)
        .into_iter()
        .filter(|k| k.code == code)
        .map(|k| k.cible.to_string())
        .collect()
}

fn messages(c: &Contrat, code: &str) -> Vec<String> {
    verifier(c)
        .into_iter()
        .filter(|k| k.code == code)
        .map(|k| k.message)
        .collect()
}

fn bloquants(c: &Contrat) -> Vec<&'static str> {
    verifier(c)
        .into_iter()
        .filter(|k| k.gravite == Gravite::Bloquant)
        .map(|k| k.code)
        .collect()
}

/// Recomputes the proposed amounts and the article 2.2 commitment after fiches were added, as
/// the builder does (so that only the rule under test speaks).
fn recalculer(mut c: Contrat) -> Contrat {
    let a0 = Annee::TOUTES[0];
    let mut proposes = std::collections::BTreeMap::new();
    for f in &c.fiches {
        *proposes.entry(f.axe()).or_insert(Montant::ZERO) += f.financement.etat(a0);
    }
    c.contrat.montants_proposes = proposes;
    c.contrat.engagement_etat = Annee::TOUTES
        .iter()
        .map(|a| (*a, c.fiches.iter().map(|f| f.financement.etat(*a)).sum()))
        .collect();
    c
}

fn derogation_complete() -> Derogation {
    Derogation {
        accordee_par: Some("Claire Martin, commissaire PACA".into()),
        date: Some(Date::ymd(2024, 1, 10)),
        justification: Some("Aucune laverie solidaire à moins de 30 km".into()),
        diplp_informee: true,
        date_information_diplp: Some(Date::ymd(2024, 1, 5)),
    }
}

/// The minimal contract whose axis-4 fiche is replaced by an out-of-référentiel one.
fn axe4_hors_referentiel(d: Option<Derogation>) -> Contrat {
    let mut c = contrat_metropole_minimal();
    let f = &mut c.fiches[3];
    f.hors_referentiel = true;
    f.sous_axe = None;
    f.type_action = None;
    f.indicateurs_nationaux.clear();
    f.derogation = d;
    c
}

/// Item 1. TP §2: « Exceptionnellement, le ou la commissaire peut autoriser la
/// contractualisation d'une action qui ne serait pas prévue dans les référentiels, pour autant
/// que son utilité soit justifiée par les besoins locaux » — an empty derogation block is no
/// authorisation: blocking (R-ACT-02), with the definition the form uses.
#[test]
fn item_1_derogation_vide_bloquante() {
    // An extra out-of-référentiel fiche on axis 1 (axis 1 keeps its référentiel action).
    let hors = |d: Derogation| {
        let mut c = contrat_metropole_minimal();
        c.fiches.push(
            FicheBuilder::new("1.2", "AT-1-1.2-01", eur(10_000))
                .avec(|f| {
                    f.hors_referentiel = true;
                    f.sous_axe = None;
                    f.type_action = None;
                    f.indicateurs_nationaux.clear();
                    f.derogation = Some(d);
                })
                .build(),
        );
        recalculer(c)
    };
    let vide = Derogation {
        accordee_par: None,
        date: None,
        justification: None,
        diplp_informee: false,
        date_information_diplp: None,
    };
    let c = hors(vide.clone());
    assert_eq!(
        cibles(&c, "R-ACT-02"),
        vec!["fiches[1.2].derogation.justification"]
    );
    assert!(bloquants(&c).contains(&"R-ACT-02"));
    // Same definition as the form: what lacunes_autorisation lists, the rule reports.
    assert_eq!(vide.lacunes(false).len(), 3);
    // Boundary: only the name of who granted it is missing → still blocking, on that field.
    let presque = Derogation {
        accordee_par: Some("  ".into()),
        ..derogation_complete()
    };
    assert_eq!(
        cibles(&hors(presque), "R-ACT-02"),
        vec!["fiches[1.2].derogation.accordee_par"]
    );
    // Complete: no blocking finding, the exception is an alert (R-ACT-03).
    let ok = hors(derogation_complete());
    assert_eq!(bloquants(&ok), Vec::<&str>::new());
    assert_eq!(cibles(&ok, "R-ACT-03"), vec!["fiches[1.2].derogation"]);
}

/// Item 2. A5 I.a: « Les métropoles devront engager au moins une action issue des
/// référentiels proposés dans chacun des 4 axes » — a derogated action is not « issue des
/// référentiels ».
#[test]
fn item_2_une_action_derogee_ne_compte_pas_pour_son_axe() {
    let c = axe4_hors_referentiel(Some(derogation_complete()));
    assert_eq!(cibles(&c, "R-ACT-01"), vec!["contrat.axes.4"]);
    assert!(messages(&c, "R-ACT-01")[0].contains("ne comptent pas"));
    // Boundary: one référentiel action beside it on axis 4 satisfies the rule.
    let mut ok = c.clone();
    ok.fiches
        .push(FicheBuilder::new("4.2", "AT-4-4.3-01", eur(10_000)).build());
    assert_eq!(cibles(&ok, "R-ACT-01"), Vec::<String>::new());
}

fn contrat_ami(debut: Date) -> Contrat {
    ContratBuilder::metropole("200069037")
        .fiche(FicheBuilder::new("1.1", "AT-1-1.1-02", eur(10_000)).evaluation(eur(1_000)))
        .avec(|e| {
            e.ami = Some(SelectionAmi {
                nom: "Communauté d'agglomération du Grand Exemple".into(),
                nature: NatureAmi::CommunauteAgglomeration,
                departement: Some("59".into()),
                retenue: true,
                date: Some(Date::ymd(2024, 6, 30)),
            });
            e.debut = Some(debut);
        })
        .build()
}

/// Item 3. TP §4: new communautés « pour un démarrage en 2025 ou 2026 »; A5 VI.b — a contract
/// starting on 1 January 2025 carries nothing in 2024.
#[test]
fn item_3_rien_avant_le_debut_du_contrat() {
    // The builder gives the fiche money every year 2024-2027 and a start on 01/01/2024.
    let c = contrat_ami(Date::ymd(2025, 1, 1));
    assert_eq!(
        cibles(&c, "R-CAL-01"),
        vec!["fiches[1.1].financement.etat.2024", "fiches[1.1].debut"]
    );
    // Boundary: 2024 emptied and the fiche starting on the contract's first day → nothing.
    let mut ok = c.clone();
    let f = &mut ok.fiches[0];
    let a2024 = Annee::TOUTES[0];
    f.financement.etat.remove(&a2024);
    f.financement.collectivite.remove(&a2024);
    for l in &mut f.depenses {
        l.montants.remove(&a2024);
    }
    f.debut = Some(Date::ymd(2025, 1, 1));
    f.duree_mois = Some(36);
    assert_eq!(cibles(&ok, "R-CAL-01"), Vec::<String>::new());
    // Only the collectivity's share left in 2024: still blocking, on that field.
    let mut coll = ok.clone();
    coll.fiches[0].financement.collectivite.insert(a2024, eur(1));
    assert_eq!(
        cibles(&coll, "R-CAL-01"),
        vec!["fiches[1.1].financement.collectivite.2024"]
    );
}

/// Item 4. A4 « Contexte »: « La/le commissaire […] devra en informer en amont la DIPLP et la
/// DGCS » — information undated, or dated after the derogation, is not « en amont ».
#[test]
fn item_4_information_diplp_en_amont() {
    let avec = |info: Option<Date>| {
        axe4_hors_referentiel(Some(Derogation {
            date_information_diplp: info,
            ..derogation_complete()
        }))
    };
    // Derogation on 10 January 2024. Informed the same day: « en amont » at the latest.
    assert_eq!(
        cibles(&avec(Some(Date::ymd(2024, 1, 10))), "R-REF-03"),
        Vec::<String>::new()
    );
    // One day after: relevé.
    let tard = avec(Some(Date::ymd(2024, 1, 11)));
    assert_eq!(
        cibles(&tard, "R-REF-03"),
        vec!["fiches[4.1].derogation.date_information_diplp"]
    );
    assert!(messages(&tard, "R-REF-03")[0].contains("11/01/2024"));
    // Undated.
    assert_eq!(
        cibles(&avec(None), "R-REF-03"),
        vec!["fiches[4.1].derogation.date_information_diplp"]
    );
}

/// Items 5 and 6. A6: NI-4.1 « concerne les plateformes de précarité énergétique, qu'elles
/// soient construites dans le cadre du programme SLIME+ ou non »; the social-workers' training
/// « est comptabilisée uniquement dans l'indicateur dédié » (NI-2.2, professionals trained).
#[test]
fn items_5_6_indicateurs_nationaux_des_seuls_types_concernes() {
    let sans_ni = |numero: &str, t: &str| {
        let mut c = contrat_metropole_minimal();
        c.fiches.push(
            FicheBuilder::new(numero, t, eur(1_000))
                .avec(|f| f.indicateurs_nationaux.clear())
                .build(),
        );
        cibles(&c, "R-IND-03").len()
    };
    // FSL aid and FSL engineering: no NI-4.1; platform and SLIME+: NI-4.1.
    assert_eq!(sans_ni("4.2", "AT-4-4.1-05"), 0);
    assert_eq!(sans_ni("4.2", "AT-4-4.1-04"), 0);
    assert_eq!(sans_ni("4.2", "AT-4-4.1-01"), 1);
    assert_eq!(sans_ni("4.2", "AT-4-4.1-02"), 1);
    let requis = |numero: &str, t: &str| {
        let c = ContratBuilder::metropole("200054807")
            .fiche(FicheBuilder::new(numero, t, eur(1_000)))
            .build();
        let ctx = Contexte::new(&c);
        super::indicateurs::indicateurs_requis(&ctx.fiches[0])
    };
    // Crèche (A2-2.1.1): people whose barriers are lifted, not professionals trained.
    assert_eq!(requis("2.1", "AT-2-2.1.1-01"), vec!["NI-2.1"]);
    // Social workers' training (A2-2.1.5) and mental-health first-aid training (A2-2.1.2):
    // only the dedicated indicator.
    assert_eq!(requis("2.1", "AT-2-2.1.5-01"), vec!["NI-2.2"]);
    assert_eq!(requis("2.1", "AT-2-2.1.2-04"), vec!["NI-2.2"]);
    assert_eq!(requis("2.1", "AT-2-2.1.2-01"), vec!["NI-2.1"]);
}

/// Item 6, every pair: for each action type of the référentiel, the national indicators its
/// fiche must report, as read in annexe 6 — by default every indicator of its sub-axis, with
/// the exclusions A6 states.
#[test]
fn item_6_chaque_type_d_action_et_ses_indicateurs_nationaux() {
    let r = crate::referentiel::referentiel();
    let exceptions: &[(&str, &[&str])] = &[
        // A6 NI-2.1/NI-2.2: trainings count only in NI-2.2; NI-2.2 only trainings.
        ("AT-2-2.1.1-01", &["NI-2.1"]),
        ("AT-2-2.1.1-02", &["NI-2.1"]),
        ("AT-2-2.1.1-03", &["NI-2.1"]),
        ("AT-2-2.1.2-01", &["NI-2.1"]),
        ("AT-2-2.1.2-02", &["NI-2.1"]),
        ("AT-2-2.1.2-03", &["NI-2.1"]),
        ("AT-2-2.1.2-04", &["NI-2.2"]),
        ("AT-2-2.1.3-01", &["NI-2.1"]),
        // A6 NI-4.2: « uniquement les personnes ayant fait l'objet d'un diagnostic de
        // mobilité au sein d'une plateforme ».
        ("AT-2-2.1.4-01", &["NI-2.1"]),
        // A6 NI-3.2: « Ne seront en revanche pas comptabilisées les personnes bénéficiant
        // uniquement de l'amélioration des documents […] FALC ».
        ("AT-3-I-2.2-03", &[]),
        // A6 NI-3.4 « ETP de chargé de mission en renfort de la CCAPEX », NI-3.5 « dossiers
        // pris en charge par la CCAPEX »: the CCAPEX action only.
        ("AT-3-II-2-02", &[]),
        ("AT-3-II-2-03", &[]),
        ("AT-3-II-2-04", &[]),
        // A6 NI-3.8: « Les outils de cartographies numériques ne seront pas pris en compte ».
        ("AT-3-V-2-02", &[]),
        // A6 NI-4.1: platforms, SLIME+ or not.
        ("AT-4-4.1-03", &[]),
        ("AT-4-4.1-04", &[]),
        ("AT-4-4.1-05", &[]),
        // A6 NI-4.2: platforms only; « la mise en place d'une action de levée des freins […]
        // ne sera pas comptabilisée dans cet indicateur ».
        ("AT-4-4.2-02", &[]),
        ("AT-4-4.2-03", &[]),
        ("AT-4-4.2-04", &[]),
        ("AT-4-4.2-05", &[]),
        ("AT-4-4.2-06", &[]),
        // A4 III: the canteen pricing action only.
        ("AT-4-4.3-01", &[]),
    ];
    let mut n = 0;
    for (place, t) in r.types_action() {
        let attendu: Vec<&str> = match exceptions.iter().find(|(id, _)| *id == t.id) {
            Some((_, l)) => l.to_vec(),
            None => place
                .sous_axe
                .indicateurs_nationaux
                .iter()
                .map(String::as_str)
                .collect(),
        };
        let numero = format!("{}.1", place.axe.code);
        let c = ContratBuilder::metropole("200054807")
            .fiche(FicheBuilder::new(&numero, &t.id, eur(1_000)))
            .build();
        let ctx = Contexte::new(&c);
        assert_eq!(
            super::indicateurs::indicateurs_requis(&ctx.fiches[0]),
            attendu,
            "{}",
            t.id
        );
        n += 1;
    }
    assert_eq!(n, 137);
    // Mobility types of axis 4 on an axis-2 fiche (item 7): NI-2.1, and NI-4.2 for a platform.
    for (t, attendu) in [
        ("AT-4-4.2-01", vec!["NI-2.1", "NI-4.2"]),
        ("AT-4-4.2-03", vec!["NI-2.1"]),
        ("AT-4-4.2-02", vec![]),
    ] {
        let c = ContratBuilder::metropole("200054807")
            .fiche(FicheBuilder::new("2.1", t, eur(1_000)))
            .build();
        let ctx = Contexte::new(&c);
        assert_eq!(
            super::indicateurs::indicateurs_requis(&ctx.fiches[0]),
            attendu,
            "{t}"
        );
    }
}

/// Item 7. A2 2.1.4: « Les actions de mobilité solidaire à destination des personnes en
/// recherche d'emploi sont définies dans le référentiel de l'axe sur la transition écologique
/// solidaire mais relèvent d'un financement du présent axe. »
#[test]
fn item_7_mobilite_de_l_axe_4_financee_sur_l_axe_2() {
    let garage = |public| {
        let mut c = contrat_metropole_minimal();
        c.fiches.push(
            FicheBuilder::new("2.2", "AT-4-4.2-03", eur(10_000))
                .avec(move |f| {
                    f.public_mobilite = Some(public);
                    f.indicateurs_nationaux = vec![crate::contrat::TrajectoireNationale {
                        code: "NI-2.1".into(),
                        t0: None,
                        cibles: Annee::TOUTES
                            .iter()
                            .map(|a| (*a, crate::Valeur::entier(10)))
                            .collect(),
                    }];
                })
                .build(),
        );
        recalculer(c)
    };
    let ok = garage(PublicMobilite::BrsaDemandeursEmploi);
    assert_eq!(bloquants(&ok), Vec::<&str>::new());
    // Its investment is not axis 4's (R-REF-08 base stays axis 4).
    // The same action open to all publics belongs to axis 4 (R-REF-02).
    assert_eq!(
        cibles(&garage(PublicMobilite::TousPublics), "R-REF-02"),
        vec!["fiches[2.2].public_mobilite"]
    );
    // A non-mobility type of axis 4 on axis 2 stays refused.
    let mut ko = contrat_metropole_minimal();
    ko.fiches
        .push(FicheBuilder::new("2.2", "AT-4-4.3-01", eur(10_000)).build());
    assert_eq!(cibles(&ko, "R-ACT-02"), vec!["fiches[2.2].sous_axe"]);
}

/// Item 8. A4 I: « la part de l'État dans le cofinancement total sur une année donnée pour les
/// actions éligibles au programme [ne peut] excéder 70% »; A5 II.b: « D'autres partenaires
/// locaux peuvent également cofinancer […] mais la part entre l'État et la métropole doit
/// rester égale ». CEE on the State's side for both: 10 000 + 60 000 = 70 % of 100 000 passes;
/// the collectivity's 30 000 above the State's 10 000 is the R-COFI-52 alert, not blocking.
#[test]
fn item_8_cee_du_cote_de_l_etat_pour_les_deux_regles() {
    let slime = |cee: i64, caf: i64| {
        let mut c = contrat_metropole_minimal();
        c.fiches.push(
            FicheBuilder::new("4.2", "AT-4-4.1-02", Montant::ZERO)
                .avec(move |f| {
                    for a in Annee::TOUTES {
                        f.financement.etat.insert(a, eur(10_000));
                        f.financement.collectivite.insert(a, eur(30_000));
                    }
                    f.financement.autres = vec![Cofinanceur {
                        nom: "CEE précarité".into(),
                        cee: true,
                        montants: Annee::TOUTES.iter().map(|a| (*a, eur(cee))).collect(),
                    }];
                    if caf > 0 {
                        f.financement.autres.push(Cofinanceur {
                            nom: "CAF".into(),
                            cee: false,
                            montants: Annee::TOUTES.iter().map(|a| (*a, eur(caf))).collect(),
                        });
                    }
                })
                .build(),
        );
        recalculer(c)
    };
    let c = slime(60_000, 0);
    assert_eq!(bloquants(&c), Vec::<&str>::new());
    assert_eq!(cibles(&c, "R-COFI-52").len(), 4);
    assert!(messages(&c, "R-COFI-52")[0].contains("CEE"));
    // Boundary of the cap: CEE 60 000,01 € → (10 000 + 60 000,01) / 100 000,01 > 70 %.
    let mut plus = slime(60_000, 0);
    for a in Annee::TOUTES {
        plus.fiches[4].financement.autres[0]
            .montants
            .insert(a, Montant::centimes(6_000_001));
    }
    for l in &mut plus.fiches[4].depenses {
        for m in l.montants.values_mut() {
            *m += Montant::centimes(1);
        }
    }
    assert_eq!(cibles(&plus, "R-REF-04").len(), 4);
    // A real local partner beside the CEE: the shares must be equal again (R-COFI-51).
    assert_eq!(cibles(&slime(60_000, 1), "R-COFI-51").len(), 4);
}

/// Item 9. A4 I: « un financement hors-plafond de l'animation des SLIME+ […] et la mise en
/// place de fonds sociaux d'aide aux travaux de maîtrise de l'énergie (FSATME) » — declared
/// by the collectivity, seen by the State.
#[test]
fn item_9_hors_plafond_declare_visible() {
    let mut c = contrat_metropole_minimal();
    c.fiches.push(
        FicheBuilder::new("4.2", "AT-4-4.1-02", eur(10_000))
            .avec(|f| f.hors_plafond_slime = true)
            .build(),
    );
    assert_eq!(cibles(&c, "R-REF-05"), vec!["fiches[4.2].hors_plafond_slime"]);
    assert!(messages(&c, "R-REF-05")[0].contains("animation du SLIME+"));
    assert_eq!(regle("R-REF-05").unwrap().gravite, Gravite::Alerte);
    // Not declared: nothing.
    c.fiches[4].hors_plafond_slime = false;
    assert_eq!(cibles(&c, "R-REF-05"), Vec::<String>::new());
    // A FSATME funded by CEE précarité.
    let mut f = contrat_metropole_minimal();
    f.fiches.push(
        FicheBuilder::new("4.2", "AT-4-4.1-03", eur(10_000))
            .avec(|f| {
                f.financement.autres = vec![Cofinanceur {
                    nom: "CEE précarité".into(),
                    cee: true,
                    montants: [(Annee::TOUTES[0], eur(1))].into(),
                }];
            })
            .build(),
    );
    assert_eq!(cibles(&f, "R-REF-05"), vec!["fiches[4.2].financement.autres"]);
}

/// Item 10. A8 visas: « Vu la délibération […] de la Métropole » — a denounced contract was
/// signed first.
#[test]
fn item_10_contrat_denonce_et_deliberation() {
    let mut c = contrat_metropole_minimal();
    c.contrat.etat = EtatContrat::Denonce;
    c.contrat.date_deliberation = None;
    assert_eq!(cibles(&c, "R-DOC-05"), vec!["contrat.date_deliberation"]);
    c.contrat.etat = EtatContrat::Valide;
    assert_eq!(cibles(&c, "R-DOC-05"), Vec::<String>::new());
}

/// Item 11. A5 VI.b: « La procédure de sélection de ces intercommunalités se fera par un appel
/// à manifestation d'intérêt (AMI) national » — the code still names an intercommunality.
#[test]
fn item_11_siren_d_une_communaute_retenue() {
    let ok = contrat_ami(Date::ymd(2025, 1, 1));
    assert_eq!(cibles(&ok, "R-ELIG-01"), Vec::<String>::new());
    let avec = |code: &str| {
        let mut c = ok.clone();
        c.contrat.collectivite = code.into();
        c
    };
    // Wrong check digit (200069037 → 200069038).
    let k = messages(&avec("200069038"), "R-ELIG-01");
    assert!(k[0].contains("clé de contrôle"), "{}", k[0]);
    // A commune's SIREN (Nice, 210600888) is not an intercommunality: R-ELIG-02 reports it.
    assert_eq!(
        cibles(&avec("210600888"), "R-ELIG-02"),
        vec!["contrat.collectivite"]
    );
    // A valid SIREN in the régions' range (23…): not an intercommunality.
    let k = messages(&avec("230000002"), "R-ELIG-01");
    assert!(k[0].contains("intercommunalité"), "{}", k[0]);
    // Free text.
    assert_eq!(
        cibles(&avec("Grand Exemple"), "R-ELIG-01"),
        vec!["contrat.collectivite"]
    );
}

/// Item 12. A5 II.d: the State amount is carried over « à même hauteur en 2025 et 2026 »; the
/// reference is the contract's first year.
#[test]
fn item_12_r_fin_05_premiere_annee_du_contrat() {
    // AMI contract from 2025: 2025 at 10 000 €, 2026 at 9 999,99 € → one alert on 2026.
    let mut c = contrat_ami(Date::ymd(2025, 1, 1));
    c.contrat.engagement_etat.clear();
    c.fiches[0]
        .financement
        .etat
        .insert(Annee::TOUTES[2], Montant::centimes(999_999));
    let k: Vec<_> = verifier(&c)
        .into_iter()
        .filter(|k| k.code == "R-FIN-05")
        .collect();
    assert_eq!(k.len(), 1);
    // No engagement_etat written: the finding points at what was compared, the fiches.
    assert_eq!(k[0].cible.to_string(), "contrat.fiches");
    assert!(k[0].message.contains("2025") && k[0].message.starts_with("2026"));
    // Equal amounts: nothing (2024 at 10 000 € too is before the start, R-CAL-01's business).
    c.fiches[0].financement.etat.insert(Annee::TOUTES[2], eur(10_000));
    assert_eq!(cibles(&c, "R-FIN-05"), Vec::<String>::new());
}

/// Item 13. A département designated by its SIREN is told which code is expected.
#[test]
fn item_13_departement_designe_par_son_siren() {
    // Département des Bouches-du-Rhône, SIREN 221300015.
    let c = ContratBuilder::metropole("221300015").build();
    let k = messages(&c, "R-ELIG-01");
    assert!(
        k[0].contains("SIREN d'un département") && k[0].contains("« 13 »"),
        "{}",
        k[0]
    );
}

/// R-CAL-02. TP §4: « un démarrage, le cas échéant rétroactif, du contrat local au 1er janvier
/// 2024 ».
#[test]
fn r_cal_02_debut_retroactif() {
    let mut c = contrat_metropole_minimal();
    c.contrat.date_deliberation = Some(Date::ymd(2024, 3, 15));
    c.contrat.debut = Some(Date::ymd(2024, 3, 15));
    assert_eq!(cibles(&c, "R-CAL-02"), vec!["contrat.debut"]);
    assert_eq!(cibles(&c, "R-CAL-01"), Vec::<String>::new(), "un seul constat");
    // Boundary: the start on 1 January 2024, signed in March → nothing.
    c.contrat.debut = Some(Date::ymd(2024, 1, 1));
    assert_eq!(cibles(&c, "R-CAL-02"), Vec::<String>::new());
}

// --- Contract-level rules added to the catalogue ---

/// A fiche added to the minimal contract (amounts kept consistent).
fn plus(f: FicheBuilder) -> Contrat {
    let mut c = contrat_metropole_minimal();
    c.fiches.push(f.build());
    recalculer(c)
}

/// Declaration rules: each false → nothing, true → its finding ([004] A5 I.b « la
/// valorisation financière de l'existant est exclue »; A5 II.b « ne se substituent pas aux
/// dépenses de la collectivité »; TP §2 « en cohérence avec les champs de compétences »; A4 II
/// « les aides à l'achat de véhicules dans le cadre des ZFE ne peuvent être financées »).
#[test]
fn declarations_de_la_fiche() {
    type Poser = fn(&mut crate::FicheAction);
    let cas: [(&str, &str, Poser); 4] = [
        ("R-ACT-08", "valorisation_existant", |f| {
            f.valorisation_existant = true
        }),
        ("R-ACT-12", "substitution_depense", |f| {
            f.substitution_depense = true
        }),
        ("R-ACT-13", "competence", |f| {
            f.competence = Some(crate::contrat::Competence::HorsCompetence)
        }),
        ("R-REF-09", "aide_achat_vehicule_zfe", |f| {
            f.aide_achat_vehicule_zfe = true
        }),
    ];
    for (code, champ, poser) in cas {
        let sans = plus(FicheBuilder::new("4.2", "AT-4-4.2-06", eur(5_000)));
        assert_eq!(cibles(&sans, code), Vec::<String>::new(), "{code}");
        let avec = plus(FicheBuilder::new("4.2", "AT-4-4.2-06", eur(5_000)).avec(poser));
        assert_eq!(
            cibles(&avec, code),
            vec![format!("fiches[4.2].{champ}")],
            "{code}"
        );
    }
    // A competence delegated by member communes is in scope.
    let deleguee = plus(
        FicheBuilder::new("4.2", "AT-4-4.2-06", eur(5_000))
            .avec(|f| f.competence = Some(crate::contrat::Competence::Deleguee)),
    );
    assert_eq!(cibles(&deleguee, "R-ACT-13"), Vec::<String>::new());
}

/// R-ACT-09. A5 I.b: « exécutées par un tiers, via une subvention auprès de l'opérateur ou la
/// passation d'un marché public, ou être réalisées en régie ».
#[test]
fn r_act_09_mode_d_execution() {
    let mut c = contrat_metropole_minimal();
    c.fiches[1].mode_execution = None;
    assert_eq!(cibles(&c, "R-ACT-09"), vec!["fiches[2.1].mode_execution"]);
}

/// R-REF-06 and R-REF-10. A4 I: « de manière intégrée et coordonnée les 3 fonctions »; A4 II:
/// « respectant 3 offres de service socles coordonnées ». Boundary: two of three → blocking.
#[test]
fn r_ref_06_et_10_trois_fonctions_des_plateformes() {
    use crate::contrat::FonctionPlateforme as F;
    let mut c = contrat_metropole_minimal();
    assert_eq!(cibles(&c, "R-REF-06"), Vec::<String>::new());
    c.fiches[3]
        .fonctions_plateforme
        .retain(|f| *f != F::DiagnosticDomicile);
    assert_eq!(cibles(&c, "R-REF-06"), vec!["fiches[4.1].fonctions_plateforme"]);
    assert!(messages(&c, "R-REF-06")[0].contains("sociotechnique"));
    // Mobility functions do not make an energy platform.
    c.fiches[3].fonctions_plateforme = F::MOBILITE.to_vec();
    assert!(messages(&c, "R-REF-06")[0].contains("repérer"));
    let m = plus(
        FicheBuilder::new("4.2", "AT-4-4.2-01", eur(5_000))
            .avec(|f| f.fonctions_plateforme = vec![F::InventaireOffre, F::DiagnosticMobilite]),
    );
    assert_eq!(cibles(&m, "R-REF-10"), vec!["fiches[4.2].fonctions_plateforme"]);
    let ok = plus(FicheBuilder::new("4.2", "AT-4-4.2-01", eur(5_000)));
    assert_eq!(cibles(&ok, "R-REF-10"), Vec::<String>::new());
}

/// R-REF-11. A4 III: « La contribution de l'État ne pourra dépasser 30 % des crédits de l'État
/// co-contractualisés dans le cadre de l'axe « Transition écologique solidaire » ». Axis 4:
/// platform 50 000 € State; canteen x € State. x ≤ 30 % × (50 000 + x) ⇔ x ≤ 21 428,57 €.
#[test]
fn r_ref_11_cantines_30_pourcent_de_l_etat_axe_4() {
    let cantine = |x: Montant| plus(FicheBuilder::new("4.2", "AT-4-4.3-02", x));
    // 21 428,57 / 71 428,57 = 29,99999… % → passes.
    assert_eq!(
        cibles(&cantine(Montant::centimes(2_142_857)), "R-REF-11"),
        Vec::<String>::new()
    );
    // 21 428,58 / 71 428,58 > 30 % (30 % = 21 428,574) → fails, each year.
    assert_eq!(
        cibles(&cantine(Montant::centimes(2_142_858)), "R-REF-11").len(),
        4
    );
}

/// R-REF-12. A1 III: « elles doivent être spécifiquement identifiées ».
#[test]
fn r_ref_12_faj_identifie() {
    let faj = |declare: bool, nom: &'static str| {
        plus(
            FicheBuilder::new("1.2", "AT-1-3.1-03", eur(5_000)).avec(move |f| {
                f.financement_faj = declare;
                f.financement.autres = vec![Cofinanceur {
                    nom: nom.into(),
                    cee: false,
                    montants: [(Annee::TOUTES[0], eur(1_000))].into(),
                }];
                f.financement.collectivite.insert(Annee::TOUTES[0], eur(5_000));
            }),
        )
    };
    assert_eq!(
        cibles(&faj(false, "FAJ métropolitain"), "R-REF-12"),
        vec!["fiches[1.2].financement_faj"]
    );
    assert_eq!(
        cibles(&faj(false, "Fonds d'aide aux jeunes"), "R-REF-12").len(),
        1
    );
    assert_eq!(
        cibles(&faj(true, "FAJ métropolitain"), "R-REF-12"),
        Vec::<String>::new()
    );
    // « FAJ » as a word only: « Fajardo » is not the FAJ.
    assert_eq!(
        cibles(&faj(false, "Association Fajardo"), "R-REF-12"),
        Vec::<String>::new()
    );
}

/// R-REF-13. A1 I: « Ce volet n'inclut pas les actions de la protection maternelle et
/// infantile (PMI) dans le cadre des entretiens prénataux ou bilans de santé en école
/// maternelle ». Volet I (A1-1.x) → blocking; volet II (A1-2.x) is not concerned.
#[test]
fn r_ref_13_pmi_hors_volet_1() {
    let pmi = |t: &str| plus(FicheBuilder::new("1.2", t, eur(5_000)).avec(|f| f.actions_pmi = true));
    assert_eq!(
        cibles(&pmi("AT-1-1.3-01"), "R-REF-13"),
        vec!["fiches[1.2].actions_pmi"]
    );
    assert_eq!(cibles(&pmi("AT-1-2.1-01"), "R-REF-13"), Vec::<String>::new());
}

/// R-REF-14. A3 II.2: « En priorité, pour les métropoles qui n'en ont pas été doté, il est
/// recommandé de prévoir le renforcement de la CCAPEX par un chargé de mission ».
#[test]
fn r_ref_14_ccapex_prioritaire() {
    let mut c = contrat_metropole_minimal();
    assert_eq!(cibles(&c, "R-REF-14"), Vec::<String>::new(), "fiche 3.1 = CCAPEX");
    c.fiches[2].type_action = Some("AT-3-II-2-02".into());
    assert_eq!(cibles(&c, "R-REF-14"), vec!["contrat.axes.3"]);
}

/// R-REF-15. A3 IV.2.2: « L'ensemble de ces mesures devront être accompagnées et faire l'objet
/// d'un suivi étroit. »
#[test]
fn r_ref_15_mesures_sur_site_accompagnees() {
    let eau = |suivi: bool| {
        plus(
            FicheBuilder::new("3.2", "AT-3-IV-2.2-01", eur(5_000))
                .avec(move |f| f.accompagnement_suivi = suivi),
        )
    };
    assert_eq!(cibles(&eau(true), "R-REF-15"), Vec::<String>::new());
    assert_eq!(
        cibles(&eau(false), "R-REF-15"),
        vec!["fiches[3.2].accompagnement_suivi"]
    );
}

/// R-REF-17. A5 V.b: « la possibilité de financer dans le cadre des contrats locaux une
/// personne référente du pacte des solidarités en métropole ».
#[test]
fn r_ref_17_referent_du_pacte() {
    let referent = |n: &str| {
        FicheBuilder::new(n, "AT-1-1.1-01", eur(5_000)).avec(|f| {
            f.referent_pacte = true;
            f.sous_axe = None;
            f.type_action = None;
            f.indicateurs_nationaux.clear();
        })
    };
    let un = plus(referent("1.2"));
    assert_eq!(cibles(&un, "R-ACT-02"), Vec::<String>::new(), "permission");
    assert_eq!(cibles(&un, "R-REF-17"), Vec::<String>::new());
    let mut deux = un.clone();
    deux.fiches.push(referent("3.2").build());
    let deux = recalculer(deux);
    assert_eq!(cibles(&deux, "R-REF-17"), vec!["fiches[3.2].referent_pacte"]);
    // Alone on its axis, the référent does not make the axis « issue des référentiels ».
    let mut seul = contrat_metropole_minimal();
    seul.fiches[1] = referent("2.1").build();
    assert_eq!(cibles(&recalculer(seul), "R-ACT-01"), vec!["contrat.axes.2"]);
}

/// R-COFI-53. TP §4: « C'est à ces conditions qu'il pourra être admis la conclusion […] d'une
/// convention pluriannuelle. »
#[test]
fn r_cofi_53_conditions_de_conclusion() {
    let mut c = contrat_metropole_minimal();
    c.fiches[1]
        .financement
        .collectivite
        .insert(Annee::TOUTES[0], eur(79_999));
    for l in &mut c.fiches[1].depenses {
        if let Some(m) = l.montants.get_mut(&Annee::TOUTES[0]) {
            *m = *m - eur(1);
            break;
        }
    }
    // In execution with a R-COFI-50 breach → blocking on the state.
    assert_eq!(cibles(&c, "R-COFI-53"), vec!["contrat.etat"]);
    // Still in negotiation: nothing concluded yet.
    c.contrat.etat = EtatContrat::Negociation;
    assert_eq!(cibles(&c, "R-COFI-53"), Vec::<String>::new());
    // Concluded and compliant: nothing.
    assert_eq!(
        cibles(&contrat_metropole_minimal(), "R-COFI-53"),
        Vec::<String>::new()
    );
}

/// R-ELIG-04. En-tête: « La présente instruction s'applique dans les territoires nommés à
/// l'article 73 de la Constitution. »
#[test]
fn r_elig_04_outre_mer_article_73() {
    let c = ContratBuilder::departement("987").build();
    assert_eq!(cibles(&c, "R-ELIG-04"), vec!["contrat.collectivite"]);
    assert_eq!(cibles(&c, "R-ELIG-01"), Vec::<String>::new(), "un seul constat");
    let reunion = ContratBuilder::departement("974").build();
    assert_eq!(cibles(&reunion, "R-ELIG-04"), Vec::<String>::new());
    assert_eq!(cibles(&reunion, "R-ELIG-01"), Vec::<String>::new());
}

/// R-ACT-14. TP §1: « Les services de l'État sont garants de la cohérence entre les actions
/// déployées dans le cadre du contrat métropolitain et du contrat départemental ».
#[test]
fn r_act_14_metropole_et_departement() {
    let amp = contrat_metropole_minimal(); // Aix-Marseille-Provence, seat in the Bouches-du-Rhône
    let bdr = ContratBuilder::departement("13")
        .fiche(FicheBuilder::new("1.1", "AT-1-1.1-02", eur(1_000)).evaluation(eur(100)))
        .fiche(FicheBuilder::new("3.1", "AT-3-V-2-01", eur(1_000)))
        .fiche(FicheBuilder::new("4.1", "AT-4-4.3-01", eur(1_000)))
        .build();
    assert_eq!(collectivites_appariees(&amp), vec!["13".to_string()]);
    assert!(collectivites_appariees(&bdr).contains(&"200054807".to_string()));
    // Same type AT-1-1.1-02 in both: one alert on each side, naming the other's fiche.
    let k = coherence(&amp, &bdr);
    assert_eq!(
        k.iter().map(|k| k.cible.to_string()).collect::<Vec<_>>(),
        vec!["fiches[1.1].type_action"]
    );
    assert_eq!(k[0].code, "R-ACT-14");
    assert!(k[0].message.contains("Bouches-du-Rhône"), "{}", k[0].message);
    assert_eq!(coherence(&bdr, &amp).len(), 1);
    // Another département: no pair, nothing.
    let nord = ContratBuilder::departement("59")
        .fiche(FicheBuilder::new("1.1", "AT-1-1.1-02", eur(1_000)))
        .build();
    assert!(coherence(&amp, &nord).is_empty());
    // Alone, the rule says nothing.
    assert_eq!(cibles(&amp, "R-ACT-14"), Vec::<String>::new());
}

/// The catalogue is complete: every rule code of sections A-E of rules.md is either checked
/// by the engine or listed with its status, never both.
#[test]
fn catalogue_complet_des_sections_a_a_e() {
    let mut codes_a_e = Vec::new();
    for (prefixe, de, a) in [
        ("R-ELIG-", 1, 4),
        ("R-DOC-", 1, 11),
        ("R-CAL-", 1, 5),
        ("R-ACT-", 1, 14),
        ("R-REF-", 1, 18),
        ("R-COFI-", 50, 53),
    ] {
        for n in de..=a {
            codes_a_e.push(if prefixe == "R-COFI-" {
                format!("{prefixe}{n}")
            } else {
                format!("{prefixe}{n:02}")
            });
        }
    }
    assert_eq!(codes_a_e.len(), 4 + 11 + 5 + 14 + 18 + 4);
    for code in &codes_a_e {
        let moteur = regle(code).is_some();
        let hors = regles_hors_moteur().iter().any(|r| r.code == code);
        assert!(moteur ^ hors, "{code}: moteur {moteur}, hors moteur {hors}");
    }
    let md = catalogue_markdown();
    assert!(md.contains("| R-ACT-11 | vérifiée par l'instruction, non automatisable |"));
}
