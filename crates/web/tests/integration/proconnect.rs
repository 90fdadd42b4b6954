//! The ProConnect client end to end, against an OpenID Connect provider started by the test on
//! 127.0.0.1 (tests/fournisseur_oidc) that signs real RS256 tokens.

use crate::fournisseur_oidc::{
    CLIENT_ID, CLIENT_SECRET, EmpreinteAcces, Fournisseur, KID_PRINCIPALE, KID_SECONDE, Reglages, SUJET,
    Signature, URL_RETOUR, naviguer,
};
use pacte_web::proconnect::{
    ClientProConnect, ConfigProConnect, ErreurOidc, EtatConnexion, EtatsEnAttente, Identite, defi_pkce,
};
use serde_json::json;

fn config(fournisseur: &Fournisseur) -> ConfigProConnect {
    ConfigProConnect::new(fournisseur.url_decouverte(), CLIENT_ID, CLIENT_SECRET, URL_RETOUR)
}

/// A provider with `reglages` and a client that discovered it.
async fn preparer(reglages: Reglages) -> (Fournisseur, ClientProConnect) {
    let fournisseur = Fournisseur::demarrer(reglages).await;
    let client = ClientProConnect::decouvrir(config(&fournisseur))
        .await
        .expect("découverte du fournisseur de test");
    (fournisseur, client)
}

/// A whole login: start, the agent's round trip to the provider, end.
async fn connexion(client: &ClientProConnect) -> Result<Identite, ErreurOidc> {
    let (url, etat) = client.debut_connexion();
    let (code, state) = naviguer(&url).await;
    client.fin_connexion(&etat, &state, &code).await
}

async fn echec(reglages: Reglages) -> ErreurOidc {
    let (_fournisseur, client) = preparer(reglages).await;
    connexion(&client).await.unwrap_err()
}

#[tokio::test]
async fn connexion_reussie() {
    let (fournisseur, client) = preparer(Reglages::default()).await;
    assert_eq!(client.emetteur(), fournisseur.emetteur);

    let (url, etat) = client.debut_connexion();
    let (code, state) = naviguer(&url).await;
    let demande = fournisseur.journal(|j| j.derniere_autorisation.clone());
    assert_eq!(demande["response_type"], "code");
    assert_eq!(demande["client_id"], CLIENT_ID);
    assert_eq!(demande["redirect_uri"], URL_RETOUR);
    assert_eq!(demande["scope"], "openid email given_name usual_name");
    assert_eq!(demande["state"], etat.state);
    assert_eq!(demande["nonce"], etat.nonce);
    assert_eq!(demande["code_challenge"], defi_pkce(&etat.verifier_pkce));
    assert_eq!(demande["code_challenge_method"], "S256");
    assert!(!demande.contains_key("acr_values"));
    assert!(!url.contains(CLIENT_SECRET) && !url.contains(&etat.verifier_pkce));
    assert_eq!(state, etat.state);

    let identite = client.fin_connexion(&etat, &state, &code).await.unwrap();
    assert_eq!(identite.sujet, SUJET);
    assert_eq!(identite.email, "camille.durand@exemple.gouv.fr");
    assert_eq!(identite.prenom.as_deref(), Some("Camille"));
    assert_eq!(identite.nom.as_deref(), Some("Durand"));
    assert_eq!(identite.jeton_id.split('.').count(), 3);
    assert!(!format!("{identite:?}").contains(&identite.jeton_id));
    // The ID token had no e-mail: userinfo (plain JSON here) gave it.
    assert_eq!(fournisseur.journal(|j| j.appels_infos), 1);
    assert_eq!(fournisseur.journal(|j| j.authentifications.clone()), ["post"]);
    // Logout at the provider.
    let deconnexion = client
        .url_deconnexion(&identite.jeton_id, "https://pacte.test/", "etat-sortie")
        .unwrap();
    assert!(deconnexion.starts_with(&format!("{}/session/end?id_token_hint=", fournisseur.emetteur)));
    assert!(deconnexion.contains("post_logout_redirect_uri=https%3A%2F%2Fpacte.test%2F"));
}

