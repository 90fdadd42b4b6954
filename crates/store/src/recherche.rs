//! The contract list's search and filters, in SQL: the reader's scope (as every list), then
//! the state, the region, the département, the collectivities a search matched, whether the
//! findings counts kept for the current revision show blocking findings, and whether a fiche
//! outside the référentiel still awaits its derogation. Paged like [`Base::contrats_lisibles`].

use pacte_core::contrat::EtatContrat;
use pacte_core::droits::PorteeLecture;
use sqlx::Row;

use crate::sommes::{JOINTURES, PageContrats, clause_portee, ligne_contrat};
use crate::{Base, Resultat};

/// What the contract list is filtered on; `Default` filters on nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiltreContrats {
    pub etat: Option<EtatContrat>,
    /// Region code (`93`).
    pub region: Option<String>,
    /// Département code (`13`, `2A`): the collectivity's département.
    pub departement: Option<String>,
    /// Only these collectivity codes (what a search on names matched); `Some(vec![])` matches
    /// nothing.
    pub collectivites: Option<Vec<String>>,
    /// `Some(true)`: with blocking findings; `Some(false)`: without. Read from the counts kept
    /// for the contract's current revision: the caller computes the missing ones first.
    pub bloquants: Option<bool>,
    /// Only contracts with a fiche outside the référentiel and no derogation recorded.
    pub derogation_attendue: bool,
}

impl FiltreContrats {
    /// The WHERE conditions beyond the scope's, and their parameters from `$premier` on.
    fn clause(&self, premier: usize) -> (Vec<String>, Vec<String>) {
        let mut conditions = Vec::new();
        let mut params: Vec<String> = Vec::new();
        let marque = |params: &mut Vec<String>, v: String| {
            params.push(v);
            format!("${}", premier + params.len() - 1)
        };
        if let Some(r) = &self.region {
            let m = marque(&mut params, r.clone());
            conditions.push(format!("d.region = {m}"));
        }
        if let Some(d) = &self.departement {
            let m = marque(&mut params, d.clone());
            conditions.push(format!("k.departement = {m}"));
        }
        if let Some(codes) = &self.collectivites {
            if codes.is_empty() {
                conditions.push("1 = 0".into());
            } else {
                let marques: Vec<String> = codes.iter().map(|c| marque(&mut params, c.clone())).collect();
                conditions.push(format!("c.collectivite IN ({})", marques.join(", ")));
            }
        }
        match self.bloquants {
            Some(true) => conditions.push("s.bloquants > 0".into()),
            Some(false) => conditions.push("s.bloquants = 0".into()),
            None => {}
        }
        if self.derogation_attendue {
            // The fiche document is compact JSON: `hors_referentiel` is written only when true,
            // `derogation` only when present.
            conditions.push(
                "EXISTS (SELECT 1 FROM fiches f2 WHERE f2.contrat_id = c.id \
                 AND f2.donnees LIKE '%\"hors_referentiel\":true%' \
                 AND f2.donnees NOT LIKE '%\"derogation\":%')"
                    .into(),
            );
        }
        (conditions, params)
    }
}

const SYNTHESES: &str = "LEFT JOIN syntheses s ON s.contrat_id = c.id AND s.revision = c.revision";

impl Base {
    /// The contracts a reader of scope `portee` may read that match `filtre`, in number order,
    /// a page at a time (`page` from 1; `par_page = None`: all), with how many match on all
    /// pages: filtered, counted and paged in SQL.
    pub async fn contrats_filtres(
        &self,
        portee: &PorteeLecture,
        filtre: &FiltreContrats,
        page: u32,
        par_page: Option<u32>,
    ) -> Resultat<PageContrats> {
        let (portee_sql, mut params) = clause_portee(portee, 1, filtre.etat);
        let (conditions, autres) = filtre.clause(params.len() + 1);
        params.extend(autres);
        let mut clause = portee_sql;
        for c in conditions {
            clause.push_str(" AND ");
            clause.push_str(&c);
        }
        let sql_total = format!("SELECT COUNT(*) AS n {JOINTURES} {SYNTHESES} WHERE {clause}");
        let mut q = sqlx::query(&sql_total);
        for p in &params {
            q = q.bind(p);
        }
        let total: i64 = q.fetch_one(&self.pool).await?.try_get("n")?;
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
             {JOINTURES} {SYNTHESES} WHERE {clause} ORDER BY c.id{limite}"
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
}
