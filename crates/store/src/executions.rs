//! The financial execution of a contract: one [`Execution`] document per contract, versioned,
//! read by [`Base::execution`] and written by [`Base::enregistrer_execution`] through the one
//! audited write path.
//!
//! Like every contract write, the write runs a guard of the caller inside the transaction, on
//! the contract and its execution as stored after the audit head is taken; the guard decides
//! (rights, which parts of the document the caller may change, the rules) and returns the new
//! document. The store interprets no rule.

use pacte_core::Contrat;
use pacte_core::execution::Execution;
use serde::Serialize;
use sqlx::Row;

use crate::contrats::lire_contrat;
use crate::erreur::{Refus, Resultat};
use crate::{Base, Tampon, document, lire_json};

/// Audit entity of executions (`entite_id`: the contract's id).
pub(crate) const ENTITE_EXECUTION: &str = "execution";

/// A contract's stored execution. `tampon.version` is 0 while nothing is recorded (the
/// document is then empty and `modifie_par`/`modifie_le` are empty too).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionStockee {
    /// `id` is the contract's.
    pub tampon: Tampon,
    pub execution: Execution,
}

async fn lire_execution(conn: &mut sqlx::AnyConnection, contrat_id: i64) -> Resultat<ExecutionStockee> {
    let r =
        sqlx::query("SELECT donnees, version, modifie_par, modifie_le FROM executions WHERE contrat_id = $1")
            .bind(contrat_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match r {
        None => ExecutionStockee {
            tampon: Tampon {
                id: contrat_id,
                version: 0,
                modifie_par: String::new(),
                modifie_le: String::new(),
            },
            execution: Execution::default(),
        },
        Some(r) => ExecutionStockee {
            tampon: Tampon {
                id: contrat_id,
                version: r.try_get("version")?,
                modifie_par: r.try_get("modifie_par")?,
                modifie_le: r.try_get("modifie_le")?,
            },
            execution: lire_json(
                &r.try_get::<String, _>("donnees")?,
                &format!("exécution du contrat {contrat_id}"),
            )?,
        },
    })
}

impl Base {
    /// The execution of contract `contrat_id` (empty, version 0, when nothing is recorded);
    /// [`crate::ErreurStore::Introuvable`] when the contract does not exist.
    pub async fn execution(&self, contrat_id: i64) -> Resultat<ExecutionStockee> {
        let mut conn = self.pool().acquire().await?;
        let existe = sqlx::query("SELECT id FROM contrats WHERE id = $1")
            .bind(contrat_id)
            .fetch_optional(&mut *conn)
            .await?;
        if existe.is_none() {
            return Err(crate::ErreurStore::Introuvable {
                entite: "contrat",
                id: contrat_id.to_string(),
            });
        }
        lire_execution(&mut conn, contrat_id).await
    }

    /// Replaces the execution of contract `contrat_id`, if `version` is still the stored one
    /// (0: nothing recorded yet) and `garde` accepts: the guard receives the contract and the
    /// execution as stored, re-read inside the write's transaction, and returns the new
    /// document. One audit entry with the whole document before and after. Returns the new
    /// stamp.
    pub async fn enregistrer_execution(
        &self,
        contrat_id: i64,
        version: i64,
        acteur: &str,
        garde: impl FnOnce(&Contrat, &Execution) -> Result<Execution, Refus> + Send,
    ) -> Resultat<Tampon> {
        self.enregistrer_execution_avec_piece(contrat_id, version, acteur, None, |c, e, _| garde(c, e))
            .await
    }

