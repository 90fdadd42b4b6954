//! The demonstration (`pacte demo`) as its accounts find it: every contract past its draft
//! carries the acts that led it to its state, shown in the history of acts on its page; the
//! partner's dashboard says what it may read instead of counting zeros; the State's
//! dashboards name the steps that fall to them.

use crate::commun::{en_tant_que, get};
use pacte_core::actes::{Acte, Etape, Partie};
use pacte_core::contrat::EtatContrat;

async fn demonstration() -> (axum::Router, pacte_store::Base, Vec<i64>) {
    let base = crate::commun::base_neuve().await;
    let debut = std::time::Instant::now();
    let ids = pacte_web::demo::charger_complet(&base).await.unwrap();
    eprintln!(
        "charger_complet : {} contrats et leurs actes en {:.2} s",
        ids.len(),
        debut.elapsed().as_secs_f64()
    );
    pacte_web::demo::creer_comptes(&base, pacte_web::comptes::mot_de_passe::Cout::Test)
        .await
        .unwrap();
    let app = pacte_web::application(
        base.clone(),
        pacte_web::Options {
            demonstration: true,
            cout_hachage: pacte_web::comptes::mot_de_passe::Cout::Test,
            ..Default::default()
        },
    );
    (app, base, ids)
}

#[tokio::test]
async fn chaque_contrat_porte_les_actes_de_son_etat() {
    let (app, base, _) = demonstration().await;
    let mut vus = std::collections::BTreeSet::new();
    let mut signe_id = None;
    for r in base.contrats().await.unwrap() {
        let stocke = base.contrat(r.id).await.unwrap().contrat;
        let etat = stocke.contrat.etat;
        let actes: Vec<Acte> = base
            .actes(r.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.en_vigueur())
            .map(|a| a.acte)
            .collect();
        let etapes: Vec<Etape> = actes.iter().map(Acte::etape).collect();
        // One act per step from the draft to the state, in lifecycle order.
        let attendues: Vec<Etape> = match etat {
            EtatContrat::Denonce => Etape::TOUTES[..5]
                .iter()
                .copied()
                .chain([Etape::Denonciation])
                .collect(),
            _ => {
                let n = Etape::TOUTES
                    .iter()
                    .position(|e| e.vers() == etat)
                    .map_or(0, |i| i + 1);
                Etape::TOUTES[..n].to_vec()
            }
        };
        assert_eq!(etapes, attendues, "contrat {} ({etat:?})", r.id);
        // The signature names the State and the collectivity, and the header carries them.
        if let Some(Acte::Signature { signataires, date }) =
            actes.iter().find(|a| a.etape() == Etape::Signature)
        {
            assert!(signataires.iter().any(|s| s.partie == Partie::Etat));
            assert!(signataires.iter().any(|s| s.partie == Partie::Collectivite));
            assert_eq!(stocke.contrat.signataires.len(), signataires.len());
            assert!(
                stocke
                    .contrat
                    .signataires
                    .iter()
                    .all(|s| s.date_signature == Some(*date))
            );
            if etat == EtatContrat::Signe {
                signe_id.get_or_insert(r.id);
            }
        }
        if let Some(Acte::Deliberation { date, .. }) = actes.iter().find(|a| a.etape() == Etape::Deliberation)
        {
            assert_eq!(stocke.contrat.date_deliberation, Some(*date));
        } else {
            assert_eq!(stocke.contrat.date_deliberation, None, "contrat {}", r.id);
        }
        vus.insert(etat.code());
    }
    assert_eq!(vus.len(), EtatContrat::TOUS.len(), "{vus:?}");

    // The page of a signed contract shows its acts.
    let id = signe_id.expect("a signed contract");
    let lecteur = en_tant_que(&app, &base, "lecteur_national", "national").await;
    let r = get(&lecteur, &format!("/contrats/{id}")).await;
    assert!(r.corps.contains("Historique des actes"), "{}", r.corps);
    assert!(r.corps.contains("Signée le"), "{}", r.corps);
    assert!(r.corps.contains("Délibération n° DEL-2024-"), "{}", r.corps);
}

