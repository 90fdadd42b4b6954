//! `cargo bench -p pacte-documents`: the PDF of the 60-fiche contract (target < 500 ms) and the
//! PDFs of all 125 contracts of the national set (target < 30 s), plus the ODTs, printed.

use std::time::{Duration, Instant};

use pacte_core::jeu_national::{CONTRATS_STANDARD, FICHES_STANDARD, jeu_national};
use pacte_documents::Format;
use pacte_documents::contrat::{DonneesContrat, fichier};

fn produire(c: &pacte_core::Contrat, format: Format) -> usize {
    fichier(
        &DonneesContrat {
            contrat: c,
            actes: &[],
            version: 1,
        },
        format,
    )
    .expect("document")
    .octets
    .len()
}

fn mediane(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let contrats = jeu_national(CONTRATS_STANDARD, FICHES_STANDARD);
    let c = &contrats[0];
    // The first compilation loads the fonts and the standard library once.
    let debut = Instant::now();
    let taille = produire(c, Format::Pdf);
    println!(
        "premier PDF (chargement compris) : {:?}, {taille} octets",
        debut.elapsed()
    );
    let mesures: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            produire(c, Format::Pdf);
            t.elapsed()
        })
        .collect();
    let m = mediane(mesures);
    println!(
        "PDF du contrat de {FICHES_STANDARD} fiches : médiane {:.1} ms (cible < 500 ms)",
        m.as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let n = produire(c, Format::Odt);
    println!(
        "ODT du contrat de {FICHES_STANDARD} fiches : {:.1} ms, {n} octets",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let mut total = 0;
    for c in &contrats {
        total += produire(c, Format::Pdf);
    }
    println!(
        "PDF des {} contrats du jeu national : {:.2} s, {:.1} Mo (cible < 30 s)",
        contrats.len(),
        t.elapsed().as_secs_f64(),
        total as f64 / 1e6
    );
}
