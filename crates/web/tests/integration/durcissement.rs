//! The server's edges under hostile input: return addresses after sign-in, cross-site sign-in,
//! bursts of simultaneous sign-in attempts, caching, API tokens and account texts, empty
//! collectivity, slow and numerous connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::commun::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use pacte_web::comptes::mot_de_passe::{self, Cout};
use pacte_web::comptes::{ECHECS_MAX, pages::JETONS_ACTIFS_MAX, pages::LIBELLE_JETON_MAX};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A sign-in POST with extra headers.
async fn connexion_avec(app: &axum::Router, champs: &[(&str, &str)], entetes: &[(&str, &str)]) -> Reponse {
    let mut r = Request::post("/connexion").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (n, v) in entetes {
        r = r.header(*n, *v);
    }
    envoyer(app, r.body(Body::from(corps_formulaire(champs))).unwrap()).await
}

fn location(r: &Reponse) -> &str {
    r.entetes
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn le_retour_apres_connexion_reste_dans_l_application() {
    let (app, _, _) = app_demo().await;
    let (email, mdp) = compte_demo("ddets");
    // `/\t/hote` is read by browsers as `//hote`, another site; `/\x01` made no valid header.
    for retour in [
        "/\t/127.0.0.2:18999/",
        "/\n/exemple.fr",
        "/\u{1}",
        "/contrats//exemple.fr",
        "/\\exemple.fr",
    ] {
        let r = connexion_avec(
            &app,
            &[("email", email), ("mot_de_passe", mdp), ("retour", retour)],
            &[],
        )
        .await;
        assert_eq!(r.statut, StatusCode::SEE_OTHER, "{retour:?} : {}", r.corps);
        assert_eq!(location(&r), "/", "{retour:?}");
    }
    let r = connexion_avec(
        &app,
        &[
            ("email", email),
            ("mot_de_passe", mdp),
            ("retour", "/contrats?page=2"),
        ],
        &[],
    )
    .await;
    assert_eq!(location(&r), "/contrats?page=2");
    // The sign-in page keeps only a local return address, and never answers 500.
    for uri in [
        "/connexion?retour=/%01",
        "/connexion?retour=/%09/127.0.0.2:18999/",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.statut, StatusCode::OK, "{uri}");
        assert!(!r.corps.contains("127.0.0.2"), "{uri}");
    }
}

