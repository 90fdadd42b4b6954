//! Worked examples of the entries' checks, at the boundaries (equal passes, one cent over is
//! refused). The figures are those of `execution::tests::exemple` (the minimal métropole
//! contract: 1.1 100 000 €, 2.1 80 000 €, 3.1 60 000 €, 4.1 50 000 € a year, State =
//! collectivity; 290 000 € paid in 2024, shared exactly by the fiches' amounts).

use super::*;
use crate::Date;
use crate::execution::tests::exemple;
use crate::execution::{LigneAvenant, situation};

fn eur(e: i64) -> Montant {
    Montant::euros(e)
}

fn c(c: i64) -> Montant {
    Montant::centimes(c)
}

fn n(t: &str) -> NumeroFiche {
    NumeroFiche::parse(t).unwrap()
}

fn an(a: i64) -> Annee {
    Annee::new(a).unwrap()
}

fn report(f: &str, annee: i64, etat: Montant, cd: Montant) -> Report {
    Report {
        fiche: n(f),
        annee: an(annee),
        etat,
        collectivite: cd,
        date: Some(Date::ymd(annee as i32 + 1, 3, 20)),
        proposition: false,
    }
}

#[test]
fn report_egal_aux_credits_non_consommes_passe_un_centime_de_plus_non() {
    let (contrat, e) = exemple();
    // 1.1 in 2024: State paid 100 000 − realised 90 000 = 10 000 unconsumed; CD allocated
    // 100 000 − realised 95 000 = 5 000.
    let ok = enregistrer_report(&contrat, &e, report("1.1", 2024, eur(10_000), eur(5_000))).unwrap();
    assert_eq!(ok.reports.iter().filter(|r| r.fiche == n("1.1")).count(), 1);
    let err = enregistrer_report(&contrat, &e, report("1.1", 2024, c(1_000_001), eur(5_000))).unwrap_err();
    assert_eq!((err.champ.as_str(), err.regle), ("etat", Some("R-FIN-12")));
    assert!(err.message.contains("10 000,01"), "{}", err.message);
    let err = enregistrer_report(&contrat, &e, report("1.1", 2024, eur(10_000), c(500_001))).unwrap_err();
    assert_eq!(
        (err.champ.as_str(), err.regle),
        ("collectivite", Some("R-FIN-12"))
    );
}

#[test]
fn report_hors_convention_sans_date_ou_fiche_inconnue_refuse() {
    let (contrat, e) = exemple();
    let err =
        enregistrer_report(&contrat, &e, report("1.1", 2027, Montant::ZERO, Montant::ZERO)).unwrap_err();
    assert_eq!((err.champ.as_str(), err.regle), ("annee", Some("R-FIN-11")));
    let mut sans_date = report("1.1", 2024, eur(1), Montant::ZERO);
    sans_date.date = None;
    assert_eq!(
        enregistrer_report(&contrat, &e, sans_date).unwrap_err().champ,
        "date"
    );
    assert_eq!(
        enregistrer_report(&contrat, &e, report("4.9", 2024, eur(1), Montant::ZERO))
            .unwrap_err()
            .champ,
        "fiche"
    );
}

#[test]
fn proposition_de_la_collectivite_sans_effet_jusqu_a_la_decision() {
    let (contrat, mut e) = exemple();
    e.reports.retain(|r| r.fiche != n("3.1"));
    // 3.1 consumed all of its 2024 credits: nothing carried over.
    let avant = situation(&contrat, &e).fiche(n("3.1"), an(2025));
    let proposee = proposer_reports(&e, an(2024), &[report("3.1", 2024, eur(0), eur(0))]);
    assert!(
        proposee
            .reports
            .iter()
            .any(|r| r.fiche == n("3.1") && r.proposition)
    );
    // 1.1's proposal equal to what is decided is not repeated.
    let p = proposer_reports(&e, an(2024), &[report("1.1", 2024, eur(10_000), eur(5_000))]);
    assert_eq!(p.reports, e.reports);
    // 4.1's proposal of 7 000 CD (decided: 5 000) counts in no figure.
    let p = proposer_reports(&e, an(2024), &[report("4.1", 2024, Montant::ZERO, eur(7_000))]);
    assert_eq!(
        situation(&contrat, &p)
            .fiche(n("4.1"), an(2025))
            .report_recu_collectivite,
        eur(5_000)
    );
    assert_eq!(situation(&contrat, &proposee).fiche(n("3.1"), an(2025)), avant);
    // Confirmed by the State: the decision replaces the proposal.
    let d = enregistrer_report(&contrat, &p, report("4.1", 2024, Montant::ZERO, eur(5_000))).unwrap();
    assert_eq!(
        d.reports
            .iter()
            .filter(|r| r.fiche == n("4.1") && r.annee == an(2024))
            .count(),
        1
    );
    assert!(!d.reports.iter().any(|r| r.proposition));
}

