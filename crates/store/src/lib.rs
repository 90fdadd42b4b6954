//! Persistence of Pacte: SQLite (embedded default, one file) and PostgreSQL (shared
//! deployments), behind one [`Base`].
//!
//! The business code is written once against sqlx's `Any` driver with portable SQL
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT DO NOTHING`, TEXT JSON documents). What
//! differs between the engines is confined to [`Moteur`]: its embedded migrations, connection
//! set-up, the snapshot statement of a backup, the sequence reset after a restore and the
//! integrity check. No query is written twice.
//!
//! Every write runs in one transaction, appends to the hash-chained audit log
//! ([`audit`]) and checks the version of the record it changes (optimistic concurrency).

pub mod audit;
pub mod comptes;
mod erreur;
pub mod horloge;
mod moteur;
pub mod sauvegarde;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use pacte_core::contrat::{EnTete, NumeroFiche};
use pacte_core::{Contrat, FicheAction};
use serde::Serialize;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};

pub use audit::{EntreeAudit, FiltreJournal, PageJournal, RapportAudit};
pub use erreur::{ErreurStore, Resultat};
pub use moteur::Moteur;

use audit::Journal;

/// The default base: one SQLite file in `donnees/`.
pub const BASE_PAR_DEFAUT: &str = "sqlite://donnees/pacte.db";

/// A record's concurrency stamp: its version and who changed it last, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tampon {
    pub id: i64,
    pub version: i64,
    pub modifie_par: String,
    pub modifie_le: String,
}

/// A stored contract: the domain value and the stamps of its header and fiches (same order as
/// `contrat.fiches`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContratStocke {
    pub tampon: Tampon,
    pub contrat: Contrat,
    pub fiches: Vec<Tampon>,
}

/// One line of the contract list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResumeContrat {
    pub id: i64,
    pub collectivite: String,
    pub etat: String,
    pub fiches: i64,
    pub version: i64,
    pub modifie_le: String,
}

/// An open base.
#[derive(Debug, Clone)]
pub struct Base {
    pool: AnyPool,
    moteur: Moteur,
    /// Write transactions committed through this handle (and its clones): lets caches see
    /// this process's own writes at once.
    ecritures: Arc<AtomicU64>,
}

/// A stored document: JSON of a domain value, refused when it holds a NUL character (which
/// PostgreSQL cannot store in text, and which no legitimate contract contains).
fn document<T: Serialize>(v: &T, quoi: &str) -> Resultat<String> {
    let texte = json(v);
    if texte.contains("\\u0000") {
        return Err(ErreurStore::Invalide(format!(
            "{quoi} contient un caractère nul (U+0000), interdit"
        )));
    }
    Ok(texte)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("domain values serialize to JSON")
}

fn lire_json<T: serde::de::DeserializeOwned>(texte: &str, quoi: &str) -> Resultat<T> {
    serde_json::from_str(texte).map_err(|e| ErreurStore::Corrompue(format!("{quoi} : {e}")))
}

fn etat_texte(e: &EnTete) -> String {
    serde_json::to_value(e.etat)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl Base {
    /// Opens (and creates if needed) the base at `url`, runs the migrations and loads the
    /// reference data (référentiel version, territories).
    pub async fn ouvrir(url: &str) -> Resultat<Base> {
        sqlx::any::install_default_drivers();
        let moteur = Moteur::depuis_url(url)?;
        let url_connexion = moteur.preparer(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(moteur.connexions_max())
            .connect(&url_connexion)
            .await?;
        let base = Base {
            pool,
            moteur,
            ecritures: Arc::new(AtomicU64::new(0)),
        };
        moteur.configurer(&base.pool).await?;
        moteur.migrateur().await?.run(&base.pool).await?;
        base.charger_reference().await?;
        Ok(base)
    }

    pub fn moteur(&self) -> Moteur {
        self.moteur
    }

    /// Commits a write transaction and counts it.
    pub(crate) async fn valider(&self, tx: Transaction<'_, Any>) -> Resultat<()> {
        tx.commit().await?;
        self.ecritures.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// Ends a write: moves the head of the audit chain, commits, counts the write.
    pub(crate) async fn conclure(&self, mut tx: Transaction<'_, Any>, journal: Journal) -> Resultat<()> {
        journal.clore(&mut tx).await?;
        self.valider(tx).await
    }

    /// Number of write transactions committed through this handle since it was opened.
    pub fn ecritures_locales(&self) -> u64 {
        self.ecritures.load(Ordering::SeqCst)
    }

    /// The generation of the data: the id of the last audit entry. Every write, by any process,
    /// moves it; a cache keyed by it is never stale.
    pub async fn generation(&self) -> Resultat<i64> {
        let r = sqlx::query("SELECT dernier_id FROM audit_tete WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("dernier_id")?)
    }

    pub async fn fermer(self) {
        self.pool.close().await;
    }

    /// Stores the référentiel version and the territories compiled into this binary.
    async fn charger_reference(&self) -> Resultat<()> {
        let r = pacte_core::referentiel::referentiel();
        let empreinte = sauvegarde::empreinte_texte(&json(r));
        let actuelle: Option<String> = sqlx::query("SELECT empreinte FROM referentiel_version WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get("empreinte"))
            .transpose()?;
        if actuelle.as_deref() == Some(empreinte.as_str()) {
            return Ok(());
        }
        let maintenant = horloge::maintenant();
        let mut tx = self.pool.begin().await?;
        let mut journal = Journal::ouvrir(&mut tx, "systeme", &maintenant).await?;
        let t = pacte_core::territoires::territoires();
        for region in &t.regions {
            sqlx::query("INSERT INTO regions (code, nom) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET nom = excluded.nom")
                .bind(&region.code)
                .bind(&region.nom)
                .execute(&mut *tx)
                .await?;
        }
        for d in &t.departements {
            sqlx::query(
                "INSERT INTO departements (code, nom, region) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, region = excluded.region",
            )
            .bind(&d.code)
            .bind(&d.nom)
            .bind(&d.region)
            .execute(&mut *tx)
            .await?;
        }
        for c in &t.collectivites {
            let texte = |v: &dyn erased::Texte| v.texte();
            sqlx::query(
                "INSERT INTO collectivites (code, nom, nature, siren, departement, eligibilite) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, nature = excluded.nature, siren = excluded.siren, \
                 departement = excluded.departement, eligibilite = excluded.eligibilite",
            )
            .bind(&c.code)
            .bind(&c.nom)
            .bind(texte(&c.nature))
            .bind(c.siren.as_ref().map(|s| s.as_str().to_string()))
            .bind(&c.departement)
            .bind(texte(&c.eligibilite))
            .execute(&mut *tx)
            .await?;
        }
        let apres = json(&serde_json::json!({ "version": r.version, "empreinte": empreinte }));
        let avant: Option<String> = actuelle.map(|e| json(&serde_json::json!({ "empreinte": e })));
        sqlx::query(
            "INSERT INTO referentiel_version (id, version, empreinte, charge_le) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, empreinte = excluded.empreinte, charge_le = excluded.charge_le",
        )
        .bind(&r.version)
        .bind(&empreinte)
        .bind(&maintenant)
        .execute(&mut *tx)
        .await?;
        journal
            .consigner(
                &mut tx,
                "referentiel",
                "1",
                "chargement",
                avant.as_deref(),
                Some(&apres),
            )
            .await?;
        self.conclure(tx, journal).await?;
        Ok(())
    }

    /// The référentiel version stored in the base.
    pub async fn version_referentiel(&self) -> Resultat<String> {
        let r = sqlx::query("SELECT version FROM referentiel_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("version")?)
    }

    /// Number of rows of a reference table (`regions`, `departements`, `collectivites`).
    pub async fn compter(&self, table: &str) -> Resultat<i64> {
        let table = match table {
            "regions" | "departements" | "collectivites" | "contrats" | "fiches" | "audit" => table,
            _ => return Err(ErreurStore::Invalide(format!("table inconnue {table}"))),
        };
        let r = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("n")?)
    }

    /// Imports contracts in one transaction: all are written, or none.
    pub async fn importer(&self, contrats: &[Contrat], acteur: &str) -> Resultat<Vec<i64>> {
        for c in contrats {
            verifier_numeros(c)?;
        }
        let maintenant = horloge::maintenant();
        let mut tx = self.pool.begin().await?;
        let mut journal = Journal::ouvrir(&mut tx, acteur, &maintenant).await?;
        let mut ids = Vec::with_capacity(contrats.len());
        for c in contrats {
            ids.push(inserer_contrat(&mut tx, &mut journal, c, acteur, &maintenant).await?);
        }
        self.conclure(tx, journal).await?;
        Ok(ids)
    }

    /// All contracts, in id order.
    pub async fn contrats(&self) -> Resultat<Vec<ResumeContrat>> {
        let lignes = sqlx::query(
            "SELECT c.id, c.collectivite, c.etat, c.version, c.modifie_le, \
             (SELECT COUNT(*) FROM fiches f WHERE f.contrat_id = c.id) AS n \
             FROM contrats c ORDER BY c.id",
        )
        .fetch_all(&self.pool)
        .await?;
        lignes
            .iter()
            .map(|r| {
                Ok(ResumeContrat {
                    id: r.try_get("id")?,
                    collectivite: r.try_get("collectivite")?,
                    etat: r.try_get("etat")?,
                    fiches: r.try_get("n")?,
                    version: r.try_get("version")?,
                    modifie_le: r.try_get("modifie_le")?,
                })
            })
            .collect()
    }

    /// Finds a contract by the code of its collectivity (SIREN, COG code) when it has exactly
    /// one, otherwise by its number.
    pub async fn trouver_contrat(&self, designation: &str) -> Resultat<i64> {
        let d = designation.trim();
        let lignes = sqlx::query("SELECT id FROM contrats WHERE collectivite = $1 ORDER BY id")
            .bind(d)
            .fetch_all(&self.pool)
            .await?;
        match lignes.as_slice() {
            [une] => return Ok(une.try_get("id")?),
            [] => {}
            _ => {
                return Err(ErreurStore::Invalide(format!(
                    "la collectivité {d} a {} contrats : désignez le contrat par son numéro (pacte contrats)",
                    lignes.len()
                )));
            }
        }
        let id: i64 = d
            .trim_start_matches("n°")
            .trim()
            .parse()
            .map_err(|_| ErreurStore::Introuvable {
                entite: "contrat",
                id: format!("« {d} » (ni numéro de contrat, ni code d'une collectivité ayant un contrat)"),
            })?;
        let existe = sqlx::query("SELECT id FROM contrats WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        existe.map(|_| id).ok_or_else(|| ErreurStore::Introuvable {
            entite: "contrat",
            id: d.to_string(),
        })
    }

    /// Reads one full contract.
    pub async fn contrat(&self, id: i64) -> Resultat<ContratStocke> {
        let mut conn = self.pool.acquire().await?;
        lire_contrat(&mut conn, id).await
    }

    /// Changes the contract header, if `version` is still the stored one.
    pub async fn modifier_entete(
        &self,
        id: i64,
        entete: &EnTete,
        version: i64,
        acteur: &str,
    ) -> Resultat<Tampon> {
        let maintenant = horloge::maintenant();
        let mut tx = self.pool.begin().await?;
        let mut journal = Journal::ouvrir(&mut tx, acteur, &maintenant).await?;
        let r = sqlx::query("SELECT entete, version, modifie_par, modifie_le FROM contrats WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| ErreurStore::Introuvable {
                entite: "contrat",
                id: id.to_string(),
            })?;
        let actuel = tampon(&r, id)?;
        controler_version(format!("le contrat {id}"), &actuel, version)?;
        let avant: String = r.try_get("entete")?;
        let apres = document(entete, "l'en-tête du contrat")?;
        sqlx::query(
            "UPDATE contrats SET entete = $1, etat = $2, collectivite = $3, version = version + 1, modifie_par = $4, modifie_le = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(&apres)
        .bind(etat_texte(entete))
        .bind(&entete.collectivite)
        .bind(acteur)
        .bind(&maintenant)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        journal
            .consigner(
                &mut tx,
                "contrat",
                &id.to_string(),
                "modification",
                Some(&avant),
                Some(&apres),
            )
            .await?;
        self.conclure(tx, journal).await?;
        Ok(Tampon {
            id,
            version: version + 1,
            modifie_par: acteur.to_string(),
            modifie_le: maintenant,
        })
    }

    /// Changes fiche `numero` of contract `contrat_id`, if `version` is still the stored one.
    /// The new fiche may carry a new number (renumbering) if it is free.
    pub async fn modifier_fiche(
        &self,
        contrat_id: i64,
        numero: NumeroFiche,
        fiche: &FicheAction,
        version: i64,
        acteur: &str,
    ) -> Resultat<Tampon> {
        let maintenant = horloge::maintenant();
        let mut tx = self.pool.begin().await?;
        let mut journal = Journal::ouvrir(&mut tx, acteur, &maintenant).await?;
        let r = sqlx::query(
            "SELECT id, donnees, version, modifie_par, modifie_le FROM fiches WHERE contrat_id = $1 AND numero = $2",
        )
        .bind(contrat_id)
        .bind(numero.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ErreurStore::Introuvable { entite: "fiche", id: format!("{numero} du contrat {contrat_id}") })?;
        let id: i64 = r.try_get("id")?;
        let actuel = tampon(&r, id)?;
        controler_version(
            format!("la fiche {numero} du contrat {contrat_id}"),
            &actuel,
            version,
        )?;
        let avant: String = r.try_get("donnees")?;
        let apres = document(fiche, &format!("la fiche {}", fiche.numero))?;
        sqlx::query(
            "UPDATE fiches SET donnees = $1, numero = $2, axe = $3, version = version + 1, modifie_par = $4, modifie_le = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(&apres)
        .bind(fiche.numero.to_string())
        .bind(i64::from(fiche.axe().numero()))
        .bind(acteur)
        .bind(&maintenant)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(|e| numero_pris(e, fiche.numero))?;
        journal
            .consigner(
                &mut tx,
                "fiche",
                &id.to_string(),
                "modification",
                Some(&avant),
                Some(&apres),
            )
            .await?;
        self.conclure(tx, journal).await?;
        Ok(Tampon {
            id,
            version: version + 1,
            modifie_par: acteur.to_string(),
            modifie_le: maintenant,
        })
    }

    /// Adds a fiche at the end of contract `contrat_id`.
    pub async fn ajouter_fiche(
        &self,
        contrat_id: i64,
        fiche: &FicheAction,
        acteur: &str,
    ) -> Resultat<Tampon> {
        let maintenant = horloge::maintenant();
        let mut tx = self.pool.begin().await?;
        let mut journal = Journal::ouvrir(&mut tx, acteur, &maintenant).await?;
        let r = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM contrats WHERE id = $1) AS existe, \
             (SELECT COALESCE(MAX(position), -1) FROM fiches WHERE contrat_id = $1) AS derniere",
        )
        .bind(contrat_id)
        .fetch_one(&mut *tx)
        .await?;
        if r.try_get::<i64, _>("existe")? == 0 {
            return Err(ErreurStore::Introuvable {
                entite: "contrat",
                id: contrat_id.to_string(),
            });
        }
        let position: i64 = r.try_get::<i64, _>("derniere")? + 1;
        let id = inserer_fiche(
            &mut tx,
            &mut journal,
            contrat_id,
            position,
            fiche,
            acteur,
            &maintenant,
        )
        .await?;
        self.conclure(tx, journal).await?;
        Ok(Tampon {
            id,
            version: 1,
            modifie_par: acteur.to_string(),
            modifie_le: maintenant,
        })
    }

    /// Deletes fiche `numero`, if `version` is still the stored one.
    pub async fn supprimer_fiche(
        &self,
        contrat_id: i64,
        numero: NumeroFiche,
        version: i64,
        acteur: &str,
    ) -> Resultat<()> {
        let maintenant = horloge::maintenant();
        let mut tx = self.pool.begin().await?;
        let mut journal = Journal::ouvrir(&mut tx, acteur, &maintenant).await?;
        let r = sqlx::query(
            "SELECT id, donnees, version, modifie_par, modifie_le FROM fiches WHERE contrat_id = $1 AND numero = $2",
        )
        .bind(contrat_id)
        .bind(numero.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ErreurStore::Introuvable { entite: "fiche", id: format!("{numero} du contrat {contrat_id}") })?;
        let id: i64 = r.try_get("id")?;
        controler_version(
            format!("la fiche {numero} du contrat {contrat_id}"),
            &tampon(&r, id)?,
            version,
        )?;
        let avant: String = r.try_get("donnees")?;
        sqlx::query("DELETE FROM fiches WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        journal
            .consigner(
                &mut tx,
                "fiche",
                &id.to_string(),
                "suppression",
                Some(&avant),
                None,
            )
            .await?;
        self.conclure(tx, journal).await?;
        Ok(())
    }

    /// The audit log from entry `depuis` (inclusive), at most `limite` entries.
    pub async fn journal(&self, depuis: i64, limite: i64) -> Resultat<Vec<EntreeAudit>> {
        let lignes = sqlx::query(&format!(
            "SELECT {} FROM audit WHERE id >= $1 ORDER BY id LIMIT $2",
            audit::COLONNES
        ))
        .bind(depuis)
        .bind(limite)
        .fetch_all(&self.pool)
        .await?;
        lignes.iter().map(EntreeAudit::depuis_ligne).collect()
    }

    /// Walks the audit chain and checks that every record matches its last audited state.
    pub async fn verifier_audit(&self) -> Resultat<RapportAudit> {
        let mut tx = self.pool.begin().await?;
        self.moteur.instantane(&mut tx).await?;
        let entrees: Vec<EntreeAudit> =
            sqlx::query(&format!("SELECT {} FROM audit ORDER BY id", audit::COLONNES))
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(EntreeAudit::depuis_ligne)
                .collect::<Resultat<_>>()?;
        let t = sqlx::query("SELECT dernier_id, dernier_hash FROM audit_tete WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let tete: (i64, String) = (t.try_get("dernier_id")?, t.try_get("dernier_hash")?);
        let mut actuels = HashMap::new();
        for r in sqlx::query("SELECT id, entete FROM contrats")
            .fetch_all(&mut *tx)
            .await?
        {
            actuels.insert(
                ("contrat".to_string(), r.try_get::<i64, _>("id")?.to_string()),
                r.try_get("entete")?,
            );
        }
        for r in sqlx::query("SELECT id, donnees FROM fiches")
            .fetch_all(&mut *tx)
            .await?
        {
            actuels.insert(
                ("fiche".to_string(), r.try_get::<i64, _>("id")?.to_string()),
                r.try_get("donnees")?,
            );
        }
        actuels.extend(comptes::vues_actuelles(&mut tx).await?);
        tx.commit().await?;
        Ok(audit::verifier(&entrees, (tete.0, &tete.1), &actuels))
    }

    /// The engine's own integrity check (SQLite `PRAGMA integrity_check`); empty when sound.
    pub async fn integrite(&self) -> Resultat<Vec<String>> {
        self.moteur.integrite(&self.pool).await
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Refuses a contract whose fiche numbers repeat: the number identifies a fiche in the base.
fn verifier_numeros(c: &Contrat) -> Resultat<()> {
    let mut vus = std::collections::HashSet::new();
    for f in &c.fiches {
        if !vus.insert(f.numero) {
            return Err(ErreurStore::Invalide(format!(
                "contrat de la collectivité {} : le numéro de fiche {} est porté par plusieurs fiches (R-TAB-01) ; chaque fiche doit avoir un numéro unique",
                c.contrat.collectivite, f.numero
            )));
        }
    }
    Ok(())
}

fn numero_pris(e: sqlx::Error, numero: NumeroFiche) -> ErreurStore {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => ErreurStore::Invalide(format!(
            "le numéro de fiche {numero} est déjà pris dans ce contrat"
        )),
        _ => ErreurStore::Base(e),
    }
}

fn tampon(r: &AnyRow, id: i64) -> Resultat<Tampon> {
    Ok(Tampon {
        id,
        version: r.try_get("version")?,
        modifie_par: r.try_get("modifie_par")?,
        modifie_le: r.try_get("modifie_le")?,
    })
}

fn controler_version(quoi: String, actuel: &Tampon, attendue: i64) -> Resultat<()> {
    if actuel.version != attendue {
        return Err(ErreurStore::Conflit {
            quoi,
            par: actuel.modifie_par.clone(),
            le: actuel.modifie_le.clone(),
            attendue,
            actuelle: actuel.version,
        });
    }
    Ok(())
}

async fn inserer_contrat(
    tx: &mut Transaction<'_, Any>,
    journal: &mut Journal,
    c: &Contrat,
    acteur: &str,
    maintenant: &str,
) -> Resultat<i64> {
    let entete = document(
        &c.contrat,
        &format!("le contrat de la collectivité {}", c.contrat.collectivite),
    )?;
    let r = sqlx::query(
        "INSERT INTO contrats (collectivite, etat, entete, version, cree_le, modifie_par, modifie_le) \
         VALUES ($1, $2, $3, 1, $4, $5, $4) RETURNING id",
    )
    .bind(&c.contrat.collectivite)
    .bind(etat_texte(&c.contrat))
    .bind(&entete)
    .bind(maintenant)
    .bind(acteur)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = r.try_get("id")?;
    journal
        .consigner(tx, "contrat", &id.to_string(), "creation", None, Some(&entete))
        .await?;
    for (position, f) in c.fiches.iter().enumerate() {
        inserer_fiche(tx, journal, id, position as i64, f, acteur, maintenant).await?;
    }
    Ok(id)
}

async fn inserer_fiche(
    tx: &mut Transaction<'_, Any>,
    journal: &mut Journal,
    contrat_id: i64,
    position: i64,
    f: &FicheAction,
    acteur: &str,
    maintenant: &str,
) -> Resultat<i64> {
    let donnees = document(f, &format!("la fiche {}", f.numero))?;
    let r = sqlx::query(
        "INSERT INTO fiches (contrat_id, numero, axe, position, donnees, version, modifie_par, modifie_le) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id",
    )
    .bind(contrat_id)
    .bind(f.numero.to_string())
    .bind(i64::from(f.axe().numero()))
    .bind(position)
    .bind(&donnees)
    .bind(acteur)
    .bind(maintenant)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| numero_pris(e, f.numero))?;
    let id: i64 = r.try_get("id")?;
    journal
        .consigner(tx, "fiche", &id.to_string(), "creation", None, Some(&donnees))
        .await?;
    Ok(id)
}

async fn lire_contrat(conn: &mut sqlx::AnyConnection, id: i64) -> Resultat<ContratStocke> {
    let r = sqlx::query("SELECT entete, version, modifie_par, modifie_le FROM contrats WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ErreurStore::Introuvable {
            entite: "contrat",
            id: id.to_string(),
        })?;
    let en_tete: EnTete = lire_json(
        &r.try_get::<String, _>("entete")?,
        &format!("en-tête du contrat {id}"),
    )?;
    let lignes = sqlx::query(
        "SELECT id, donnees, version, modifie_par, modifie_le FROM fiches WHERE contrat_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut fiches = Vec::with_capacity(lignes.len());
    let mut tampons = Vec::with_capacity(lignes.len());
    for l in &lignes {
        let fid: i64 = l.try_get("id")?;
        fiches.push(lire_json::<FicheAction>(
            &l.try_get::<String, _>("donnees")?,
            &format!("fiche {fid}"),
        )?);
        tampons.push(tampon(l, fid)?);
    }
    Ok(ContratStocke {
        tampon: tampon(&r, id)?,
        contrat: Contrat {
            contrat: en_tete,
            fiches,
        },
        fiches: tampons,
    })
}

/// Serializes small serde enums to their text form (`"metropole"`).
mod erased {
    pub trait Texte {
        fn texte(&self) -> String;
    }
    impl<T: serde::Serialize> Texte for T {
        fn texte(&self) -> String {
            serde_json::to_value(self)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }
    }
}
