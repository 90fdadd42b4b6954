//! The audit log: every write appends who, when, what and the before/after values, each entry
//! carrying the hash of the previous one. Verification walks the chain and compares the last
//! known state of every record with what the tables hold now.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::erreur::Resultat;

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntreeAudit {
    pub id: i64,
    pub horodatage: String,
    /// Who: an actor id (`cli:utilisateur`, later an account).
    pub acteur: String,
    /// What: `contrat`, `fiche`, `referentiel`.
    pub entite: String,
    pub entite_id: String,
    /// `creation`, `modification`, `suppression`, `chargement`.
    pub operation: String,
    pub avant: Option<String>,
    pub apres: Option<String>,
    pub hash_precedent: String,
    pub hash: String,
}

impl EntreeAudit {
    /// SHA-256 of the entry's fields and the previous hash, each length-prefixed so that no two
    /// different entries share a preimage.
    pub fn calculer_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut champ = |s: Option<&str>| match s {
            None => h.update(b"-;"),
            Some(s) => {
                h.update(s.len().to_string().as_bytes());
                h.update(b":");
                h.update(s.as_bytes());
                h.update(b";");
            }
        };
        let id = self.id.to_string();
        champ(Some(&id));
        champ(Some(&self.horodatage));
        champ(Some(&self.acteur));
        champ(Some(&self.entite));
        champ(Some(&self.entite_id));
        champ(Some(&self.operation));
        champ(self.avant.as_deref());
        champ(self.apres.as_deref());
        champ(Some(&self.hash_precedent));
        hex::encode(h.finalize())
    }

    pub(crate) fn depuis_ligne(r: &AnyRow) -> Resultat<EntreeAudit> {
        Ok(EntreeAudit {
            id: r.try_get("id")?,
            horodatage: r.try_get("horodatage")?,
            acteur: r.try_get("acteur")?,
            entite: r.try_get("entite")?,
            entite_id: r.try_get("entite_id")?,
            operation: r.try_get("operation")?,
            avant: r.try_get("avant")?,
            apres: r.try_get("apres")?,
            hash_precedent: r.try_get("hash_precedent")?,
            hash: r.try_get("hash")?,
        })
    }
}

pub(crate) const COLONNES: &str =
    "id, horodatage, acteur, entite, entite_id, operation, avant, apres, hash_precedent, hash";

/// The head of the chain, held for the duration of one write transaction.
pub(crate) struct Journal {
    dernier_id: i64,
    dernier_hash: String,
    acteur: String,
    horodatage: String,
}

impl Journal {
    /// Takes the write lock (the `UPDATE` of the single head row serialises writers on both
    /// backends) and reads the head of the chain.
    pub(crate) async fn ouvrir(
        tx: &mut Transaction<'_, Any>,
        acteur: &str,
        horodatage: &str,
    ) -> Resultat<Journal> {
        sqlx::query("UPDATE audit_tete SET verrou = verrou + 1 WHERE id = 1")
            .execute(&mut **tx)
            .await?;
        let r = sqlx::query("SELECT dernier_id, dernier_hash FROM audit_tete WHERE id = 1")
            .fetch_one(&mut **tx)
            .await?;
        Ok(Journal {
            dernier_id: r.try_get("dernier_id")?,
            dernier_hash: r.try_get("dernier_hash")?,
            acteur: acteur.to_string(),
            horodatage: horodatage.to_string(),
        })
    }

    pub(crate) async fn consigner(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        entite: &str,
        entite_id: &str,
        operation: &str,
        avant: Option<&str>,
        apres: Option<&str>,
    ) -> Resultat<()> {
        let mut e = EntreeAudit {
            id: self.dernier_id + 1,
            horodatage: self.horodatage.clone(),
            acteur: self.acteur.clone(),
            entite: entite.to_string(),
            entite_id: entite_id.to_string(),
            operation: operation.to_string(),
            avant: avant.map(str::to_string),
            apres: apres.map(str::to_string),
            hash_precedent: std::mem::take(&mut self.dernier_hash),
            hash: String::new(),
        };
        e.hash = e.calculer_hash();
        inserer(tx, &e).await?;
        self.dernier_id = e.id;
        self.dernier_hash = e.hash;
        Ok(())
    }