fn avenant() -> Avenant {
    Avenant {
        annee: an(2026),
        date: Some(Date::ymd(2026, 4, 1)),
        accord_etat: Some(Date::ymd(2026, 3, 20)),
        accord_collectivite: Some(Date::ymd(2026, 4, 1)),
        lignes: vec![LigneAvenant {
            fiche: n("3.1"),
            ajoutee: false,
            intitule: None,
            etat: eur(55_000),
            collectivite: None,
            motif: "Ajustement".into(),
        }],
        piece: None,
    }
}

#[test]
fn avenant_date_accords_fiches_et_motifs() {
    let (contrat, e) = exemple();
    // An agreement dated the day of the avenant passes.
    let ok = enregistrer_avenant(&contrat, &e, avenant()).unwrap();
    assert_eq!(ok.etat_notifie(n("3.1"), an(2026)), Some(eur(55_000)));
    let mut a = avenant();
    a.date = None;
    let err = enregistrer_avenant(&contrat, &e, a).unwrap_err();
    assert_eq!((err.champ.as_str(), err.regle), ("date", Some("R-FIN-09")));
    // An agreement the day after the avenant is refused.
    let mut a = avenant();
    a.accord_collectivite = Some(Date::ymd(2026, 4, 2));
    let err = enregistrer_avenant(&contrat, &e, a).unwrap_err();
    assert_eq!(err.champ, "accord_collectivite");
    let mut a = avenant();
    a.accord_etat = None;
    assert_eq!(
        enregistrer_avenant(&contrat, &e, a).unwrap_err().champ,
        "accord_etat"
    );
    let mut a = avenant();
    a.lignes[0].motif = "  ".into();
    assert_eq!(
        enregistrer_avenant(&contrat, &e, a).unwrap_err().champ,
        "lignes[0].motif"
    );
    // A fiche the contract does not have must be declared added, with a title.
    let mut a = avenant();
    a.lignes[0].fiche = n("1.5");
    let err = enregistrer_avenant(&contrat, &e, a.clone()).unwrap_err();
    assert_eq!(err.champ, "lignes[0].fiche");
    a.lignes[0].ajoutee = true;
    assert_eq!(
        enregistrer_avenant(&contrat, &e, a.clone()).unwrap_err().champ,
        "lignes[0].intitule"
    );
    a.lignes[0].intitule = Some("Nouvelle action".into());
    let ok = enregistrer_avenant(&contrat, &e, a.clone()).unwrap();
    assert!(crate::execution::fiches_executees(&contrat, &ok).contains(&n("1.5")));
    // Added once: adding it again is refused.
    let err = enregistrer_avenant(&contrat, &ok, a).unwrap_err();
    assert_eq!(err.champ, "lignes[0].fiche");
    let mut a = avenant();
    a.lignes.clear();
    assert!(enregistrer_avenant(&contrat, &e, a).is_err());
}

#[test]
fn notification_d_axe_au_plafond_global_passe_un_centime_de_plus_non() {
    let (contrat, e) = exemple();
    let f = par_axe(&contrat);
    assert!(f.plafond_complet);
    // 2027: nothing notified yet; axis 1 alone at the global ceiling passes R-FIN-03.
    let axe1 = f.axes[0].axe;
    let n1 = |etat| NotificationAxe {
        axe: axe1,
        annee: an(2027),
        etat,
    };
    notifier_axe(&contrat, &e, n1(f.plafond_global)).unwrap();
    let err = notifier_axe(&contrat, &e, n1(f.plafond_global + c(1))).unwrap_err();
    assert_eq!((err.champ.as_str(), err.regle), ("montant", Some("R-FIN-03")));
    // Axis 2 at its 20 % floor passes, one cent under is refused (R-FIN-04).
    let a2 = &f.axes[1];
    let socle = a2.reperes.socle.unwrap();
    let n2 = |etat| NotificationAxe {
        axe: a2.axe,
        annee: an(2027),
        etat,
    };
    notifier_axe(&contrat, &e, n2(socle)).unwrap();
    let err = notifier_axe(&contrat, &e, n2(socle - c(1))).unwrap_err();
    assert_eq!(err.regle, Some("R-FIN-04"));
    // A fiche's notification: unknown fiche refused, known replaced.
    let nf = |f: &str| NotificationFiche {
        fiche: n(f),
        annee: an(2024),
        etat: eur(90_000),
    };
    assert_eq!(
        notifier_fiche(&contrat, &e, nf("4.9")).unwrap_err().champ,
        "fiche"
    );
    let ok = notifier_fiche(&contrat, &e, nf("1.1")).unwrap();
    assert_eq!(ok.etat_notifie(n("1.1"), an(2024)), Some(eur(90_000)));
    assert_eq!(ok.notifications.len(), e.notifications.len());
}

