//! The annexe 10 exports of the national set: the three tables (Prévisionnel 2025, Bilan 2024,
//! Prévisionnel récapitulatif 2025) as XLSX for the 125 contracts of 60 fiches, each with a
//! simulated execution of 2024-2025. Target: under 3 s in all. Prints the total, the cost per
//! contract and the ratio to the target. `cargo bench -p pacte-tableurs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use pacte_core::execution::execution_simulee;
use pacte_core::jeu_national::jeu_national_standard;
use pacte_core::tableau::{TypeTableau, feuille_depuis};
use pacte_core::{Annee, execution};
use pacte_tableurs::{FormatTableur, exporter};

const CIBLE: Duration = Duration::from_secs(3);

fn main() {
    let contrats = jeu_national_standard();
    let executions: Vec<_> = contrats
        .iter()
        .enumerate()
        .map(|(i, c)| execution_simulee(c, i))
        .collect();
    let tables = [
        (TypeTableau::Previsionnel, Annee::new(2025).unwrap()),
        (TypeTableau::Bilan, Annee::new(2024).unwrap()),
        (TypeTableau::Recapitulatif, Annee::new(2025).unwrap()),
    ];
    let mut meilleur = Duration::MAX;
    let mut calcul = Duration::MAX;
    let mut octets = 0usize;
    for _ in 0..3 {
        let debut = Instant::now();
        let mut total = 0usize;
        let mut temps_calcul = Duration::ZERO;
        for (c, e) in contrats.iter().zip(&executions) {
            let t0 = Instant::now();
            let s = execution::situation(c, e);
            let feuilles: Vec<_> = tables
                .iter()
                .map(|&(t, a)| feuille_depuis(c, e, &s, t, a))
                .collect();
            temps_calcul += t0.elapsed();
            for f in &feuilles {
                total += black_box(exporter(f, FormatTableur::Xlsx).unwrap()).len();
            }
        }
        let d = debut.elapsed();
        if d < meilleur {
            meilleur = d;
            calcul = temps_calcul;
            octets = total;
        }
    }
    let n = contrats.len();
    println!(
        "annexe 10, 3 tableaux XLSX × {n} contrats (60 fiches) : {:.3} s (meilleur de 3), soit {:.2} ms par contrat ; calcul des tableaux {:.3} s ({:.0} %), écriture XLSX {:.3} s ; {:.1} Mo écrits ; {:.2} × la cible de 3 s",
        meilleur.as_secs_f64(),
        meilleur.as_secs_f64() * 1000.0 / n as f64,
        calcul.as_secs_f64(),
        100.0 * calcul.as_secs_f64() / meilleur.as_secs_f64(),
        (meilleur - calcul).as_secs_f64(),
        octets as f64 / 1e6,
        meilleur.as_secs_f64() / CIBLE.as_secs_f64(),
    );
}
