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
    // The same document again: `pdf.rs` drops typst's cache after each document laid out
    // alone, so this is the figure of every download, the first one apart.
    let mesures: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            produire(c, Format::Pdf);
            t.elapsed()
        })
        .collect();
    let m = mediane(mesures);
    println!(
        "PDF du contrat de {FICHES_STANDARD} fiches, 7 fois de plus : médiane {:.1} ms (cible < 500 ms)",
        m.as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let n = produire(c, Format::Odt);
    println!(
        "ODT du contrat de {FICHES_STANDARD} fiches : {:.1} ms, {n} octets",
        t.elapsed().as_secs_f64() * 1e3
    );
    // The national set, one document after the other (a request's figure: each contract new).
    let t = Instant::now();
    let mut total = 0;
    for c in &contrats {
        total += produire(c, Format::Pdf);
    }
    let sequentiel = t.elapsed().as_secs_f64();
    println!(
        "PDF des {} contrats du jeu national, l'un après l'autre : {sequentiel:.2} s, {:.1} Mo ; \
         soit {:.0} ms par contrat de {FICHES_STANDARD} fiches, chacun nouveau (cible < 500 ms)",
        contrats.len(),
        total as f64 / 1e6,
        sequentiel * 1e3 / contrats.len() as f64
    );
    // The same set as a batch uses the machine: one worker per core, contracts shared out.
    let coeurs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let suivant = std::sync::atomic::AtomicUsize::new(0);
    let t = Instant::now();
    let total_lot: usize = std::thread::scope(|s| {
        let travailleurs: Vec<_> = (0..coeurs)
            .map(|_| {
                s.spawn(|| {
                    let mut octets = 0;
                    loop {
                        let i = suivant.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(c) = contrats.get(i) else { break octets };
                        octets += produire(c, Format::Pdf);
                    }
                })
            })
            .collect();
        travailleurs
            .into_iter()
            .map(|t| t.join().expect("travailleur"))
            .sum()
    });
    let lot = t.elapsed().as_secs_f64();
    assert_eq!(total_lot, total, "mêmes documents en lot");
    println!(
        "PDF des {} contrats du jeu national, en lot sur {coeurs} cœurs : {lot:.2} s (cible < 30 s) ; \
         rapport au calcul l'un après l'autre : {:.2}",
        contrats.len(),
        sequentiel / lot
    );
}
