//! The money rows beside the documents (migration 0006, `pacte_store::sommes`), the contract
//! lists filtered by the reader's scope in SQL, and the per-contract revision — on both
//! engines.

#[macro_use]
#[allow(dead_code)]
mod commun;

use commun::{Banc, executer};
use pacte_core::droits::{Habilitation, Perimetre, Role};
use pacte_core::jeu_national::jeu_national;
use pacte_core::{Annee, Contrat, Montant, NumeroFiche};
use pacte_store::sommes::LigneMontants;
use pacte_store::{Base, Moteur};
use sqlx::Connection;

/// Sums of a set of contracts computed from the domain values, for comparison with SQL's.
fn sommes_attendues(contrats: &[Contrat]) -> std::collections::BTreeMap<(u8, u16), LigneMontants> {
    let mut s = std::collections::BTreeMap::new();
    for c in contrats {
        for f in &c.fiches {
            for l in pacte_store::sommes::lignes_fiche(f) {
                let e: &mut LigneMontants = s.entry((f.axe().numero(), l.annee)).or_default();
                e.annee = l.annee;
                e.etat += l.etat;
                e.collectivite += l.collectivite;
                e.fse_plus += l.fse_plus;
                e.autres += l.autres;
            }
        }
    }
    s
}

async fn sql(url: &str, requete: &str) -> u64 {
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .expect("connexion directe");
    let n = sqlx::query(requete)
        .execute(&mut conn)
        .await
        .expect(requete)
        .rows_affected();
    conn.close().await.ok();
    n
}

fn nationale() -> Habilitation {
    Habilitation::new(Role::AdministrateurNational, Perimetre::National).unwrap()
}

// The rows follow every write, and the sums made in SQL are the domain's, to the cent.
conformite!(montants_suivent_les_ecritures, |banc: Banc| async move {
    let base = banc.base().await;
    let contrats = jeu_national(6, 8);
    let ids = base.importer(&contrats, "import:test").await.unwrap();
    let tous = nationale().portee_lecture();
    let s = base.sommes(&tous).await.unwrap();
    assert_eq!(s.par_axe_annee, sommes_attendues(&contrats));
    assert!(s.par_axe_annee.values().any(|l| l.etat > 0), "jeu sans argent ?");

    // One fiche's State share of 2024 raised by 1 234,56 €: the national sum moves by as much.
    let lu = base.contrat(ids[2]).await.unwrap();
    let mut f = lu.contrat.fiches[0].clone();
    let axe = f.axe().numero();
    let avant = f
        .financement
        .etat
        .get(&Annee::new(2024).unwrap())
        .copied()
        .unwrap_or(Montant::ZERO);
    f.financement
        .etat
        .insert(Annee::new(2024).unwrap(), avant + Montant::centimes(123_456));
    let revision = base.revision(ids[2]).await.unwrap().unwrap();
    base.modifier_fiche(ids[2], f.numero, &f, lu.fiches[0].version, "alice", |_| Ok(()))
        .await
        .unwrap();
    assert_eq!(base.revision(ids[2]).await.unwrap(), Some(revision + 1));
    let apres = base.sommes(&tous).await.unwrap();
    assert_eq!(
        apres.par_axe_annee[&(axe, 2024)].etat,
        s.par_axe_annee[&(axe, 2024)].etat + 123_456
    );

    // A deleted fiche takes its rows with it; the proposed amounts follow the header.
    let lu = base.contrat(ids[2]).await.unwrap();
    let derniere = lu.contrat.fiches.last().unwrap().clone();
    base.supprimer_fiche(
        ids[2],
        derniere.numero,
        lu.fiches.last().unwrap().version,
        "alice",
        |_| Ok(()),
    )
    .await
    .unwrap();
    let mut e = lu.contrat.contrat.clone();
    e.montants_proposes
        .insert(pacte_core::Axe::A1, Montant::euros(777));
    base.modifier_entete(ids[2], &e, lu.tampon.version, "bruno", |_| Ok(()))
        .await
        .unwrap();
    let mut attendus: Vec<Contrat> = Vec::new();
    for id in &ids {
        attendus.push(base.contrat(*id).await.unwrap().contrat);
    }
    let finale = base.sommes(&tous).await.unwrap();
    assert_eq!(finale.par_axe_annee, sommes_attendues(&attendus));
    let propose_a1: i64 = attendus
        .iter()
        .filter_map(|c| c.contrat.montants_proposes.get(&pacte_core::Axe::A1))
        .map(|m| m.en_centimes())
        .sum();
    assert_eq!(finale.proposes[&1], propose_a1);
    assert!(base.ecarts_montants().await.unwrap().is_empty());
});

// A money row edited, deleted or added behind the application's back is reported by the
// check `pacte audit verifier` runs.
conformite!(montant_modifie_hors_pacte, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let ids = base.importer(&jeu_national(2, 6), "import:test").await.unwrap();
    assert!(base.ecarts_montants().await.unwrap().is_empty());
    let fiche = base.contrat(ids[1]).await.unwrap().fiches[0].id;
    let n = sql(
        &url,
        &format!("UPDATE montants_fiches SET etat = etat + 100 WHERE fiche_id = {fiche} AND annee = 2025"),
    )
    .await;
    assert_eq!(n, 1);
    let ecarts = base.ecarts_montants().await.unwrap();
    assert_eq!(ecarts.len(), 1, "{ecarts:?}");
    assert!(
        ecarts[0].contains(&format!("fiche {fiche} du contrat {}", ids[1])),
        "{ecarts:?}"
    );
    assert!(ecarts[0].contains("2025"), "{ecarts:?}");

    sql(
        &url,
        &format!("DELETE FROM montants_proposes WHERE contrat_id = {}", ids[0]),
    )
    .await;
    let ecarts = base.ecarts_montants().await.unwrap();
    assert!(ecarts.iter().any(|e| e.contains("montant proposé")), "{ecarts:?}");
});

