//! Edits made directly in the base, behind the application's back, that `pacte audit verifier`
//! must report: a replaced password or token hash, a key column changed alone beside its JSON
//! document, a fiche moved to another contract, an entry forged with a recomputed SHA-256, the
//! last operation erased whole. Run on both engines like the conformance suite.

#[allow(dead_code)]
mod commun;

use commun::{Banc, executer};
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_core::jeu_national::jeu_national;
use pacte_store::audit::Rupture;
use pacte_store::comptes::{NouvelUtilisateur, empreinte_secret, maintenant};
use pacte_store::{Ancre, Base, EntreeAudit, ErreurStore, Moteur, SourceCle};
use sqlx::{Connection, Row};

macro_rules! deux_moteurs {
    ($nom:ident, $corps:expr) => {
        mod $nom {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                executer(Moteur::Sqlite, $corps).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                executer(Moteur::Postgres, $corps).await
            }
        }
    };
}

const ADMIN: &str = "cli:admin";

/// A PHC-shaped hash (the store never checks passwords, it stores what it is given).
fn hash(graine: &str) -> String {
    format!("$argon2id$v=19$m=19456,t=2,p=1$c2VsLXtncmFpbmV9${graine}")
}

fn compte(email: &str, role: &str) -> NouvelUtilisateur {
    NouvelUtilisateur {
        email: email.into(),
        nom: email.into(),
        hash_mot_de_passe: Some(hash(email)),
        role: role.into(),
        perimetre: "national".into(),
    }
}

/// Runs SQL behind the application's back, on a connection of its own.
async fn falsifier(url: &str, sql: &str) -> u64 {
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connexion directe à {url} : {e}"));
    let n = sqlx::query(sql)
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql} : {e}"))
        .rows_affected();
    conn.close().await.expect("fermeture");
    n
}

/// Reads one text value behind the application's back.
async fn lire(url: &str, sql: &str) -> String {
    let mut conn = sqlx::AnyConnection::connect(url).await.expect("connexion");
    let v: String = sqlx::query(sql)
        .fetch_one(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql} : {e}"))
        .try_get(0)
        .expect("valeur");
    conn.close().await.expect("fermeture");
    v
}

async fn intact(base: &Base) {
    let r = base.verifier_audit().await.expect("vérification");
    assert_eq!(r.rupture, None, "le journal devrait être intact");
}

async fn rupture(base: &Base) -> Rupture {
    let r = base.verifier_audit().await.expect("vérification");
    r.rupture.expect("la falsification devrait être détectée")
}

/// Two contracts and two accounts, one of them with an API token.
async fn peupler(base: &Base) -> (Vec<i64>, i64, i64, i64) {
    let mut contrats = vec![contrat_metropole_minimal()];
    contrats.extend(jeu_national(1, 4));
    let ids = base
        .importer(&contrats, "import:falsification")
        .await
        .expect("import");
    let admin = base
        .creer_utilisateur(&compte("admin@exemple.fr", "administrateur_national"), ADMIN)
        .await
        .expect("administrateur");
    let agent = base
        .creer_utilisateur(&compte("agent@exemple.fr", "lecteur_national"), ADMIN)
        .await
        .expect("agent");
    let jeton = base
        .creer_jeton(
            agent.id,
            "export nocturne",
            &empreinte_secret("jeton-de-l-agent"),
            "2099-01-01T00:00:00.000Z",
            ADMIN,
        )
        .await
        .expect("jeton");
    (ids, admin.id, agent.id, jeton.id)
}

// (1) The administrator's password hash replaced by another account's: whoever knows the other
// password signs in as administrator.
deux_moteurs!(mot_de_passe_remplace, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let (_, admin, agent, _) = peupler(&base).await;
    intact(&base).await;
    let autre = lire(
        &url,
        &format!("SELECT hash_mot_de_passe FROM utilisateurs WHERE id = {agent}"),
    )
    .await;
    let sql = format!("UPDATE utilisateurs SET hash_mot_de_passe = '{autre}' WHERE id = {admin}");
    assert_eq!(falsifier(&url, &sql).await, 1);
    let r = rupture(&base).await;
    assert!(r.raison.contains(&format!("utilisateur {admin} ")), "{r:?}");
    assert!(r.raison.contains("modifié hors de Pacte"), "{r:?}");
    // The report names the column, never the hash.
    assert!(r.raison.contains("mot de passe"), "{r:?}");
    assert!(!r.raison.contains(&autre), "{r:?}");
});