#[test]
fn reduction_proposee_justifiee_puis_decidee_au_plus_la_participation() {
    let (contrat, mut e) = exemple();
    e.reductions.clear();
    // 2.1 consumed 30 000 of 80 000 in 2024 (< 50 %): proposed reduction of 2025 = unconsumed
    // 50 000 − carried over 20 000 = 30 000.
    let attente = reductions_en_attente(&contrat, &e);
    assert_eq!(attente.len(), 1);
    assert_eq!(
        (attente[0].fiche, attente[0].annee, attente[0].proposee),
        (n("2.1"), an(2025), eur(30_000))
    );
    let j = justifier_reduction(&contrat, &e, n("2.1"), an(2025), "Recrutement retardé").unwrap();
    assert_eq!(
        j.reductions[0].justification.as_deref(),
        Some("Recrutement retardé")
    );
    assert_eq!(
        justifier_reduction(&contrat, &e, n("2.1"), an(2025), " ")
            .unwrap_err()
            .champ,
        "justification"
    );
    // The fiche's State amount of 2025 is the avenant's 70 000: deciding 70 000 passes, one
    // cent more is refused.
    let d = |m| DecisionReduction {
        montant: m,
        date: Date::ymd(2025, 3, 15),
    };
    let ok = decider_reduction(&contrat, &j, n("2.1"), an(2025), d(eur(70_000))).unwrap();
    assert_eq!(ok.reduction_decidee(n("2.1"), an(2025)), eur(70_000));
    assert_eq!(
        ok.reductions[0].justification.as_deref(),
        Some("Recrutement retardé")
    );
    assert!(reductions_en_attente(&contrat, &ok).is_empty());
    let err = decider_reduction(&contrat, &j, n("2.1"), an(2025), d(c(7_000_001))).unwrap_err();
    assert_eq!((err.champ.as_str(), err.regle), ("montant", Some("R-FIN-06")));
    // Decided: no more justification; no proposal on 3.1.
    assert!(justifier_reduction(&contrat, &ok, n("2.1"), an(2025), "Trop tard").is_err());
    assert_eq!(
        decider_reduction(&contrat, &e, n("3.1"), an(2025), d(eur(1)))
            .unwrap_err()
            .champ,
        "fiche"
    );
}

#[test]
fn versement_et_realisation() {
    let (contrat, e) = exemple();
    let mut v = e.versements[0].clone();
    v.programme = 303;
    assert_eq!(
        enregistrer_versement(&e, v.clone()).unwrap_err().regle,
        Some("R-FIN-10")
    );
    v.programme = 304;
    v.iban = " ".into();
    assert_eq!(enregistrer_versement(&e, v.clone()).unwrap_err().champ, "iban");
    v.iban = "FR76".into();
    v.montant = Montant::ZERO;
    assert_eq!(enregistrer_versement(&e, v.clone()).unwrap_err().champ, "montant");
    v.montant = c(1);
    assert_eq!(
        enregistrer_versement(&e, v).unwrap().versements.len(),
        e.versements.len() + 1
    );
    let r = Realisation {
        fiche: n("1.1"),
        annee: an(2024),
        etat: eur(1),
        collectivite: eur(2),
        autres: Montant::ZERO,
    };
    let ok = declarer_realisation(&contrat, &e, r).unwrap();
    assert_eq!(ok.realisations.len(), e.realisations.len());
    assert!(declarer_realisation(&contrat, &e, Realisation { fiche: n("4.9"), ..r }).is_err());
}
