//! The national consolidation computed from the base, on SQLite (a temporary file): the
//! national set (125 contracts × 60 fiches × 4 years), each contract with a simulated
//! 2024-2025 execution, summed per region, axis and year by `Base::consolidation`.
//!
//! Reference, measured in the same run: the same sums computed the way they would be without
//! the relational rows, by loading every contract, its execution and its campaign figures
//! (`Base::contrat`, `Base::execution`, `Base::valeurs_campagne`) and calling
//! `pacte_core::execution::situation` and `pacte_core::campagne::totaux_nationaux`. Target: < 300 ms for the
//! consolidation. With a validated 2024 campaign for every contract, it times what the national
//! consolidation page reads — the money (`Base::consolidation`, including the freshness check
//! of the execution rows), the campaign follow-up and the national indicators — each part
//! apart, so the report says what dominates.
//!
//! `cargo bench -p pacte-store --bench consolidation` (`PACTE_BANC_GARDER=1` keeps the base
//! and prints its folder, to look at the query plans).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pacte_core::campagne::{Transition, ValeurSaisie, lignes_attendues};
use pacte_core::contrat::EtatContrat;
use pacte_core::droits::{PorteeLecture, TerritoireLu};
use pacte_core::execution::{execution_simulee, situation};
use pacte_core::jeu_national::jeu_national_standard;
use pacte_core::territoires::territoires;
use pacte_core::{Annee, Montant};
use pacte_store::Base;

const CIBLE: Duration = Duration::from_millis(300);
/// Timed consolidations (the median is reported).
const MESURES: usize = 15;
/// Timed reference computations.
const REFERENCES: usize = 3;

fn mediane(mut mesures: Vec<Duration>) -> Duration {
    mesures.sort();
    mesures[mesures.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0).replace('.', ",")
}

fn nationale() -> PorteeLecture {
    PorteeLecture {
        territoire: TerritoireLu::Tout,
        etats: EtatContrat::TOUS.to_vec(),
    }
}