// (2) An API token's hash replaced: another secret now opens the account.
deux_moteurs!(jeton_remplace, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let (_, _, _, jeton) = peupler(&base).await;
    intact(&base).await;
    let faux = empreinte_secret("secret-de-l-intrus");
    let sql = format!("UPDATE jetons_api SET hash = '{faux}' WHERE id = {jeton}");
    assert_eq!(falsifier(&url, &sql).await, 1);
    assert!(base.jeton_par_hash(&faux).await.unwrap().is_some());
    let r = rupture(&base).await;
    assert!(r.raison.contains(&format!("jeton_api {jeton} ")), "{r:?}");
    assert!(r.raison.contains("modifié hors de Pacte"), "{r:?}");
    assert!(!r.raison.contains(&faux), "{r:?}");
});

// (3) `contrats.etat` changed alone: the lists say « signé », the contract says otherwise.
deux_moteurs!(etat_du_contrat_change_seul, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let (ids, ..) = peupler(&base).await;
    intact(&base).await;
    let sql = format!("UPDATE contrats SET etat = 'signe' WHERE id = {}", ids[0]);
    assert_eq!(falsifier(&url, &sql).await, 1);
    let r = rupture(&base).await;
    assert!(r.raison.contains(&format!("contrat {} ", ids[0])), "{r:?}");
    assert!(r.raison.contains("etat"), "{r:?}");

    // The collectivity column too.
    let (base, url) = banc.base_et_url().await;
    let (ids, ..) = peupler(&base).await;
    let sql = format!("UPDATE contrats SET collectivite = '13' WHERE id = {}", ids[1]);
    assert_eq!(falsifier(&url, &sql).await, 1);
    let r = rupture(&base).await;
    assert!(r.raison.contains(&format!("contrat {} ", ids[1])), "{r:?}");
    assert!(r.raison.contains("collectivite"), "{r:?}");
});

// (4) `fiches.contrat_id` changed: a fiche moved to another contract.
deux_moteurs!(fiche_deplacee, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let (ids, ..) = peupler(&base).await;
    intact(&base).await;
    let fiche = base.contrat(ids[1]).await.unwrap().fiches[0].id;
    // Moved alone, unless its number is taken in the other contract: then renumbered too.
    let sql = format!(
        "UPDATE fiches SET contrat_id = {}, numero = CASE WHEN numero IN (SELECT numero FROM fiches WHERE contrat_id = {}) \
         THEN '4.99' ELSE numero END WHERE id = {fiche}",
        ids[0], ids[0]
    );
    assert_eq!(falsifier(&url, &sql).await, 1);
    assert!(
        base.contrat(ids[0])
            .await
            .unwrap()
            .fiches
            .iter()
            .any(|t| t.id == fiche)
    );
    let r = rupture(&base).await;
    assert!(r.raison.contains(&format!("fiche {fiche} ")), "{r:?}");
    assert!(r.raison.contains("contrat_id"), "{r:?}");
});

/// A fresh base of the engine under test whose audit log is keyed by a key file of its own
/// (in a temporary folder the bench removes), with its URL and the key file.
async fn base_signee(banc: &Banc) -> (Base, String, std::path::PathBuf) {
    let url = banc.url().await;
    let dossier = banc.url_sqlite();
    let dossier = dossier
        .trim_start_matches("sqlite://")
        .trim_end_matches("/pacte.db");
    let cle = std::path::Path::new(dossier).join("journal.cle");
    let base = Base::ouvrir_avec(&url, SourceCle::Fichier(cle.clone()))
        .await
        .expect("ouverture avec clé");
    (base, url, cle)
}

/// Every entry of the log.
async fn journal(base: &Base) -> Vec<EntreeAudit> {
    base.journal(1, 1_000_000).await.expect("journal")
}