#[tokio::test]
async fn connexion_reussie_avec_infos_signees() {
    let (fournisseur, client) = preparer(Reglages {
        infos_signees: true,
        ..Reglages::default()
    })
    .await;
    let identite = connexion(&client).await.unwrap();
    assert_eq!(identite.email, "camille.durand@exemple.gouv.fr");
    assert_eq!(identite.nom.as_deref(), Some("Durand"));
    assert_eq!(fournisseur.journal(|j| j.appels_infos), 1);
}

#[tokio::test]
async fn identite_dans_le_jeton_et_secret_en_basic() {
    let fournisseur = Fournisseur::demarrer(Reglages {
        identite_dans_jeton: true,
        methodes_authentification: vec!["client_secret_basic"],
        ..Reglages::default()
    })
    .await;
    let mut config = config(&fournisseur);
    config.acr_values = Some("eidas1".into());
    // The issuer's address is accepted in place of the discovery address.
    config.url_decouverte = fournisseur.emetteur.clone();
    let client = ClientProConnect::decouvrir(config).await.unwrap();
    let identite = connexion(&client).await.unwrap();
    assert_eq!(identite.email, "camille.durand@exemple.gouv.fr");
    assert_eq!(identite.prenom.as_deref(), Some("Camille"));
    assert_eq!(fournisseur.journal(|j| j.appels_infos), 0, "userinfo inutile");
    assert_eq!(fournisseur.journal(|j| j.authentifications.clone()), ["basic"]);
    assert_eq!(
        fournisseur.journal(|j| j.derniere_autorisation["acr_values"].clone()),
        "eidas1"
    );
}

