//! Contracts and their fiches: reads, import, and the versioned, guarded writes of headers
//! and fiches. Headers and fiches are stored as JSON documents of the domain types, with their
//! key columns (collectivity, state, fiche number, axis) beside them.
//!
//! Every write goes through [`Ecriture`]; the writes of an existing contract take a guard
//! from the caller, run inside the transaction on the contract as stored (see
//! [`Base::modifier_entete`], [`Base::modifier_fiche`]). The store runs guards; it never
//! interprets rules.

use pacte_core::contrat::{EnTete, EtatContrat, NumeroFiche};
use pacte_core::{Contrat, FicheAction};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::ecriture::{Ecriture, Unicite};
use crate::erreur::{ErreurStore, Refus, Resultat};
use crate::{Base, Tampon, document, lire_json, sommes};

/// Audit entity of contract headers.
pub(crate) const ENTITE_CONTRAT: &str = "contrat";
/// Audit entity of fiches.
pub(crate) const ENTITE_FICHE: &str = "fiche";

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
    /// Parsed once here from the row's key column.
    pub etat: EtatContrat,
    pub fiches: i64,
    pub version: i64,
    pub modifie_le: String,
}

fn etat_texte(e: &EnTete) -> String {
    serde_json::to_value(e.etat)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl Base {
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
                    etat: lire_etat(&r.try_get::<String, _>("etat")?)?,
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
        self.compter_lecture_complete();
        let mut conn = self.pool.acquire().await?;
        lire_contrat(&mut conn, id).await
    }

    /// Imports contracts in one transaction: all are written, or none.
    pub async fn importer(&self, contrats: &[Contrat], acteur: &str) -> Resultat<Vec<i64>> {
        for c in contrats {
            verifier_numeros(c)?;
        }
        let mut e = self.ecriture(acteur).await?;
        let mut ids = Vec::with_capacity(contrats.len());
        for c in contrats {
            ids.push(inserer_contrat(&mut e, c).await?);
        }
        e.conclure().await?;
        Ok(ids)
    }

    /// Changes the contract header, if `version` is still the stored one and `garde` accepts
    /// the contract as stored (header and every fiche), re-read inside the write's
    /// transaction after the audit head is taken: no other write can slip in between what the
    /// guard judged and what is written. A refusal is [`ErreurStore::Refus`], nothing written.
    pub async fn modifier_entete(
        &self,
        id: i64,
        entete: &EnTete,
        version: i64,
        acteur: &str,
        garde: impl FnOnce(&Contrat) -> Result<(), Refus> + Send,
    ) -> Resultat<Tampon> {
        let mut e = self.ecriture(acteur).await?;
        let r = sqlx::query("SELECT entete, version, modifie_par, modifie_le FROM contrats WHERE id = $1")
            .bind(id)
            .fetch_optional(e.conn())
            .await?
            .ok_or_else(|| contrat_introuvable(id))?;
        let quoi = || format!("le contrat {id}");
        let actuel = tampon(&r, id)?;
        e.controler_version(quoi(), &actuel, version)?;
        let stocke = lire_contrat(e.conn(), id).await?;
        garde(&stocke.contrat)?;
        let avant: String = r.try_get("entete")?;
        let apres = document(entete, "l'en-tête du contrat")?;
        let requete = sqlx::query(
            "UPDATE contrats SET entete = $1, etat = $2, collectivite = $3, version = version + 1, modifie_par = $4, modifie_le = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(&apres)
        .bind(etat_texte(entete))
        .bind(&entete.collectivite)
        .bind(e.acteur().to_string())
        .bind(e.maintenant().to_string())
        .bind(id)
        .bind(version);
        e.executer_une(quoi(), &actuel, requete).await?;
        sommes::ecrire_entete(e.conn(), id, entete).await?;
        sommes::toucher(e.conn(), id).await?;
        e.consigner(
            ENTITE_CONTRAT,
            &id.to_string(),
            "modification",
            Some(&avant),
            Some(&apres),
        )
        .await?;
        let t = e.tampon(id, version + 1);
        e.conclure().await?;
        Ok(t)
    }

    /// Changes fiche `numero` of contract `contrat_id`, if `garde` accepts the contract's
    /// header as stored (re-read inside the write's transaction: its state may have moved since
    /// the caller read it) and `version` is still the fiche's stored one. The new fiche may
    /// carry a new number (renumbering) if it is free.
    pub async fn modifier_fiche(
        &self,
        contrat_id: i64,
        numero: NumeroFiche,
        fiche: &FicheAction,
        version: i64,
        acteur: &str,
        garde: impl FnOnce(&EnTete) -> Result<(), Refus> + Send,
    ) -> Resultat<Tampon> {
        let mut e = self.ecriture(acteur).await?;
        garde(&lire_entete(e.conn(), contrat_id).await?)?;
        let (id, actuel, avant) = lire_fiche(&mut e, contrat_id, numero).await?;
        let quoi = || format!("la fiche {numero} du contrat {contrat_id}");
        e.controler_version(quoi(), &actuel, version)?;
        let apres = document(fiche, &format!("la fiche {}", fiche.numero))?;
        let requete = sqlx::query(
            "UPDATE fiches SET donnees = $1, numero = $2, axe = $3, version = version + 1, modifie_par = $4, modifie_le = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(&apres)
        .bind(fiche.numero.to_string())
        .bind(i64::from(fiche.axe().numero()))
        .bind(e.acteur().to_string())
        .bind(e.maintenant().to_string())
        .bind(id)
        .bind(version);
        e.executer_une(quoi(), &actuel, requete)
            .await
            .map_err(|err| numero_pris(err, fiche.numero))?;
        sommes::ecrire_fiche(e.conn(), contrat_id, id, Some(fiche)).await?;
        sommes::toucher(e.conn(), contrat_id).await?;
        e.consigner(
            ENTITE_FICHE,
            &id.to_string(),
            "modification",
            Some(&avant),
            Some(&apres),
        )
        .await?;
        let t = e.tampon(id, version + 1);
        e.conclure().await?;
        Ok(t)
    }

    /// Adds a fiche at the end of contract `contrat_id`, if `garde` accepts the contract's
    /// header as stored inside the write's transaction.
    pub async fn ajouter_fiche(
        &self,
        contrat_id: i64,
        fiche: &FicheAction,
        acteur: &str,
        garde: impl FnOnce(&EnTete) -> Result<(), Refus> + Send,
    ) -> Resultat<Tampon> {
        let mut e = self.ecriture(acteur).await?;
        garde(&lire_entete(e.conn(), contrat_id).await?)?;
        let derniere: i64 =
            sqlx::query("SELECT COALESCE(MAX(position), -1) AS derniere FROM fiches WHERE contrat_id = $1")
                .bind(contrat_id)
                .fetch_one(e.conn())
                .await?
                .try_get("derniere")?;
        let id = inserer_fiche(&mut e, contrat_id, derniere + 1, fiche).await?;
        sommes::toucher(e.conn(), contrat_id).await?;
        let t = e.tampon(id, 1);
        e.conclure().await?;
        Ok(t)
    }

    /// Deletes fiche `numero`, if `garde` accepts the contract's header as stored inside the
    /// write's transaction and `version` is still the fiche's stored one.
    pub async fn supprimer_fiche(
        &self,
        contrat_id: i64,
        numero: NumeroFiche,
        version: i64,
        acteur: &str,
        garde: impl FnOnce(&EnTete) -> Result<(), Refus> + Send,
    ) -> Resultat<()> {
        let mut e = self.ecriture(acteur).await?;
        garde(&lire_entete(e.conn(), contrat_id).await?)?;
        let (id, actuel, avant) = lire_fiche(&mut e, contrat_id, numero).await?;
        let quoi = || format!("la fiche {numero} du contrat {contrat_id}");
        e.controler_version(quoi(), &actuel, version)?;
        let requete = sqlx::query("DELETE FROM fiches WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version);
        e.executer_une(quoi(), &actuel, requete).await?;
        sommes::ecrire_fiche(e.conn(), contrat_id, id, None).await?;
        sommes::toucher(e.conn(), contrat_id).await?;
        e.consigner(ENTITE_FICHE, &id.to_string(), "suppression", Some(&avant), None)
            .await?;
        e.conclure().await
    }
}

/// A state as stored in the `etat` key column (`en_execution`).
fn lire_etat(texte: &str) -> Resultat<EtatContrat> {
    serde_json::from_value(serde_json::Value::String(texte.to_string()))
        .map_err(|e| ErreurStore::Corrompue(format!("état de contrat « {texte} » : {e}")))
}

fn contrat_introuvable(id: i64) -> ErreurStore {
    ErreurStore::Introuvable {
        entite: "contrat",
        id: id.to_string(),
    }
}

/// Fiche `numero` of contract `contrat_id` inside a write: its id, stamp and stored document.
async fn lire_fiche(
    e: &mut Ecriture<'_>,
    contrat_id: i64,
    numero: NumeroFiche,
) -> Resultat<(i64, Tampon, String)> {
    let r = sqlx::query(
        "SELECT id, donnees, version, modifie_par, modifie_le FROM fiches WHERE contrat_id = $1 AND numero = $2",
    )
    .bind(contrat_id)
    .bind(numero.to_string())
    .fetch_optional(e.conn())
    .await?
    .ok_or_else(|| ErreurStore::Introuvable {
        entite: "fiche",
        id: format!("{numero} du contrat {contrat_id}"),
    })?;
    let id: i64 = r.try_get("id")?;
    Ok((id, tampon(&r, id)?, r.try_get("donnees")?))
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

fn numero_pris(e: ErreurStore, numero: NumeroFiche) -> ErreurStore {
    match e {
        ErreurStore::Base(e) => Unicite::NumeroFiche.traduire(e, || {
            ErreurStore::Invalide(format!(
                "le numéro de fiche {numero} est déjà pris dans ce contrat"
            ))
        }),
        e => e,
    }
}

pub(crate) fn tampon(r: &AnyRow, id: i64) -> Resultat<Tampon> {
    Ok(Tampon {
        id,
        version: r.try_get("version")?,
        modifie_par: r.try_get("modifie_par")?,
        modifie_le: r.try_get("modifie_le")?,
    })
}

async fn inserer_contrat(e: &mut Ecriture<'_>, c: &Contrat) -> Resultat<i64> {
    let entete = document(
        &c.contrat,
        &format!("le contrat de la collectivité {}", c.contrat.collectivite),
    )?;
    let (acteur, maintenant) = (e.acteur().to_string(), e.maintenant().to_string());
    let r = sqlx::query(
        "INSERT INTO contrats (collectivite, etat, entete, version, cree_le, modifie_par, modifie_le) \
         VALUES ($1, $2, $3, 1, $4, $5, $4) RETURNING id",
    )
    .bind(&c.contrat.collectivite)
    .bind(etat_texte(&c.contrat))
    .bind(&entete)
    .bind(&maintenant)
    .bind(&acteur)
    .fetch_one(e.conn())
    .await?;
    let id: i64 = r.try_get("id")?;
    sommes::ecrire_entete(e.conn(), id, &c.contrat).await?;
    e.consigner(ENTITE_CONTRAT, &id.to_string(), "creation", None, Some(&entete))
        .await?;
    for (position, f) in c.fiches.iter().enumerate() {
        inserer_fiche(e, id, position as i64, f).await?;
    }
    Ok(id)
}

async fn inserer_fiche(
    e: &mut Ecriture<'_>,
    contrat_id: i64,
    position: i64,
    f: &FicheAction,
) -> Resultat<i64> {
    let donnees = document(f, &format!("la fiche {}", f.numero))?;
    let (acteur, maintenant) = (e.acteur().to_string(), e.maintenant().to_string());
    let r = sqlx::query(
        "INSERT INTO fiches (contrat_id, numero, axe, position, donnees, version, modifie_par, modifie_le) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id",
    )
    .bind(contrat_id)
    .bind(f.numero.to_string())
    .bind(i64::from(f.axe().numero()))
    .bind(position)
    .bind(&donnees)
    .bind(&acteur)
    .bind(&maintenant)
    .fetch_one(e.conn())
    .await
    .map_err(|err| numero_pris(err.into(), f.numero))?;
    let id: i64 = r.try_get("id")?;
    sommes::ecrire_fiche(e.conn(), contrat_id, id, Some(f)).await?;
    e.consigner(ENTITE_FICHE, &id.to_string(), "creation", None, Some(&donnees))
        .await?;
    Ok(id)
}

/// The header of contract `id` as stored.
async fn lire_entete(conn: &mut sqlx::AnyConnection, id: i64) -> Resultat<EnTete> {
    let r = sqlx::query("SELECT entete FROM contrats WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ErreurStore::Introuvable {
            entite: "contrat",
            id: id.to_string(),
        })?;
    lire_json(
        &r.try_get::<String, _>("entete")?,
        &format!("en-tête du contrat {id}"),
    )
}

pub(crate) async fn lire_contrat(conn: &mut sqlx::AnyConnection, id: i64) -> Resultat<ContratStocke> {
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

/// The period every contract covers: the Pacte des solidarités 2024-2027, the only one the
/// model knows (`Annee` is 2024 to 2027). One contract per collectivity and period.
pub const PERIODE: &str = "2024-2027";

/// The contract a collectivity already has, as a refusal for the creation of a second one.
fn deja_un_contrat(collectivite: &str, id: i64, etat: &str) -> Refus {
    let etat = EtatContrat::depuis_code(etat).map_or(etat.to_string(), |e| e.libelle().to_string());
    Refus::new(format!(
        "la collectivité {collectivite} a déjà un contrat pour la période {PERIODE} : le contrat n° {id} ({etat}). \
         Un second contrat n'est pas créé ; importez le fichier depuis la page d'import pour mettre à jour le contrat n° {id} \
         (les différences sont montrées avant confirmation), ou modifiez-le directement"
    ))
}

impl Base {
    /// The contract of collectivity `collectivite` for the period, if it has one (the oldest
    /// when a base from before the uniqueness check holds several).
    pub async fn contrat_de_collectivite(&self, collectivite: &str) -> Resultat<Option<i64>> {
        Ok(
            sqlx::query("SELECT id FROM contrats WHERE collectivite = $1 ORDER BY id LIMIT 1")
                .bind(collectivite.trim())
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("id"))
                .transpose()?,
        )
    }

    /// Creates one contract, refused ([`ErreurStore::Refus`], nothing written) when its
    /// collectivity already has one: the check runs inside the write's transaction, after the
    /// audit head is taken, so two concurrent creations for one collectivity cannot both pass.
    /// (`importer` stays the bulk path of the command line, the demonstration and the tests.)
    pub async fn creer_contrat(&self, contrat: &Contrat, acteur: &str) -> Resultat<i64> {
        verifier_numeros(contrat)?;
        let mut e = self.ecriture(acteur).await?;
        let existant =
            sqlx::query("SELECT id, etat FROM contrats WHERE collectivite = $1 ORDER BY id LIMIT 1")
                .bind(&contrat.contrat.collectivite)
                .fetch_optional(e.conn())
                .await?;
        if let Some(r) = existant {
            return Err(deja_un_contrat(
                &contrat.contrat.collectivite,
                r.try_get("id")?,
                &r.try_get::<String, _>("etat")?,
            )
            .into());
        }
        let id = inserer_contrat(&mut e, contrat).await?;
        e.conclure().await?;
        Ok(id)
    }

    /// Replaces contract `id` by `nouveau` as a new version (the import of a file for a
    /// collectivity that already has a contract): if the contract's revision is still
    /// `revision` (a concurrent change of its header or of any fiche is a conflict, like
    /// `If-Match`) and `garde` accepts the contract as stored, both judged inside the write's
    /// transaction. The header is rewritten when it differs; fiches are matched by number:
    /// changed or moved ones are updated, missing ones deleted, new ones added; each change is
    /// audited as the form's writes are. The collectivity cannot change.
    pub async fn remplacer_contrat(
        &self,
        id: i64,
        nouveau: &Contrat,
        revision: i64,
        acteur: &str,
        garde: impl FnOnce(&Contrat) -> Result<(), Refus> + Send,
    ) -> Resultat<()> {
        verifier_numeros(nouveau)?;
        let mut e = self.ecriture(acteur).await?;
        Base::remplacer_dans(&mut e, id, nouveau, revision, garde).await?;
        e.conclure().await
    }

    /// The command line's import, in one transaction (all or none): a contract whose
    /// collectivity has none yet is created; one whose collectivity already has a contract is
    /// refused, unless `remplacer`: then it updates that contract as a new version, as
    /// [`Base::remplacer_contrat`] does, its state kept (a lifecycle step is an act of its own)
    /// and `garde` judging the stored contract. Both judged inside the transaction. Two files
    /// of one collectivity are refused. Returns each contract's number and whether it was
    /// updated.
    pub async fn importer_unique(
        &self,
        contrats: &[Contrat],
        remplacer: bool,
        acteur: &str,
        garde: impl Fn(&Contrat) -> Result<(), Refus> + Send + Sync,
    ) -> Resultat<Vec<(i64, bool)>> {
        let mut vues = std::collections::HashSet::new();
        for c in contrats {
            verifier_numeros(c)?;
            if !vues.insert(c.contrat.collectivite.trim()) {
                return Err(ErreurStore::Invalide(format!(
                    "deux fichiers sont ceux de la collectivité {} : un seul contrat par collectivité et par période ({PERIODE})",
                    c.contrat.collectivite
                )));
            }
        }
        let mut e = self.ecriture(acteur).await?;
        let mut ids = Vec::with_capacity(contrats.len());
        for c in contrats {
            let existant = sqlx::query(
                "SELECT id, etat, revision FROM contrats WHERE collectivite = $1 ORDER BY id LIMIT 1",
            )
            .bind(c.contrat.collectivite.trim())
            .fetch_optional(e.conn())
            .await?;
            let Some(r) = existant else {
                ids.push((inserer_contrat(&mut e, c).await?, false));
                continue;
            };
            let id: i64 = r.try_get("id")?;
            let etat: String = r.try_get("etat")?;
            if !remplacer {
                let libelle =
                    EtatContrat::depuis_code(&etat).map_or(etat.clone(), |e| e.libelle().to_string());
                return Err(Refus::new(format!(
                    "la collectivité {} a déjà un contrat pour la période {PERIODE} : le contrat n° {id} ({libelle}). Un second contrat n'est pas créé",
                    c.contrat.collectivite
                ))
                .into());
            }
            let mut nouveau = c.clone();
            if let Some(etat) = EtatContrat::depuis_code(&etat) {
                nouveau.contrat.etat = etat;
            }
            let revision: i64 = r.try_get("revision")?;
            Base::remplacer_dans(&mut e, id, &nouveau, revision, &garde).await?;
            ids.push((id, true));
        }
        e.conclure().await?;
        Ok(ids)
    }

    /// The write of [`Base::remplacer_contrat`] inside the transaction `e`.
    async fn remplacer_dans(
        e: &mut Ecriture<'_>,
        id: i64,
        nouveau: &Contrat,
        revision: i64,
        garde: impl FnOnce(&Contrat) -> Result<(), Refus> + Send,
    ) -> Resultat<()> {
        let r = sqlx::query(
            "SELECT entete, revision, version, modifie_par, modifie_le FROM contrats WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e.conn())
        .await?
        .ok_or_else(|| contrat_introuvable(id))?;
        let actuelle: i64 = r.try_get("revision")?;
        let actuel = tampon(&r, id)?;
        if actuelle != revision {
            return Err(ErreurStore::Conflit {
                quoi: format!("le contrat {id}"),
                par: actuel.modifie_par,
                le: actuel.modifie_le,
                attendue: revision,
                actuelle,
            });
        }
        let stocke = lire_contrat(e.conn(), id).await?;
        garde(&stocke.contrat)?;
        if stocke.contrat.contrat.collectivite != nouveau.contrat.collectivite {
            return Err(ErreurStore::Invalide(format!(
                "le fichier est celui de la collectivité {}, le contrat n° {id} celui de la collectivité {} : rien n'a été écrit",
                nouveau.contrat.collectivite, stocke.contrat.contrat.collectivite
            )));
        }
        if stocke.contrat.contrat != nouveau.contrat {
            let avant: String = r.try_get("entete")?;
            let apres = document(&nouveau.contrat, "l'en-tête du contrat")?;
            let requete = sqlx::query(
                "UPDATE contrats SET entete = $1, etat = $2, version = version + 1, modifie_par = $3, modifie_le = $4 \
                 WHERE id = $5 AND version = $6",
            )
            .bind(&apres)
            .bind(etat_texte(&nouveau.contrat))
            .bind(e.acteur().to_string())
            .bind(e.maintenant().to_string())
            .bind(id)
            .bind(actuel.version);
            e.executer_une(format!("le contrat {id}"), &actuel, requete)
                .await?;
            sommes::ecrire_entete(e.conn(), id, &nouveau.contrat).await?;
            e.consigner(
                ENTITE_CONTRAT,
                &id.to_string(),
                "modification",
                Some(&avant),
                Some(&apres),
            )
            .await?;
        }
        // Fiches gone from the file first, so that no number is held twice meanwhile.
        for (f, t) in stocke.contrat.fiches.iter().zip(&stocke.fiches) {
            if nouveau.fiches.iter().any(|g| g.numero == f.numero) {
                continue;
            }
            let avant = document(f, &format!("la fiche {}", f.numero))?;
            let requete = sqlx::query("DELETE FROM fiches WHERE id = $1 AND version = $2")
                .bind(t.id)
                .bind(t.version);
            e.executer_une(format!("la fiche {} du contrat {id}", f.numero), t, requete)
                .await?;
            sommes::ecrire_fiche(e.conn(), id, t.id, None).await?;
            e.consigner(ENTITE_FICHE, &t.id.to_string(), "suppression", Some(&avant), None)
                .await?;
        }
        for (position, g) in nouveau.fiches.iter().enumerate() {
            let position = position as i64;
            let ancienne = stocke
                .contrat
                .fiches
                .iter()
                .zip(&stocke.fiches)
                .enumerate()
                .find(|(_, (f, _))| f.numero == g.numero);
            match ancienne {
                None => {
                    inserer_fiche(e, id, position, g).await?;
                }
                Some((ancienne_position, (f, t))) => {
                    if f == g && ancienne_position as i64 == position {
                        continue;
                    }
                    let avant = document(f, &format!("la fiche {}", f.numero))?;
                    let apres = document(g, &format!("la fiche {}", g.numero))?;
                    let requete = sqlx::query(
                        "UPDATE fiches SET donnees = $1, axe = $2, position = $3, version = version + 1, modifie_par = $4, modifie_le = $5 \
                         WHERE id = $6 AND version = $7",
                    )
                    .bind(&apres)
                    .bind(i64::from(g.axe().numero()))
                    .bind(position)
                    .bind(e.acteur().to_string())
                    .bind(e.maintenant().to_string())
                    .bind(t.id)
                    .bind(t.version);
                    e.executer_une(format!("la fiche {} du contrat {id}", g.numero), t, requete)
                        .await?;
                    sommes::ecrire_fiche(e.conn(), id, t.id, Some(g)).await?;
                    e.consigner(
                        ENTITE_FICHE,
                        &t.id.to_string(),
                        "modification",
                        Some(&avant),
                        Some(&apres),
                    )
                    .await?;
                }
            }
        }
        sommes::toucher(e.conn(), id).await?;
        Ok(())
    }
}