/// Inserts an entry and moves the head onto it, behind the application's back.
async fn ajouter_entree(url: &str, e: &EntreeAudit) {
    let mut conn = sqlx::AnyConnection::connect(url).await.expect("connexion");
    sqlx::query(
        "INSERT INTO audit (id, horodatage, acteur, entite, entite_id, operation, avant, apres, hash_precedent, hash, colonnes, cle) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(e.id)
    .bind(&e.horodatage)
    .bind(&e.acteur)
    .bind(&e.entite)
    .bind(&e.entite_id)
    .bind(&e.operation)
    .bind(e.avant.as_deref())
    .bind(e.apres.as_deref())
    .bind(&e.hash_precedent)
    .bind(&e.hash)
    .bind(e.colonnes.as_deref())
    .bind(e.cle.as_deref())
    .execute(&mut conn)
    .await
    .expect("insertion de l'entrée forgée");
    sqlx::query("UPDATE audit_tete SET dernier_id = $1, dernier_hash = $2 WHERE id = 1")
        .bind(e.id)
        .bind(&e.hash)
        .execute(&mut conn)
        .await
        .expect("tête");
    conn.close().await.expect("fermeture");
}

// (5) An entry forged under the editor's name with a recomputed SHA-256, the fiche changed to
// match and the head moved forward: without a key, nothing tells it from a real entry.
deux_moteurs!(entree_forgee, |banc: Banc| async move {
    let (base, url, _) = base_signee(&banc).await;
    peupler(&base).await;
    let r = base.verifier_audit().await.unwrap();
    assert_eq!(r.rupture, None);
    assert!(r.authentifie(), "{r:?}");
    assert_eq!(r.authentifiees, r.entrees);

    let j = journal(&base).await;
    let derniere = j.last().unwrap().clone();
    let creation = j.iter().rfind(|e| e.entite == "fiche").unwrap().clone();
    let avant = creation.apres.clone().unwrap();
    let apres = avant.replacen("\"intitule\":\"", "\"intitule\":\"Détourné : ", 1);
    assert_ne!(avant, apres);
    let mut forgee = EntreeAudit {
        id: derniere.id + 1,
        horodatage: maintenant(),
        acteur: "utilisateur:2:agent@exemple.fr".into(),
        entite: "fiche".into(),
        entite_id: creation.entite_id.clone(),
        operation: "modification".into(),
        avant: Some(avant),
        apres: Some(apres.clone()),
        hash_precedent: derniere.hash.clone(),
        hash: String::new(),
        colonnes: creation.colonnes.clone(),
        cle: None,
    };
    forgee.hash = forgee.calculer_hash();
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE fiches SET donnees = $1 WHERE id = $2")
        .bind(&apres)
        .bind(creation.entite_id.parse::<i64>().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    ajouter_entree(&url, &forgee).await;
    let r = rupture(&base).await;
    assert_eq!(r.entree, forgee.id, "{r:?}");
    assert_eq!(
        r.raison,
        format!(
            "l'entrée {} n'est pas signée alors que les précédentes le sont par la clé : ajoutée ou réécrite hors de Pacte",
            forgee.id
        )
    );

    // The same forgery claiming the base's key: its SHA-256 is not the key's HMAC.
    let (base, url, _) = base_signee(&banc).await;
    peupler(&base).await;
    let derniere = journal(&base).await.last().unwrap().clone();
    let mut forgee = EntreeAudit {
        id: derniere.id + 1,
        hash_precedent: derniere.hash.clone(),
        horodatage: maintenant(),
        operation: "modification".into(),
        avant: derniere.apres.clone(),
        ..derniere.clone()
    };
    forgee.hash = forgee.calculer_hash();
    ajouter_entree(&url, &forgee).await;
    let r = rupture(&base).await;
    assert_eq!(r.entree, forgee.id, "{r:?}");
    assert_eq!(
        r.raison,
        format!(
            "le contenu de l'entrée {} a été modifié après son écriture",
            forgee.id
        )
    );
});

// Without the key, the verifier says it checks the chain's continuity only, and nothing can
// be written to a signed chain.
deux_moteurs!(sans_la_cle, |banc: Banc| async move {
    let (base, url, cle) = base_signee(&banc).await;
    peupler(&base).await;
    let id_cle = base.cle_audit().unwrap().identifiant_courant().to_string();
    assert!(
        journal(&base)
            .await
            .iter()
            .all(|e| e.cle.as_deref() == Some(id_cle.as_str()))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cle).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let texte = std::fs::read_to_string(&cle).unwrap();
    assert!(
        journal(&base)
            .await
            .iter()
            .all(|e| !e.colonnes.as_deref().unwrap_or("").contains("argon2id"))
    );

    let sans = Base::ouvrir_avec(&url, SourceCle::Aucune).await.unwrap();
    let r = sans.verifier_audit().await.unwrap();
    assert_eq!(r.rupture, None);
    assert_eq!((r.authentifiees, r.cle_absente), (0, r.entrees));
    assert!(
        r.portee()
            .contains("seule la continuité de la chaîne est vérifiée"),
        "{}",
        r.portee()
    );
    let e = sans
        .importer(&[contrat_metropole_minimal()], "import:sans-cle")
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Invalide(_)), "{e:?}");
    assert!(e.to_string().contains("PACTE_CLE_AUDIT"), "{e}");
    assert_eq!(sans.verifier_audit().await.unwrap().entrees, r.entrees);

    // A key file naming the key is read back the same.
    let relu = Base::ouvrir_avec(&url, SourceCle::Fichier(cle.clone()))
        .await
        .unwrap();
    assert_eq!(relu.cle_audit().unwrap().identifiant_courant(), id_cle);
    assert!(relu.verifier_audit().await.unwrap().authentifie());

    // Rotation: a new key appended to the file signs what follows; the old one still
    // authenticates what it signed.
    std::fs::write(
        &cle,
        format!("{texte}{}\n", pacte_store::CleAudit::nouvelle_ligne().unwrap()),
    )
    .unwrap();
    let apres = Base::ouvrir_avec(&url, SourceCle::Fichier(cle.clone()))
        .await
        .unwrap();
    assert_ne!(apres.cle_audit().unwrap().identifiant_courant(), id_cle);
    apres
        .importer(&[contrat_metropole_minimal()], "import:rotation")
        .await
        .unwrap();
    let r = apres.verifier_audit().await.unwrap();
    assert_eq!(r.rupture, None);
    assert!(r.authentifie(), "{r:?}");
    let derniere = journal(&apres).await.pop().unwrap();
    assert_eq!(
        derniere.cle.as_deref(),
        Some(apres.cle_audit().unwrap().identifiant_courant())
    );
});

