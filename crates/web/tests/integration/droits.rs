//! The authorization matrix: every route of the application (pages and API) × every role ×
//! a contract in the role's territory and one outside it → the expected answer. The
//! expectation of a contract route comes from `pacte_core::droits::decider` for the action
//! the route performs, so this test checks that every handler asks the permission model, for
//! the right action, and answers its decision (200/3xx/409/422 allowed, 403, 404). A route of
//! the router missing from [`ROUTES`] fails the test. Then cross-territory checks written by
//! hand.

use crate::commun::{Reponse, app_demo, en_tant_que, envoyer};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pacte_core::contrat::EtatContrat;
use pacte_core::droits::{Action, Cible, Decision, Habilitation, Role, TerritoireLu, decider};
use pacte_core::echanges::{ActionEchange, decider_echange};
use pacte_web::comptes::lire_habilitation;

/// What a route asks the permission model.
#[derive(Debug, Clone, Copy)]
enum Attendu {
    /// Served to everyone, signed in or not.
    Public,
    /// Any signed-in user (their own account).
    Connecte,
    /// `Action` on the contract of the address.
    Contrat(Action),
    /// The contract's header page: modify it, or take one of its lifecycle steps.
    EnTete,
    /// Creating a contract of the scope's collectivity at the state of the file sent.
    Importer,
    /// Creating a draft contract of the scope's collectivity (the creation form).
    Creer,
    /// The creation form: offered to whoever may create a draft of their own collectivity.
    FormulaireCreation,
    /// The référentiel and the territories (and the filtered lists).
    Referentiel,
    /// The administration of the accounts.
    GererUtilisateurs,
    /// The audit log.
    LireJournal,
    /// An exchange action on the contract of the address (`pacte_core::echanges`).
    Echange(ActionEchange),
    /// Undo a lifecycle step: whoever may take some step of the contract.
    Etapes,
    /// Attach a document: whoever may modify the contract or take one of its steps.
    Joindre,
    /// The consolidation of France or of region 93 (`Habilitation::portee_consolidation`).
    Consolidation,
    /// A step of the contract's campaign named in the body: whoever may enter, instruct or
    /// reopen it.
    EtapeCampagne,
    /// Opening a campaign.
    OuvrirCampagne,
    /// The regional synthesis note: the commissaire (their region) and the national roles.
    Synthese,
    /// Writing the synthesis note's text: the commissaire (their region) and the national
    /// administrator (`pacte_core::campagne::textes::decider_synthese`).
    EcrireSynthese,
}

use Attendu::*;

