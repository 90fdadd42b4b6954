//! The free-text parts of the campaign reports (migration 0016), on both engines: the
//! collectivity's sections of its annual and mid-term reports and the commissaire's text of the
//! regional synthesis note, written through the audited write path (round trip, audit entry,
//! stale version refused with nothing written, bound, guard judged on the campaign re-read
//! inside the write), and carried by backups.

#[macro_use]
mod commun;

use commun::{Banc, executer};
use pacte_core::Annee;
use pacte_core::campagne::textes::{RapportTexte, TEXTE_MAX, Textes, verrouille};
use pacte_core::campagne::{EtatCampagne, echeance_par_defaut};
use pacte_core::contrat::EtatContrat;
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_store::{Base, ErreurStore, Moteur, Refus};

const EDITEUR: &str = "utilisateur:1:editeur@test";
const COMMISSAIRE: &str = "utilisateur:3:commissaire@test";
const A2024: Annee = Annee::TOUTES[0];

async fn contrat_signe(base: &Base) -> i64 {
    let mut c = contrat_metropole_minimal();
    c.contrat.etat = EtatContrat::EnExecution;
    base.importer(&[c], "import:test").await.expect("import")[0]
}

fn textes(paires: &[(&str, &str)]) -> Textes {
    paires
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The guard the web layer passes: refused once the campaign is validated.
fn garde(_: &pacte_core::Contrat, s: &pacte_store::campagnes::SuiviCampagne) -> Result<(), Refus> {
    if verrouille(s.etat) {
        return Err(Refus::new("campagne validée"));
    }
    Ok(())
}

conformite!(
    sections_du_rapport_annuel_versionnees_et_auditees,
    |banc: Banc| async move {
        let base = banc.base().await;
        let id = contrat_signe(&base).await;
        let r = RapportTexte::Annuel(A2024);
        let lu = base.textes_rapport(id, r).await.unwrap();
        assert_eq!((lu.sections.len(), lu.tampon.version), (0, 0));

        // Round trip: paragraphs kept, line ends normalised, an empty section left out.
        let t = base
            .enregistrer_textes_rapport(
                id,
                r,
                0,
                textes(&[
                    ("avancement", "Premier paragraphe.\r\n\r\nSecond paragraphe."),
                    ("consommation", "   "),
                ]),
                EDITEUR,
                garde,
            )
            .await
            .unwrap();
        assert_eq!(t.version, 1);
        let lu = base.textes_rapport(id, r).await.unwrap();
        assert_eq!(
            lu.sections,
            textes(&[("avancement", "Premier paragraphe.\n\nSecond paragraphe.")])
        );
        assert_eq!((lu.tampon.version, lu.tampon.modifie_par.as_str()), (1, EDITEUR));
        // Another report of the same contract is another record.
        assert_eq!(
            base.textes_rapport(id, RapportTexte::MiParcours)
                .await
                .unwrap()
                .tampon
                .version,
            0
        );
        assert_eq!(
            base.textes_rapport(id, RapportTexte::Annuel(Annee::TOUTES[1]))
                .await
                .unwrap()
                .tampon
                .version,
            0
        );

        // A stale version is a conflict; nothing written.
        let r0 = base
            .enregistrer_textes_rapport(id, r, 0, textes(&[("avancement", "écrasé")]), EDITEUR, garde)
            .await;
        assert!(
            matches!(
                r0,
                Err(ErreurStore::Conflit {
                    attendue: 0,
                    actuelle: 1,
                    ..
                })
            ),
            "{r0:?}"
        );
        // Beyond the bound, or an unknown section: refused in French, nothing written.
        let long = "a".repeat(TEXTE_MAX + 1);
        let r1 = base
            .enregistrer_textes_rapport(id, r, 1, textes(&[("consommation", &long)]), EDITEUR, garde)
            .await;
        match r1 {
            Err(ErreurStore::Invalide(m)) => {
                assert!(m.contains("« Niveau de consommation des crédits »"), "{m}");
                assert!(m.contains("20\u{202f}000 caractères au plus"), "{m}");
            }
            autre => panic!("{autre:?}"),
        }
        let r2 = base
            .enregistrer_textes_rapport(id, r, 1, textes(&[("bilan_global", "x")]), EDITEUR, garde)
            .await;
        assert!(matches!(r2, Err(ErreurStore::Invalide(_))), "{r2:?}");
        // Exactly the bound passes.
        let juste = "é".repeat(TEXTE_MAX);
        base.enregistrer_textes_rapport(
            id,
            r,
            1,
            textes(&[("avancement", "Mis à jour."), ("consommation", &juste)]),
            EDITEUR,
            garde,
        )
        .await
        .unwrap();
        let lu = base.textes_rapport(id, r).await.unwrap();
        assert_eq!(lu.tampon.version, 2);
        assert_eq!(lu.sections["consommation"].chars().count(), TEXTE_MAX);

        // One audit entry per write, with the texts before and after.
        let journal: Vec<_> = base
            .sauvegarde()
            .await
            .unwrap()
            .audit
            .into_iter()
            .filter(|e| e.entite == "textes_rapport")
            .collect();
        assert_eq!(journal.len(), 2);
        assert_eq!(journal[0].entite_id, format!("{id}-annuel-2024"));
        assert_eq!(
            (journal[0].operation.as_str(), journal[1].operation.as_str()),
            ("creation", "modification")
        );
        assert!(
            journal[1]
                .avant
                .as_deref()
                .unwrap()
                .contains("Second paragraphe.")
        );
        assert!(journal[1].apres.as_deref().unwrap().contains("Mis à jour."));
        assert_eq!(journal[1].acteur, EDITEUR);
        assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
    }
);

conformite!(verrou_juge_dans_l_ecriture, |banc: Banc| async move {
    let base = banc.base().await;
    let id = contrat_signe(&base).await;
    base.ouvrir_campagne(A2024, echeance_par_defaut(A2024), "admin")
        .await
        .unwrap();
    // Validate the campaign directly through the store's transitions.
    base.enregistrer_valeurs(A2024, id, 0, EDITEUR, |_, _, _| Ok(Vec::new()))
        .await
        .unwrap();
    for (v, t) in [
        (1, pacte_core::campagne::Transition::Soumettre),
        (2, pacte_core::campagne::Transition::Valider),
    ] {
        base.changer_etat_campagne(A2024, id, v, t, None, &[], COMMISSAIRE, |_, _, _| Ok(()))
            .await
            .unwrap();
    }
    assert_eq!(
        base.suivi_campagne(A2024, id).await.unwrap().etat,
        EtatCampagne::Validee
    );
    let r = base
        .enregistrer_textes_rapport(
            id,
            RapportTexte::Annuel(A2024),
            0,
            textes(&[("avancement", "trop tard")]),
            EDITEUR,
            garde,
        )
        .await;
    assert!(matches!(r, Err(ErreurStore::Refus(_))), "{r:?}");
    assert_eq!(
        base.textes_rapport(id, RapportTexte::Annuel(A2024))
            .await
            .unwrap()
            .tampon
            .version,
        0
    );
    // The mid-term report belongs to the 2025 campaign, not validated: open.
    base.enregistrer_textes_rapport(
        id,
        RapportTexte::MiParcours,
        0,
        textes(&[("bilan_global", "Bilan des deux années.")]),
        EDITEUR,
        garde,
    )
    .await
    .unwrap();
});

conformite!(texte_de_synthese_et_sauvegarde, |banc: Banc| async move {
    let source = banc.base().await;
    let id = contrat_signe(&source).await;
    let lu = source.texte_synthese("84", A2024).await.unwrap();
    assert_eq!((lu.texte.as_str(), lu.tampon.version), ("", 0));
    source
        .enregistrer_texte_synthese(
            "84",
            A2024,
            0,
            "Appréciation d'ensemble.\n\nPoints d'attention.",
            COMMISSAIRE,
        )
        .await
        .unwrap();
    let r = source
        .enregistrer_texte_synthese("84", A2024, 0, "concurrent", COMMISSAIRE)
        .await;
    assert!(matches!(r, Err(ErreurStore::Conflit { .. })), "{r:?}");
    let r = source
        .enregistrer_texte_synthese("84", A2024, 1, &"x".repeat(TEXTE_MAX + 1), COMMISSAIRE)
        .await;
    match r {
        Err(ErreurStore::Invalide(m)) => assert!(m.contains("Appréciation de la ou du commissaire"), "{m}"),
        autre => panic!("{autre:?}"),
    }
    let lu = source.texte_synthese("84", A2024).await.unwrap();
    assert_eq!(lu.texte, "Appréciation d'ensemble.\n\nPoints d'attention.");
    assert_eq!(lu.tampon.version, 1);
    // Another region, another year: nothing.
    assert_eq!(
        source.texte_synthese("93", A2024).await.unwrap().tampon.version,
        0
    );
    assert_eq!(
        source
            .texte_synthese("84", Annee::TOUTES[1])
            .await
            .unwrap()
            .tampon
            .version,
        0
    );
    source
        .enregistrer_textes_rapport(
            id,
            RapportTexte::MiParcours,
            0,
            textes(&[("resultats_impact", "Résultats.")]),
            EDITEUR,
            garde,
        )
        .await
        .unwrap();
    let entrees = source.sauvegarde().await.unwrap().audit;
    let e = entrees.iter().find(|e| e.entite == "texte_synthese").unwrap();
    assert_eq!(
        (e.entite_id.as_str(), e.operation.as_str()),
        ("84-2024", "creation")
    );

    // Backup and restore, across engines.
    let s = source.sauvegarde().await.unwrap();
    let tables: Vec<&str> = s.campagnes.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(tables, ["textes_rapports", "textes_syntheses"]);
    let texte = serde_json::to_string(&s).unwrap();
    let s: pacte_store::sauvegarde::Sauvegarde = serde_json::from_str(&texte).unwrap();
    let cible = match banc.moteur() {
        Moteur::Postgres => banc.base_sqlite().await,
        Moteur::Sqlite => banc.base().await,
    };
    cible.restaurer(&s).await.expect("restauration");
    assert_eq!(
        cible.empreinte().await.unwrap(),
        source.empreinte().await.unwrap()
    );
    assert_eq!(cible.texte_synthese("84", A2024).await.unwrap(), lu);
    assert_eq!(
        cible.textes_rapport(id, RapportTexte::MiParcours).await.unwrap(),
        source.textes_rapport(id, RapportTexte::MiParcours).await.unwrap()
    );
    assert_eq!(cible.verifier_audit().await.unwrap().rupture, None);
});