    /// Writes the new head. Call once, just before commit.
    pub(crate) async fn clore(self, tx: &mut Transaction<'_, Any>) -> Resultat<()> {
        sqlx::query("UPDATE audit_tete SET dernier_id = $1, dernier_hash = $2 WHERE id = 1")
            .bind(self.dernier_id)
            .bind(self.dernier_hash)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

pub(crate) async fn inserer(tx: &mut Transaction<'_, Any>, e: &EntreeAudit) -> Resultat<()> {
    sqlx::query(&format!(
        "INSERT INTO audit ({COLONNES}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The outcome of a verification of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RapportAudit {
    /// Entries read.
    pub entrees: usize,
    /// The first broken link, if any.
    pub rupture: Option<Rupture>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rupture {
    /// The audit entry where the chain breaks (0 when the problem is in the data tables).
    pub entree: i64,
    pub raison: String,
}

/// Walks the chain; then compares each record's current content with its last audited state.
/// `actuels` holds (entity, id) → current content of every record of the audited tables.
pub(crate) fn verifier(
    entrees: &[EntreeAudit],
    tete: (i64, &str),
    actuels: &HashMap<(String, String), String>,
) -> RapportAudit {
    let rupture = |entree: i64, raison: String| RapportAudit {
        entrees: entrees.len(),
        rupture: Some(Rupture { entree, raison }),
    };
    let mut precedent = (0i64, String::new());
    let mut dernier_etat: HashMap<(String, String), (i64, Option<&str>)> = HashMap::new();
    for e in entrees {
        if e.id != precedent.0 + 1 {
            return rupture(
                e.id,
                format!(
                    "l'entrée {} suit l'entrée {} : des entrées ont été supprimées",
                    e.id, precedent.0
                ),
            );
        }
        if e.hash_precedent != precedent.1 {
            return rupture(
                e.id,
                format!(
                    "l'entrée {} ne porte pas l'empreinte de l'entrée {}",
                    e.id, precedent.0
                ),
            );
        }
        if e.calculer_hash() != e.hash {
            return rupture(
                e.id,
                format!("le contenu de l'entrée {} a été modifié après son écriture", e.id),
            );
        }
        dernier_etat.insert(
            (e.entite.clone(), e.entite_id.clone()),
            (e.id, e.apres.as_deref()),
        );
        precedent = (e.id, e.hash.clone());
    }
    if tete.0 != precedent.0 || tete.1 != precedent.1 {
        return rupture(
            precedent.0,
            format!(
                "le journal s'arrête à l'entrée {} alors que sa tête annonce l'entrée {} : des entrées ont été supprimées",
                precedent.0, tete.0
            ),
        );
    }
    let mut cles: Vec<_> = actuels.keys().collect();
    cles.sort();
    for cle in cles {
        let contenu = &actuels[cle];
        match dernier_etat.get(cle) {
            None => {
                return rupture(
                    0,
                    format!(
                        "{} {} existe dans la base mais n'apparaît pas dans le journal : écrit hors de Pacte",
                        cle.0, cle.1
                    ),
                );
            }
            Some((id, apres)) if *apres != Some(contenu.as_str()) => {
                return rupture(
                    *id,
                    format!(
                        "{} {} diffère de son dernier état journalisé (entrée {id}) : modifié hors de Pacte",
                        cle.0, cle.1
                    ),
                );
            }
            Some(_) => {}
        }
    }
    for ((entite, id), (entree, apres)) in &dernier_etat {
        let audite = matches!(entite.as_str(), "contrat" | "fiche" | "utilisateur" | "jeton_api");
        if audite && apres.is_some() && !actuels.contains_key(&(entite.clone(), id.clone())) {
            return rupture(
                *entree,
                format!("{entite} {id} figure au journal mais a disparu de la base : supprimé hors de Pacte"),
            );
        }
    }
    RapportAudit {
        entrees: entrees.len(),
        rupture: None,
    }
}

/// The entities the store writes to the log.
pub const ENTITES: &[&str] = &["contrat", "fiche", "utilisateur", "jeton_api", "referentiel"];

/// The operations the store writes to the log.
pub const OPERATIONS: &[&str] = &[
    "creation",
    "modification",
    "suppression",
    "chargement",
    "modification du mot de passe",
    "desactivation",
    "revocation",
];

/// A selection of the audit log; every criterion is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiltreJournal {
    /// Exact entity (`fiche`).
    pub entite: Option<String>,
    /// Part of the actor, whatever its case (`marie@`).
    pub acteur: Option<String>,
    /// Exact operation (`modification`).
    pub operation: Option<String>,
    /// First day, inclusive (`2026-11-01`, UTC).
    pub du: Option<String>,
    /// Last day, inclusive (`2026-11-30`, UTC).
    pub au: Option<String>,
}

/// A page of the log: its entries, newest first, and how many entries match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageJournal {
    pub entrees: Vec<EntreeAudit>,
    pub total: i64,
}

/// `texte` as a `LIKE` pattern matching it anywhere, `!` escaping the wildcards.
fn motif_contient(texte: &str) -> String {
    let mut m = String::from("%");
    for c in texte.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '!') {
            m.push('!');
        }
        m.push(c);
    }
    m.push('%');
    m
}

impl FiltreJournal {
    /// The `WHERE` clause (empty when nothing is filtered) and its parameters, `$1` onwards.
    fn clause(&self) -> (String, Vec<String>) {
        let mut conditions = Vec::new();
        let mut valeurs = Vec::new();
        let mut ajouter = |condition: &str, valeur: String| {
            valeurs.push(valeur);
            conditions.push(condition.replace('?', &format!("${}", valeurs.len())));
        };
        if let Some(e) = &self.entite {
            ajouter("entite = ?", e.clone());
        }
        if let Some(a) = &self.acteur {
            ajouter("LOWER(acteur) LIKE ? ESCAPE '!'", motif_contient(a));
        }
        if let Some(o) = &self.operation {
            ajouter("operation = ?", o.clone());
        }
        // Timestamps are ISO 8601 UTC: their first ten characters are the day.
        if let Some(d) = &self.du {
            ajouter("SUBSTR(horodatage, 1, 10) >= ?", d.clone());
        }
        if let Some(a) = &self.au {
            ajouter("SUBSTR(horodatage, 1, 10) <= ?", a.clone());
        }
        if conditions.is_empty() {
            (String::new(), valeurs)
        } else {
            (format!(" WHERE {}", conditions.join(" AND ")), valeurs)
        }
    }
}

impl crate::Base {
    /// Page `page` (from 1) of the entries selected by `filtre`, `par_page` per page, newest
    /// first; a page past the end is empty.
    pub async fn journal_filtre(
        &self,
        filtre: &FiltreJournal,
        page: i64,
        par_page: i64,
    ) -> Resultat<PageJournal> {
        let (clause, valeurs) = filtre.clause();
        let pool = self.pool();
        let sql = format!("SELECT COUNT(*) AS n FROM audit{clause}");
        let mut compte = sqlx::query(&sql);
        for v in &valeurs {
            compte = compte.bind(v.as_str());
        }
        let total: i64 = compte.fetch_one(pool).await?.try_get("n")?;
        let par_page = par_page.max(1);
        let decalage = (page.max(1) - 1).saturating_mul(par_page);
        let sql = format!(
            "SELECT {COLONNES} FROM audit{clause} ORDER BY id DESC LIMIT ${} OFFSET ${}",
            valeurs.len() + 1,
            valeurs.len() + 2
        );
        let mut q = sqlx::query(&sql);
        for v in &valeurs {
            q = q.bind(v.as_str());
        }
        let entrees = q
            .bind(par_page)
            .bind(decalage)
            .fetch_all(pool)
            .await?
            .iter()
            .map(EntreeAudit::depuis_ligne)
            .collect::<Resultat<_>>()?;
        Ok(PageJournal { entrees, total })
    }