/// Every route: method, path (API paths with their prefix), what it asks.
const ROUTES: &[(&str, &str, Attendu)] = &[
    ("GET", "/connexion", Public),
    ("POST", "/connexion", Public),
    ("GET", "/connexion/proconnect", Public),
    ("GET", "/connexion/proconnect/retour", Public),
    ("GET", "/deconnexion", Connecte),
    ("POST", "/deconnexion", Connecte),
    ("GET", "/compte/mot-de-passe", Connecte),
    ("POST", "/compte/mot-de-passe", Connecte),
    ("GET", "/compte/proconnect", Connecte),
    ("POST", "/compte/proconnect", Connecte),
    ("GET", "/compte/jetons", Connecte),
    ("POST", "/compte/jetons", Connecte),
    ("POST", "/compte/jetons/{id}/revoquer", Connecte),
    ("GET", "/", Referentiel),
    ("GET", "/referentiel", Referentiel),
    ("GET", "/territoires", Referentiel),
    ("GET", "/contrats", Referentiel),
    ("GET", "/contrats/{id}", Contrat(Action::Lire)),
    ("GET", "/contrats/nouveau", FormulaireCreation),
    ("POST", "/contrats/nouveau", Creer),
    ("GET", "/contrats/{id}/modifier", EnTete),
    ("POST", "/contrats/{id}/modifier", Contrat(Action::Modifier)),
    ("POST", "/contrats/{id}/etat", Contrat(Action::Valider)),
    ("GET", "/contrats/{id}/fiches/nouvelle", Contrat(Action::Modifier)),
    (
        "POST",
        "/contrats/{id}/fiches/nouvelle",
        Contrat(Action::Modifier),
    ),
    ("GET", "/contrats/{id}/fiches/{numero}", Contrat(Action::Lire)),
    (
        "GET",
        "/contrats/{id}/fiches/{numero}/modifier",
        Contrat(Action::Modifier),
    ),
    (
        "POST",
        "/contrats/{id}/fiches/{numero}/modifier",
        Contrat(Action::Modifier),
    ),
    (
        "POST",
        "/contrats/{id}/fiches/{numero}/supprimer",
        Contrat(Action::Modifier),
    ),
    (
        "GET",
        "/contrats/{id}/fiches/{numero}/derogation",
        Contrat(Action::AccorderDerogation),
    ),
    (
        "POST",
        "/contrats/{id}/fiches/{numero}/derogation",
        Contrat(Action::AccorderDerogation),
    ),
    ("POST", "/contrats/import", Importer),
    ("POST", "/contrats/import/confirmer", Importer),
    ("GET", "/contrats/{id}/fichier", Contrat(Action::Lire)),
    ("GET", "/contrats/{id}/historique", Contrat(Action::Lire)),
    ("GET", "/contrats/{id}/echanges", Echange(ActionEchange::Lire)),
    ("POST", "/contrats/{id}/echanges", Echange(ActionEchange::Ecrire)),
    (
        "GET",
        "/contrats/{id}/fiches/{numero}/echanges",
        Echange(ActionEchange::Lire),
    ),
    (
        "POST",
        "/contrats/{id}/fiches/{numero}/echanges",
        Echange(ActionEchange::Ecrire),
    ),
    (
        "POST",
        "/contrats/{id}/demandes",
        Echange(ActionEchange::DemanderCorrection),
    ),
    (
        "POST",
        "/contrats/{id}/demandes/{demande}",
        Echange(ActionEchange::Repondre),
    ),
    // The step's form: {etape} is « validation » here.
    ("GET", "/contrats/{id}/etapes/{etape}", Contrat(Action::Valider)),
    ("POST", "/contrats/{id}/etapes/{etape}", Contrat(Action::Valider)),
    ("POST", "/contrats/{id}/annuler-etape", Etapes),
    ("POST", "/contrats/{id}/pieces", Joindre),
    // {piece}: the document attached to the contract by the test (same number).
    ("GET", "/contrats/{id}/pieces/{piece}", Contrat(Action::Lire)),
    ("GET", "/contrats/{id}/finances", Contrat(Action::Lire)),
    (
        "GET",
        "/contrats/{id}/tableaux/{table}/{annee}/{format}",
        Contrat(Action::Lire),
    ),
    (
        "POST",
        "/contrats/{id}/bilan",
        Contrat(Action::DeclarerRealisations),
    ),
    (
        "POST",
        "/contrats/{id}/bilan/appliquer",
        Contrat(Action::DeclarerRealisations),
    ),
    (
        "POST",
        "/contrats/{id}/finances/versement",
        Contrat(Action::EnregistrerFinancesEtat),
    ),
    (
        "POST",
        "/contrats/{id}/finances/realisation",
        Contrat(Action::DeclarerRealisations),
    ),
    (
        "POST",
        "/contrats/{id}/finances/notification-axe",
        Contrat(Action::EnregistrerFinancesEtat),
    ),
    (
        "POST",
        "/contrats/{id}/finances/notification-fiche",
        Contrat(Action::EnregistrerFinancesEtat),
    ),
    (
        "POST",
        "/contrats/{id}/finances/avenant",
        Contrat(Action::EnregistrerFinancesEtat),
    ),
    (
        "POST",
        "/contrats/{id}/finances/report",
        Contrat(Action::EnregistrerFinancesEtat),
    ),
    (
        "POST",
        "/contrats/{id}/finances/reduction/decision",
        Contrat(Action::EnregistrerFinancesEtat),
    ),
    (
        "POST",
        "/contrats/{id}/finances/reduction/justification",
        Contrat(Action::DeclarerRealisations),
    ),
    ("GET", "/campagnes", Connecte),
    ("POST", "/campagnes", OuvrirCampagne),
    ("GET", "/contrats/{id}/campagnes/{annee}", Contrat(Action::Lire)),
    (
        "POST",
        "/contrats/{id}/campagnes/{annee}/valeurs",
        Contrat(Action::SaisirCampagne),
    ),
    (
        "POST",
        "/contrats/{id}/campagnes/{annee}/transition",
        EtapeCampagne,
    ),
    (
        "GET",
        "/contrats/{id}/campagnes/{annee}/tableur/{format}",
        Contrat(Action::Lire),
    ),
    (
        "POST",
        "/contrats/{id}/campagnes/{annee}/tableur",
        Contrat(Action::SaisirCampagne),
    ),
    ("GET", "/contrats/{id}/mi-parcours", Contrat(Action::Lire)),
    (
        "POST",
        "/contrats/{id}/mi-parcours/rapport",
        Contrat(Action::SaisirCampagne),
    ),
    (
        "POST",
        "/contrats/{id}/mi-parcours/decision",
        Contrat(Action::DeciderMiParcours),
    ),
    (
        "GET",
        "/contrats/{id}/campagnes/{annee}/rapport/{format}",
        Contrat(Action::Lire),
    ),
    (
        "GET",
        "/contrats/{id}/mi-parcours/document/{format}",
        Contrat(Action::Lire),
    ),
    ("GET", "/campagnes/{annee}/synthese/{format}", Synthese),
    (
        "POST",
        "/contrats/{id}/campagnes/{annee}/textes",
        Contrat(Action::SaisirCampagne),
    ),
    (
        "POST",
        "/contrats/{id}/mi-parcours/textes",
        Contrat(Action::SaisirCampagne),
    ),
    ("GET", "/campagnes/{annee}/synthese", Synthese),
    ("POST", "/campagnes/{annee}/synthese", EcrireSynthese),
    ("GET", "/contrats/{id}/document/{format}", Contrat(Action::Lire)),
    (
        "GET",
        "/contrats/{id}/avenants/{annee}/{format}",
        Contrat(Action::Lire),
    ),
    ("GET", "/aide/format-contrat", Connecte),
    ("GET", "/aide/modele-contrat.toml", Connecte),
    ("GET", "/aide/exemples/{nom}", Connecte),
    ("GET", "/administration/utilisateurs", GererUtilisateurs),
    ("GET", "/administration/utilisateurs/nouveau", GererUtilisateurs),
    ("POST", "/administration/utilisateurs/nouveau", GererUtilisateurs),
    ("GET", "/administration/utilisateurs/{id}", GererUtilisateurs),
    ("POST", "/administration/utilisateurs/{id}", GererUtilisateurs),
    (
        "POST",
        "/administration/utilisateurs/{id}/proconnect",
        GererUtilisateurs,
    ),
    ("GET", "/administration/journal", LireJournal),
    ("GET", "/administration/journal/{id}", LireJournal),
    ("GET", "/statique/{*chemin}", Public),
    ("GET", "/banc/reference.html", Public),
    ("GET", "/api/v1/openapi.json", Public),
    ("GET", "/api/v1/referentiel", Referentiel),
    ("GET", "/api/v1/territoires", Referentiel),
    ("GET", "/api/v1/contrats", Referentiel),
    ("POST", "/api/v1/contrats", Importer),
    ("GET", "/api/v1/contrats/{id}", Contrat(Action::Lire)),
    ("PUT", "/api/v1/contrats/{id}", Contrat(Action::Modifier)),
    ("GET", "/api/v1/contrats/{id}/constats", Contrat(Action::Lire)),
    ("GET", "/api/v1/contrats/{id}/actes", Contrat(Action::Lire)),
    ("POST", "/api/v1/contrats/{id}/actes", Contrat(Action::Valider)),
    ("GET", "/api/v1/contrats/{id}/fiches", Contrat(Action::Lire)),
    ("POST", "/api/v1/contrats/{id}/fiches", Contrat(Action::Modifier)),
    (
        "GET",
        "/api/v1/contrats/{id}/fiches/{numero}",
        Contrat(Action::Lire),
    ),
    (
        "PUT",
        "/api/v1/contrats/{id}/fiches/{numero}",
        Contrat(Action::Modifier),
    ),
    (
        "DELETE",
        "/api/v1/contrats/{id}/fiches/{numero}",
        Contrat(Action::Modifier),
    ),
    (
        "PUT",
        "/api/v1/contrats/{id}/fiches/{numero}/derogation",
        Contrat(Action::AccorderDerogation),
    ),
    (
        "DELETE",
        "/api/v1/contrats/{id}/fiches/{numero}/derogation",
        Contrat(Action::AccorderDerogation),
    ),
    (
        "GET",
        "/api/v1/contrats/{id}/messages",
        Echange(ActionEchange::Lire),
    ),
    (
        "POST",
        "/api/v1/contrats/{id}/messages",
        Echange(ActionEchange::Ecrire),
    ),
    (
        "GET",
        "/api/v1/contrats/{id}/demandes",
        Echange(ActionEchange::Lire),
    ),
    (
        "POST",
        "/api/v1/contrats/{id}/demandes",
        Echange(ActionEchange::DemanderCorrection),
    ),
    (
        "POST",
        "/api/v1/contrats/{id}/demandes/{demande}/reponse",
        Echange(ActionEchange::Repondre),
    ),
    (
        "POST",
        "/api/v1/contrats/{id}/demandes/{demande}/resolution",
        Echange(ActionEchange::Resoudre),
    ),
    (
        "GET",
        "/api/v1/contrats/{id}/tableaux/{table}/{annee}",
        Contrat(Action::Lire),
    ),
    ("GET", "/consolidation", Consolidation),
    (
        "GET",
        "/consolidation/donnees-ouvertes/indicateurs-nationaux.csv",
        Consolidation,
    ),
    ("GET", "/consolidation/tableaux/{tableau}/{format}", Consolidation),
    ("GET", "/consolidation/regions/{region}", Consolidation),
    (
        "GET",
        "/consolidation/regions/{region}/tableaux/{tableau}/{format}",
        Consolidation,
    ),
    ("GET", "/api/v1/consolidation", Consolidation),
    ("GET", "/api/v1/consolidation/regions/{region}", Consolidation),
    ("GET", "/api/v1/contrats/{id}/document", Contrat(Action::Lire)),
    ("GET", "/api/v1/campagnes", Connecte),
    ("POST", "/api/v1/campagnes", OuvrirCampagne),
    (
        "GET",
        "/api/v1/contrats/{id}/campagnes/{annee}",
        Contrat(Action::Lire),
    ),
    (
        "PUT",
        "/api/v1/contrats/{id}/campagnes/{annee}/valeurs",
        Contrat(Action::SaisirCampagne),
    ),
    (
        "POST",
        "/api/v1/contrats/{id}/campagnes/{annee}/transitions",
        EtapeCampagne,
    ),
    (
        "GET",
        "/api/v1/contrats/{id}/campagnes/{annee}/textes",
        Contrat(Action::Lire),
    ),
    (
        "PUT",
        "/api/v1/contrats/{id}/campagnes/{annee}/textes",
        Contrat(Action::SaisirCampagne),
    ),
];

