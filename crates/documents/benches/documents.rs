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
    // The national set's contracts are « en exécution » without signatories (the signature act
    // is what records them); laid out as drafts, they cost the same.
    let mut contrats = jeu_national(CONTRATS_STANDARD, FICHES_STANDARD);
    for c in &mut contrats {
        if c.contrat.signataires.is_empty() {
            c.contrat.etat = pacte_core::contrat::EtatContrat::Valide;
        }
    }
    let c = &contrats[0];
    // The first compilation loads the fonts and the standard library once.
    let debut = Instant::now();
    let taille = produire(c, Format::Pdf);
    println!(
        "premier PDF (chargement compris) : {:?}, {taille} octets",
        debut.elapsed()
    );
    // Compiling the same document again hits typst's memoization: this is the figure of a
    // second download of unchanged data, not of a new document (see the national set below).
    let mesures: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            produire(c, Format::Pdf);
            t.elapsed()
        })
        .collect();
    let m = mediane(mesures);
    println!(
        "PDF du même contrat de {FICHES_STANDARD} fiches, recompilé : médiane {:.1} ms",
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
    let duree = t.elapsed().as_secs_f64();
    println!(
        "PDF des {} contrats du jeu national : {duree:.2} s, {:.1} Mo (cible < 30 s) ; \
         soit {:.0} ms par contrat de {FICHES_STANDARD} fiches, chacun nouveau (cible < 500 ms)",
        contrats.len(),
        total as f64 / 1e6,
        duree * 1e3 / contrats.len() as f64
    );
}