/// The State amounts paid per region by loading every contract, its execution and its 2024
/// figures, with the national indicators' totals of each contract (the reference).
async fn par_chargement(base: &Base, ids: &[i64]) -> BTreeMap<String, i64> {
    let mut verse: BTreeMap<String, i64> = BTreeMap::new();
    for id in ids {
        let c = base.contrat(*id).await.expect("contrat").contrat;
        let e = base.execution(*id).await.expect("exécution").execution;
        let t = territoires();
        let r = t
            .collectivite(&c.contrat.collectivite)
            .and_then(|k| t.region_de(k))
            .map(|r| r.code.clone())
            .unwrap_or_default();
        let valeurs = base
            .valeurs_campagne(Annee::TOUTES[0], *id)
            .await
            .expect("valeurs");
        black_box(pacte_core::campagne::totaux_nationaux(
            &c,
            Annee::TOUTES[0],
            &valeurs,
        ));
        let s = situation(&c, &e);
        let m = verse.entry(r).or_default();
        for a in Annee::TOUTES {
            for (f, x) in s.annee(a) {
                *m += x.etat_verse.en_centimes();
                black_box(e.etat_notifie(*f, a).unwrap_or(Montant::ZERO));
            }
        }
    }
    verse
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dossier = std::env::temp_dir().join(format!(
        "pacte-banc-consolidation-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dossier).expect("dossier temporaire");
    let url = format!("sqlite://{}/pacte.db", dossier.display());
    let base = Base::ouvrir(&url).await.expect("ouverture");
    let mut jeu = jeu_national_standard();
    for c in &mut jeu {
        c.contrat.etat = EtatContrat::EnExecution;
    }
    let ids = base.importer(&jeu, "import:banc").await.expect("import");
    for (i, id) in ids.iter().enumerate() {
        let e = execution_simulee(&jeu[i], i);
        base.enregistrer_execution(*id, 0, "import:banc", move |_, _| Ok(e))
            .await
            .expect("exécution");
    }
    // The 2024 campaign: every expected figure of every contract entered, submitted and
    // validated (national indicators as rows, `valeurs_indicateurs`).
    let a = Annee::new(2024).expect("année");
    base.ouvrir_campagne(a, pacte_core::Date::ymd(2025, 3, 31), "import:banc")
        .await
        .expect("campagne");
    let mut valeurs = 0usize;
    for id in &ids {
        let t = base
            .enregistrer_valeurs(a, *id, 0, "import:banc", move |c, _, _| {
                Ok(lignes_attendues(c, a)
                    .into_iter()
                    .enumerate()
                    .map(|(k, l)| ValeurSaisie {
                        realise: Some(pacte_core::Valeur::centiemes(100 * (k as i64 % 40 + 1))),
                        ..ValeurSaisie::vide(l.cle)
                    })
                    .collect())
            })
            .await
            .expect("valeurs");
        valeurs += base.valeurs_campagne(a, *id).await.expect("valeurs").len();
        for transition in [Transition::Soumettre, Transition::Valider] {
            let v = base.suivi_campagne(a, *id).await.expect("suivi").tampon.version;
            base.changer_etat_campagne(a, *id, v, transition, None, &[], "import:banc", |_, _, _| Ok(()))
                .await
                .expect("transition");
        }
        let _ = t;
    }
    let fiches: usize = jeu.iter().map(|c| c.fiches.len()).sum();
    println!(
        "Consolidation nationale : {} contrats, {fiches} fiches, 4 années, exécution 2024-2025, campagne 2024 validée ({valeurs} valeurs d'indicateurs) (SQLite)",
        ids.len()
    );

    let portee = nationale();
    black_box(base.consolidation(&portee).await.expect("consolidation"));
    let mut totaux = Vec::new();
    let mut verifications = Vec::new();
    let mut montants = Vec::new();
    let mut campagnes = Vec::new();
    let mut indicateurs = Vec::new();
    let mut resultat = None;
    for _ in 0..MESURES {
        let debut = Instant::now();
        black_box(base.rafraichir_projection_execution().await.expect("fraîcheur"));
        verifications.push(debut.elapsed());
        // What the national consolidation page reads: money, campaigns, indicators.
        let debut = Instant::now();
        resultat = Some(base.consolidation(&portee).await.expect("consolidation"));
        let m = debut.elapsed();
        black_box(base.suivi_campagnes_consolide(&portee).await.expect("campagnes"));
        let c = debut.elapsed();
        black_box(
            base.indicateurs_consolides(&portee, false)
                .await
                .expect("indicateurs"),
        );
        let total = debut.elapsed();
        montants.push(m);
        campagnes.push(c - m);
        indicateurs.push(total - c);
        totaux.push(total);
    }
    let total = mediane(totaux);
    let verification = mediane(verifications);
    let (montants, campagnes, indicateurs) = (mediane(montants), mediane(campagnes), mediane(indicateurs));
    let c = resultat.expect("mesuré");

    let mut refs = Vec::new();
    let mut attendu = BTreeMap::new();
    for _ in 0..REFERENCES {
        let debut = Instant::now();
        attendu = par_chargement(&base, &ids).await;
        refs.push(debut.elapsed());
    }
    let reference = mediane(refs);

    // The two computations agree on what was paid, region by region.
    let mut obtenu: BTreeMap<String, i64> = BTreeMap::new();
    for ((r, _, _), m) in &c.montants {
        *obtenu.entry(r.clone()).or_default() += m.verse;
    }
    obtenu.retain(|_, v| *v != 0);
    attendu.retain(|_, v| *v != 0);
    assert_eq!(
        obtenu, attendu,
        "la consolidation diffère du chargement des contrats"
    );

    let part = |d: Duration| 100.0 * d.as_secs_f64() / total.as_secs_f64();
    println!(
        "  consolidation de la page nationale (médiane de {MESURES}) : {} — {}",
        ms(total),
        if total < CIBLE {
            "cible < 300 ms atteinte"
        } else {
            "CIBLE < 300 ms MANQUÉE"
        }
    );
    println!(
        "    montants (Base::consolidation) : {} ({:.0} %), dont vérification de fraîcheur des lignes d'exécution {}",
        ms(montants),
        part(montants),
        ms(verification)
    );
    println!(
        "    campagnes (Base::suivi_campagnes_consolide) : {} ({:.0} %)",
        ms(campagnes),
        part(campagnes)
    );
    println!(
        "    indicateurs nationaux (Base::indicateurs_consolides) : {} ({:.0} %)",
        ms(indicateurs),
        part(indicateurs)
    );
    println!(
        "  référence (chargement des {} contrats, exécutions et valeurs 2024, médiane de {REFERENCES}) : {}",
        ids.len(),
        ms(reference)
    );
    println!(
        "  rapport référence / consolidation : {:.0}×",
        reference.as_secs_f64() / total.as_secs_f64()
    );
    drop(base);
    if std::env::var_os("PACTE_BANC_GARDER").is_some() {
        println!("  base gardée : {}", dossier.display());
    } else {
        let _ = std::fs::remove_dir_all(&dossier);
    }
}