const AMP: &str = include_str!("../../../../exemples/metropole-aix-marseille-provence.toml");
const MONTPELLIER: &str = include_str!("../../../../exemples/contrat-avec-erreurs.toml");

/// The demonstration accounts' habilitations, one per role.
fn roles() -> Vec<(&'static str, &'static str)> {
    // The first account of each role (the demonstration appends extra accounts after them).
    pacte_web::demo::COMPTES
        .iter()
        .take(Role::TOUS.len())
        .map(|c| (c.role, c.perimetre))
        .collect()
}

#[test]
fn chaque_route_du_routeur_est_dans_la_matrice() {
    let mut servies: Vec<(String, String)> = pacte_web::routes_pages()
        .into_iter()
        .map(|(m, c)| (m.to_string(), c.to_string()))
        .chain(
            pacte_web::api::routes_servies()
                .into_iter()
                .map(|(m, c)| (m.to_string(), format!("{}{c}", pacte_web::api::PREFIXE))),
        )
        .collect();
    let mut listees: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, c, _)| (m.to_string(), c.to_string()))
        .collect();
    servies.sort();
    listees.sort();
    assert_eq!(
        servies, listees,
        "chaque route du routeur doit avoir sa ligne dans ROUTES, et réciproquement"
    );
    assert_eq!(roles().len(), Role::TOUS.len(), "un compte par rôle");
}

