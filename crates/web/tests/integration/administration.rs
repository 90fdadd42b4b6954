//! User administration: national administrators list, filter, create and edit accounts,
//! assign roles and scopes; the last administrator is kept; everyone else gets 403.

use crate::commun::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pacte_store::Base;
use pacte_store::audit::EntreeAudit;

const LISTE: &str = "/administration/utilisateurs";

/// The demonstration application acting as a new national administrator: (app, base, contract
/// ids, administrator's id, administrator's e-mail).
async fn en_administrateur() -> (Router, Router, Base, Vec<i64>, i64, String) {
    let (brut, base, ids) = app_demo().await;
    let (app, id, email) = en_tant_que_compte(&brut, &base, "administrateur_national", "national").await;
    (brut, app, base, ids, id, email)
}

async fn dernier_audit(base: &Base) -> EntreeAudit {
    base.journal(1, 100_000).await.unwrap().pop().expect("une entrée")
}

async fn nombre_d_entrees(base: &Base) -> usize {
    base.journal(1, 100_000).await.unwrap().len()
}

/// The fields of a form sent.
type Champs<'a> = &'a [(&'a str, &'a str)];

/// The hidden version field of an account form.
fn version_de(html: &str) -> String {
    let motif = "name=\"version\" id=\"version\" value=\"";
    let i = html.find(motif).expect("champ version") + motif.len();
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn liste_filtres_et_recherche() {
    let (_, app, base, _, _, _) = en_administrateur().await;
    let agent = base
        .creer_utilisateur(
            &pacte_store::comptes::NouvelUtilisateur {
                email: "agent.inconnu@interieur.gouv.fr".into(),
                nom: "Agent Inconnu".into(),
                hash_mot_de_passe: None,
                role: "aucun".into(),
                perimetre: "aucun".into(),
            },
            "proconnect",
        )
        .await
        .unwrap();
    let (ddets, _) = compte_demo("ddets");
    let ancien = base.utilisateur_par_email(ddets).await.unwrap().unwrap();
    base.desactiver_utilisateur(ancien.id, "test").await.unwrap();

    let r = get(&app, LISTE).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let p = &r.corps;
    for c in pacte_web::demo::COMPTES {
        assert!(p.contains(c.email), "{}", c.email);
    }
    assert!(p.contains("agent.inconnu@interieur.gouv.fr"));
    // The role and the scope in French, with the territory's name.
    assert!(p.contains("Collectivité (éditeur)"));
    assert!(p.contains("Métropole d&#39;Aix-Marseille-Provence (200054807)"));
    assert!(p.contains("région Provence-Alpes-Côte d&#39;Azur (93)"));
    assert!(p.contains("département Bouches-du-Rhône (13)"));
    // Waiting accounts: the demonstration one and the agent, counted, first in the filter.
    assert!(p.contains("En attente d&#39;habilitation (2)"), "{p}");
    assert!(p.contains("2 comptes en attente d&#39;habilitation"));
    let i_attente = p.find("En attente d&#39;habilitation (2)").unwrap();
    let i_ddets = p.find(">DDETS</option>").unwrap();
    assert!(i_attente < i_ddets, "en attente d'abord");
    // A link to each account, and to the creation form.
    assert!(p.contains(&format!("href=\"{LISTE}/{}\"", agent.id)));
    assert!(p.contains(&format!("href=\"{LISTE}/nouveau\"")));
    assert!(p.contains("Créer un compte"));
    // The one who last changed an account, and when.
    assert!(p.contains("par ProConnect (première connexion)"));

    let r = get(&app, &format!("{LISTE}?role=aucun&etat=actifs")).await;
    assert!(r.corps.contains("agent.inconnu@interieur.gouv.fr"));
    assert!(r.corps.contains("aucun@demo.pacte.example"));
    assert!(!r.corps.contains("ddets13@demo.pacte.example"));
    assert!(r.corps.contains("2 comptes."));

    let r = get(&app, &format!("{LISTE}?etat=inactifs")).await;
    assert!(r.corps.contains("ddets13@demo.pacte.example"));
    assert!(!r.corps.contains("editeur.amp@demo.pacte.example"));
    assert!(r.corps.contains("1 compte."));

    let r = get(&app, &format!("{LISTE}?etat=actifs")).await;
    assert!(!r.corps.contains("ddets13@demo.pacte.example"));

    // Search on the address or the name, whatever the case.
    let r = get(&app, &format!("{LISTE}?q=COMMISSAIRE")).await;
    assert!(r.corps.contains("commissaire.paca@demo.pacte.example"));
    assert!(!r.corps.contains("lecteur.amp@demo.pacte.example"));
    let r = get(&app, &format!("{LISTE}?q=inconnu")).await;
    assert!(r.corps.contains("agent.inconnu@interieur.gouv.fr"));
    assert!(r.corps.contains("1 compte."));
    let r = get(&app, &format!("{LISTE}?q=personne-de-ce-nom")).await;
    assert!(r.corps.contains("Aucun compte ne correspond."));
    // An unknown role filter shows everything.
    let r = get(&app, &format!("{LISTE}?role=roi")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("administrateur@demo.pacte.example"));
}

#[tokio::test]
async fn creation_d_un_compte() {
    let (brut, app, base, ids, admin_id, admin_email) = en_administrateur().await;
    let r = get(&app, &format!("{LISTE}/nouveau")).await;
    assert_eq!(r.statut, StatusCode::OK);
    for attendu in [
        "name=\"csrf\"",
        "name=\"email\"",
        "name=\"role\"",
        "Provence-Alpes-Côte d&#39;Azur (93)",
        "Bouches-du-Rhône (13)",
        "Métropole d&#39;Aix-Marseille-Provence — SIREN 200054807",
        "name=\"organisation\"",
        "name=\"mot_de_passe\"",
    ] {
        assert!(r.corps.contains(attendu), "{attendu}");
    }

    // A ProConnect-only DDETS of the Bouches-du-Rhône.
    let r = post_formulaire(
        &app,
        &format!("{LISTE}/nouveau"),
        &[
            ("email", " Nouvelle.Agente@Social.Gouv.FR "),
            ("nom", "Nouvelle Agente"),
            ("role", "ddets"),
            ("region", "11"),
            ("departement", "13"),
            ("mot_de_passe", ""),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let c = base
        .utilisateur_par_email("nouvelle.agente@social.gouv.fr")
        .await
        .unwrap()
        .expect("compte créé");
    assert_eq!(
        r.entetes[header::LOCATION].to_str().unwrap(),
        format!("{LISTE}/{}?cree=1", c.id)
    );
    assert_eq!(
        (c.role.as_str(), c.perimetre.as_str()),
        ("ddets", "departement:13")
    );
    assert_eq!(c.hash_mot_de_passe, None);
    assert!(c.actif);
    // Audited under the administrator.
    let e = dernier_audit(&base).await;
    assert_eq!(
        (e.entite.as_str(), e.operation.as_str()),
        ("utilisateur", "creation")
    );
    assert_eq!(e.acteur, format!("utilisateur:{admin_id}:{admin_email}"));
    assert_eq!(c.modifie_par, e.acteur);
    let r = get(&app, &format!("{LISTE}/{}?cree=1", c.id)).await;
    assert!(r.corps.contains("Compte créé."));
    assert!(r.corps.contains("par ProConnect seulement"));

    // With an initial password: the person signs in with it and reads their contract.
    let r = post_formulaire(
        &app,
        &format!("{LISTE}/nouveau"),
        &[
            ("email", "redactrice@ampmetropole.fr"),
            ("nom", "Rédactrice AMP"),
            ("role", "collectivite_editeur"),
            ("collectivite", "200054807"),
            ("mot_de_passe", "un mot de passe assez long"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let s = connecter(&brut, "redactrice@ampmetropole.fr", "un mot de passe assez long").await;
    let r = get_connecte(&brut, &s, &format!("/contrats/{}", ids[0])).await;
    assert_eq!(r.statut, StatusCode::OK);

    // A partner, and a collectivity outside the list by its SIREN.
    for (email, champs) in [
        (
            "caf13@exemple.fr",
            vec![
                ("role", "partenaire"),
                ("organisation", " CAF des Bouches-du-Rhône "),
            ],
        ),
        (
            "ami@exemple.fr",
            vec![("role", "collectivite_lecteur"), ("siren", "200 054 807")],
        ),
    ] {
        let mut tous = vec![("email", email), ("nom", "Quelqu'un")];
        tous.extend(champs);
        let r = post_formulaire(&app, &format!("{LISTE}/nouveau"), &tous).await;
        assert_eq!(r.statut, StatusCode::SEE_OTHER, "{email} : {}", r.corps);
    }
    let caf = base
        .utilisateur_par_email("caf13@exemple.fr")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(caf.perimetre, "organisation:CAF des Bouches-du-Rhône");
    let ami = base
        .utilisateur_par_email("ami@exemple.fr")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ami.perimetre, "collectivite:200054807");
}

#[tokio::test]
async fn saisie_refusee_422_sans_rien_ecrire() {
    let (_, app, base, _, _, _) = en_administrateur().await;
    let comptes = base.utilisateurs().await.unwrap().len();
    let entrees = nombre_d_entrees(&base).await;
    let cas: &[(Champs, &str, &str)] = &[
        (
            &[
                ("email", "pas-une-adresse"),
                ("nom", "Nom gardé"),
                ("role", "aucun"),
            ],
            "email",
            "Adresse électronique : « pas-une-adresse » n&#39;est pas une adresse valide",
        ),
        (
            &[
                ("email", "ddets13@demo.pacte.example"),
                ("nom", "Nom gardé"),
                ("role", "aucun"),
            ],
            "email",
            "un compte existe déjà pour l&#39;adresse ddets13@demo.pacte.example",
        ),
        (
            &[("email", "x@exemple.fr"), ("nom", "  "), ("role", "aucun")],
            "nom",
            "Nom : Le nom est vide",
        ),
        (
            &[("email", "x@exemple.fr"), ("nom", "Nom gardé"), ("role", "roi")],
            "role",
            "Rôle : Le rôle « roi » n&#39;existe pas",
        ),
        (
            &[
                ("email", "x@exemple.fr"),
                ("nom", "Nom gardé"),
                ("role", "commissaire"),
            ],
            "region",
            "Région : le rôle « Commissaire » s&#39;exerce sur une région ; choisissez la région.",
        ),
        (
            &[
                ("email", "x@exemple.fr"),
                ("nom", "Nom gardé"),
                ("role", "ddets"),
                ("departement", "99"),
            ],
            "departement",
            "Département : Le département « 99 » n&#39;existe pas",
        ),
        (
            &[
                ("email", "x@exemple.fr"),
                ("nom", "Nom gardé"),
                ("role", "collectivite_editeur"),
                ("siren", "123456789"),
            ],
            "siren",
            "SIREN : La collectivité « 123456789 » n&#39;est pas dans la liste de Pacte",
        ),
        (
            &[
                ("email", "x@exemple.fr"),
                ("nom", "Nom gardé"),
                ("role", "partenaire"),
            ],
            "organisation",
            "Organisation partenaire : le rôle « Partenaire »",
        ),
        (
            &[
                ("email", "x@exemple.fr"),
                ("nom", "Nom gardé"),
                ("role", "aucun"),
                ("mot_de_passe", "court"),
            ],
            "mot_de_passe",
            "Mot de passe initial : Le mot de passe doit compter au moins 12 caractères",
        ),
    ];
    for (champs, champ, message) in cas {
        let r = post_formulaire(&app, &format!("{LISTE}/nouveau"), champs).await;
        assert_eq!(
            r.statut,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{champ} : {}",
            r.corps
        );
        assert!(
            r.corps.contains(message),
            "{champ} : « {message} » absent\n{}",
            r.corps
        );
        assert!(r.corps.contains(&format!("href=\"#{champ}\"")), "{champ}");
        assert!(r.corps.contains(&format!("id=\"{champ}-erreur\"")), "{champ}");
        // What was typed is kept (never the password).
        if *champ != "nom" {
            assert!(r.corps.contains("value=\"Nom gardé\""), "{champ}");
        }
        assert!(!r.corps.contains("value=\"court\""));
    }
    assert_eq!(
        base.utilisateurs().await.unwrap().len(),
        comptes,
        "aucun compte créé"
    );
    assert_eq!(nombre_d_entrees(&base).await, entrees, "rien d'écrit au journal");
}

/// A ProConnect agent's account, with no rights, gets a role: they read their territory's
/// contract at once.
#[tokio::test]
async fn attribuer_un_role_a_un_compte_sans_droit() {
    let (brut, app, base, ids, admin_id, admin_email) = en_administrateur().await;
    let (agent, agent_id, _) = en_tant_que_compte(&brut, &base, "aucun", "aucun").await;
    let amp = format!("/contrats/{}", ids[0]);
    assert_eq!(get(&agent, &amp).await.statut, StatusCode::NOT_FOUND);
    let accueil = get(&agent, "/").await;
    assert!(accueil.corps.contains("Votre compte n'a pas encore de droits"));
    assert!(
        accueil
            .corps
            .contains("Un administrateur national de Pacte doit vous attribuer un rôle")
    );
    assert!(!accueil.corps.contains("Contrats par état"));
    assert!(!accueil.corps.contains("href=\"/contrats\""));

    let fiche = get(&app, &format!("{LISTE}/{agent_id}")).await;
    assert_eq!(fiche.statut, StatusCode::OK);
    assert!(fiche.corps.contains("name=\"csrf\""));
    let version = version_de(&fiche.corps);
    assert_eq!(version, "1");
    let r = post_formulaire(
        &app,
        &format!("{LISTE}/{agent_id}"),
        &[
            ("nom", "Agent de la métropole"),
            ("role", "collectivite_lecteur"),
            ("collectivite", "200054807"),
            ("actif", "oui"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(
        r.entetes[header::LOCATION].to_str().unwrap(),
        format!("{LISTE}/{agent_id}?enregistre=1")
    );
    let c = base.utilisateur(agent_id).await.unwrap();
    assert_eq!(
        (c.nom.as_str(), c.role.as_str(), c.perimetre.as_str(), c.version),
        (
            "Agent de la métropole",
            "collectivite_lecteur",
            "collectivite:200054807",
            2
        )
    );
    let e = dernier_audit(&base).await;
    assert_eq!(
        (e.entite.as_str(), e.entite_id.clone(), e.operation.as_str()),
        ("utilisateur", agent_id.to_string(), "modification")
    );
    assert_eq!(e.acteur, format!("utilisateur:{admin_id}:{admin_email}"));

    // The same session now reads the contract of its collectivity, and no other.
    assert_eq!(get(&agent, &amp).await.statut, StatusCode::OK);
    assert_eq!(
        get(&agent, &format!("/contrats/{}", ids[2])).await.statut,
        StatusCode::NOT_FOUND
    );
    assert!(get(&agent, "/").await.corps.contains("Contrats par état"));
    let r = get(&app, &format!("{LISTE}/{agent_id}?enregistre=1")).await;
    assert!(r.corps.contains("Modifications enregistrées."));
}

#[tokio::test]
async fn version_perimee_409() {
    let (_, app, base, _, admin_id, admin_email) = en_administrateur().await;
    let (lecteur, _) = compte_demo("collectivite_lecteur");
    let c = base.utilisateur_par_email(lecteur).await.unwrap().unwrap();
    let champs = |nom: &'static str| {
        vec![
            ("nom", nom),
            ("role", "collectivite_lecteur"),
            ("collectivite", "200054807"),
            ("actif", "oui"),
            ("version", "1"),
        ]
    };
    let r = post_formulaire(&app, &format!("{LISTE}/{}", c.id), &champs("Premier nom")).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let entrees = nombre_d_entrees(&base).await;
    // A second form loaded at version 1.
    let r = post_formulaire(&app, &format!("{LISTE}/{}", c.id), &champs("Second nom")).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(r.corps.contains("Ce compte a été modifié pendant votre saisie"));
    assert!(
        // The author by name and e-mail, never the stored key.
        r.corps.contains(&format!(
            "Test administrateur_national ({admin_email}) l&#39;a modifié le "
        )),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("rien n&#39;a été enregistré"));
    // What was typed is kept, over the current version.
    assert!(r.corps.contains("value=\"Second nom\""));
    assert_eq!(version_de(&r.corps), "2");
    let stocke = base.utilisateur(c.id).await.unwrap();
    assert_eq!((stocke.nom.as_str(), stocke.version), ("Premier nom", 2));
    assert_eq!(nombre_d_entrees(&base).await, entrees);
    assert_eq!(
        stocke.modifie_par,
        format!("utilisateur:{admin_id}:{admin_email}")
    );

    // Edition refused at the edge: 422, nothing written.
    let r = post_formulaire(
        &app,
        &format!("{LISTE}/{}", c.id),
        &[
            ("nom", "Nom gardé"),
            ("role", "ddets"),
            ("departement", ""),
            ("actif", "peut-être"),
            ("version", "2"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.corps
            .contains("Département : le rôle « DDETS » s&#39;exerce sur un département")
    );
    assert!(
        r.corps
            .contains("État du compte : choisissez « Actif » ou « Désactivé ».")
    );
    assert!(r.corps.contains("value=\"Nom gardé\""));
    assert_eq!(base.utilisateur(c.id).await.unwrap(), stocke);
    // An unknown account.
    assert_eq!(
        get(&app, &format!("{LISTE}/99999")).await.statut,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &format!("{LISTE}/abc")).await.statut,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn le_dernier_administrateur_reste() {
    let (_, app, base, _, admin_id, _) = en_administrateur().await;
    // The demonstration administrator deactivated: the test one is the last.
    let (demo, _) = compte_demo("administrateur_national");
    let demo = base.utilisateur_par_email(demo).await.unwrap().unwrap();
    base.desactiver_utilisateur(demo.id, "test").await.unwrap();
    let soi = |role: &'static str, actif: &'static str| {
        vec![
            ("nom", "Moi-même"),
            ("role", role),
            ("departement", "13"),
            ("actif", actif),
            ("version", "1"),
        ]
    };
    let entrees = nombre_d_entrees(&base).await;
    let r = post_formulaire(&app, &format!("{LISTE}/{admin_id}"), &soi("ddets", "oui")).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(
        r.corps.contains("est le dernier administrateur national actif"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("href=\"#role\""));
    let r = post_formulaire(
        &app,
        &format!("{LISTE}/{admin_id}"),
        &soi("administrateur_national", "non"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.corps
            .contains("vous ne pouvez pas désactiver votre propre compte")
    );
    assert_eq!(nombre_d_entrees(&base).await, entrees);
    assert_eq!(base.utilisateur(admin_id).await.unwrap().version, 1);

    // With the demonstration administrator back, the test one may step down.
    let r = post_formulaire(
        &app,
        &format!("{LISTE}/{}", demo.id),
        &[
            ("nom", &demo.nom),
            ("role", "administrateur_national"),
            ("actif", "oui"),
            ("version", &(demo.version + 1).to_string()),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let r = post_formulaire(&app, &format!("{LISTE}/{admin_id}"), &soi("ddets", "oui")).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(r.entetes[header::LOCATION], "/");
    assert_eq!(get(&app, LISTE).await.statut, StatusCode::FORBIDDEN);
    assert_eq!(base.compter_administrateurs_actifs().await.unwrap(), 1);
}

#[tokio::test]
async fn les_autres_roles_403() {
    let (brut, base, _) = app_demo().await;
    let cible = base
        .utilisateur_par_email(compte_demo("aucun").0)
        .await
        .unwrap()
        .unwrap();
    let entrees = nombre_d_entrees(&base).await;
    for c in pacte_web::demo::COMPTES
        .iter()
        .filter(|c| c.role != "administrateur_national")
    {
        let app = en_tant_que(&brut, &base, c.role, c.perimetre).await;
        for uri in [
            LISTE.to_string(),
            format!("{LISTE}/nouveau"),
            format!("{LISTE}/{}", cible.id),
        ] {
            let r = get(&app, &uri).await;
            assert_eq!(r.statut, StatusCode::FORBIDDEN, "GET {uri} — {}", c.role);
            assert!(r.corps.contains("Gérer les utilisateurs"), "{}", r.corps);
        }
        let r = post_formulaire(
            &app,
            &format!("{LISTE}/{}", cible.id),
            &[
                ("nom", "Pirate"),
                ("role", "administrateur_national"),
                ("actif", "oui"),
                ("version", "1"),
            ],
        )
        .await;
        assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", c.role);
        let r = post_formulaire(
            &app,
            &format!("{LISTE}/nouveau"),
            &[
                ("email", "pirate@exemple.fr"),
                ("nom", "Pirate"),
                ("role", "administrateur_national"),
            ],
        )
        .await;
        assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", c.role);
        // No link to the administration in their header, no count on their dashboard.
        let accueil = get(&app, "/").await.corps;
        assert!(!accueil.contains(&format!("href=\"{LISTE}\"")), "{}", c.role);
        assert!(!accueil.contains("en attente d&#39;habilitation"), "{}", c.role);
    }
    assert_eq!(base.utilisateur(cible.id).await.unwrap(), cible);
    assert!(
        base.utilisateur_par_email("pirate@exemple.fr")
            .await
            .unwrap()
            .is_none()
    );
    // Only the test accounts and their tokens were written.
    let ecrites: Vec<_> = base.journal(1, 100_000).await.unwrap()[entrees..]
        .iter()
        .filter(|e| e.acteur != "test")
        .map(|e| e.acteur.clone())
        .collect();
    assert!(ecrites.is_empty(), "{ecrites:?}");
}

#[tokio::test]
async fn menu_et_tableau_de_bord_de_l_administrateur() {
    let (_, app, _, _, _, _) = en_administrateur().await;
    let r = get(&app, "/").await;
    assert!(r.corps.contains(&format!("href=\"{LISTE}\"")));
    assert!(r.corps.contains(">Utilisateurs</a>"));
    // The demonstration account with no rights is waiting.
    assert!(r.corps.contains(&format!(
        "<a href=\"{LISTE}?role=aucun&amp;etat=actifs\">1 compte en attente d&#39;habilitation</a>"
    )));
    let r = get(&app, LISTE).await;
    assert!(
        r.corps
            .contains(&format!("href=\"{LISTE}\" aria-current=\"page\""))
    );
}

/// The forms carry the session's token; a form without it is refused and writes nothing.
#[tokio::test]
async fn csrf_exige() {
    let (app, base, _) = app_demo().await;
    let (email, mdp) = compte_demo("administrateur_national");
    let s = connecter(&app, email, mdp).await;
    let page = get_connecte(&app, &s, &format!("{LISTE}/nouveau")).await;
    assert_eq!(csrf_de(&page.corps).as_deref(), Some(s.csrf.as_str()));
    let champs = [
        ("email", "sans-jeton@exemple.fr"),
        ("nom", "Sans jeton"),
        ("role", "aucun"),
    ];
    let r = envoyer(
        &app,
        Request::post(format!("{LISTE}/nouveau"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &s.cookie)
            .body(Body::from(corps_formulaire(&champs)))
            .unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    assert!(r.corps.contains("Ce formulaire a expiré"));
    let mut faux = vec![("csrf", "faux")];
    faux.extend(champs);
    let r = envoyer(
        &app,
        Request::post(format!("{LISTE}/nouveau"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &s.cookie)
            .body(Body::from(corps_formulaire(&faux)))
            .unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    assert!(
        base.utilisateur_par_email("sans-jeton@exemple.fr")
            .await
            .unwrap()
            .is_none()
    );
    // With the token: created.
    let r = post_formulaire_connecte(&app, &s, &format!("{LISTE}/nouveau"), &champs).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert!(
        base.utilisateur_par_email("sans-jeton@exemple.fr")
            .await
            .unwrap()
            .is_some()
    );
}
