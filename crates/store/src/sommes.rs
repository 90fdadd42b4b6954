//! The figures that lists, dashboards and consolidations sum or filter, kept as relational rows
//! beside the JSON documents they come from (migration 0006):
//!
//! - `montants_fiches`: per fiche and year, the State, collectivity (FSE+ included), FSE+ and
//!   other co-funders' amounts, in integer cents;
//! - `montants_proposes`: the State amount the header proposes per axis;
//! - `contrats.revision`: moved by every write to a contract's header or fiches, it keys what
//!   is derived from one contract (cached pages, the findings counts of `syntheses`).
//!
//! The rows are written by the same transaction as the document ([`ecrire_fiche`],
//! [`ecrire_entete`], called from every write of a header or a fiche), recomputed whole when a
//! base is opened for the first time after the migration or restored ([`reconstruire`]), and
//! compared with the documents by [`Base::ecarts_montants`], which `pacte audit verifier` runs:
//! a row edited behind the application's back is reported.
//!
//! The rows are a projection of the documents, never typed in: one function
//! ([`lignes_fiche`]) says what a fiche contributes, for the writes and for the check alike.

use std::collections::{BTreeMap, BTreeSet};

use pacte_core::contrat::{EnTete, EtatContrat};
use pacte_core::droits::{PorteeLecture, TerritoireLu};
use pacte_core::{Annee, FicheAction};
use sqlx::{AnyConnection, Row};

use crate::{Base, Resultat, erased, lire_json};

/// What one fiche contributes to `montants_fiches` for one year, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LigneMontants {
    pub annee: u16,
    pub etat: i64,
    pub collectivite: i64,
    pub fse_plus: i64,
    pub autres: i64,
}

/// The rows of a fiche: one per year where any funder puts money or a zero is written.
pub fn lignes_fiche(f: &FicheAction) -> Vec<LigneMontants> {
    let fin = &f.financement;
    let mut annees: BTreeSet<Annee> = BTreeSet::new();
    annees.extend(fin.etat.keys());
    annees.extend(fin.collectivite.keys());
    annees.extend(fin.fse_plus.keys());
    for c in &fin.autres {
        annees.extend(c.montants.keys());
    }
    let cents = |m: &BTreeMap<Annee, pacte_core::Montant>, a: &Annee| m.get(a).map_or(0, |v| v.en_centimes());
    annees
        .into_iter()
        .map(|a| LigneMontants {
            annee: a.valeur(),
            etat: cents(&fin.etat, &a),
            collectivite: cents(&fin.collectivite, &a),
            fse_plus: cents(&fin.fse_plus, &a),
            autres: fin.autres.iter().map(|c| cents(&c.montants, &a)).sum(),
        })
        .collect()
}