/// The request a route gets for contract `id` of the collectivity `collectivite`, whose file
/// is `fichier`.
fn requete(methode: &str, chemin: &str, id: i64, collectivite: &str, fichier: &str) -> Request<Body> {
    // Revoking token 0 (none): the route's answer without touching the session's own token.
    // The account pages: account 1, the demonstration administrator (a stale, incomplete form
    // is refused and writes nothing).
    let id = if chemin.starts_with("/compte/jetons/") {
        0
    } else if chemin.starts_with("/administration/") {
        1
    } else {
        id
    };
    let uri = chemin
        .replace("{demande}", &demande_du_contrat(id).to_string())
        .replace("{id}", &id.to_string())
        .replace("{numero}", "1.1")
        .replace("{etape}", "validation")
        .replace("{piece}", &id.to_string())
        .replace("{table}", "bilan")
        .replace("{annee}", "2024")
        .replace("{format}", "xlsx")
        .replace("{region}", "93")
        .replace("{tableau}", "axes")
        .replace("{*chemin}", "pacte.css");
    let r = Request::builder().method(methode).uri(&uri);
    let formulaire = |champs: &[(&str, &str)]| r_form(methode, &uri, champs);
    if uri.starts_with("/api/") {
        let corps = match (methode, chemin) {
            ("POST", "/api/v1/contrats") => {
                serde_json::to_string(&pacte_core::fichier::lire_toml(fichier).unwrap()).unwrap()
            }
            ("PUT", "/api/v1/contrats/{id}") => {
                serde_json::to_string(&pacte_core::fichier::lire_toml(fichier).unwrap().contrat).unwrap()
            }
            ("POST", "/api/v1/contrats/{id}/actes") => serde_json::json!({"etape": "validation"}).to_string(),
            ("PUT", "/api/v1/contrats/{id}/fiches/{numero}/derogation") => serde_json::json!({
                "accordee_par": "Commissaire de la matrice",
                "date": "2024-01-10",
                "justification": "Offre insuffisante"
            })
            .to_string(),
            ("POST", p) if p.contains("/messages") || p.contains("/demandes") => {
                serde_json::json!({"texte": "Texte de la matrice"}).to_string()
            }
            ("POST" | "PUT", _) => {
                serde_json::json!({"numero": "4.9", "intitule": "Fiche de la matrice"}).to_string()
            }
            _ => String::new(),
        };
        // A stale version: an allowed write answers 409 (or its state's 409) and writes nothing.
        return r
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::IF_MATCH, "\"999\"")
            .body(Body::from(corps))
            .unwrap();
    }
    match (methode, chemin) {
        ("POST", "/contrats/import") => {
            let frontiere = "----matrice";
            let corps = format!(
                "--{frontiere}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"c.toml\"\r\n\r\n{fichier}\r\n--{frontiere}--\r\n"
            );
            r.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={frontiere}"),
            )
            .body(Body::from(corps))
            .unwrap()
        }
        ("POST", "/contrats/{id}/bilan") => {
            // No file: an allowed upload answers 422 and writes nothing.
            let frontiere = "----matrice";
            let corps = format!(
                "--{frontiere}\r\nContent-Disposition: form-data; name=\"annee\"\r\n\r\n2024\r\n--{frontiere}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n999\r\n--{frontiere}--\r\n"
            );
            r.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={frontiere}"),
            )
            .body(Body::from(corps))
            .unwrap()
        }
        ("POST", "/contrats/import/confirmer") => formulaire(&[("contenu", fichier)]),
        ("POST", "/contrats/nouveau") => formulaire(&[
            ("collectivite", collectivite),
            ("intitule", "Contrat de la matrice"),
            ("debut", "2024-01-01"),
            ("fin", "2027-12-31"),
        ]),
        ("POST", "/contrats/{id}/etat") => formulaire(&[("etat", "valide"), ("version", "999")]),
        ("POST", "/contrats/{id}/demandes/{demande}") => formulaire(&[
            ("action", "repondre"),
            ("version", "999"),
            ("texte", "Réponse de la matrice"),
        ]),
        ("POST", "/connexion") => formulaire(&[("email", "personne@exemple.fr"), ("mot_de_passe", "x")]),
        ("POST", "/compte/jetons") => formulaire(&[("libelle", "matrice"), ("jours", "1")]),
        ("POST", _) => formulaire(&[("version", "999"), ("confirmer", "oui")]),
        _ => r.body(Body::empty()).unwrap(),
    }
}

