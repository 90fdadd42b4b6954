//! Acts of the lifecycle and attached documents, on both engines: the act and its header in
//! one audited write, the undo of the last act only, documents checked by content and size,
//! and backups that keep them byte for byte.

#[macro_use]
mod commun;

use commun::{Banc, executer};
use pacte_core::Date;
use pacte_core::actes::{self, Acte, Instance};
use pacte_core::contrat::EtatContrat;
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_store::pieces::{TAILLE_MAX, TypePiece};
use pacte_store::{Base, ErreurStore, Moteur, NouvellePiece, Refus};
use sqlx::Connection;

const ACTEUR: &str = "utilisateur:1:commissaire@test";

async fn contrat_valide(base: &Base) -> i64 {
    let mut c = contrat_metropole_minimal();
    c.contrat.etat = EtatContrat::Valide;
    base.importer(&[c], "import:test").await.expect("import")[0]
}

fn deliberation() -> Acte {
    Acte::Deliberation {
        date: Date::ymd(2024, 3, 28),
        instance: Instance::SeancePleniere,
        reference: "DEL-2024-117".into(),
    }
}

/// A guard that only applies the act (the web layer's guard also checks rights and rules).
fn appliquer(
    acte: &Acte,
) -> impl FnOnce(&pacte_core::Contrat, &[Acte]) -> Result<pacte_core::contrat::EnTete, Refus> + Send + use<> {
    let acte = acte.clone();
    move |c, _| Ok(actes::appliquer(&acte, &c.contrat))
}

async fn intact(base: &Base) {
    let r = base.verifier_audit().await.expect("vérification");
    assert_eq!(r.rupture, None, "le journal devrait être intact");
}

/// The bytes of a small PDF with every byte value in it (a backup must keep them all).
fn pdf() -> Vec<u8> {
    let mut o = b"%PDF-1.7\n".to_vec();
    o.extend(0u8..=255);
    o.extend(b"\n%%EOF\n");
    o
}

conformite!(acte_enregistre_puis_annule, |banc: Banc| async move {
    let base = banc.base().await;
    let id = contrat_valide(&base).await;
    let lu = base.contrat(id).await.unwrap();
    let (v, date_initiale) = (lu.tampon.version, lu.contrat.contrat.date_deliberation);
    let acte = deliberation();
    let contenu = pdf();
    let (acte_id, t) = base
        .enregistrer_acte(
            id,
            v,
            &acte,
            &[NouvellePiece {
                contrat_id: id,
                fiche_id: None,
                acte_id: None,
                nom: "délibération.pdf",
                contenu: &contenu,
            }],
            ACTEUR,
            appliquer(&acte),
        )
        .await
        .expect("acte");
    assert_eq!(t.version, v + 1);
    let e = base.contrat(id).await.unwrap().contrat.contrat;
    assert_eq!(e.etat, EtatContrat::Delibere);
    assert_eq!(e.date_deliberation, Some(Date::ymd(2024, 3, 28)));
    let liste = base.actes(id).await.unwrap();
    assert_eq!(liste.len(), 1);
    assert_eq!(
        (liste[0].id, &liste[0].acte, liste[0].etat_avant),
        (acte_id, &acte, EtatContrat::Valide)
    );
    let pieces = base.pieces(id).await.unwrap();
    assert_eq!(pieces.len(), 1);
    assert_eq!(pieces[0].acte_id, Some(acte_id));
    assert_eq!(pieces[0].type_piece(), Some(TypePiece::Pdf));
    let (_, octets) = base.piece(pieces[0].id).await.unwrap();
    assert_eq!(octets, contenu);
    intact(&base).await;

    // A stale version writes nothing.
    let r = base
        .annuler_acte(id, acte_id, v, ACTEUR, |_, avant, actuel| {
            Ok(actes::defaire(&deliberation(), avant, actuel))
        })
        .await;
    assert!(matches!(r, Err(ErreurStore::Conflit { .. })), "{r:?}");
    // The guard's refusal writes nothing.
    let r = base
        .annuler_acte(id, acte_id, v + 1, ACTEUR, |_, _, _| Err(Refus::new("non")))
        .await;
    assert!(matches!(r, Err(ErreurStore::Refus(_))), "{r:?}");
    assert!(base.actes(id).await.unwrap()[0].en_vigueur());

    let t = base
        .annuler_acte(id, acte_id, v + 1, ACTEUR, |a, avant, actuel| {
            Ok(actes::defaire(&a.acte, avant, actuel))
        })
        .await
        .expect("annulation");
    assert_eq!(t.version, v + 2);
    let e = base.contrat(id).await.unwrap().contrat.contrat;
    // The header is as before the act: the deliberation date it carried is taken back.
    assert_eq!(
        (e.etat, e.date_deliberation),
        (EtatContrat::Valide, date_initiale)
    );
    let a = &base.actes(id).await.unwrap()[0];
    assert_eq!(a.annule_par.as_deref(), Some(ACTEUR));
    // Already undone: refused.
    let r = base
        .annuler_acte(id, acte_id, v + 2, ACTEUR, |a, avant, actuel| {
            Ok(actes::defaire(&a.acte, avant, actuel))
        })
        .await;
    assert!(matches!(r, Err(ErreurStore::Refus(_))), "{r:?}");
    let journal = base.journal(1, 1000).await.unwrap();
    assert!(
        journal
            .iter()
            .any(|e| e.entite == "acte" && e.operation == "annulation")
    );
    assert!(
        journal
            .iter()
            .any(|e| e.entite == "piece" && e.operation == "creation")
    );
    intact(&base).await;
});