#[tokio::test]
async fn une_connexion_envoyee_par_un_autre_site_est_refusee() {
    let (app, _, _) = app_demo().await;
    let (email, mdp) = compte_demo("ddets");
    let champs = [("email", email), ("mot_de_passe", mdp)];
    for entetes in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "https://attaquant.example"), ("host", "pacte.example")][..],
        &[("origin", "null"), ("host", "pacte.example")][..],
    ] {
        let r = connexion_avec(&app, &champs, entetes).await;
        assert_eq!(r.statut, StatusCode::FORBIDDEN, "{entetes:?}");
        assert!(cookie_de(&r).is_none(), "{entetes:?}");
        assert!(
            r.corps.contains("ne provient pas d&#39;une page de Pacte"),
            "{}",
            r.corps
        );
    }
    // What a browser sends from the sign-in page itself.
    let r = connexion_avec(
        &app,
        &champs,
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://pacte.example"),
            ("host", "pacte.example"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert!(cookie_de(&r).is_some());
    // An older browser: Origin only, the application's own.
    let r = connexion_avec(
        &app,
        &champs,
        &[
            ("origin", "http://pacte.example:8080"),
            ("host", "pacte.example:8080"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
}

/// Burst of `n` simultaneous sign-ins on one fresh account from one address: `n - 1` wrong
/// passwords, then the right one. Returns the attempts recorded for the account, in order
/// (true: success).
async fn rafale(app: &axum::Router, base: &pacte_store::Base, url: &str, n: usize, ip: &str) -> Vec<bool> {
    let email = format!("rafale.{n}.{ip}@test.pacte.example");
    let bon = "le bon mot de passe, assez long";
    base.creer_utilisateur(
        &pacte_store::comptes::NouvelUtilisateur {
            email: email.clone(),
            nom: "Rafale".into(),
            hash_mot_de_passe: Some(mot_de_passe::hacher(bon, Cout::Test)),
            role: "ddets".into(),
            perimetre: "departement:13".into(),
        },
        "test",
    )
    .await
    .unwrap();
    let depart = Arc::new(tokio::sync::Barrier::new(n));
    let mut taches = Vec::new();
    for i in 0..n {
        let (app, depart, email) = (app.clone(), depart.clone(), email.clone());
        let mdp = if i == n - 1 {
            bon.to_string()
        } else {
            format!("faux {i}")
        };
        let pair: SocketAddr = format!("{ip}:40000").parse().unwrap();
        taches.push(tokio::spawn(async move {
            let r = Request::post("/connexion")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .extension(ConnectInfo(pair))
                .body(Body::from(corps_formulaire(&[
                    ("email", &email),
                    ("mot_de_passe", &mdp),
                ])))
                .unwrap();
            depart.wait().await;
            envoyer(&app, r).await.statut
        }));
    }
    for t in taches {
        let s = t.await.unwrap();
        assert!(s == StatusCode::SEE_OTHER || s == StatusCode::UNAUTHORIZED, "{s}");
    }
    let pool = sqlx::sqlite::SqlitePool::connect(url).await.unwrap();
    let lignes: Vec<(i64,)> =
        sqlx::query_as("SELECT reussie FROM tentatives_connexion WHERE cle = ?1 ORDER BY id")
            .bind(format!("compte:{email}"))
            .fetch_all(&pool)
            .await
            .unwrap();
    lignes.into_iter().map(|(r,)| r == 1).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn une_rafale_simultanee_n_obtient_pas_plus_d_echecs_que_permis() {
    let (app, base, _, url) = app_demo_et_adresse(pacte_web::Options::default()).await;
    for (k, n) in [10usize, 20, 40, 20, 40].into_iter().enumerate() {
        let tentatives = rafale(&app, &base, &url, n, &format!("198.51.100.{}", k + 1)).await;
        assert_eq!(tentatives.len(), n, "every attempt is recorded");
        // The right password may win only while fewer than ECHECS_MAX failures precede it.
        if let Some(i) = tentatives.iter().position(|r| *r) {
            let echecs_avant = tentatives[..i].iter().filter(|r| !**r).count();
            assert!(
                echecs_avant < ECHECS_MAX as usize,
                "rafale de {n} : le bon mot de passe accepté après {echecs_avant} échecs (au plus {} permis)",
                ECHECS_MAX - 1
            );
        }
        eprintln!(
            "rafale de {n} : {} échecs, bon mot de passe {}",
            tentatives.iter().filter(|r| !**r).count(),
            if tentatives.contains(&true) {
                "accepté à temps"
            } else {
                "refusé (compte bloqué)"
            }
        );
    }
}

#[tokio::test]
async fn les_pages_et_l_api_ne_sont_pas_gardees_en_cache() {
    let (app, base, _) = app_demo().await;
    let (email, mdp) = compte_demo("ddets");
    let s = connecter(&app, email, mdp).await;
    for uri in ["/", "/contrats", "/compte/jetons"] {
        let r = get_connecte(&app, &s, uri).await;
        assert_eq!(r.statut, StatusCode::OK, "{uri}");
        assert_eq!(r.entetes[header::CACHE_CONTROL], "no-store", "{uri}");
    }
    let api = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let r = get(&api, "/api/v1/contrats").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(r.entetes[header::CACHE_CONTROL], "no-store");
    // The embedded assets keep their caching.
    let r = get(&app, "/statique/pacte.css").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(r.entetes[header::CACHE_CONTROL], "public, max-age=86400");
}

#[tokio::test]
async fn une_collectivite_vide_est_refusee_par_l_api() {
    let (app, base, _) = app_demo().await;
    let api = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let r = envoyer_json(
        &api,
        "POST",
        "/api/v1/contrats",
        &serde_json::json!({"contrat": {"collectivite": ""}}),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    let j = r.json();
    assert_eq!(j["champ"], "contrat.collectivite", "{j}");
    assert!(
        j["message"]
            .as_str()
            .unwrap()
            .contains("la collectivité est vide"),
        "{j}"
    );
}

#[tokio::test]
async fn jetons_et_textes_des_comptes_bornes() {
    let (app, base, _) = app_demo().await;
    let (email, mdp) = compte_demo("ddets");
    let s = connecter(&app, email, mdp).await;
    let long = "L".repeat(LIBELLE_JETON_MAX + 1);
    let r =
        post_formulaire_connecte(&app, &s, "/compte/jetons", &[("libelle", &long), ("jours", "30")]).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.corps
            .contains("Le libellé du jeton est trop long : 201 caractères pour 200 au plus.")
    );
    // The typed label is shown back cut to the limit.
    assert!(!r.corps.contains(&long) && r.corps.contains(&long[1..]));
    let juste = "J".repeat(LIBELLE_JETON_MAX);
    for _ in 0..JETONS_ACTIFS_MAX {
        let r = post_formulaire_connecte(
            &app,
            &s,
            "/compte/jetons",
            &[("libelle", &juste), ("jours", "30")],
        )
        .await;
        assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    }
    let r = post_formulaire_connecte(
        &app,
        &s,
        "/compte/jetons",
        &[("libelle", "un de trop"), ("jours", "30")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.corps.contains("Vous avez déjà 20 jetons actifs"), "{}", r.corps);
    // The store refuses as well (another process, the command line).
    let id = base.utilisateur_par_email(email).await.unwrap().unwrap().id;
    let e = base
        .creer_jeton(id, "direct", &"a".repeat(64), "2999-01-01T00:00:00.000Z", "test")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("20 jetons actifs"), "{e}");
    let e = base
        .creer_jeton(id, &long, &"b".repeat(64), "2999-01-01T00:00:00.000Z", "test")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("trop long"), "{e}");
    // Account names: the store refuses what the pages refuse.
    let e = base
        .creer_utilisateur(
            &pacte_store::comptes::NouvelUtilisateur {
                email: "nom.long@test.pacte.example".into(),
                nom: "N".repeat(pacte_web::comptes::NOM_MAX + 1),
                hash_mot_de_passe: None,
                role: "aucun".into(),
                perimetre: "aucun".into(),
            },
            "test",
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("le nom est trop long"), "{e}");
    // Revoked tokens pile up (20 + 3 × 20 = 80); the page lists the active ones (none) and the
    // 50 most recent others, and says that 30 are not listed.
    for j in base.jetons_de(id).await.unwrap() {
        base.revoquer_jeton(j.id, "test").await.unwrap();
    }
    for _ in 0..3 {
        for _ in 0..JETONS_ACTIFS_MAX {
            post_formulaire_connecte(
                &app,
                &s,
                "/compte/jetons",
                &[("libelle", &juste), ("jours", "30")],
            )
            .await;
        }
        for j in base.jetons_de(id).await.unwrap() {
            base.revoquer_jeton(j.id, "test").await.unwrap();
        }
    }
    let page = get_connecte(&app, &s, "/compte/jetons").await;
    let lignes = page.corps.matches(&juste).count();
    assert_eq!(
        lignes,
        pacte_web::comptes::pages::JETONS_AFFICHES,
        "libellés affichés"
    );
    assert!(
        page.corps
            .contains("30 jetons plus anciens, révoqués ou expirés, ne le sont pas"),
        "{}",
        page.corps
    );
}

// ---------------------------------------------------------------------------------------------
// Slow and numerous connections, against the real server on a socket.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn les_clients_lents_sont_deconnectes_et_le_plafond_tient() {
    let (app, _, _) = app_demo().await;
    let ecoute = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let adresse = ecoute.local_addr().unwrap();
    let limites = pacte_web::LimitesServeur {
        delai_entetes: Duration::from_millis(800),
        connexions_max: 4,
    };
    let (arreter, arret) = tokio::sync::oneshot::channel::<()>();
    let serveur = tokio::spawn(pacte_web::servir_application(ecoute, app, limites, async {
        let _ = arret.await;
    }));

    // Twelve clients send the start of a request and never finish its headers: three times
    // the cap.
    let debut = Instant::now();
    let mut lents = Vec::new();
    for _ in 0..12 {
        let mut c = tokio::net::TcpStream::connect(adresse).await.unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nHost: pacte\r\nX-Lent: ")
            .await
            .unwrap();
        lents.push(c);
    }
    // A normal request still gets its answer: slow clients are dropped at the header timeout
    // and free their places.
    let mut c = tokio::net::TcpStream::connect(adresse).await.unwrap();
    c.write_all(b"GET /connexion HTTP/1.1\r\nHost: pacte\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut reponse = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), c.read_to_end(&mut reponse))
        .await
        .expect("réponse dans les 10 s malgré les clients lents")
        .unwrap();
    assert!(
        reponse.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&reponse[..40.min(reponse.len())])
    );
    eprintln!(
        "requête normale servie en {:?} derrière 12 clients lents (plafond 4, délai 800 ms)",
        debut.elapsed()
    );
    // Every slow client is disconnected: the server closes its socket (EOF or reset).
    for mut c in lents {
        let mut tampon = [0u8; 512];
        let fin = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match c.read(&mut tampon).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(fin.is_ok(), "client lent encore connecté après 10 s");
    }
    let ecoule = debut.elapsed();
    eprintln!("12 clients lents déconnectés en {ecoule:?}");
    // 12 clients, 4 at a time, 800 ms each: about 2.4 s; never the 80 s seen without a timeout.
    assert!(ecoule < Duration::from_secs(10), "{ecoule:?}");

    // An idle kept-alive connection is closed too.
    let mut c = tokio::net::TcpStream::connect(adresse).await.unwrap();
    c.write_all(b"GET /connexion HTTP/1.1\r\nHost: pacte\r\n\r\n")
        .await
        .unwrap();
    let inactive = Instant::now();
    let mut tout = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), c.read_to_end(&mut tout))
        .await
        .expect("connexion inactive fermée")
        .ok();
    assert!(tout.starts_with(b"HTTP/1.1 200"));
    eprintln!(
        "connexion gardée ouverte sans requête fermée après {:?}",
        inactive.elapsed()
    );

    arreter.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), serveur)
        .await
        .expect("arrêt")
        .unwrap()
        .unwrap();
}