/// The correction request of the matrix on contract `id`: `matrice_des_autorisations` opens
/// one on each of its two contracts, in order (AMP, then Montpellier), in a fresh base.
fn demande_du_contrat(id: i64) -> i64 {
    if id == 1 { 1 } else { 2 }
}

fn r_form(methode: &str, uri: &str, champs: &[(&str, &str)]) -> Request<Body> {
    Request::builder()
        .method(methode)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(crate::commun::corps_formulaire(champs)))
        .unwrap()
}

/// The decision the route's answer must reflect.
fn decision(
    h: &Habilitation,
    attendu: Attendu,
    cible: &Cible,
    collectivite: &str,
    etat_fichier: EtatContrat,
) -> Decision {
    match attendu {
        Public | Connecte => Decision::Autorise,
        Referentiel => decider(h, Action::LireReferentiel, &Cible::Referentiel),
        GererUtilisateurs => decider(h, Action::GererUtilisateurs, &Cible::Utilisateurs),
        LireJournal => decider(h, Action::LireJournalAudit, &Cible::Journal),
        OuvrirCampagne => decider(h, Action::OuvrirCampagne, &Cible::Campagnes),
        Synthese
            if h.role() == Role::Commissaire || *h.perimetre() == pacte_core::droits::Perimetre::National =>
        {
            Decision::Autorise
        }
        Synthese => Decision::Interdit,
        EcrireSynthese => {
            let region = match h.perimetre() {
                pacte_core::droits::Perimetre::Region(r) => r.clone(),
                _ => "93".to_string(),
            };
            pacte_core::campagne::textes::decider_synthese(
                h,
                &region,
                pacte_core::campagne::textes::ActionSynthese::Ecrire,
            )
        }
        EtapeCampagne => {
            let etapes = [
                Action::SaisirCampagne,
                Action::InstruireCampagne,
                Action::RouvrirCampagne,
            ];
            let d: Vec<Decision> = etapes.iter().map(|a| decider(h, *a, cible)).collect();
            if d.contains(&Decision::Autorise) {
                Decision::Autorise
            } else {
                d[0]
            }
        }
        Echange(a) => decider_echange(h, a, cible),
        Consolidation => match h.portee_consolidation() {
            Some(TerritoireLu::Tout) => Decision::Autorise,
            Some(TerritoireLu::Region(r)) if r == "93" => Decision::Autorise,
            _ => Decision::Interdit,
        },
        Contrat(a) => decider(h, a, cible),
        Etapes | Joindre => {
            let lire = decider(h, Action::Lire, cible);
            if lire != Decision::Autorise {
                return lire;
            }
            let Cible::Contrat { collectivite, etat } = cible else {
                unreachable!()
            };
            let etapes = pacte_core::actes::Etape::TOUTES.iter().any(|e| {
                if matches!(attendu, Joindre) {
                    decider(h, e.action(), cible) == Decision::Autorise
                } else {
                    EtatContrat::TOUS.iter().any(|d| {
                        decider(
                            h,
                            e.action(),
                            &Cible::Contrat {
                                collectivite: collectivite.clone(),
                                etat: *d,
                            },
                        ) == Decision::Autorise
                    })
                }
            });
            let modifier =
                matches!(attendu, Joindre) && decider(h, Action::Modifier, cible) == Decision::Autorise;
            let _ = etat;
            if etapes || modifier {
                Decision::Autorise
            } else {
                Decision::Interdit
            }
        }
        EnTete => {
            let lire = decider(h, Action::Lire, cible);
            if lire != Decision::Autorise {
                return lire;
            }
            let etat = match cible {
                Cible::Contrat { etat, .. } => *etat,
                _ => unreachable!(),
            };
            let etapes = Action::TOUTES.into_iter().filter(|a| {
                pacte_core::droits::transition(*a).is_some_and(|(depuis, _)| depuis.contains(&etat))
            });
            let possible = std::iter::once(Action::Modifier)
                .chain(etapes)
                .any(|a| decider(h, a, cible) == Decision::Autorise);
            if possible {
                Decision::Autorise
            } else {
                Decision::Interdit
            }
        }
        Importer | Creer => decider(
            h,
            Action::Importer,
            &Cible::Contrat {
                collectivite: collectivite.to_string(),
                etat: if matches!(attendu, Creer) {
                    EtatContrat::Brouillon
                } else {
                    etat_fichier
                },
            },
        ),
        FormulaireCreation => {
            let propre = match h.perimetre() {
                pacte_core::droits::Perimetre::Collectivite(c) => c.clone(),
                _ => String::new(),
            };
            decider(
                h,
                Action::Importer,
                &Cible::Contrat {
                    collectivite: propre,
                    etat: EtatContrat::Brouillon,
                },
            )
        }
    }
}

