//! Rules engine benchmark on the national set (125 contracts × 60 fiches × 4 years).
//!
//! Two measures in the same run: (a) `verifier` on every contract, (b) a reference pass that
//! reads every amount once. After criterion's runs, a French summary line gives both medians
//! (measured here with `Instant`, independent of criterion's internals) and their ratio.
//! Target: (a) under 50 ms.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use pacte_core::jeu_national::jeu_national;
use pacte_core::{Annee, Contrat, Montant, verifier};

const CONTRATS: usize = 125;
const FICHES: usize = 60;
/// Iterations behind the medians of the summary line.
const ITERATIONS_RESUME: usize = 30;

/// The set, generated once for the whole run.
fn jeu() -> &'static [Contrat] {
    static JEU: OnceLock<Vec<Contrat>> = OnceLock::new();
    JEU.get_or_init(|| jeu_national(CONTRATS, FICHES))
}

/// (a) The measured job: every rule on every contract. Returns the number of findings.
fn verifier_tout(jeu: &[Contrat]) -> usize {
    jeu.iter().map(|c| verifier(black_box(c)).len()).sum()
}

/// (b) The reference pass: F = A + B + C of every fiche and year, each through `black_box`.
fn parcours_reference(jeu: &[Contrat]) -> Montant {
    let mut somme = Montant::ZERO;
    for c in jeu {
        for f in &c.fiches {
            for a in Annee::TOUTES {
                somme += black_box(f.financement.total(a));
            }
        }
    }
    somme
}

fn mesures(c: &mut Criterion) {
    let jeu = jeu();
    c.bench_function("verifier_jeu_national", |b| {
        b.iter(|| verifier_tout(black_box(jeu)))
    });
    c.bench_function("parcours_reference", |b| {
        b.iter(|| parcours_reference(black_box(jeu)))
    });
}

/// Median duration of `f` over `ITERATIONS_RESUME` runs, after a short warm-up.
fn mediane<R>(mut f: impl FnMut() -> R) -> Duration {
    for _ in 0..3 {
        black_box(f());
    }
    let mut durees: Vec<Duration> = (0..ITERATIONS_RESUME)
        .map(|_| {
            let debut = Instant::now();
            black_box(f());
            debut.elapsed()
        })
        .collect();
    durees.sort();
    durees[durees.len() / 2]
}

/// Milliseconds with a French decimal comma: `12,3 ms`, `0,047 ms`.
fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    let texte = if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    };
    format!("{} ms", texte.replace('.', ","))
}

fn resume(_: &mut Criterion) {
    // Only in a real benchmark run, not when the binary is run as a test (`--bench` absent).
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let jeu = jeu();
    let verification = mediane(|| verifier_tout(jeu));
    let reference = mediane(|| parcours_reference(jeu));
    let rapport = verification.as_secs_f64() / reference.as_secs_f64().max(1e-12);
    let fiches = jeu.first().map_or(0, |c| c.fiches.len());
    println!(
        "vérification du jeu national ({} contrats × {fiches} fiches × {} ans) : {} ; parcours de référence : {} ; rapport {}",
        jeu.len(),
        Annee::TOUTES.len(),
        ms(verification),
        ms(reference),
        format!("{rapport:.1}").replace('.', ",")
    );
}

criterion_group!(benches, mesures);
criterion_group!(sommaire, resume);
criterion_main!(benches, sommaire);