#[tokio::test]
async fn signature_invalide() {
    let erreur = echec(Reglages {
        signature: Signature::AutreCle,
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::SignatureInvalide);
    assert_eq!(erreur.to_string(), "signature du jeton invalide");
}

#[tokio::test]
async fn signature_invalide_des_infos_signees() {
    // The ID token is signed right, the signed userinfo answer is not.
    let erreur = echec(Reglages {
        infos_signees: true,
        signature_infos: Some(Signature::AutreCle),
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::SignatureInvalide);
    assert_eq!(erreur.to_string(), "signature du jeton invalide");
}

#[tokio::test]
async fn audience_incorrecte() {
    let erreur = echec(Reglages {
        audience: json!(["un-autre-service"]),
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::AudienceIncorrecte);
    assert_eq!(erreur.to_string(), "audience du jeton incorrecte");
}

#[tokio::test]
async fn jeton_expire() {
    let erreur = echec(Reglages {
        decalage_exp: -3600,
        decalage_iat: -3900,
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::JetonExpire);
    assert_eq!(erreur.to_string(), "jeton expiré");
}

#[tokio::test]
async fn jeton_emis_dans_le_futur() {
    let erreur = echec(Reglages {
        decalage_iat: 3600,
        decalage_exp: 3900,
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur.to_string(), "jeton émis dans le futur");
}

#[tokio::test]
async fn emetteur_incorrect() {
    let erreur = echec(Reglages {
        emetteur_jeton: Some("https://faux-fournisseur.test/api/v2".into()),
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur.to_string(), "émetteur du jeton incorrect");
}

#[tokio::test]
async fn nonce_incorrect() {
    let erreur = echec(Reglages {
        nonce: Some("nonce-d-une-autre-connexion".into()),
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::NonceIncorrect);
    assert_eq!(erreur.to_string(), "nonce du jeton incorrect");
}

#[tokio::test]
async fn etat_rejoue() {
    let (_fournisseur, client) = preparer(Reglages::default()).await;
    let etats = EtatsEnAttente::<()>::default();
    let (url, etat) = client.debut_connexion();
    etats.garder("127.0.0.1", etat, ()).unwrap();
    let (code, state) = naviguer(&url).await;
    let identite = client
        .fin_connexion_en_attente(&etats, &state, &code)
        .await
        .unwrap();
    assert_eq!(identite.sujet, SUJET);

    // Same state again, even with a fresh and valid code from the provider: refused.
    let (code_neuf, meme_state) = naviguer(&url).await;
    assert_eq!(meme_state, state);
    let erreur = client
        .fin_connexion_en_attente(&etats, &meme_state, &code_neuf)
        .await
        .unwrap_err();
    assert_eq!(erreur, ErreurOidc::EtatInconnu);
    assert_eq!(erreur.to_string(), "état de connexion inconnu ou rejoué");
}

#[tokio::test]
async fn etat_different_refuse() {
    let (_fournisseur, client) = preparer(Reglages::default()).await;
    let (url, etat) = client.debut_connexion();
    let (code, _) = naviguer(&url).await;
    let (_, autre_etat) = client.debut_connexion();
    // A return that carries another login's state (CSRF).
    let erreur = client
        .fin_connexion(&etat, &autre_etat.state, &code)
        .await
        .unwrap_err();
    assert_eq!(erreur.to_string(), "état de connexion inconnu ou rejoué");
    // A state that was never issued.
    let etats = EtatsEnAttente::<()>::default();
    let erreur = client
        .fin_connexion_en_attente(&etats, "inconnu", &code)
        .await
        .unwrap_err();
    assert_eq!(erreur, ErreurOidc::EtatInconnu);
}

#[tokio::test]
async fn verificateur_pkce_incorrect() {
    let (_fournisseur, client) = preparer(Reglages::default()).await;
    let (url, etat) = client.debut_connexion();
    let (code, state) = naviguer(&url).await;
    let faux = EtatConnexion {
        verifier_pkce: client.aleatoire_base64url(),
        ..etat
    };
    let erreur = client.fin_connexion(&faux, &state, &code).await.unwrap_err();
    assert_eq!(erreur, ErreurOidc::EchangeRefuse("invalid_grant".into()));
    assert_eq!(
        erreur.to_string(),
        "le fournisseur d'identité a refusé l'échange du code d'autorisation (invalid_grant)"
    );
}

#[tokio::test]
async fn code_rejoue_refuse_par_le_fournisseur() {
    let (_fournisseur, client) = preparer(Reglages::default()).await;
    let (url, etat) = client.debut_connexion();
    let (code, state) = naviguer(&url).await;
    client.fin_connexion(&etat, &state, &code).await.unwrap();
    let erreur = client.fin_connexion(&etat, &state, &code).await.unwrap_err();
    assert_eq!(erreur, ErreurOidc::EchangeRefuse("invalid_grant".into()));
}

#[tokio::test]
async fn mauvais_secret_refuse() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let mut config = config(&fournisseur);
    config.client_secret = "mauvais-secret".into();
    let client = ClientProConnect::decouvrir(config).await.unwrap();
    let erreur = connexion(&client).await.unwrap_err();
    assert_eq!(erreur, ErreurOidc::EchangeRefuse("invalid_client".into()));
    assert!(!erreur.to_string().contains("mauvais-secret"));
    assert!(!format!("{client:?}").contains("mauvais-secret"));
}

#[tokio::test]
async fn cle_inconnue_recharge_le_jwks() {
    let (fournisseur, client) = preparer(Reglages::default()).await;
    assert_eq!(fournisseur.journal(|j| j.appels_jwks), 1);
    connexion(&client).await.unwrap();
    assert_eq!(fournisseur.journal(|j| j.appels_jwks), 1, "clés en cache");

    // Rotation: the provider now signs with a new key, published alongside the old one.
    fournisseur.regler(|r| {
        r.kid_actif = KID_SECONDE;
        r.kids_publies = vec![KID_PRINCIPALE, KID_SECONDE];
    });
    let identite = connexion(&client).await.unwrap();
    assert_eq!(identite.sujet, SUJET);
    assert_eq!(fournisseur.journal(|j| j.appels_jwks), 2, "JWKS rechargé");
    connexion(&client).await.unwrap();
    assert_eq!(fournisseur.journal(|j| j.appels_jwks), 2);
}

#[tokio::test]
async fn cle_non_publiee_refusee_apres_rechargement() {
    // Tokens signed with a key the provider does not publish, even after a reload.
    let (fournisseur, client) = preparer(Reglages {
        kid_actif: KID_SECONDE,
        kids_publies: vec![KID_PRINCIPALE],
        ..Reglages::default()
    })
    .await;
    let erreur = connexion(&client).await.unwrap_err();
    assert_eq!(erreur, ErreurOidc::CleInconnue);
    assert_eq!(
        erreur.to_string(),
        "clé de signature du jeton inconnue du fournisseur"
    );
    assert_eq!(fournisseur.journal(|j| j.appels_jwks), 2, "un seul rechargement");
}

#[tokio::test]
async fn algorithme_none_refuse() {
    let erreur = echec(Reglages {
        signature: Signature::Aucune,
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::AlgorithmeRefuse("none".into()));
    assert_eq!(
        erreur.to_string(),
        "algorithme de signature du jeton refusé (none)"
    );
}

#[tokio::test]
async fn algorithme_hs256_refuse() {
    let erreur = echec(Reglages {
        signature: Signature::Hs256,
        ..Reglages::default()
    })
    .await;
    assert_eq!(
        erreur.to_string(),
        "algorithme de signature du jeton refusé (HS256)"
    );
}

#[tokio::test]
async fn infos_d_un_autre_agent_refusees() {
    for infos_signees in [false, true] {
        let erreur = echec(Reglages {
            sujet_infos: Some("agent-9999".into()),
            infos_signees,
            ..Reglages::default()
        })
        .await;
        assert_eq!(erreur, ErreurOidc::SujetIncoherent, "signées : {infos_signees}");
        assert_eq!(
            erreur.to_string(),
            "les informations de l'agent ne correspondent pas au jeton d'identité"
        );
    }
}

#[tokio::test]
async fn emetteur_incoherent_a_la_decouverte() {
    let fournisseur = Fournisseur::demarrer(Reglages {
        emetteur_annonce: Some("https://faux-fournisseur.test/api/v2".into()),
        ..Reglages::default()
    })
    .await;
    let erreur = ClientProConnect::decouvrir(config(&fournisseur))
        .await
        .unwrap_err();
    assert_eq!(erreur, ErreurOidc::EmetteurIncoherent);
    assert_eq!(
        erreur.to_string(),
        "l'émetteur annoncé par le fournisseur d'identité ne correspond pas à l'adresse de découverte"
    );
}

#[tokio::test]
async fn fournisseur_injoignable() {
    // A port of 127.0.0.1 that nobody listens on any more.
    let ecoute = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let adresse = ecoute.local_addr().unwrap();
    drop(ecoute);
    let config = ConfigProConnect::new(
        format!("http://{adresse}/api/v2/.well-known/openid-configuration"),
        CLIENT_ID,
        CLIENT_SECRET,
        URL_RETOUR,
    );
    let erreur = ClientProConnect::decouvrir(config).await.unwrap_err();
    assert_eq!(erreur, ErreurOidc::FournisseurInjoignable);
    assert_eq!(
        erreur.to_string(),
        "le fournisseur d'identité ProConnect est injoignable"
    );
}

#[test]
fn types_utilisables_dans_les_gestionnaires_axum() {
    fn partageable<T: Send + Sync + 'static>() {}
    fn envoyable<F: std::future::Future + Send>(f: F) -> F {
        f
    }
    partageable::<ClientProConnect>();
    partageable::<EtatsEnAttente>();
    // The futures may run on any worker thread (type-checked, never run).
    let _ = |client: &'static ClientProConnect, etats: &'static EtatsEnAttente| {
        envoyable(client.fin_connexion_en_attente(etats, "", ""))
    };
    let _ = |config: ConfigProConnect| envoyable(ClientProConnect::decouvrir(config));
}

/// `acr_values` asked: the level the ID token states must be one of them.
#[tokio::test]
async fn niveau_d_authentification_verifie() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let avec_acr = |acr: &str| {
        let mut c = config(&fournisseur);
        c.acr_values = Some(acr.into());
        c
    };
    // The provider answers `eidas1`.
    let client = ClientProConnect::decouvrir(avec_acr("eidas1 eidas2"))
        .await
        .unwrap();
    assert_eq!(
        connexion(&client).await.unwrap().email,
        "camille.durand@exemple.gouv.fr"
    );
    assert_eq!(
        fournisseur.journal(|j| j.derniere_autorisation["acr_values"].clone()),
        "eidas1 eidas2"
    );
    let client = ClientProConnect::decouvrir(avec_acr("eidas2")).await.unwrap();
    let e = connexion(&client).await.unwrap_err();
    assert_eq!(e, ErreurOidc::NiveauInsuffisant("eidas1".into()));
    assert_eq!(
        e.to_string(),
        "niveau d'authentification insuffisant (« eidas1 » reçu, autre niveau exigé)"
    );
    // No `acr` at all in the token.
    fournisseur.regler(|r| r.acr = "");
    let e = connexion(&client).await.unwrap_err();
    assert_eq!(e, ErreurOidc::NiveauInsuffisant("inconnu".into()));
}

// ----- Laxities a client must not have (each accepted before it was fixed) -----

#[tokio::test]
async fn plusieurs_audiences_exigent_azp() {
    // `aud: [other, client]` without `azp`: issued for another party too, refused.
    let erreur = echec(Reglages {
        audience: json!(["un-autre-service", CLIENT_ID]),
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::AudienceIncorrecte);
    // …and with `azp` naming another client.
    let erreur = echec(Reglages {
        audience: json!(["un-autre-service", CLIENT_ID]),
        azp: Some("un-autre-service".into()),
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::AudienceIncorrecte);
    // With `azp` naming this client: accepted.
    let (_f, client) = preparer(Reglages {
        audience: json!(["un-autre-service", CLIENT_ID]),
        azp: Some(CLIENT_ID.into()),
        ..Reglages::default()
    })
    .await;
    assert_eq!(connexion(&client).await.unwrap().sujet, SUJET);
}

#[tokio::test]
async fn jeton_pas_encore_valide() {
    let erreur = echec(Reglages {
        decalage_nbf: Some(3600),
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::JetonPasEncoreValide);
    assert_eq!(erreur.to_string(), "jeton pas encore valide (nbf)");
    // A `nbf` of now is fine.
    let (_f, client) = preparer(Reglages {
        decalage_nbf: Some(0),
        ..Reglages::default()
    })
    .await;
    assert!(connexion(&client).await.is_ok());
}

#[tokio::test]
async fn jeton_emis_il_y_a_trop_longtemps() {
    // Issued an hour ago, valid for another 5 minutes: a replayed token.
    let erreur = echec(Reglages {
        decalage_iat: -3600,
        decalage_exp: 300,
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::JetonTropAncien);
    assert_eq!(erreur.to_string(), "jeton émis il y a trop longtemps");
}

#[tokio::test]
async fn at_hash_incorrect_refuse() {
    let erreur = echec(Reglages {
        at_hash: EmpreinteAcces::Fausse,
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::EmpreinteJetonAccesIncorrecte);
    assert_eq!(
        erreur.to_string(),
        "le jeton d'accès ne correspond pas au jeton d'identité (at_hash)"
    );
    // Without `at_hash` (allowed in the code flow): accepted.
    let (_f, client) = preparer(Reglages {
        at_hash: EmpreinteAcces::Absente,
        ..Reglages::default()
    })
    .await;
    assert!(connexion(&client).await.is_ok());
}

#[tokio::test]
async fn infos_signees_sans_emetteur_ni_audience_refusees() {
    let erreur = echec(Reglages {
        infos_signees: true,
        infos_sans_emetteur_ni_audience: true,
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::EmetteurIncorrect);
}

#[tokio::test]
async fn remplissage_base64_refuse() {
    let erreur = echec(Reglages {
        remplissage_base64: true,
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::JetonMalforme);
}

#[tokio::test]
async fn revendication_en_double_refusee() {
    // `email` twice: read as the second by some readers, as the first by others.
    let erreur = echec(Reglages {
        identite_dans_jeton: true,
        revendication_en_double: Some(("email", json!("administrateur@pacte.test"))),
        ..Reglages::default()
    })
    .await;
    assert_eq!(erreur, ErreurOidc::JetonMalforme);
    assert_eq!(erreur.to_string(), "jeton d'identité malformé");
}

#[tokio::test]
async fn cle_inconnue_rechargement_limite() {
    // Tokens naming a key the provider does not publish, one after another: the keys are
    // reloaded once (the first time), not at every token.
    let (fournisseur, client) = preparer(Reglages {
        kid_actif: KID_SECONDE,
        kids_publies: vec![KID_PRINCIPALE],
        ..Reglages::default()
    })
    .await;
    for _ in 0..5 {
        assert_eq!(connexion(&client).await.unwrap_err(), ErreurOidc::CleInconnue);
    }
    assert_eq!(
        fournisseur.journal(|j| j.appels_jwks),
        2,
        "découverte, puis un seul rechargement"
    );
    // The keys already known still serve meanwhile.
    fournisseur.regler(|r| r.kid_actif = KID_PRINCIPALE);
    assert!(connexion(&client).await.is_ok());
}
