//! Server time of the contract list and the dashboard on the national set (125 contracts of 60
//! fiches, 7 500 fiches) through the real router, for the national administrator and a DDETS,
//! compared with the way lists were built before they were read from SQL — every contract read
//! in full and checked on every view —, measured in the same run on the same base.
//!
//! `cargo bench -p pacte-web --bench listes` (release). Prints medians and the ratios; the
//! target is < 15 ms of server time for the administrator's list and dashboard.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use pacte_core::jeu_national::jeu_national_standard;
use pacte_store::Base;
use pacte_store::comptes::{NouvelUtilisateur, empreinte_secret};
use tower::ServiceExt;

const TOURS: usize = 30;
const OBJECTIF_MS: f64 = 15.0;

async fn session(base: &Base, role: &str, perimetre: &str) -> String {
    let email = format!("{role}@banc.pacte.example");
    let u = base
        .creer_utilisateur(
            &NouvelUtilisateur {
                email,
                nom: format!("Banc {role}"),
                hash_mot_de_passe: None,
                role: role.into(),
                perimetre: perimetre.into(),
            },
            "banc",
        )
        .await
        .expect("compte");
    let secret = format!("banc-{role}");
    base.ouvrir_session(
        u.id,
        &empreinte_secret(&secret),
        "csrf-banc",
        "2999-01-01T00:00:00.000Z",
    )
    .await
    .expect("session");
    format!("pacte_session={secret}")
}

async fn get(app: &Router, cookie: &str, uri: &str) -> usize {
    let r = app
        .clone()
        .oneshot(
            Request::get(uri)
                .header("cookie", cookie)
                .body(Body::empty())
                .expect("requête"),
        )
        .await
        .expect("réponse");
    assert_eq!(r.status(), StatusCode::OK, "{uri}");
    r.into_body().collect().await.expect("corps").to_bytes().len()
}

/// Median of `TOURS` runs of `f`, after one run not counted.
async fn mediane<F, Fut>(mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await;
    let mut t: Vec<Duration> = Vec::with_capacity(TOURS);
    for _ in 0..TOURS {
        let debut = Instant::now();
        f().await;
        t.push(debut.elapsed());
    }
    t.sort();
    t[TOURS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn fr(x: f64) -> String {
    format!("{x:.2}").replace('.', ",")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dossier = std::env::temp_dir().join(format!("pacte-banc-listes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dossier);
    let base = Base::ouvrir(&format!("sqlite://{}/pacte.db", dossier.display()))
        .await
        .expect("base");
    let debut = Instant::now();
    let ids = base
        .importer(&jeu_national_standard(), "import:banc")
        .await
        .expect("import");
    println!(
        "Jeu national : {} contrats importés en {:.1} s",
        ids.len(),
        debut.elapsed().as_secs_f64()
    );
    let app = pacte_web::application(base.clone(), pacte_web::Options::default());
    let admin = session(&base, "administrateur_national", "national").await;
    let ddets = session(&base, "ddets", "departement:13").await;

    // The former way, on the same base: every contract read in full and checked, then kept
    // or not by the reader's rights.
    let avant = mediane(|| async {
        for id in &ids {
            let c = base.contrat(*id).await.expect("lecture");
            std::hint::black_box(pacte_core::verifier(&c.contrat));
        }
    })
    .await;

    let premier = Instant::now();
    get(&app, &admin, "/contrats").await;
    let premier = premier.elapsed();
    let mut lignes = Vec::new();
    for (nom, cookie, uri) in [
        (
            "liste des contrats, administration nationale",
            &admin,
            "/contrats",
        ),
        ("tableau de bord, administration nationale", &admin, "/"),
        ("liste des contrats, DDETS 13", &ddets, "/contrats"),
        ("tableau de bord, DDETS 13", &ddets, "/"),
    ] {
        // A first view, not counted: the findings counts of contracts not shown yet are made.
        get(&app, cookie, uri).await;
        let lus = base.lectures_completes();
        let d = mediane(|| async {
            get(&app, cookie, uri).await;
        })
        .await;
        let lus = base.lectures_completes() - lus;
        lignes.push((nom, uri, d, lus));
    }

    println!();
    println!(
        "Méthode antérieure (125 contrats lus en entier et vérifiés à chaque vue) : {} ms",
        fr(ms(avant))
    );
    println!(
        "Premier affichage après l'import (décomptes des constats calculés et gardés) : {} ms",
        fr(ms(premier))
    );
    let mut atteint = true;
    for (nom, uri, d, lus) in &lignes {
        println!(
            "{nom} ({uri}) : médiane {} ms sur {TOURS} vues, {:.0} fois moins que la méthode antérieure, {lus} contrat(s) lus en entier en {} vues",
            fr(ms(*d)),
            ms(avant) / ms(*d),
            TOURS + 1
        );
        if nom.contains("administration nationale") && ms(*d) >= OBJECTIF_MS {
            atteint = false;
        }
    }
    println!(
        "Objectif < {} ms pour la liste et le tableau de bord de l'administration nationale : {}",
        fr(OBJECTIF_MS),
        if atteint { "atteint" } else { "NON ATTEINT" }
    );
    base.fermer().await;
    let _ = std::fs::remove_dir_all(&dossier);
}
