//! The application's frame: static files, unknown addresses, the demonstration banner.

/// The identity these tests act as (see `crate::commun::en_tant_que`).
const ROLE: &str = "administrateur_national";
const PERIMETRE: &str = "national";

use crate::commun::*;
use axum::http::StatusCode;

#[tokio::test]
async fn fichiers_statiques_embarques() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/statique/dsfr/dsfr.min.css").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(r.type_contenu, "text/css; charset=utf-8");
    assert!(r.corps.len() > 100_000, "la feuille du DSFR est servie entière");
    let r = get(&app, "/statique/dsfr/fonts/Marianne-Regular.woff2").await;
    assert_eq!(
        (r.statut, r.type_contenu.as_str()),
        (StatusCode::OK, "font/woff2")
    );
    let r = get(&app, "/statique/dsfr/dsfr.module.min.js").await;
    assert_eq!(r.type_contenu, "text/javascript; charset=utf-8");
    // Every icon the DSFR stylesheet references is embedded.
    let css = get(&app, "/statique/dsfr/dsfr.min.css").await.corps;
    for morceau in css.split("url(icons/").skip(1) {
        let chemin = &morceau[..morceau.find(')').unwrap()];
        let r = get(&app, &format!("/statique/dsfr/icons/{chemin}")).await;
        assert_eq!(r.statut, StatusCode::OK, "icône {chemin}");
    }
    // Every utility icon a template uses has its rule (in the DSFR sheet or in pacte.css),
    // and the image that rule names is embedded: a missing one shows as a filled square.
    let pacte_css = get(&app, "/statique/pacte.css").await.corps;
    let gabarits = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")).unwrap();
    let mut icones = std::collections::BTreeSet::new();
    for g in gabarits {
        let texte = std::fs::read_to_string(g.unwrap().path()).unwrap();
        for morceau in texte.split("fr-icon-").skip(1) {
            let nom: String = morceau
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            icones.insert(nom);
        }
    }
    assert!(icones.contains("lock-line"), "{icones:?}");
    for nom in &icones {
        let regle = format!(".fr-icon-{nom}::before");
        let regle_dsfr = format!(".fr-icon-{nom}:before");
        assert!(
            pacte_css.contains(&regle) || css.contains(&regle_dsfr),
            "icône fr-icon-{nom} sans règle CSS"
        );
    }
    for morceau in pacte_css.split("url(/statique/").skip(1) {
        let chemin = &morceau[..morceau.find(')').unwrap()];
        let r = get(&app, &format!("/statique/{chemin}")).await;
        assert_eq!(r.statut, StatusCode::OK, "image {chemin} de pacte.css");
    }
    assert_eq!(
        get(&app, "/statique/absent.css").await.statut,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/statique/../Cargo.toml").await.statut,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn adresse_inconnue_page_francaise() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/nulle-part").await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
    assert!(r.type_contenu.starts_with("text/html"));
    assert!(r.corps.contains("Page introuvable") && r.corps.contains("ne correspond à aucune page"));
    assert!(r.corps.contains("lang=\"fr\""));
}

#[tokio::test]
async fn bandeau_de_demonstration() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/nulle-part").await;
    assert!(
        !r.corps.contains("Données de démonstration"),
        "les pages d'erreur n'ont pas l'état"
    );
    let r = get(&app, "/referentiel").await;
    assert!(r.corps.contains("Données de démonstration"), "{}", r.statut);
}

#[tokio::test]
async fn page_de_reference_des_tests_de_charge() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    assert_eq!(
        get(&app, "/banc/reference.html").await.statut,
        StatusCode::NOT_FOUND
    );
    let options = pacte_web::Options {
        page_reference: Some(std::sync::Arc::new(b"<p>ref</p>".to_vec())),
        ..Default::default()
    };
    let app = pacte_web::application(base, options);
    let r = get(&app, "/banc/reference.html").await;
    assert_eq!((r.statut, r.corps.as_str()), (StatusCode::OK, "<p>ref</p>"));
}

/// The contract page is cached; a write through the application shows at once, a write by
/// another process (another handle on the same base) within the cache's freshness delay.
#[tokio::test]
async fn cache_de_la_page_contrat_jamais_perime() {
    let (base, url) = base_neuve_et_adresse().await;
    let ids = pacte_web::demo::charger(&base).await.unwrap();
    let app = pacte_web::application(base.clone(), pacte_web::Options::default());
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let id = ids[0];
    let avant = get(&app, &format!("/contrats/{id}")).await;
    assert_eq!(avant.statut, StatusCode::OK);
    assert_eq!(
        get(&app, &format!("/contrats/{id}")).await.corps,
        avant.corps,
        "page servie depuis le cache"
    );

    // A write through the same handle (as the application's forms do): visible at once.
    let lu = base.contrat(id).await.unwrap();
    let mut entete = lu.contrat.contrat.clone();
    entete.intitule = Some("Intitulé modifié par la même application".into());
    base.modifier_entete(id, &entete, lu.tampon.version, "test", |_| Ok(()))
        .await
        .unwrap();
    assert!(
        get(&app, &format!("/contrats/{id}"))
            .await
            .corps
            .contains("Intitulé modifié par la même application")
    );

    // A write by another process: a second handle on the same file.
    let autre = pacte_store::Base::ouvrir(&url).await.unwrap();
    let lu = autre.contrat(id).await.unwrap();
    let mut entete = lu.contrat.contrat.clone();
    entete.intitule = Some("Intitulé modifié par un autre processus".into());
    autre
        .modifier_entete(id, &entete, lu.tampon.version, "autre", |_| Ok(()))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    assert!(
        get(&app, &format!("/contrats/{id}"))
            .await
            .corps
            .contains("Intitulé modifié par un autre processus")
    );
}

/// Every response — page, API, static file, error — carries the security headers; HSTS only
/// when the application is declared served over HTTPS.
#[tokio::test]
async fn entetes_de_securite_partout() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    for uri in [
        "/",
        &format!("/contrats/{}", ids[0]),
        "/api/v1/contrats",
        "/statique/pacte.css",
        "/nulle-part",
        "/api/v1/nulle-part",
    ] {
        let r = get(&app, uri).await;
        let h = |n: &str| {
            r.entetes
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let csp = h("content-security-policy");
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{uri} : {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{uri}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(h("referrer-policy"), "same-origin", "{uri}");
        assert_eq!(
            h("strict-transport-security"),
            "",
            "{uri} : pas de HSTS sans HTTPS"
        );
    }
    let app = pacte_web::application(
        base,
        pacte_web::Options {
            https: true,
            ..Default::default()
        },
    );
    let r = get(&app, "/").await;
    assert!(r.entetes.get("strict-transport-security").is_some());
}
