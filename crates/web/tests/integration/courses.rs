//! Races between the validation of a contract and a fiche write, on the real router, in
//! process, on a multi-thread runtime: the commissaire's `POST /contrats/{id}/etat`
//! (`etat=valide`) and the editor's `PUT /api/v1/contrats/{id}/fiches/1.1` sent at the same
//! moment. Whatever the order the base serialises them in, no contract may end « validé »
//! with a blocking finding, and no fiche write may land in a contract already validated.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pacte_core::contrat::EtatContrat;
use pacte_core::{Annee, Gravite, Montant, NumeroFiche};
use tokio::sync::Barrier;

const AMP: &str = include_str!("../../../../exemples/metropole-aix-marseille-provence.toml");
const COURSES: usize = 200;
/// Races run at the same time (each on its own contract).
const EN_PARALLELE: usize = 8;

#[derive(Debug, Default)]
struct Bilan {
    /// (status of the validation, status of the fiche write) → number of races.
    issues: BTreeMap<(u16, u16), usize>,
    valides_avec_bloquant: usize,
    fiches_dans_un_contrat_valide: usize,
    deux_succes: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn validation_et_ecriture_de_fiche_simultanees() {
    let base = crate::commun::base_neuve().await;
    let mut amp = pacte_core::fichier::lire_toml(AMP).expect("exemple lisible");
    amp.contrat.etat = EtatContrat::Negociation;
    assert!(
        pacte_core::verifier(&amp)
            .iter()
            .all(|k| k.gravite != Gravite::Bloquant),
        "le contrat de départ doit pouvoir être validé"
    );
    let ids = base
        .importer(&vec![amp.clone(); COURSES], "test")
        .await
        .expect("import");
    let app = pacte_web::application(base.clone(), pacte_web::Options::default());
    let commissaire = crate::commun::en_tant_que(&app, &base, "commissaire", "region:93").await;
    let editeur =
        crate::commun::en_tant_que(&app, &base, "collectivite_editeur", "collectivite:200054807").await;

    // Fiche 1.1 with a State share of 9 M€ a year: far beyond half of its budget (R-COFI-50)
    // and beyond the State ceiling of the contract (R-FIN-03) — blocking findings.
    let n11 = NumeroFiche::parse("1.1").unwrap();
    let mut fiche = amp.fiche(n11).expect("fiche 1.1").clone();
    for a in Annee::TOUTES {
        fiche.financement.etat.insert(a, Montant::euros(9_000_000));
    }
    let mut essai = amp.clone();
    *essai.fiches.iter_mut().find(|f| f.numero == n11).unwrap() = fiche.clone();
    assert!(
        pacte_core::verifier(&essai)
            .iter()
            .any(|k| k.gravite == Gravite::Bloquant),
        "la fiche modifiée doit porter un constat bloquant"
    );
    let corps_fiche = Arc::new(serde_json::to_string(&fiche).unwrap());

    let mut issues = Vec::with_capacity(COURSES);
    for lot in ids.chunks(EN_PARALLELE) {
        let mut taches = Vec::new();
        for &id in lot {
            let depart = Arc::new(Barrier::new(2));
            let validation = {
                let (app, depart) = (commissaire.clone(), depart.clone());
                tokio::spawn(async move {
                    depart.wait().await;
                    valider(&app, id).await
                })
            };
            let ecriture = {
                let (app, depart, corps) = (editeur.clone(), depart.clone(), corps_fiche.clone());
                tokio::spawn(async move {
                    depart.wait().await;
                    ecrire_fiche(&app, id, &corps).await
                })
            };
            taches.push((id, validation, ecriture));
        }
        for (id, validation, ecriture) in taches {
            issues.push((id, validation.await.unwrap(), ecriture.await.unwrap()));
        }
    }

    let mut bilan = Bilan::default();
    for (id, validation, ecriture) in issues {
        assert!(
            [
                StatusCode::SEE_OTHER,
                StatusCode::CONFLICT,
                StatusCode::UNPROCESSABLE_ENTITY
            ]
            .contains(&validation),
            "validation du contrat {id} : statut inattendu {validation}"
        );
        assert!(
            [StatusCode::OK, StatusCode::CONFLICT].contains(&ecriture),
            "écriture de la fiche du contrat {id} : statut inattendu {ecriture}"
        );
        *bilan
            .issues
            .entry((validation.as_u16(), ecriture.as_u16()))
            .or_default() += 1;
        if validation == StatusCode::SEE_OTHER && ecriture == StatusCode::OK {
            bilan.deux_succes += 1;
        }
        let stocke = base.contrat(id).await.unwrap();
        let i = stocke
            .contrat
            .fiches
            .iter()
            .position(|f| f.numero == n11)
            .unwrap();
        let fiche_ecrite = stocke.fiches[i].version > 1;
        assert_eq!(fiche_ecrite, ecriture == StatusCode::OK, "contrat {id}");
        assert_eq!(
            stocke.contrat.contrat.etat == EtatContrat::Valide,
            validation == StatusCode::SEE_OTHER,
            "contrat {id}"
        );
        if stocke.contrat.contrat.etat == EtatContrat::Valide {
            if pacte_core::verifier(&stocke.contrat)
                .iter()
                .any(|k| k.gravite == Gravite::Bloquant)
            {
                bilan.valides_avec_bloquant += 1;
            }
            if fiche_ecrite {
                bilan.fiches_dans_un_contrat_valide += 1;
            }
        }
    }
    println!(
        "{COURSES} courses (validation, écriture de la fiche) → nombre : {:?} ; \
         validés avec un constat bloquant : {} ; fiches écrites dans un contrat validé : {} ; \
         deux succès : {}",
        bilan.issues, bilan.valides_avec_bloquant, bilan.fiches_dans_un_contrat_valide, bilan.deux_succes
    );
    assert_eq!(bilan.valides_avec_bloquant, 0, "{bilan:?}");
    assert_eq!(bilan.fiches_dans_un_contrat_valide, 0, "{bilan:?}");
    assert_eq!(bilan.deux_succes, 0, "{bilan:?}");
    audit_intact(&base).await;
}

/// The commissaire's validation through the lifecycle form, with the header version read.
async fn valider(app: &Router, id: i64) -> StatusCode {
    crate::commun::post_formulaire(
        app,
        &format!("/contrats/{id}/etat"),
        &[("etat", "valide"), ("version", "1")],
    )
    .await
    .statut
}

/// The editor's change of fiche 1.1 through the API, with the version read.
async fn ecrire_fiche(app: &Router, id: i64, corps: &str) -> StatusCode {
    let r = Request::put(format!("/api/v1/contrats/{id}/fiches/1.1"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, "\"1\"")
        .body(Body::from(corps.to_string()))
        .unwrap();
    let r = crate::commun::envoyer(app, r).await;
    if r.statut == StatusCode::CONFLICT {
        let v = r.json();
        assert_eq!(v["code"], "conflit", "{}", r.corps);
        let message = v["message"].as_str().unwrap_or_default();
        assert!(message.contains("validé"), "le refus nomme l'état : {message}");
    }
    r.statut
}

async fn audit_intact(base: &pacte_store::Base) {
    let rapport = base.verifier_audit().await.unwrap();
    assert!(rapport.rupture.is_none(), "{rapport:?}");
}