#[tokio::test]
async fn tableaux_de_bord_du_partenaire_et_de_l_etat() {
    let (app, base, ids) = demonstration().await;

    // The partner reads no contract: its dashboard says why and what it may read, with the
    // référentiel's and the territories' own figures; no counter of zero contracts.
    let partenaire = en_tant_que(&app, &base, "partenaire", "organisation:CAF des Bouches-du-Rhône").await;
    let r = get(&partenaire, "/").await;
    assert!(r.corps.contains("Pourquoi aucun contrat ?"), "{}", r.corps);
    assert!(r.corps.contains("CAF des Bouches-du-Rhône"), "{}", r.corps);
    assert!(r.corps.contains("Ce que vous pouvez consulter"), "{}", r.corps);
    let indicateurs = pacte_core::referentiel::referentiel().indicateurs_nationaux.len();
    assert!(
        r.corps.contains(&format!("{indicateurs} indicateurs nationaux")),
        "{}",
        r.corps
    );
    assert!(!r.corps.contains("0 contrat"), "{}", r.corps);
    assert!(!r.corps.contains("Contrats par état"), "{}", r.corps);
    for lien in [
        "href=\"/referentiel\"",
        "href=\"/territoires\"",
        "href=\"/aide/format-contrat\"",
    ] {
        assert!(r.corps.contains(lien), "{lien}");
        let page = lien.trim_start_matches("href=\"").trim_end_matches('"');
        assert_eq!(get(&partenaire, page).await.statut, 200, "{page}");
    }

    // The commissaire of PACA: Aix-Marseille-Provence's contract, in negotiation, awaits its
    // validation.
    let commissaire = en_tant_que(&app, &base, "commissaire", "region:93").await;
    let r = get(&commissaire, "/").await;
    assert!(r.corps.contains("id=\"vos-etapes\""), "{}", r.corps);
    assert!(
        r.corps.contains(&format!(
            "href=\"/contrats/{}#titre-actions\">Métropole d&#39;Aix-Marseille-Provence</a>",
            ids[0]
        )),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("Enregistrer la validation"), "{}", r.corps);
    // The AMP editor, whose collectivity has its contract, is not offered a second one; its
    // file updates it. The national administrator may create one.
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", "collectivite:200054807").await;
    let r = get(&editeur, "/").await;
    assert!(!r.corps.contains("href=\"/contrats/nouveau\""), "{}", r.corps);
    assert!(
        r.corps.contains("Mettre à jour votre contrat par un fichier"),
        "{}",
        r.corps
    );
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    assert!(
        get(&admin, "/")
            .await
            .corps
            .contains("href=\"/contrats/nouveau\"")
    );
    // A national reader takes no step.
    let lecteur = en_tant_que(&app, &base, "lecteur_national", "national").await;
    assert!(!get(&lecteur, "/").await.corps.contains("id=\"vos-etapes\""));
}

/// The territories page never says « Aucun contrat » of a collectivity whose contracts the
/// reader may not read: it says it is outside their scope (telling nothing of its contract).
#[tokio::test]
async fn territoires_hors_du_perimetre() {
    let (app, base, _) = demonstration().await;
    let partenaire = en_tant_que(&app, &base, "partenaire", "organisation:CAF des Bouches-du-Rhône").await;
    let r = get(&partenaire, "/territoires").await;
    assert_eq!(r.statut, 200);
    assert!(!r.corps.contains("Aucun contrat"), "{}", r.corps);
    assert!(r.corps.contains("Hors de votre périmètre"));
    assert!(r.corps.contains("0 contrat dans votre périmètre"));

    // The DDETS of the Bouches-du-Rhône: its département's contracts, the others outside.
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let r = get(&ddets, "/territoires").await;
    assert!(
        r.corps
            .contains("Contrat n° 1<span class=\"fr-sr-only\"> de Métropole d&#39;Aix-Marseille-Provence"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("Hors de votre périmètre"));

    // A national reader reads every contract: Rennes Métropole has none.
    let lecteur = en_tant_que(&app, &base, "lecteur_national", "national").await;
    let r = get(&lecteur, "/territoires").await;
    assert!(!r.corps.contains("Hors de votre périmètre"));
    assert!(r.corps.contains("Aucun contrat"));
}
