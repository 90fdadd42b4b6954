//! The version of the data a contract was signed on: when the signed convention is attached
//! to the signature act, the caller records the contract's version and the verification code
//! of the document's data (computed by `pacte-documents`, which the store does not know).
//! The contract page compares them with the current data.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::ecriture::Ecriture;
use crate::erreur::{ErreurStore, Resultat};
use crate::{Base, document};

/// Audit entity of signed versions.
pub(crate) const ENTITE_VERSION_SIGNEE: &str = "version_signee";

/// Longest verification code accepted (the documents' codes have 12 characters).
const CODE_MAX: usize = 64;

/// A signed version, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSignee {
    pub acte_id: i64,
    pub contrat_id: i64,
    pub version: i64,
    pub code: String,
    pub enregistre_par: String,
    pub enregistre_le: String,
}

const COLONNES: &str = "acte_id, contrat_id, version, code, enregistre_par, enregistre_le";

fn lire(r: &sqlx::any::AnyRow) -> Resultat<VersionSignee> {
    Ok(VersionSignee {
        acte_id: r.try_get("acte_id")?,
        contrat_id: r.try_get("contrat_id")?,
        version: r.try_get("version")?,
        code: r.try_get("code")?,
        enregistre_par: r.try_get("enregistre_par")?,
        enregistre_le: r.try_get("enregistre_le")?,
    })
}

impl Base {
    /// The signed version of contract `contrat_id`: the one of its last signature act in
    /// force, if any was recorded.
    pub async fn version_signee(&self, contrat_id: i64) -> Resultat<Option<VersionSignee>> {
        let r = sqlx::query(
            "SELECT v.acte_id, v.contrat_id, v.version, v.code, v.enregistre_par, v.enregistre_le \
             FROM versions_signees v JOIN actes a ON a.id = v.acte_id \
             WHERE v.contrat_id = $1 AND a.annule_le IS NULL ORDER BY v.acte_id DESC LIMIT 1",
        )
        .bind(contrat_id)
        .fetch_optional(self.pool())
        .await?;
        r.map(|r| lire(&r)).transpose()
    }
}

/// Every row, for a backup.
pub(crate) async fn lignes_tx(conn: &mut sqlx::AnyConnection) -> Resultat<Vec<VersionSignee>> {
    sqlx::query(&format!(
        "SELECT {COLONNES} FROM versions_signees ORDER BY acte_id"
    ))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(lire)
    .collect()
}

/// Writes back the rows of a backup (inside the restore's transaction, after the acts).
pub(crate) async fn restaurer_tx(conn: &mut sqlx::AnyConnection, lignes: &[VersionSignee]) -> Resultat<()> {
    for v in lignes {
        sqlx::query(&format!(
            "INSERT INTO versions_signees ({COLONNES}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(v.acte_id)
        .bind(v.contrat_id)
        .bind(v.version)
        .bind(&v.code)
        .bind(&v.enregistre_par)
        .bind(&v.enregistre_le)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records, inside the write `e`, that act `acte_id` (a signature of contract `contrat_id`)
/// signed `version` of the data, whose document has verification code `code`; audited. Used
/// by the signature act (`Base::enregistrer_acte_signe`), so that the act, its document and the version it signs are
/// one transaction.
pub(crate) async fn ecrire_tx(
    e: &mut Ecriture<'_>,
    contrat_id: i64,
    acte_id: i64,
    version: i64,
    code: &str,
) -> Resultat<VersionSignee> {
    if code.trim().is_empty() || code.chars().count() > CODE_MAX {
        return Err(ErreurStore::Invalide(format!(
            "code de vérification : il compte de 1 à {CODE_MAX} caractères"
        )));
    }
    let acte = sqlx::query("SELECT etape FROM actes WHERE id = $1 AND contrat_id = $2")
        .bind(acte_id)
        .bind(contrat_id)
        .fetch_optional(e.conn())
        .await?;
    match acte {
        None => {
            return Err(ErreurStore::Introuvable {
                entite: "acte",
                id: acte_id.to_string(),
            });
        }
        Some(r) if r.try_get::<String, _>("etape")? != "signature" => {
            return Err(ErreurStore::Invalide(format!(
                "l'acte {acte_id} n'est pas une signature : seule la signature fixe la version signée"
            )));
        }
        Some(_) => {}
    }
    let avant = sqlx::query(&format!(
        "SELECT {COLONNES} FROM versions_signees WHERE acte_id = $1"
    ))
    .bind(acte_id)
    .fetch_optional(e.conn())
    .await?
    .map(|r| lire(&r))
    .transpose()?;
    let v = VersionSignee {
        acte_id,
        contrat_id,
        version,
        code: code.trim().to_string(),
        enregistre_par: e.acteur().to_string(),
        enregistre_le: e.maintenant().to_string(),
    };
    sqlx::query("DELETE FROM versions_signees WHERE acte_id = $1")
        .bind(acte_id)
        .execute(e.conn())
        .await?;
    sqlx::query(&format!(
        "INSERT INTO versions_signees ({COLONNES}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(v.acte_id)
    .bind(v.contrat_id)
    .bind(v.version)
    .bind(&v.code)
    .bind(&v.enregistre_par)
    .bind(&v.enregistre_le)
    .execute(e.conn())
    .await?;
    let texte_avant = avant
        .as_ref()
        .map(|a| document(a, "la version signée"))
        .transpose()?;
    let texte_apres = document(&v, "la version signée")?;
    e.consigner(
        ENTITE_VERSION_SIGNEE,
        &acte_id.to_string(),
        if avant.is_some() {
            "modification"
        } else {
            "creation"
        },
        texte_avant.as_deref(),
        Some(&texte_apres),
    )
    .await?;
    Ok(v)
}
