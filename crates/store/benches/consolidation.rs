//! The national consolidation computed from the base, on SQLite (a temporary file): the
//! national set (125 contracts × 60 fiches × 4 years), each contract with a simulated
//! 2024-2025 execution, summed per region, axis and year by `Base::consolidation`.
//!
//! Reference, measured in the same run: the same sums computed the way they would be without
//! the relational rows, by loading every contract and its execution (`Base::contrat`,
//! `Base::execution`) and calling `pacte_core::execution::situation`. Target: < 300 ms for the
//! consolidation. It also times the two parts of a consolidation read — the freshness check of
//! the execution rows (one query when nothing is stale) and the three grouped queries — so the
//! report says what dominates.
//!
//! `cargo bench -p pacte-store --bench consolidation` (`PACTE_BANC_GARDER=1` keeps the base
//! and prints its folder, to look at the query plans).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

/// The State amounts paid per region by loading every contract (the reference).
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
    let fiches: usize = jeu.iter().map(|c| c.fiches.len()).sum();
    println!(
        "Consolidation nationale : {} contrats, {fiches} fiches, 4 années, exécution 2024-2025 (SQLite)",
        ids.len()
    );

    let portee = nationale();
    black_box(base.consolidation(&portee).await.expect("consolidation"));
    let mut totaux = Vec::new();
    let mut verifications = Vec::new();
    let mut resultat = None;
    for _ in 0..MESURES {
        let debut = Instant::now();
        black_box(base.rafraichir_projection_execution().await.expect("fraîcheur"));
        verifications.push(debut.elapsed());
        let debut = Instant::now();
        resultat = Some(base.consolidation(&portee).await.expect("consolidation"));
        totaux.push(debut.elapsed());
    }
    let total = mediane(totaux);
    let verification = mediane(verifications);
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

    println!(
        "  consolidation (Base::consolidation, médiane de {MESURES}) : {} — {}",
        ms(total),
        if total < CIBLE {
            "cible < 300 ms atteinte"
        } else {
            "CIBLE < 300 ms MANQUÉE"
        }
    );
    println!(
        "    dont vérification de fraîcheur des lignes d'exécution : {} ({:.0} %), requêtes groupées : {} ({:.0} %)",
        ms(verification),
        100.0 * verification.as_secs_f64() / total.as_secs_f64(),
        ms(total.saturating_sub(verification)),
        100.0 * total.saturating_sub(verification).as_secs_f64() / total.as_secs_f64()
    );
    println!(
        "  référence (chargement des {} contrats et exécutions, médiane de {REFERENCES}) : {}",
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