/// Moves the revision of contract `contrat_id`: once per write of its header or of a fiche. A
/// new contract starts at 1 (the column's default).
pub(crate) async fn toucher(conn: &mut AnyConnection, contrat_id: i64) -> Resultat<()> {
    sqlx::query("UPDATE contrats SET revision = revision + 1 WHERE id = $1")
        .bind(contrat_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rewrites the money rows of fiche `fiche_id` (`None`: the fiche is deleted). The write that
/// calls it moves the contract's revision once ([`toucher`]).
pub(crate) async fn ecrire_fiche(
    conn: &mut AnyConnection,
    contrat_id: i64,
    fiche_id: i64,
    fiche: Option<&FicheAction>,
) -> Resultat<()> {
    sqlx::query("DELETE FROM montants_fiches WHERE fiche_id = $1")
        .bind(fiche_id)
        .execute(&mut *conn)
        .await?;
    if let Some(f) = fiche {
        let axe = i64::from(f.axe().numero());
        for l in lignes_fiche(f) {
            sqlx::query(
                "INSERT INTO montants_fiches (contrat_id, fiche_id, axe, annee, etat, collectivite, fse_plus, autres) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(contrat_id)
            .bind(fiche_id)
            .bind(axe)
            .bind(i64::from(l.annee))
            .bind(l.etat)
            .bind(l.collectivite)
            .bind(l.fse_plus)
            .bind(l.autres)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Rewrites the proposed amounts per axis of contract `contrat_id` (the write moves the
/// revision once, [`toucher`]).
pub(crate) async fn ecrire_entete(conn: &mut AnyConnection, contrat_id: i64, e: &EnTete) -> Resultat<()> {
    sqlx::query("DELETE FROM montants_proposes WHERE contrat_id = $1")
        .bind(contrat_id)
        .execute(&mut *conn)
        .await?;
    for (axe, m) in &e.montants_proposes {
        sqlx::query("INSERT INTO montants_proposes (contrat_id, axe, montant) VALUES ($1, $2, $3)")
            .bind(contrat_id)
            .bind(i64::from(axe.numero()))
            .bind(m.en_centimes())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Recomputes every money row from the documents (a base migrated from before 0006, a
/// restore). Runs inside the caller's transaction.
pub(crate) async fn reconstruire(conn: &mut AnyConnection) -> Resultat<()> {
    sqlx::query("DELETE FROM montants_fiches")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM montants_proposes")
        .execute(&mut *conn)
        .await?;
    // An unreadable document gets no rows: `Base::ecarts_montants` names it.
    for (id, e) in entetes(conn).await? {
        if let Some(e) = e {
            ecrire_entete(conn, id, &e).await?;
        }
    }
    for (id, contrat, f) in fiches(conn).await? {
        if let Some(f) = f {
            ecrire_fiche(conn, contrat, id, Some(&f)).await?;
        }
    }
    sqlx::query("UPDATE montants_construits SET fait = 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every contract header, by id; `None` for a document that cannot be read (edited behind the
/// application's back: the audit verification reports it).
async fn entetes(conn: &mut AnyConnection) -> Resultat<Vec<(i64, Option<EnTete>)>> {
    let mut v = Vec::new();
    for r in sqlx::query("SELECT id, entete FROM contrats")
        .fetch_all(&mut *conn)
        .await?
    {
        v.push((
            r.try_get("id")?,
            serde_json::from_str(&r.try_get::<String, _>("entete")?).ok(),
        ));
    }
    Ok(v)
}

/// Every fiche: (id, contract id, the fiche or `None` when its document cannot be read).
async fn fiches(conn: &mut AnyConnection) -> Resultat<Vec<(i64, i64, Option<FicheAction>)>> {
    let mut v = Vec::new();
    for r in sqlx::query("SELECT id, contrat_id, donnees FROM fiches")
        .fetch_all(&mut *conn)
        .await?
    {
        v.push((
            r.try_get("id")?,
            r.try_get("contrat_id")?,
            serde_json::from_str(&r.try_get::<String, _>("donnees")?).ok(),
        ));
    }
    Ok(v)
}

/// The amounts of a `montants_fiches` row or of a sum of them (columns `etat`, `collectivite`,
/// `fse_plus`, `autres`).
fn montants_de(r: &sqlx::any::AnyRow, annee: i64) -> Resultat<LigneMontants> {
    Ok(LigneMontants {
        annee: annee as u16,
        etat: r.try_get("etat")?,
        collectivite: r.try_get("collectivite")?,
        fse_plus: r.try_get("fse_plus")?,
        autres: r.try_get("autres")?,
    })
}

/// Sums over a set of contracts, in cents, per axis and year (the State, collectivity, FSE+
/// and other funders' shares of their fiches).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sommes {
    /// (axe, année) → amounts.
    pub par_axe_annee: BTreeMap<(u8, u16), LigneMontants>,
    /// axe → the State amounts proposed by the headers.
    pub proposes: BTreeMap<u8, i64>,
}

/// One line of a contract list: what lists and dashboards show, read without the fiches.
#[derive(Debug, Clone, PartialEq)]
pub struct LigneContrat {
    pub id: i64,
    pub collectivite: String,
    pub etat: EtatContrat,
    pub entete: EnTete,
    /// Version of the header (optimistic concurrency).
    pub version: i64,
    /// Moved by every write to the header or a fiche.
    pub revision: i64,
    pub fiches: i64,
    /// Last change of the header (stored timestamp).
    pub modifie_le: String,
    /// Last change of the header or of a fiche (stored timestamp).
    pub derniere_modification: String,
    /// Findings counts (blocking, warnings) kept for this revision, if computed.
    pub constats: Option<(i64, i64)>,
}

/// A page of a contract list.
#[derive(Debug, Clone, PartialEq)]
pub struct PageContrats {
    pub lignes: Vec<LigneContrat>,
    /// Contracts matching the filter, all pages together.
    pub total: i64,
}

/// The WHERE clause of a reader's scope, and its parameters from `$premier` on.
pub(crate) fn clause_portee(
    p: &PorteeLecture,
    premier: usize,
    etat: Option<EtatContrat>,
) -> (String, Vec<String>) {
    let mut conditions = Vec::new();
    let mut params = Vec::new();
    let etats: Vec<EtatContrat> = p
        .etats
        .iter()
        .copied()
        .filter(|e| etat.is_none_or(|x| x == *e))
        .collect();
    if etats.is_empty() || matches!(p.territoire, TerritoireLu::Rien) {
        return ("1 = 0".into(), params);
    }
    let mut marques = Vec::new();
    for e in &etats {
        params.push(erased::Texte::texte(e));
        marques.push(format!("${}", premier + params.len() - 1));
    }
    conditions.push(format!("c.etat IN ({})", marques.join(", ")));
    let (colonne, valeur) = match &p.territoire {
        TerritoireLu::Tout | TerritoireLu::Rien => (None, None),
        TerritoireLu::Region(r) => (Some("d.region"), Some(r)),
        TerritoireLu::Departement(d) => (Some("k.departement"), Some(d)),
        TerritoireLu::Collectivite(c) => (Some("c.collectivite"), Some(c)),
    };
    if let (Some(colonne), Some(valeur)) = (colonne, valeur) {
        params.push(valeur.clone());
        conditions.push(format!("{colonne} = ${}", premier + params.len() - 1));
    }
    (conditions.join(" AND "), params)
}

pub(crate) const JOINTURES: &str = "FROM contrats c \
     LEFT JOIN collectivites k ON k.code = c.collectivite \
     LEFT JOIN departements d ON d.code = k.departement";

impl Base {
    /// The contracts a reader of scope `portee` may read, in number order, optionally of one
    /// state, a page at a time (`page` from 1; `par_page = None`: all), filtered and paged in
    /// SQL. The headers are read, not the fiches.
    pub async fn contrats_lisibles(
        &self,
        portee: &PorteeLecture,
        etat: Option<EtatContrat>,
        page: u32,
        par_page: Option<u32>,
    ) -> Resultat<PageContrats> {
        let total = self.nombre_contrats_lisibles(portee, etat).await?;
        let (clause, params) = clause_portee(portee, 1, etat);
        let limite = match par_page {
            Some(n) => format!(
                " LIMIT {} OFFSET {}",
                n,
                u64::from(page.max(1) - 1) * u64::from(n)
            ),
            None => String::new(),
        };
        let sql = format!(
            "SELECT c.id, c.collectivite, c.etat, c.entete, c.version, c.revision, c.modifie_le, \
             (SELECT COUNT(*) FROM fiches f WHERE f.contrat_id = c.id) AS n, \
             (SELECT MAX(f.modifie_le) FROM fiches f WHERE f.contrat_id = c.id) AS fiches_le, \
             s.bloquants, s.alertes \
             {JOINTURES} LEFT JOIN syntheses s ON s.contrat_id = c.id AND s.revision = c.revision \
             WHERE {clause} ORDER BY c.id{limite}"
        );
        let mut q = sqlx::query(&sql);
        for p in &params {
            q = q.bind(p);
        }
        let mut lignes = Vec::new();
        for r in q.fetch_all(&self.pool).await? {
            lignes.push(ligne_contrat(&r)?);
        }
        Ok(PageContrats { lignes, total })
    }

    /// How many contracts a reader of scope `portee` may read, optionally of one state.
    pub async fn nombre_contrats_lisibles(
        &self,
        portee: &PorteeLecture,
        etat: Option<EtatContrat>,
    ) -> Resultat<i64> {
        let (clause, params) = clause_portee(portee, 1, etat);
        let sql_total = format!("SELECT COUNT(*) AS n {JOINTURES} WHERE {clause}");
        let mut q = sqlx::query(&sql_total);
        for p in &params {
            q = q.bind(p);
        }
        Ok(q.fetch_one(&self.pool).await?.try_get("n")?)
    }

    /// Contract `id` and its revision, read in one snapshot: what a derived figure computed
    /// from the contract is to be labelled with.
    pub async fn contrat_et_revision(&self, id: i64) -> Resultat<(crate::ContratStocke, i64)> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query("SELECT revision FROM contrats WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| crate::ErreurStore::Introuvable {
                entite: "contrat",
                id: id.to_string(),
            })?;
        let revision: i64 = r.try_get("revision")?;
        self.compter_lecture_complete();
        let c = crate::contrats::lire_contrat(&mut tx, id).await?;
        tx.commit().await?;
        Ok((c, revision))
    }

    /// The revision of contract `id` (moved by every write to its header or fiches).
    pub async fn revision(&self, id: i64) -> Resultat<Option<i64>> {
        Ok(sqlx::query("SELECT revision FROM contrats WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("revision"))
            .transpose()?)
    }

    /// Keeps the findings counts of contract `id` at `revision`. Derived data, computed by the
    /// caller from the rules: not audited. A count for an older revision never replaces a newer
    /// one.
    pub async fn enregistrer_synthese(
        &self,
        id: i64,
        revision: i64,
        bloquants: i64,
        alertes: i64,
    ) -> Resultat<()> {
        sqlx::query(
            "INSERT INTO syntheses (contrat_id, revision, bloquants, alertes) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (contrat_id) DO UPDATE SET revision = excluded.revision, bloquants = excluded.bloquants, \
             alertes = excluded.alertes WHERE syntheses.revision <= excluded.revision",
        )
        .bind(id)
        .bind(revision)
        .bind(bloquants)
        .bind(alertes)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The money of the contracts a reader of scope `portee` may read, summed in SQL per axis
    /// and year.
    pub async fn sommes(&self, portee: &PorteeLecture) -> Resultat<Sommes> {
        let (clause, params) = clause_portee(portee, 1, None);
        let sql = format!(
            "SELECT m.axe, m.annee, CAST(SUM(m.etat) AS BIGINT) AS etat, CAST(SUM(m.collectivite) AS BIGINT) AS collectivite, \
             CAST(SUM(m.fse_plus) AS BIGINT) AS fse_plus, CAST(SUM(m.autres) AS BIGINT) AS autres \
             FROM montants_fiches m JOIN contrats c ON c.id = m.contrat_id \
             LEFT JOIN collectivites k ON k.code = c.collectivite \
             LEFT JOIN departements d ON d.code = k.departement \
             WHERE {clause} GROUP BY m.axe, m.annee ORDER BY m.axe, m.annee"
        );
        let mut q = sqlx::query(&sql);
        for p in &params {
            q = q.bind(p);
        }
        let mut s = Sommes::default();
        for r in q.fetch_all(&self.pool).await? {
            let axe: i64 = r.try_get("axe")?;
            let annee: i64 = r.try_get("annee")?;
            s.par_axe_annee
                .insert((axe as u8, annee as u16), montants_de(&r, annee)?);
        }
        let sql = format!(
            "SELECT m.axe, CAST(SUM(m.montant) AS BIGINT) AS montant FROM montants_proposes m JOIN contrats c ON c.id = m.contrat_id \
             LEFT JOIN collectivites k ON k.code = c.collectivite \
             LEFT JOIN departements d ON d.code = k.departement \
             WHERE {clause} GROUP BY m.axe ORDER BY m.axe"
        );
        let mut q = sqlx::query(&sql);
        for p in &params {
            q = q.bind(p);
        }
        for r in q.fetch_all(&self.pool).await? {
            let axe: i64 = r.try_get("axe")?;
            s.proposes.insert(axe as u8, r.try_get("montant")?);
        }
        Ok(s)
    }

    /// The money rows that differ from what the stored documents say (a row edited, added or
    /// deleted behind the application's back), in French; empty when they agree.
    pub async fn ecarts_montants(&self) -> Resultat<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        self.moteur.instantane(&mut tx).await?;
        let ecarts = ecarts(&mut tx).await?;
        tx.commit().await?;
        Ok(ecarts)
    }
}

/// [`Base::ecarts_montants`] on `conn`, inside the caller's snapshot (the audit verification
/// compares the money rows with the documents it reads in the same one).
pub(crate) async fn ecarts(conn: &mut AnyConnection) -> Resultat<Vec<String>> {
    let mut attendu: BTreeMap<(i64, i64, i64), (i64, LigneMontants)> = BTreeMap::new();
    let mut ecarts = Vec::new();
    for (id, contrat, f) in fiches(&mut *conn).await? {
        let Some(f) = f else {
            ecarts.push(format!(
                "la fiche {id} du contrat {contrat} est illisible : ses montants ne sont pas vérifiés"
            ));
            continue;
        };
        for l in lignes_fiche(&f) {
            attendu.insert(
                (contrat, id, i64::from(l.annee)),
                (i64::from(f.axe().numero()), l),
            );
        }
    }
    let mut stocke: BTreeMap<(i64, i64, i64), (i64, LigneMontants)> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT contrat_id, fiche_id, axe, annee, etat, collectivite, fse_plus, autres FROM montants_fiches",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let annee: i64 = r.try_get("annee")?;
        stocke.insert(
            (r.try_get("contrat_id")?, r.try_get("fiche_id")?, annee),
            (r.try_get("axe")?, montants_de(&r, annee)?),
        );
    }
    let mut proposes_attendus: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for (id, e) in entetes(&mut *conn).await? {
        let Some(e) = e else {
            ecarts.push(format!(
                "l'en-tête du contrat {id} est illisible : ses montants proposés ne sont pas vérifiés"
            ));
            continue;
        };
        for (axe, m) in &e.montants_proposes {
            proposes_attendus.insert((id, i64::from(axe.numero())), m.en_centimes());
        }
    }
    let mut proposes_stockes: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for r in sqlx::query("SELECT contrat_id, axe, montant FROM montants_proposes")
        .fetch_all(&mut *conn)
        .await?
    {
        proposes_stockes.insert(
            (r.try_get("contrat_id")?, r.try_get("axe")?),
            r.try_get("montant")?,
        );
    }
    let cles: BTreeSet<_> = attendu.keys().chain(stocke.keys()).copied().collect();
    for cle @ (contrat, fiche, annee) in cles {
        match (attendu.get(&cle), stocke.get(&cle)) {
            (Some(a), Some(s)) if a == s => {}
            (Some(_), Some(_)) => ecarts.push(format!(
                "montants de la fiche {fiche} du contrat {contrat} en {annee} : la ligne stockée diffère de la fiche"
            )),
            (Some(_), None) => ecarts.push(format!(
                "montants de la fiche {fiche} du contrat {contrat} en {annee} : ligne absente"
            )),
            (None, Some(_)) => ecarts.push(format!(
                "montants de la fiche {fiche} du contrat {contrat} en {annee} : ligne sans fiche correspondante"
            )),
            (None, None) => {}
        }
    }
    let cles: BTreeSet<_> = proposes_attendus
        .keys()
        .chain(proposes_stockes.keys())
        .copied()
        .collect();
    for cle @ (contrat, axe) in cles {
        if proposes_attendus.get(&cle) != proposes_stockes.get(&cle) {
            ecarts.push(format!(
                "montant proposé de l'axe {axe} du contrat {contrat} : la ligne stockée diffère de l'en-tête"
            ));
        }
    }
    Ok(ecarts)
}

/// A listed contract from a row of the list queries (`Base::contrats_lisibles`,
/// `Base::contrats_filtres`): header, counts and the findings kept for its revision.
pub(crate) fn ligne_contrat(r: &sqlx::any::AnyRow) -> Resultat<LigneContrat> {
    let id: i64 = r.try_get("id")?;
    let entete: EnTete = lire_json(
        &r.try_get::<String, _>("entete")?,
        &format!("en-tête du contrat {id}"),
    )?;
    let modifie_le: String = r.try_get("modifie_le")?;
    let fiches_le: Option<String> = r.try_get("fiches_le")?;
    let bloquants: Option<i64> = r.try_get("bloquants")?;
    let alertes: Option<i64> = r.try_get("alertes")?;
    Ok(LigneContrat {
        id,
        collectivite: r.try_get("collectivite")?,
        etat: entete.etat,
        entete,
        version: r.try_get("version")?,
        revision: r.try_get("revision")?,
        fiches: r.try_get("n")?,
        derniere_modification: fiches_le.map_or(modifie_le.clone(), |f| f.max(modifie_le.clone())),
        modifie_le,
        constats: bloquants.zip(alertes),
    })
}