// The rows of a base stored before they existed are computed when it is opened, and after a
// restore.
conformite!(montants_reconstruits, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let contrats = jeu_national(3, 5);
    base.importer(&contrats, "import:test").await.unwrap();
    let attendu = base.sommes(&nationale().portee_lecture()).await.unwrap();
    sql(&url, "DELETE FROM montants_fiches").await;
    sql(&url, "DELETE FROM montants_proposes").await;
    sql(&url, "UPDATE montants_construits SET fait = 0").await;
    base.fermer().await;
    let base = Base::ouvrir(&url).await.unwrap();
    assert_eq!(base.sommes(&nationale().portee_lecture()).await.unwrap(), attendu);

    let sauvegarde = base.sauvegarde().await.unwrap();
    let cible = banc.base().await;
    cible.restaurer(&sauvegarde).await.unwrap();
    assert_eq!(
        cible.sommes(&nationale().portee_lecture()).await.unwrap(),
        attendu
    );
    assert!(cible.ecarts_montants().await.unwrap().is_empty());
});

// The list a reader gets from SQL is the set `decider` lets them read, paged in SQL.
conformite!(listes_par_portee, |banc: Banc| async move {
    let base = banc.base().await;
    let contrats = jeu_national(125, 2);
    let ids = base.importer(&contrats, "import:test").await.unwrap();
    let habilitations = [
        nationale(),
        Habilitation::new(Role::Commissaire, Perimetre::Region("93".into())).unwrap(),
        Habilitation::new(Role::Commissaire, Perimetre::Region("84".into())).unwrap(),
        Habilitation::new(Role::Ddets, Perimetre::Departement("13".into())).unwrap(),
        Habilitation::new(Role::Ddets, Perimetre::Departement("69".into())).unwrap(),
        Habilitation::new(
            Role::CollectiviteLecteur,
            Perimetre::Collectivite(contrats[7].contrat.collectivite.clone()),
        )
        .unwrap(),
        Habilitation::new(Role::Partenaire, Perimetre::Organisation("CAF".into())).unwrap(),
    ];
    let mut vus_partiels = 0;
    for h in &habilitations {
        let p = h.portee_lecture();
        let attendus: Vec<i64> = ids
            .iter()
            .zip(&contrats)
            .filter(|(_, c)| p.couvre(&c.contrat.collectivite, c.contrat.etat))
            .map(|(id, _)| *id)
            .collect();
        let tout = base.contrats_lisibles(&p, None, 1, None).await.unwrap();
        let lus: Vec<i64> = tout.lignes.iter().map(|l| l.id).collect();
        assert_eq!(lus, attendus, "{h:?}");
        assert_eq!(tout.total, attendus.len() as i64);
        if !attendus.is_empty() && attendus.len() < ids.len() {
            vus_partiels += 1;
        }
        // Page 2 of 10 is the 11th to 20th of the same list.
        let page = base.contrats_lisibles(&p, None, 2, Some(10)).await.unwrap();
        let attendu_page: Vec<i64> = attendus.iter().skip(10).take(10).copied().collect();
        assert_eq!(page.lignes.iter().map(|l| l.id).collect::<Vec<_>>(), attendu_page);
        assert_eq!(page.total, attendus.len() as i64);
    }
    assert!(
        vus_partiels >= 3,
        "les périmètres essayés devraient découper la liste"
    );
    // A state filter.
    let p = nationale().portee_lecture();
    let etat = contrats[0].contrat.etat;
    let filtre = base.contrats_lisibles(&p, Some(etat), 1, None).await.unwrap();
    assert_eq!(
        filtre.total as usize,
        contrats.iter().filter(|c| c.contrat.etat == etat).count()
    );
    assert!(filtre.lignes.iter().all(|l| l.etat == etat));
});

// Findings counts are kept per revision: a write makes them stale, an older count never
// replaces a newer one.
conformite!(syntheses_par_revision, |banc: Banc| async move {
    let base = banc.base().await;
    let ids = base.importer(&jeu_national(2, 3), "import:test").await.unwrap();
    let p = nationale().portee_lecture();
    let l = base.contrats_lisibles(&p, None, 1, None).await.unwrap();
    assert!(l.lignes.iter().all(|l| l.constats.is_none()));
    let r = l.lignes[0].revision;
    base.enregistrer_synthese(ids[0], r, 2, 5).await.unwrap();
    let l = base.contrats_lisibles(&p, None, 1, None).await.unwrap();
    assert_eq!(l.lignes[0].constats, Some((2, 5)));
    base.enregistrer_synthese(ids[0], r - 1, 9, 9).await.unwrap();
    let l = base.contrats_lisibles(&p, None, 1, None).await.unwrap();
    assert_eq!(l.lignes[0].constats, Some((2, 5)));
    let lu = base.contrat(ids[0]).await.unwrap();
    let mut f = lu.contrat.fiches[0].clone();
    f.intitule = "Autre intitulé".into();
    base.modifier_fiche(ids[0], f.numero, &f, lu.fiches[0].version, "alice", |_| Ok(()))
        .await
        .unwrap();
    let l = base.contrats_lisibles(&p, None, 1, None).await.unwrap();
    assert_eq!(l.lignes[0].constats, None, "une écriture rend le décompte périmé");
    let (c, revision) = base.contrat_et_revision(ids[0]).await.unwrap();
    assert_eq!(revision, l.lignes[0].revision);
    assert_eq!(c.contrat.fiches[0].intitule, "Autre intitulé");
    let _ = NumeroFiche::parse("1.1");
});