// (6) The last operation erased whole — its entries, its rows, and the head moved back: the
// chain is consistent again; only an anchor taken after the operation shows it.
deux_moteurs!(derniere_operation_effacee, |banc: Banc| async move {
    let (base, url, _) = base_signee(&banc).await;
    let (ids, ..) = peupler(&base).await;
    let ancre_avant = base.ancre().await.unwrap();
    let fiche =
        pacte_core::fabrique::FicheBuilder::new("1.9", "AT-1-1.1-02", pacte_core::Montant::euros(1_000))
            .build();
    let t = base
        .ajouter_fiche(ids[0], &fiche, "alice", |_| Ok(()))
        .await
        .unwrap();
    let ancre = base.ancre().await.unwrap();
    assert_eq!(ancre.id, ancre_avant.id + 1);
    assert!(ancre.mac.is_some());
    let lue = Ancre::lire(&ancre.ligne()).unwrap();
    assert_eq!(lue, ancre);
    let sauvegarde = base.sauvegarde().await.unwrap();
    let de_la_sauvegarde = Ancre::lire(sauvegarde.ancre.as_deref().unwrap()).unwrap();
    assert_eq!(
        (de_la_sauvegarde.id, &de_la_sauvegarde.hash),
        (ancre.id, &ancre.hash)
    );
    let r = base.verifier_audit_ancre(Some(&ancre)).await.unwrap();
    assert_eq!(r.rupture, None);

    falsifier(&url, &format!("DELETE FROM fiches WHERE id = {}", t.id)).await;
    falsifier(&url, &format!("DELETE FROM audit WHERE id = {}", ancre.id)).await;
    falsifier(
        &url,
        &format!(
            "UPDATE audit_tete SET dernier_id = {}, dernier_hash = '{}' WHERE id = 1",
            ancre_avant.id, ancre_avant.hash
        ),
    )
    .await;
    // Without an anchor, a consistent shorter history: the documented limit.
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
    assert_eq!(
        base.verifier_audit_ancre(Some(&ancre_avant))
            .await
            .unwrap()
            .rupture,
        None
    );
    for a in [&ancre, &de_la_sauvegarde] {
        let r = base.verifier_audit_ancre(Some(a)).await.unwrap();
        let r = r.rupture.expect("l'effacement devrait être détecté");
        assert_eq!(r.entree, ancre_avant.id, "{r:?}");
        assert!(
            r.raison.contains(&format!(
                "le journal s'arrête à l'entrée {} alors que l'ancre du {} atteste l'entrée {} : les dernières opérations ont été effacées",
                ancre_avant.id, a.horodatage, ancre.id
            )),
            "{r:?}"
        );
    }
    // An anchor edited by hand no longer matches its signature.
    let mut fausse = ancre_avant.clone();
    fausse.id -= 1;
    let r = base.verifier_audit_ancre(Some(&fausse)).await.unwrap();
    assert!(
        r.rupture.unwrap().raison.contains("n'est pas authentique"),
        "une ancre modifiée doit être refusée"
    );
    assert!(Ancre::lire("pacte-ancre/1 12").is_err());
});