conformite!(seul_le_dernier_acte_s_annule, |banc: Banc| async move {
    let base = banc.base().await;
    let id = contrat_valide(&base).await;
    let v = base.contrat(id).await.unwrap().tampon.version;
    let (premier, _) = base
        .enregistrer_acte(id, v, &deliberation(), &[], ACTEUR, appliquer(&deliberation()))
        .await
        .unwrap();
    let signature = Acte::Signature {
        date: Date::ymd(2024, 4, 2),
        signataires: Vec::new(),
    };
    base.enregistrer_acte(id, v + 1, &signature, &[], ACTEUR, appliquer(&signature))
        .await
        .unwrap();
    let r = base
        .annuler_acte(id, premier, v + 2, ACTEUR, |a, avant, actuel| {
            Ok(actes::defaire(&a.acte, avant, actuel))
        })
        .await;
    let Err(ErreurStore::Refus(refus)) = r else {
        panic!("{r:?}")
    };
    assert!(
        refus.message.contains("Seule la dernière étape"),
        "{}",
        refus.message
    );
    assert_eq!(
        base.contrat(id).await.unwrap().contrat.contrat.etat,
        EtatContrat::Signe
    );
});

conformite!(piece_refusee_par_son_contenu, |banc: Banc| async move {
    let base = banc.base().await;
    let id = contrat_valide(&base).await;
    let avant = base.journal(1, 1000).await.unwrap().len();
    // A text file renamed to .pdf.
    let r = base
        .ajouter_piece(
            &NouvellePiece {
                contrat_id: id,
                fiche_id: None,
                acte_id: None,
                nom: "convention-signee.pdf",
                contenu: b"ceci est un texte, pas un PDF",
            },
            ACTEUR,
        )
        .await;
    let Err(ErreurStore::Invalide(m)) = r else {
        panic!("{r:?}")
    };
    assert!(m.contains("fichier texte"), "{m}");
    // One byte over the limit.
    let mut gros = pdf();
    gros.resize(TAILLE_MAX + 1, 0);
    let r = base
        .ajouter_piece(
            &NouvellePiece {
                contrat_id: id,
                fiche_id: None,
                acte_id: None,
                nom: "gros.pdf",
                contenu: &gros,
            },
            ACTEUR,
        )
        .await;
    assert!(
        matches!(&r, Err(ErreurStore::Invalide(m)) if m.contains("10 Mo")),
        "{r:?}"
    );
    // A fiche of another contract.
    let r = base
        .ajouter_piece(
            &NouvellePiece {
                contrat_id: id,
                fiche_id: Some(999_999),
                acte_id: None,
                nom: "a.pdf",
                contenu: &pdf(),
            },
            ACTEUR,
        )
        .await;
    assert!(matches!(r, Err(ErreurStore::Introuvable { .. })), "{r:?}");
    assert!(base.pieces(id).await.unwrap().is_empty());
    assert_eq!(base.journal(1, 1000).await.unwrap().len(), avant);
});