fn verifier(r: &Reponse, attendue: Decision, quoi: &str) {
    let s = r.statut;
    let vers_connexion = s == StatusCode::SEE_OTHER
        && r.entetes
            .get(header::LOCATION)
            .is_some_and(|l| l.to_str().unwrap_or_default().starts_with("/connexion"));
    match attendue {
        Decision::Autorise => assert!(
            !vers_connexion
                && ![
                    StatusCode::UNAUTHORIZED,
                    StatusCode::FORBIDDEN,
                    StatusCode::NOT_FOUND
                ]
                .contains(&s)
                && !s.is_server_error(),
            "{quoi} : autorisé attendu, reçu {s}\n{}",
            r.corps
        ),
        Decision::Interdit => assert_eq!(s, StatusCode::FORBIDDEN, "{quoi} : 403 attendu\n{}", r.corps),
        Decision::Masque => assert_eq!(s, StatusCode::NOT_FOUND, "{quoi} : 404 attendu\n{}", r.corps),
    }
}

#[tokio::test]
async fn matrice_des_autorisations() {
    let (brut, base, ids) = app_demo().await;
    // One correction request on each contract of the matrix (see `demande_du_contrat`).
    for (contrat, attendue) in [(ids[0], 1), (ids[2], 2)] {
        let fil = pacte_store::echanges::Fil {
            contrat_id: contrat,
            fiche: None,
        };
        let auteur = pacte_store::echanges::Auteur {
            compte_id: None,
            role: "ddets".into(),
        };
        let d = base
            .demander_correction(&fil, None, &auteur, "Demande de la matrice", "test")
            .await
            .unwrap();
        assert_eq!((d.tampon.id, demande_du_contrat(contrat)), (attendue, attendue));
    }
    // The 2024 campaign is open: its pages answer for the contracts.
    base.ouvrir_campagne(
        pacte_core::Annee::TOUTES[0],
        pacte_core::campagne::echeance_par_defaut(pacte_core::Annee::TOUTES[0]),
        "test",
    )
    .await
    .unwrap();
    // One document per contract, numbered like it: `/contrats/{id}/pieces/{id}` exists.
    for c in base.contrats().await.unwrap() {
        let p = base
            .ajouter_piece(
                &pacte_store::NouvellePiece {
                    contrat_id: c.id,
                    fiche_id: None,
                    acte_id: None,
                    nom: "piece.pdf",
                    contenu: b"%PDF-1.7 matrice",
                },
                "test",
            )
            .await
            .unwrap();
        assert_eq!(p, c.id);
    }
    // In the territory of every scoped demonstration role: AMP (seat in the Bouches-du-Rhône,
    // region 93), in execution. Outside: Montpellier (Hérault, region 76), in negotiation.
    let contrats = [
        (
            "dans le périmètre",
            ids[0],
            "200054807",
            AMP,
            EtatContrat::EnExecution,
        ),
        (
            "hors du périmètre",
            ids[2],
            "243400017",
            MONTPELLIER,
            EtatContrat::Negociation,
        ),
    ];
    let fichier_etat = |texte: &str| pacte_core::fichier::lire_toml(texte).unwrap().contrat.etat;
    let mut cas = 0;
    for (role, perimetre) in roles() {
        let h = lire_habilitation(role, perimetre).unwrap();
        for (portee, id, collectivite, fichier, etat) in contrats {
            let cible = Cible::Contrat {
                collectivite: collectivite.into(),
                etat,
            };
            // A new session per role and contract: the sign-out route ends its session.
            let app = en_tant_que(&brut, &base, role, perimetre).await;
            for (methode, chemin, attendu) in ROUTES {
                if *chemin == "/deconnexion" && *methode == "POST" {
                    continue;
                }
                let attendue = decision(&h, *attendu, &cible, collectivite, fichier_etat(fichier));
                let r = envoyer(&app, requete(methode, chemin, id, collectivite, fichier)).await;
                if matches!(attendu, Connecte) {
                    // Any signed-in user reaches their own account pages.
                    assert!(
                        ![
                            StatusCode::SEE_OTHER,
                            StatusCode::UNAUTHORIZED,
                            StatusCode::FORBIDDEN
                        ]
                        .contains(&r.statut)
                            || r.entetes
                                .get(header::LOCATION)
                                .is_some_and(|l| !l.to_str().unwrap().starts_with("/connexion")),
                        "{chemin} — {role} : {}",
                        r.statut
                    );
                    cas += 1;
                    continue;
                }
                if matches!(attendu, Public) {
                    // The same answer for everyone (a failed sign-in answers 401 by design).
                    assert!(
                        !r.statut.is_server_error() && r.statut != StatusCode::FORBIDDEN,
                        "{chemin}"
                    );
                    cas += 1;
                    continue;
                }
                verifier(
                    &r,
                    attendue,
                    &format!("{methode} {chemin} — {role} ({perimetre}), {portee}"),
                );
                cas += 1;
            }
            // Every signed-in user may sign out: the session is then closed.
            let r = envoyer(&app, requete("POST", "/deconnexion", id, collectivite, fichier)).await;
            assert_eq!(r.statut, StatusCode::SEE_OTHER, "POST /deconnexion — {role}");
            let r = envoyer(&app, requete("GET", "/", id, collectivite, fichier)).await;
            assert_eq!(r.statut, StatusCode::SEE_OTHER, "session fermée — {role}");
        }
    }
    assert_eq!(cas, Role::TOUS.len() * 2 * (ROUTES.len() - 1));
}

