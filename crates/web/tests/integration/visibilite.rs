//! The controls each role is shown (edit links, lifecycle steps, derogation, creation and
//! import): exactly those `decider` allows in the contract's state, and never another role's
//! from the page cache.

use crate::commun::{app_demo, en_tant_que, get};
use axum::http::StatusCode;
use pacte_core::contrat::EtatContrat;
use pacte_core::droits::{Action, Cible, Decision, decider};
use pacte_core::fichier::lire_toml;
use pacte_web::comptes::{action_vers, lire_habilitation};

const AMP: &str = include_str!("../../../../exemples/metropole-aix-marseille-provence.toml");

/// Whether `html` holds a control: an exact `href` or `action`, or a lifecycle button.
fn present(html: &str, motif: &str) -> bool {
    html.contains(motif)
}

#[tokio::test]
async fn chaque_role_voit_les_commandes_permises() {
    let (brut, base, ids) = app_demo().await;
    // AMP in execution, and AMP copies in draft and in negotiation (with an out-of-référentiel
    // fiche 1.1), Montpellier in negotiation (outside every scoped role's territory).
    let mut contrats = vec![ids[0], ids[2]];
    for etat in [EtatContrat::Brouillon, EtatContrat::Negociation] {
        let mut c = lire_toml(AMP).unwrap();
        c.contrat.etat = etat;
        c.fiches[0].hors_referentiel = true;
        contrats.push(base.importer(&[c], "test").await.unwrap()[0]);
    }
    let mut verifies = 0;
    for compte in pacte_web::demo::COMPTES {
        let h = lire_habilitation(compte.role, compte.perimetre).unwrap();
        let app = en_tant_que(&brut, &base, compte.role, compte.perimetre).await;
        let propose = |action: Action, c: &pacte_core::Contrat| {
            decider(&h, action, &Cible::contrat(c)) == Decision::Autorise
                && pacte_core::droits::etat_apres(action, c.contrat.etat).is_ok()
        };
        // The list and the dashboard: creation and import.
        let creer = decider(
            &h,
            Action::Importer,
            &Cible::Contrat {
                collectivite: match h.perimetre() {
                    pacte_core::droits::Perimetre::Collectivite(c) => c.clone(),
                    _ => String::new(),
                },
                etat: EtatContrat::Brouillon,
            },
        ) == Decision::Autorise;
        let liste = get(&app, "/contrats").await.corps;
        let accueil = get(&app, "/").await.corps;
        // The dashboard of an editor whose collectivity has its contract (AMP's, here) offers
        // the update by file, not the creation of a second contract.
        let sous_contrat = h.role() == pacte_core::droits::Role::CollectiviteEditeur;
        for (page, motif, attendu) in [
            (&liste, "href=\"/contrats/nouveau\"", creer),
            (&liste, "action=\"/contrats/import\"", creer),
            (&accueil, "href=\"/contrats/nouveau\"", creer && !sous_contrat),
            (&accueil, "href=\"/contrats#importer\"", creer),
        ] {
            assert_eq!(present(page, motif), attendu, "{} : {motif}", compte.role);
        }
        for &id in &contrats {
            let c = base.contrat(id).await.unwrap().contrat;
            let quoi = format!(
                "{} ({}), contrat {id} {:?}",
                compte.role, compte.perimetre, c.contrat.etat
            );
            let r = get(&app, &format!("/contrats/{id}")).await;
            if decider(&h, Action::Lire, &Cible::contrat(&c)) != Decision::Autorise {
                assert_eq!(r.statut, StatusCode::NOT_FOUND, "{quoi}");
                continue;
            }
            assert_eq!(r.statut, StatusCode::OK, "{quoi}");
            let modifier = propose(Action::Modifier, &c);
            for motif in [
                format!("href=\"/contrats/{id}/modifier\""),
                format!("href=\"/contrats/{id}/fiches/nouvelle\""),
            ] {
                assert_eq!(present(&r.corps, &motif), modifier, "{quoi} : {motif}");
            }
            if !modifier {
                // Nor do the findings send there: a reader gets the pages they may open.
                assert!(
                    !r.corps.contains(&format!("/contrats/{id}/modifier")) && !r.corps.contains("/modifier#"),
                    "{quoi} : lien vers un formulaire"
                );
            }
            let mut etapes = 0;
            for e in pacte_web::pages::formulaire::contrat::etats_suivants(c.contrat.etat) {
                let a = action_vers(*e).unwrap();
                let motif = format!("data-etape=\"{}\"", pacte_web::pages::lecture::code_etat(*e));
                assert_eq!(present(&r.corps, &motif), propose(a, &c), "{quoi} : {motif}");
                etapes += usize::from(propose(a, &c));
            }
            assert_eq!(present(&r.corps, "data-etape="), etapes > 0, "{quoi}");
            let numero = c.fiches[0].numero;
            let r = get(&app, &format!("/contrats/{id}/fiches/{numero}")).await;
            assert_eq!(r.statut, StatusCode::OK, "{quoi}");
            assert_eq!(
                present(
                    &r.corps,
                    &format!("href=\"/contrats/{id}/fiches/{numero}/modifier\"")
                ),
                modifier,
                "{quoi} : modifier la fiche"
            );
            if !modifier {
                assert!(!r.corps.contains("/modifier"), "{quoi} : lien vers un formulaire");
            }
            assert_eq!(
                present(
                    &r.corps,
                    &format!("href=\"/contrats/{id}/fiches/{numero}/derogation\"")
                ),
                propose(Action::AccorderDerogation, &c),
                "{quoi} : dérogation"
            );
            verifies += 1;
        }
    }
    // Every role that reads a contract was checked on it.
    assert!(verifies >= 15, "{verifies}");
}

#[tokio::test]
async fn le_cache_ne_sert_pas_la_page_d_un_role_a_un_autre() {
    let (brut, base, _) = app_demo().await;
    let mut c = lire_toml(AMP).unwrap();
    c.contrat.etat = EtatContrat::Brouillon;
    let id = base.importer(&[c], "test").await.unwrap()[0];
    let editeur = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:200054807").await;
    let lecteur = en_tant_que(&brut, &base, "collectivite_lecteur", "collectivite:200054807").await;
    let uri = format!("/contrats/{id}");
    let modifier = format!("href=\"/contrats/{id}/modifier\"");
    let soumettre = format!("href=\"/contrats/{id}/etapes/soumission\"");
    // The editor's page is rendered and cached (no write in between: same generation).
    for _ in 0..2 {
        let r = get(&editeur, &uri).await;
        assert!(r.corps.contains(&modifier) && r.corps.contains(&soumettre));
    }
    for _ in 0..2 {
        let r = get(&lecteur, &uri).await;
        assert_eq!(r.statut, StatusCode::OK);
        assert!(
            !r.corps.contains(&modifier),
            "page de l'éditeur servie au lecteur"
        );
        assert!(!r.corps.contains(&soumettre));
        assert!(!r.corps.contains("data-etape="));
    }
    // And back: the editor still gets their own.
    assert!(get(&editeur, &uri).await.corps.contains(&modifier));
}