    /// [`Base::enregistrer_execution`] with a document attached to the contract in the same
    /// transaction (a signed avenant): the guard receives the new document's id. Nothing is
    /// written when the document is refused (type, size) or when the guard refuses.
    pub async fn enregistrer_execution_avec_piece(
        &self,
        contrat_id: i64,
        version: i64,
        acteur: &str,
        piece: Option<&crate::pieces::NouvellePiece<'_>>,
        garde: impl FnOnce(&Contrat, &Execution, Option<i64>) -> Result<Execution, Refus> + Send,
    ) -> Resultat<Tampon> {
        let mut e = self.ecriture(acteur).await?;
        let contrat = lire_contrat(e.conn(), contrat_id).await?;
        let stocke = lire_execution(e.conn(), contrat_id).await?;
        let quoi = || format!("l'exécution financière du contrat {contrat_id}");
        e.controler_version(quoi(), &stocke.tampon, version)?;
        let piece_id = match piece {
            Some(p) if p.contrat_id == contrat_id => Some(crate::pieces::inserer(&mut e, p).await?),
            Some(_) => {
                return Err(crate::ErreurStore::Invalide(
                    "pièce jointe : elle appartient à un autre contrat".into(),
                ));
            }
            None => None,
        };
        let apres = garde(&contrat.contrat, &stocke.execution, piece_id)?;
        let texte_apres = document(&apres, "l'exécution financière")?;
        let acteur_s = e.acteur().to_string();
        let maintenant = e.maintenant().to_string();
        let (operation, avant) = if stocke.tampon.version == 0 {
            sqlx::query(
                "INSERT INTO executions (contrat_id, donnees, version, modifie_par, modifie_le) VALUES ($1, $2, 1, $3, $4)",
            )
            .bind(contrat_id)
            .bind(texte_apres.clone())
            .bind(acteur_s)
            .bind(maintenant)
            .execute(e.conn())
            .await?;
            ("creation", None)
        } else {
            let requete = sqlx::query(
                "UPDATE executions SET donnees = $1, version = version + 1, modifie_par = $2, modifie_le = $3 \
                 WHERE contrat_id = $4 AND version = $5",
            )
            .bind(texte_apres.clone())
            .bind(acteur_s)
            .bind(maintenant)
            .bind(contrat_id)
            .bind(stocke.tampon.version);
            e.executer_une(quoi(), &stocke.tampon, requete).await?;
            (
                "modification",
                Some(document(&stocke.execution, "l'exécution financière")?),
            )
        };
        crate::projection_execution::ecrire(
            e.conn(),
            contrat_id,
            &contrat.contrat,
            &apres,
            stocke.tampon.version + 1,
        )
        .await?;
        e.consigner(
            ENTITE_EXECUTION,
            &contrat_id.to_string(),
            operation,
            avant.as_deref(),
            Some(&texte_apres),
        )
        .await?;
        let t = e.tampon(contrat_id, stocke.tampon.version + 1);
        e.conclure().await?;
        Ok(t)
    }
}

/// A row of `executions` in a backup ([`crate::sauvegarde::Sauvegarde::executions`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LigneExecution {
    pub contrat_id: i64,
    pub donnees: String,
    pub version: i64,
    pub modifie_par: String,
    pub modifie_le: String,
}

/// Every row of `executions`, by contract, for a backup.
pub(crate) async fn lignes_tx(conn: &mut sqlx::AnyConnection) -> Resultat<Vec<LigneExecution>> {
    sqlx::query(
        "SELECT contrat_id, donnees, version, modifie_par, modifie_le FROM executions ORDER BY contrat_id",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(LigneExecution {
            contrat_id: r.try_get("contrat_id")?,
            donnees: r.try_get("donnees")?,
            version: r.try_get("version")?,
            modifie_par: r.try_get("modifie_par")?,
            modifie_le: r.try_get("modifie_le")?,
        })
    })
    .collect()
}

/// Writes back the rows of a backup (inside the restore's transaction).
pub(crate) async fn restaurer_tx(conn: &mut sqlx::AnyConnection, lignes: &[LigneExecution]) -> Resultat<()> {
    for l in lignes {
        sqlx::query(
            "INSERT INTO executions (contrat_id, donnees, version, modifie_par, modifie_le) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(l.contrat_id)
        .bind(&l.donnees)
        .bind(l.version)
        .bind(&l.modifie_par)
        .bind(&l.modifie_le)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