#[tokio::test]
async fn sans_connexion() {
    let (app, _base, ids) = app_demo().await;
    for (methode, chemin, attendu) in ROUTES {
        let r = envoyer(&app, requete(methode, chemin, ids[0], "200054807", AMP)).await;
        let quoi = format!("{methode} {chemin} sans connexion");
        match attendu {
            Public => assert!(
                ![StatusCode::UNAUTHORIZED, StatusCode::SEE_OTHER].contains(&r.statut)
                    || *chemin == "/connexion",
                "{quoi} : {}",
                r.statut
            ),
            _ if chemin.starts_with("/api/") => {
                assert_eq!(r.statut, StatusCode::UNAUTHORIZED, "{quoi}");
                assert_eq!(r.json()["code"], "non_authentifie", "{quoi}");
            }
            _ => {
                assert_eq!(r.statut, StatusCode::SEE_OTHER, "{quoi}");
                let l = r.entetes[header::LOCATION].to_str().unwrap();
                assert!(l.starts_with("/connexion?retour="), "{quoi} : {l}");
            }
        }
    }
    // Nothing was written.
    assert_eq!(_base.contrats().await.unwrap().len(), ids.len());
}

/// A DDETS of one département neither reads nor changes another's contract, through the pages
/// or the API: the answer is that of a contract that does not exist.
#[tokio::test]
async fn ddets_d_un_autre_departement() {
    let (brut, base, ids) = app_demo().await;
    let ddets13 = en_tant_que(&brut, &base, "ddets", "departement:13").await;
    let montpellier = ids[2];
    let absent = 99_999;
    for id in [montpellier, absent] {
        for uri in [
            format!("/contrats/{id}"),
            format!("/contrats/{id}/modifier"),
            format!("/contrats/{id}/fichier"),
            format!("/contrats/{id}/fiches/1.1"),
        ] {
            let r = crate::commun::get(&ddets13, &uri).await;
            assert_eq!(r.statut, StatusCode::NOT_FOUND, "{uri}");
            assert!(
                r.corps.contains(&format!("Le contrat n° {id} n&#39;existe pas.")),
                "{uri}"
            );
        }
        let r = crate::commun::get(&ddets13, &format!("/api/v1/contrats/{id}")).await;
        assert_eq!(r.statut, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["message"], format!("Le contrat n° {id} n'existe pas."));
        let r = crate::commun::post_formulaire(
            &ddets13,
            &format!("/contrats/{id}/etat"),
            &[("etat", "valide"), ("version", "1")],
        )
        .await;
        assert_eq!(r.statut, StatusCode::NOT_FOUND);
    }
    // Its own: read, but not changed (the collectivity writes its fiches).
    let amp = ids[0];
    assert_eq!(
        crate::commun::get(&ddets13, &format!("/contrats/{amp}"))
            .await
            .statut,
        StatusCode::OK
    );
    let r = crate::commun::get(&ddets13, &format!("/contrats/{amp}/fiches/1.1/modifier")).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    // The lists hold only its département's contracts: AMP and the Bouches-du-Rhône.
    let v = crate::commun::get(&ddets13, "/api/v1/contrats").await.json();
    assert_eq!(v["total"], 2);
    let page = crate::commun::get(&ddets13, "/contrats").await.corps;
    assert!(page.contains("Aix-Marseille") && !page.contains("Montpellier") && !page.contains("Bordeaux"));
    assert_eq!(
        base.contrat(montpellier).await.unwrap().tampon.version,
        1,
        "rien n'a été écrit"
    );
}