    /// Entry `id` of the log.
    pub async fn entree_audit(&self, id: i64) -> Resultat<Option<EntreeAudit>> {
        sqlx::query(&format!("SELECT {COLONNES} FROM audit WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(EntreeAudit::depuis_ligne)
            .transpose()
    }

    /// Where the fiches of ids `ids` are now: id → (contract id, fiche number). Deleted fiches
    /// are absent.
    pub async fn fiches_par_id(&self, ids: &[i64]) -> Resultat<HashMap<i64, (i64, String)>> {
        let mut trouvees = HashMap::new();
        if ids.is_empty() {
            return Ok(trouvees);
        }
        let marques: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, contrat_id, numero FROM fiches WHERE id IN ({})",
            marques.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        for r in q.fetch_all(self.pool()).await? {
            trouvees.insert(r.try_get("id")?, (r.try_get("contrat_id")?, r.try_get("numero")?));
        }
        Ok(trouvees)
    }

    /// Those of the contracts `ids` that still exist.
    pub async fn contrats_existants(&self, ids: &[i64]) -> Resultat<std::collections::HashSet<i64>> {
        let mut existants = std::collections::HashSet::new();
        if ids.is_empty() {
            return Ok(existants);
        }
        let marques: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT id FROM contrats WHERE id IN ({})", marques.join(", "));
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        for r in q.fetch_all(self.pool()).await? {
            existants.insert(r.try_get("id")?);
        }
        Ok(existants)
    }

    /// The name and address of the accounts with these ids or these addresses, by id: what
    /// makes the actors of audit entries and records readable, in one query for a page.
    pub async fn noms_des_comptes(
        &self,
        ids: &[i64],
        emails: &[String],
    ) -> Resultat<HashMap<i64, (String, String)>> {
        let mut noms = HashMap::new();
        let mut conditions = Vec::new();
        if !ids.is_empty() {
            let marques: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
            conditions.push(format!("id IN ({})", marques.join(", ")));
        }
        if !emails.is_empty() {
            let marques: Vec<String> = (ids.len() + 1..=ids.len() + emails.len())
                .map(|i| format!("${i}"))
                .collect();
            conditions.push(format!("email IN ({})", marques.join(", ")));
        }
        if conditions.is_empty() {
            return Ok(noms);
        }
        let sql = format!(
            "SELECT id, nom, email FROM utilisateurs WHERE {}",
            conditions.join(" OR ")
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        for e in emails {
            q = q.bind(e.as_str());
        }
        for r in q.fetch_all(self.pool()).await? {
            noms.insert(r.try_get("id")?, (r.try_get("nom")?, r.try_get("email")?));
        }
        Ok(noms)
    }
}
