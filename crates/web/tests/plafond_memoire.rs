//! No signed-in account can exhaust the server's memory: an account with no rights posts the
//! largest values the accounts pages accept, again and again, while reading its pages in
//! parallel, and the process's resident memory stays under a ceiling.
//!
//! Alone in its test binary, so that the memory measured is this test's.

mod commun;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use commun::*;
use pacte_web::comptes::TAILLE_FORMULAIRE_MAX;

/// Resident memory of this process, in KiB (`VmRSS` of /proc/self/status).
fn memoire_residente_ko() -> u64 {
    let statut = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    statut
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn un_compte_ne_peut_pas_epuiser_la_memoire() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("pas de /proc : mesure impossible sur ce système");
        return;
    }
    let (app, base, _) = app_demo().await;
    // Any account qualifies: one with no rights, as a first ProConnect sign-in creates.
    let (compte, id, _) = en_tant_que_compte(&app, &base, "aucun", "aucun").await;
    let page = get(&compte, "/compte/jetons").await;
    assert_eq!(page.statut, StatusCode::OK);
    let depart = memoire_residente_ko();

    // The largest label a form body can carry (just under the 2 MB of a form) and the largest
    // one accepted.
    let enorme = Arc::new("é".repeat((TAILLE_FORMULAIRE_MAX - 4096) / 6));
    let plus_long_admis = Arc::new("L".repeat(pacte_web::comptes::pages::LIBELLE_JETON_MAX));
    let pic = Arc::new(AtomicU64::new(depart));
    let mesure = {
        let pic = pic.clone();
        tokio::spawn(async move {
            loop {
                pic.fetch_max(memoire_residente_ko(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let debut = Instant::now();
    let (mut crees, mut refuses, mut lectures, mut tours) = (0, 0, 0, 0);
    let mut autres = Vec::new();
    // A few seconds at most: rounds of 4 creations (2 of the largest accepted label, 2 of the
    // largest a form can carry) and 8 parallel reads of the tokens page; every 5 rounds, the
    // account revokes everything, so that revoked tokens pile up as well.
    while tours < 40 && debut.elapsed() < Duration::from_secs(6) {
        tours += 1;
        let mut taches = Vec::new();
        for i in 0..4 {
            let (compte, libelle) = (
                compte.clone(),
                if i % 2 == 0 {
                    plus_long_admis.clone()
                } else {
                    enorme.clone()
                },
            );
            taches.push(tokio::spawn(async move {
                post_formulaire(
                    &compte,
                    "/compte/jetons",
                    &[("libelle", libelle.as_str()), ("jours", "365")],
                )
                .await
                .statut
            }));
        }
        for _ in 0..8 {
            let compte = compte.clone();
            taches.push(tokio::spawn(async move {
                get(&compte, "/compte/jetons").await.statut
            }));
        }
        for t in taches {
            match t.await.unwrap() {
                StatusCode::CREATED => crees += 1,
                StatusCode::UNPROCESSABLE_ENTITY => refuses += 1,
                StatusCode::OK => lectures += 1,
                s => autres.push(s),
            }
        }
        if tours % 5 == 0 {
            for j in base.jetons_de(id).await.unwrap() {
                base.revoquer_jeton(j.id, "test").await.unwrap();
            }
        }
    }
    let duree = debut.elapsed();
    tokio::time::sleep(Duration::from_millis(20)).await;
    mesure.abort();
    let pic = pic.load(Ordering::Relaxed);
    let hausse_mo = pic.saturating_sub(depart) / 1024;
    eprintln!(
        "{tours} tours en {duree:?} : {crees} jetons créés, {refuses} refusés, {lectures} pages lues ; \
         mémoire résidente {} Mo au départ, pic {} Mo (+{hausse_mo} Mo)",
        depart / 1024,
        pic / 1024
    );
    // The ceiling. What the server may hold at once here: 12 requests in flight, each with a
    // form body of at most 2 MB, read once as bytes, once decoded (UTF-8, at most as long) and
    // copied for the CSRF check — about 3 × 2 MB per request, 72 MB — plus pages of at most
    // 50 tokens of 200 characters (tens of KB). Without bounds, 20 stored labels of 1.9 MB made
    // each page 76 MB, and 8 parallel reads hundreds of MB: the ceiling of 128 MB of growth
    // separates the two with room for the allocator's slack.
    assert!(
        hausse_mo < 128,
        "la mémoire résidente a crû de {hausse_mo} Mo (plafond 128 Mo)"
    );
    assert!(autres.is_empty(), "statuts inattendus : {autres:?}");
    assert!(crees > 0 && refuses > 0 && lectures > 0);
}