/// The demonstration: each account, signed in with its password, sees exactly its world in the
/// list of contracts (demonstration contracts: AMP and the Bouches-du-Rhône in region 93 and
/// département 13, Toulon in region 93 and département 83, Montpellier in the Hérault,
/// Bordeaux in the Gironde).
#[tokio::test]
async fn chaque_compte_de_demonstration_voit_son_monde() {
    let (app, _base, ids) = app_demo().await;
    let [amp, bdr, montpellier, bordeaux, toulon] = ids[..] else {
        panic!("cinq contrats de démonstration attendus : {ids:?}")
    };
    let attendus: &[(&str, &[i64])] = &[
        (
            "administrateur_national",
            &[amp, bdr, montpellier, bordeaux, toulon],
        ),
        ("lecteur_national", &[amp, bdr, montpellier, bordeaux, toulon]),
        ("commissaire", &[amp, bdr, toulon]),
        ("ddets", &[amp, bdr]),
        ("collectivite_editeur", &[amp]),
        ("collectivite_lecteur", &[amp]),
        ("partenaire", &[]),
        ("aucun", &[]),
    ];
    // One line per role: `compte_demo` signs in as the first account of each role.
    assert_eq!(attendus.len(), pacte_core::droits::Role::TOUS.len());
    for (role, voit) in attendus {
        let (email, mdp) = crate::commun::compte_demo(role);
        let s = crate::commun::connecter(&app, email, mdp).await;
        let page = crate::commun::get_connecte(&app, &s, "/contrats").await;
        assert_eq!(page.statut, StatusCode::OK, "{role}");
        let mut listes: Vec<i64> = page
            .corps
            .split("<th scope=\"row\"><a href=\"/contrats/")
            .skip(1)
            .map(|m| m[..m.find('"').unwrap()].parse().unwrap())
            .collect();
        listes.sort_unstable();
        let mut voit = voit.to_vec();
        voit.sort_unstable();
        assert_eq!(listes, voit, "contrats listés pour {role}");
        for id in [amp, bdr, montpellier, bordeaux, toulon] {
            let r = crate::commun::get_connecte(&app, &s, &format!("/contrats/{id}")).await;
            let attendu = if voit.contains(&id) {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(r.statut, attendu, "{role} sur le contrat {id}");
        }
    }
}

/// The demonstration's editor of the Bouches-du-Rhône département (appended after the first
/// account of each role) sees its contract « en exécution » only.
#[tokio::test]
async fn l_editeur_du_departement_13_voit_son_contrat() {
    let (app, _base, ids) = app_demo().await;
    let c = pacte_web::demo::COMPTES
        .iter()
        .find(|c| c.email == "editeur.departement13@demo.pacte.example")
        .expect("compte de démonstration du département 13");
    let s = crate::commun::connecter(&app, c.email, c.mot_de_passe).await;
    let page = crate::commun::get_connecte(&app, &s, "/contrats").await;
    assert_eq!(page.statut, StatusCode::OK);
    let listes: Vec<&str> = page
        .corps
        .split("<th scope=\"row\"><a href=\"/contrats/")
        .skip(1)
        .map(|m| &m[..m.find('"').unwrap()])
        .collect();
    assert_eq!(listes, [ids[1].to_string()]);
}