conformite!(
    sauvegarde_garde_les_pieces_octet_pour_octet,
    |banc: Banc| async move {
        let source = banc.base().await;
        let id = contrat_valide(&source).await;
        let v = source.contrat(id).await.unwrap().tampon.version;
        let contenu = pdf();
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe".to_vec();
        source
            .enregistrer_acte(
                id,
                v,
                &deliberation(),
                &[NouvellePiece {
                    contrat_id: id,
                    fiche_id: None,
                    acte_id: None,
                    nom: "délibération.pdf",
                    contenu: &contenu,
                }],
                ACTEUR,
                appliquer(&deliberation()),
            )
            .await
            .unwrap();
        let fiche_id = source.contrat(id).await.unwrap().fiches[0].id;
        source
            .ajouter_piece(
                &NouvellePiece {
                    contrat_id: id,
                    fiche_id: Some(fiche_id),
                    acte_id: None,
                    nom: "photo.png",
                    contenu: &png,
                },
                ACTEUR,
            )
            .await
            .unwrap();
        let s = source.sauvegarde().await.unwrap();
        assert_eq!((s.actes.len(), s.pieces.len()), (1, 2));
        let texte = serde_json::to_string(&s).unwrap();
        let s: pacte_store::sauvegarde::Sauvegarde = serde_json::from_str(&texte).unwrap();
        // From PostgreSQL, the backup is restored on SQLite: BYTEA and BLOB carry the same bytes.
        let cible = match banc.moteur() {
            Moteur::Postgres => banc.base_sqlite().await,
            Moteur::Sqlite => banc.base().await,
        };
        cible.restaurer(&s).await.expect("restauration");
        assert_eq!(
            cible.empreinte().await.unwrap(),
            source.empreinte().await.unwrap()
        );
        let pieces = cible.pieces(id).await.unwrap();
        assert_eq!(pieces, source.pieces(id).await.unwrap());
        assert_eq!(cible.piece(pieces[0].id).await.unwrap().1, contenu);
        assert_eq!(cible.piece(pieces[1].id).await.unwrap().1, png);
        assert_eq!(cible.actes(id).await.unwrap(), source.actes(id).await.unwrap());
        intact(&cible).await;
        // New documents after a restore get new ids.
        let nouvelle = cible
            .ajouter_piece(
                &NouvellePiece {
                    contrat_id: id,
                    fiche_id: None,
                    acte_id: None,
                    nom: "b.pdf",
                    contenu: &contenu,
                },
                ACTEUR,
            )
            .await
            .unwrap();
        assert!(pieces.iter().all(|p| p.id < nouvelle));

        // A backup whose document was altered is refused whole.
        let mut falsifiee = s.clone();
        falsifiee.pieces[0].contenu = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7 autre")
        };
        let autre = banc.base().await;
        let r = autre.restaurer(&falsifiee).await;
        assert!(
            matches!(&r, Err(ErreurStore::Invalide(m)) if m.contains("SHA-256")),
            "{r:?}"
        );
        assert!(autre.contrats().await.unwrap().is_empty());
    }
);

conformite!(piece_modifiee_hors_de_pacte_detectee, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let id = contrat_valide(&base).await;
    let p = base
        .ajouter_piece(
            &NouvellePiece {
                contrat_id: id,
                fiche_id: None,
                acte_id: None,
                nom: "a.pdf",
                contenu: &pdf(),
            },
            ACTEUR,
        )
        .await
        .unwrap();
    intact(&base).await;
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE pieces SET contenu = $1 WHERE id = $2")
        .bind(b"%PDF-1.7 falsifie".to_vec())
        .bind(p)
        .execute(&mut conn)
        .await
        .unwrap();
    let r = base.verifier_audit().await.unwrap();
    let rupture = r.rupture.expect("contenu falsifié détecté");
    assert!(
        rupture.raison.contains(&format!("piece {p}")),
        "{}",
        rupture.raison
    );
    assert!(matches!(base.piece(p).await, Err(ErreurStore::Corrompue(_))));
});

// Issue 14: the signature act with its signed document records, in its own transaction, the
// version of the data it signs (the contract's version after the act) and the verification
// code computed from the contract, the acts in force (the signature included) and that
// version; without a document, no signed version. A refused act leaves none either.
conformite!(
    signature_avec_document_fixe_la_version_signee,
    |banc: Banc| async move {
        let base = banc.base().await;
        let id = contrat_valide(&base).await;
        let v = base.contrat(id).await.unwrap().tampon.version;
        base.enregistrer_acte(id, v, &deliberation(), &[], ACTEUR, appliquer(&deliberation()))
            .await
            .unwrap();
        let signature = Acte::Signature {
            date: Date::ymd(2024, 4, 2),
            signataires: Vec::new(),
        };
        let contenu = pdf();
        let piece = NouvellePiece {
            contrat_id: id,
            fiche_id: None,
            acte_id: None,
            nom: "convention-signee.pdf",
            contenu: &contenu,
        };
        let code = |c: &pacte_core::Contrat, actes: &[Acte], version: i64| {
            format!("{:?}-{}-{version}", c.contrat.etat, actes.len())
        };
        // A stale version: refused, and nothing recorded.
        let refuse = base
            .enregistrer_acte_signe(
                id,
                v,
                &signature,
                std::slice::from_ref(&piece),
                ACTEUR,
                appliquer(&signature),
                code,
            )
            .await;
        assert!(refuse.is_err(), "{refuse:?}");
        assert_eq!(base.version_signee(id).await.unwrap(), None);
        let (acte_id, t) = base
            .enregistrer_acte_signe(
                id,
                v + 1,
                &signature,
                &[piece],
                ACTEUR,
                appliquer(&signature),
                code,
            )
            .await
            .unwrap();
        assert_eq!(t.version, v + 2);
        let signee = base.version_signee(id).await.unwrap().expect("version signée");
        assert_eq!(signee.acte_id, acte_id);
        assert_eq!(signee.version, v + 2);
        assert_eq!(signee.code, format!("{:?}-2-{}", EtatContrat::Signe, v + 2));
        assert_eq!(base.contrat(id).await.unwrap().tampon.version, signee.version);
        let journal = base.journal(1, 1000).await.unwrap();
        assert!(
            journal
                .iter()
                .any(|e| e.entite == "version_signee" && e.operation == "creation")
        );
        intact(&base).await;
    }
);
