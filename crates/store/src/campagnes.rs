//! The yearly indicator campaigns and the mid-term evaluation (migration 0014), as relational
//! rows so that SQL counts and sums them: `campagnes` (one per year), `campagnes_contrats`
//! (per contract its state, with a version), `valeurs_indicateurs` (one row per figure),
//! `transitions_campagne` and `remarques_campagne` (the history, with the State's remark on
//! each returned figure), `mi_parcours` and `decisions_mi_parcours`.
//!
//! Every write goes through the one audited path ([`crate::ecriture`]): it re-reads the
//! contract and the campaign state inside the transaction, checks the version the caller read
//! (409 on a concurrent edit), checks the state machine with core's
//! [`pacte_core::campagne::apres`], runs the caller's guard (rights, rules), writes, and appends
//! one audit entry (`campagne`, `campagne_contrat` keyed `<year>-<contract>`, `mi_parcours`).
//! The store interprets no rule: the figures' targets and T0 written beside them are the
//! contract's, through [`pacte_core::campagne::lignes_attendues`].

use std::collections::BTreeMap;

use pacte_core::campagne::{
    self, CleValeur, DecisionMiParcours, EtatCampagne, NatureIndicateur, RapportMiParcours, Transition,
    ValeurSaisie,
};
use pacte_core::{Annee, Contrat, Date, Horodatage, Montant, NumeroFiche, Valeur};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::contrats::lire_contrat;
use crate::ecriture::Ecriture;
use crate::erreur::{ErreurStore, Refus, Resultat};
use crate::{Base, Tampon, document};

/// Audit entity of a campaign (`entite_id`: its year).
pub const ENTITE_CAMPAGNE: &str = "campagne";
/// Audit entity of a contract's campaign (`entite_id`: `<year>-<contract id>`).
pub const ENTITE_CAMPAGNE_CONTRAT: &str = "campagne_contrat";
/// Audit entity of a contract's mid-term evaluation (`entite_id`: the contract's id).
pub const ENTITE_MI_PARCOURS: &str = "mi_parcours";

/// A campaign: its year and deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampagneStockee {
    pub annee: Annee,
    pub echeance: Date,
    pub version: i64,
    pub ouverte_par: String,
    pub ouverte_le: String,
    pub modifie_par: String,
    pub modifie_le: String,
}

/// A contract's campaign of one year. `tampon.id` is the contract's; `tampon.version` 0 while
/// nothing is recorded (state « non commencée »).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuiviCampagne {
    pub annee: Annee,
    pub contrat_id: i64,
    pub etat: EtatCampagne,
    pub prolongation: Option<Date>,
    pub soumise_le: Option<String>,
    pub soumise_en_retard: bool,
    pub validee_le: Option<String>,
    pub tampon: Tampon,
}

/// One step of a contract's campaign, with the remarks of a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransitionStockee {
    pub rang: i64,
    /// A [`Transition`] code, or `prolonger` for a deadline extension.
    pub transition: String,
    pub etat_avant: EtatCampagne,
    pub etat_apres: EtatCampagne,
    pub motif: Option<String>,
    pub acteur: String,
    pub le: String,
    pub remarques: Vec<(CleValeur, String)>,
}

/// A decision of the commissaire on one fiche's 2027 amount, with the figures beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionStockee {
    #[serde(flatten)]
    pub decision: DecisionMiParcours,
    pub etat_2027_prevu: Montant,
    pub etat_2027_propose: Option<Montant>,
    pub decide_par: String,
    pub decide_le: String,
}

/// A contract's mid-term evaluation as stored. `tampon.version` 0 while nothing is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MiParcoursStocke {
    pub rapport: RapportMiParcours,
    pub decisions: Vec<DecisionStockee>,
    pub tampon: Tampon,
}

/// A decision to record: the decision and the figures it was taken on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NouvelleDecision {
    pub decision: DecisionMiParcours,
    pub etat_2027_prevu: Montant,
    pub etat_2027_propose: Option<Montant>,
}

fn date(texte: Option<String>, quoi: &str) -> Resultat<Option<Date>> {
    texte
        .map(|t| Date::parse(&t).map_err(|e| ErreurStore::Corrompue(format!("{quoi} : {e}"))))
        .transpose()
}

fn annee(v: i64) -> Resultat<Annee> {
    Annee::new(v).map_err(|e| ErreurStore::Corrompue(format!("année de campagne : {e}")))
}

fn etat(code: &str) -> Resultat<EtatCampagne> {
    EtatCampagne::depuis_code(code)
        .ok_or_else(|| ErreurStore::Corrompue(format!("état de campagne inconnu « {code} »")))
}

fn cle(r: &AnyRow) -> Resultat<CleValeur> {
    let fiche: String = r.try_get("fiche")?;
    let nature: String = r.try_get("nature")?;
    Ok(CleValeur {
        fiche: NumeroFiche::parse(&fiche).map_err(ErreurStore::Corrompue)?,
        nature: NatureIndicateur::depuis_code(&nature)
            .ok_or_else(|| ErreurStore::Corrompue(format!("nature d'indicateur « {nature} »")))?,
        indicateur: r.try_get("indicateur")?,
        ventilation: r.try_get::<i64, _>("ventilation")?.clamp(0, 3) as u8,
    })
}

fn ligne_campagne(r: &AnyRow) -> Resultat<CampagneStockee> {
    Ok(CampagneStockee {
        annee: annee(r.try_get("annee")?)?,
        echeance: date(Some(r.try_get("echeance")?), "échéance de campagne")?.expect("some"),
        version: r.try_get("version")?,
        ouverte_par: r.try_get("ouverte_par")?,
        ouverte_le: r.try_get("ouverte_le")?,
        modifie_par: r.try_get("modifie_par")?,
        modifie_le: r.try_get("modifie_le")?,
    })
}

const COLONNES_SUIVI: &str = "annee, contrat_id, etat, prolongation, soumise_le, soumise_en_retard, validee_le, version, modifie_par, modifie_le";

fn ligne_suivi(r: &AnyRow) -> Resultat<SuiviCampagne> {
    let contrat_id: i64 = r.try_get("contrat_id")?;
    Ok(SuiviCampagne {
        annee: annee(r.try_get("annee")?)?,
        contrat_id,
        etat: etat(&r.try_get::<String, _>("etat")?)?,
        prolongation: date(r.try_get("prolongation")?, "prolongation")?,
        soumise_le: r.try_get("soumise_le")?,
        soumise_en_retard: r.try_get::<i64, _>("soumise_en_retard")? != 0,
        validee_le: r.try_get("validee_le")?,
        tampon: Tampon {
            id: contrat_id,
            version: r.try_get("version")?,
            modifie_par: r.try_get("modifie_par")?,
            modifie_le: r.try_get("modifie_le")?,
        },
    })
}

async fn lire_campagne(conn: &mut sqlx::AnyConnection, a: Annee) -> Resultat<Option<CampagneStockee>> {
    sqlx::query(
        "SELECT annee, echeance, version, ouverte_par, ouverte_le, modifie_par, modifie_le FROM campagnes WHERE annee = $1",
    )
    .bind(a.valeur() as i64)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(ligne_campagne)
    .transpose()
}

pub(crate) async fn lire_suivi(
    conn: &mut sqlx::AnyConnection,
    a: Annee,
    contrat_id: i64,
) -> Resultat<SuiviCampagne> {
    let r = sqlx::query(&format!(
        "SELECT {COLONNES_SUIVI} FROM campagnes_contrats WHERE annee = $1 AND contrat_id = $2"
    ))
    .bind(a.valeur() as i64)
    .bind(contrat_id)
    .fetch_optional(&mut *conn)
    .await?;
    match r {
        Some(r) => ligne_suivi(&r),
        None => Ok(SuiviCampagne {
            annee: a,
            contrat_id,
            etat: EtatCampagne::NonCommencee,
            prolongation: None,
            soumise_le: None,
            soumise_en_retard: false,
            validee_le: None,
            tampon: Tampon {
                id: contrat_id,
                version: 0,
                modifie_par: String::new(),
                modifie_le: String::new(),
            },
        }),
    }
}

async fn lire_valeurs(
    conn: &mut sqlx::AnyConnection,
    a: Annee,
    contrat_id: i64,
) -> Resultat<Vec<ValeurSaisie>> {
    sqlx::query(
        "SELECT fiche, nature, indicateur, ventilation, realise, commentaire, changement_methode, note_methode, effet_methode \
         FROM valeurs_indicateurs WHERE annee = $1 AND contrat_id = $2",
    )
    .bind(a.valeur() as i64)
    .bind(contrat_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ValeurSaisie {
            cle: cle(r)?,
            realise: r.try_get::<Option<i64>, _>("realise")?.map(Valeur::centiemes),
            commentaire: r.try_get("commentaire")?,
            changement_methode: r.try_get::<i64, _>("changement_methode")? != 0,
            note_methode: r.try_get("note_methode")?,
            effet_methode: r.try_get("effet_methode")?,
        })
    })
    .collect::<Resultat<Vec<_>>>()
    .map(|mut v| {
        // In the key's order (fiche numbers as numbers, national before local).
        v.sort_by(|a, b| a.cle.cmp(&b.cle));
        v
    })
}

async fn exiger_campagne(conn: &mut sqlx::AnyConnection, a: Annee) -> Resultat<CampagneStockee> {
    lire_campagne(conn, a)
        .await?
        .ok_or_else(|| ErreurStore::Introuvable {
            entite: "campagne",
            id: a.to_string(),
        })
}

fn id_suivi(a: Annee, contrat_id: i64) -> String {
    format!("{a}-{contrat_id}")
}

/// The audited view of a contract's campaign: its state and every figure.
#[derive(Serialize)]
struct VueSuivi<'a> {
    etat: EtatCampagne,
    prolongation: Option<Date>,
    soumise_en_retard: bool,
    valeurs: &'a [ValeurSaisie],
    #[serde(skip_serializing_if = "Option::is_none")]
    transition: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    motif: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    remarques: &'a [(CleValeur, String)],
}

fn aujourdhui(e: &Ecriture<'_>) -> Date {
    Horodatage::lire(e.maintenant()).map_or(Date::ymd(2024, 1, 1), |h| h.jour_a_paris())
}

/// Writes the state row of a contract's campaign: inserts it at version 1 or updates it under
/// the version read.
async fn ecrire_suivi(e: &mut Ecriture<'_>, avant: &SuiviCampagne, apres: &SuiviCampagne) -> Resultat<()> {
    let quoi = format!("la campagne {} du contrat {}", avant.annee, avant.contrat_id);
    let acteur = e.acteur().to_string();
    let maintenant = e.maintenant().to_string();
    if avant.tampon.version == 0 {
        sqlx::query(&format!(
            "INSERT INTO campagnes_contrats ({COLONNES_SUIVI}) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)"
        ))
        .bind(apres.annee.valeur() as i64)
        .bind(apres.contrat_id)
        .bind(apres.etat.code())
        .bind(apres.prolongation.map(Date::iso))
        .bind(apres.soumise_le.clone())
        .bind(apres.soumise_en_retard as i64)
        .bind(apres.validee_le.clone())
        .bind(acteur)
        .bind(maintenant)
        .execute(e.conn())
        .await?;
    } else {
        let q = sqlx::query(
            "UPDATE campagnes_contrats SET etat = $1, prolongation = $2, soumise_le = $3, soumise_en_retard = $4, \
             validee_le = $5, version = version + 1, modifie_par = $6, modifie_le = $7 \
             WHERE annee = $8 AND contrat_id = $9 AND version = $10",
        )
        .bind(apres.etat.code())
        .bind(apres.prolongation.map(Date::iso))
        .bind(apres.soumise_le.clone())
        .bind(apres.soumise_en_retard as i64)
        .bind(apres.validee_le.clone())
        .bind(acteur)
        .bind(maintenant)
        .bind(avant.annee.valeur() as i64)
        .bind(avant.contrat_id)
        .bind(avant.tampon.version);
        e.executer_une(quoi, &avant.tampon, q).await?;
    }
    Ok(())
}

async fn ajouter_transition(
    e: &mut Ecriture<'_>,
    avant: &SuiviCampagne,
    transition: &str,
    etat_apres: EtatCampagne,
    motif: Option<&str>,
    remarques: &[(CleValeur, String)],
) -> Resultat<()> {
    let a = avant.annee.valeur() as i64;
    let rang: i64 = sqlx::query(
        "SELECT COALESCE(MAX(rang), 0) + 1 AS rang FROM transitions_campagne WHERE annee = $1 AND contrat_id = $2",
    )
    .bind(a)
    .bind(avant.contrat_id)
    .fetch_one(e.conn())
    .await?
    .try_get("rang")?;
    let (acteur, le) = (e.acteur().to_string(), e.maintenant().to_string());
    sqlx::query(
        "INSERT INTO transitions_campagne (annee, contrat_id, rang, transition, etat_avant, etat_apres, motif, acteur, le) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(a)
    .bind(avant.contrat_id)
    .bind(rang)
    .bind(transition)
    .bind(avant.etat.code())
    .bind(etat_apres.code())
    .bind(motif.map(str::to_string))
    .bind(acteur)
    .bind(le)
    .execute(e.conn())
    .await?;
    for (c, texte) in remarques {
        sqlx::query(
            "INSERT INTO remarques_campagne (annee, contrat_id, rang, fiche, nature, indicateur, ventilation, texte) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a)
        .bind(avant.contrat_id)
        .bind(rang)
        .bind(c.fiche.to_string())
        .bind(c.nature.code())
        .bind(c.indicateur.clone())
        .bind(c.ventilation as i64)
        .bind(texte.clone())
        .execute(e.conn())
        .await?;
    }
    Ok(())
}

fn borne(texte: &str, quoi: &str) -> Resultat<()> {
    if texte.chars().count() > campagne::COMMENTAIRE_MAX {
        return Err(ErreurStore::Invalide(format!(
            "{quoi} dépasse {} caractères",
            campagne::COMMENTAIRE_MAX
        )));
    }
    Ok(())
}

impl Base {
    /// Opens the campaign of year `annee`, due on `echeance` (by default 31 March of the next
    /// year, [`campagne::echeance_par_defaut`]). Refused when it is already open.
    pub async fn ouvrir_campagne(
        &self,
        annee: Annee,
        echeance: Date,
        acteur: &str,
    ) -> Resultat<CampagneStockee> {
        let mut e = self.ecriture(acteur).await?;
        if lire_campagne(e.conn(), annee).await?.is_some() {
            return Err(ErreurStore::Invalide(format!(
                "la campagne {annee} est déjà ouverte"
            )));
        }
        let (acteur_s, le) = (e.acteur().to_string(), e.maintenant().to_string());
        sqlx::query(
            "INSERT INTO campagnes (annee, echeance, version, ouverte_par, ouverte_le, modifie_par, modifie_le) \
             VALUES ($1, $2, 1, $3, $4, $3, $4)",
        )
        .bind(annee.valeur() as i64)
        .bind(echeance.iso())
        .bind(acteur_s.clone())
        .bind(le.clone())
        .execute(e.conn())
        .await?;
        let c = CampagneStockee {
            annee,
            echeance,
            version: 1,
            ouverte_par: acteur_s.clone(),
            ouverte_le: le.clone(),
            modifie_par: acteur_s,
            modifie_le: le,
        };
        let apres = document(&serde_json::json!({ "echeance": echeance.iso() }), "la campagne")?;
        e.consigner(
            ENTITE_CAMPAGNE,
            &annee.to_string(),
            "creation",
            None,
            Some(&apres),
        )
        .await?;
        e.conclure().await?;
        Ok(c)
    }

    /// Moves the deadline of a campaign, if `version` is still the stored one.
    pub async fn modifier_echeance(
        &self,
        annee: Annee,
        echeance: Date,
        version: i64,
        acteur: &str,
    ) -> Resultat<()> {
        let mut e = self.ecriture(acteur).await?;
        let c = exiger_campagne(e.conn(), annee).await?;
        let tampon = Tampon {
            id: annee.valeur() as i64,
            version: c.version,
            modifie_par: c.modifie_par.clone(),
            modifie_le: c.modifie_le.clone(),
        };
        e.controler_version(format!("la campagne {annee}"), &tampon, version)?;
        let (acteur_s, le) = (e.acteur().to_string(), e.maintenant().to_string());
        let q = sqlx::query(
            "UPDATE campagnes SET echeance = $1, version = version + 1, modifie_par = $2, modifie_le = $3 \
             WHERE annee = $4 AND version = $5",
        )
        .bind(echeance.iso())
        .bind(acteur_s)
        .bind(le)
        .bind(annee.valeur() as i64)
        .bind(version);
        e.executer_une(format!("la campagne {annee}"), &tampon, q).await?;
        let avant = document(
            &serde_json::json!({ "echeance": c.echeance.iso() }),
            "la campagne",
        )?;
        let apres = document(&serde_json::json!({ "echeance": echeance.iso() }), "la campagne")?;
        e.consigner(
            ENTITE_CAMPAGNE,
            &annee.to_string(),
            "modification",
            Some(&avant),
            Some(&apres),
        )
        .await?;
        e.conclure().await
    }

    /// Every campaign, by year.
    pub async fn campagnes(&self) -> Resultat<Vec<CampagneStockee>> {
        sqlx::query(
            "SELECT annee, echeance, version, ouverte_par, ouverte_le, modifie_par, modifie_le FROM campagnes ORDER BY annee",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(ligne_campagne)
        .collect()
    }

    /// The campaign of year `annee`, if open.
    pub async fn campagne(&self, annee: Annee) -> Resultat<Option<CampagneStockee>> {
        let mut conn = self.pool().acquire().await?;
        lire_campagne(&mut conn, annee).await
    }

    /// A contract's campaign of year `annee` (« non commencée », version 0, without a row).
    pub async fn suivi_campagne(&self, annee: Annee, contrat_id: i64) -> Resultat<SuiviCampagne> {
        let mut conn = self.pool().acquire().await?;
        lire_suivi(&mut conn, annee, contrat_id).await
    }

    /// The recorded campaign states of year `annee`, by contract (contracts without a row are
    /// not started).
    pub async fn suivis_campagne(&self, annee: Annee) -> Resultat<Vec<SuiviCampagne>> {
        sqlx::query(&format!(
            "SELECT {COLONNES_SUIVI} FROM campagnes_contrats WHERE annee = $1 ORDER BY contrat_id"
        ))
        .bind(annee.valeur() as i64)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(ligne_suivi)
        .collect()
    }

    /// The figures entered for a contract's campaign of year `annee`.
    pub async fn valeurs_campagne(&self, annee: Annee, contrat_id: i64) -> Resultat<Vec<ValeurSaisie>> {
        let mut conn = self.pool().acquire().await?;
        lire_valeurs(&mut conn, annee, contrat_id).await
    }

    /// The history of a contract's campaign of year `annee`, oldest first, with the remarks of
    /// each return.
    pub async fn transitions_campagne(
        &self,
        annee: Annee,
        contrat_id: i64,
    ) -> Resultat<Vec<TransitionStockee>> {
        let mut conn = self.pool().acquire().await?;
        let a = annee.valeur() as i64;
        let mut remarques: BTreeMap<i64, Vec<(CleValeur, String)>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT rang, fiche, nature, indicateur, ventilation, texte FROM remarques_campagne \
             WHERE annee = $1 AND contrat_id = $2 ORDER BY rang, fiche, nature, indicateur, ventilation",
        )
        .bind(a)
        .bind(contrat_id)
        .fetch_all(&mut *conn)
        .await?
        {
            remarques
                .entry(r.try_get("rang")?)
                .or_default()
                .push((cle(&r)?, r.try_get("texte")?));
        }
        sqlx::query(
            "SELECT rang, transition, etat_avant, etat_apres, motif, acteur, le FROM transitions_campagne \
             WHERE annee = $1 AND contrat_id = $2 ORDER BY rang",
        )
        .bind(a)
        .bind(contrat_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let rang: i64 = r.try_get("rang")?;
            Ok(TransitionStockee {
                rang,
                transition: r.try_get("transition")?,
                etat_avant: etat(&r.try_get::<String, _>("etat_avant")?)?,
                etat_apres: etat(&r.try_get::<String, _>("etat_apres")?)?,
                motif: r.try_get("motif")?,
                acteur: r.try_get("acteur")?,
                le: r.try_get("le")?,
                remarques: remarques.remove(&rang).unwrap_or_default(),
            })
        })
        .collect()
    }

    /// Saves figures of a contract's campaign: the guard receives the contract, the campaign
    /// state and the figures as stored, re-read inside the write, and returns the figures to
    /// keep (the whole set); the state becomes « en cours » ([`Transition::Saisir`], refused
    /// once submitted or validated). Targets, T0 and axes are written from the contract.
    pub async fn enregistrer_valeurs(
        &self,
        annee: Annee,
        contrat_id: i64,
        version: i64,
        acteur: &str,
        garde: impl FnOnce(&Contrat, &SuiviCampagne, &[ValeurSaisie]) -> Result<Vec<ValeurSaisie>, Refus> + Send,
    ) -> Resultat<Tampon> {
        let mut e = self.ecriture(acteur).await?;
        exiger_campagne(e.conn(), annee).await?;
        let contrat = lire_contrat(e.conn(), contrat_id).await?.contrat;
        let suivi = lire_suivi(e.conn(), annee, contrat_id).await?;
        e.controler_version(
            format!("la campagne {annee} du contrat {contrat_id}"),
            &suivi.tampon,
            version,
        )?;
        let etat_apres = campagne::apres(suivi.etat, Transition::Saisir).map_err(Refus::new)?;
        let avant = lire_valeurs(e.conn(), annee, contrat_id).await?;
        let valeurs = garde(&contrat, &suivi, &avant)?;
        for v in &valeurs {
            for t in [&v.commentaire, &v.note_methode].into_iter().flatten() {
                borne(t, "un commentaire")?;
            }
        }
        let apres_suivi = SuiviCampagne {
            etat: etat_apres,
            ..suivi.clone()
        };
        ecrire_suivi(&mut e, &suivi, &apres_suivi).await?;
        let a = annee.valeur() as i64;
        sqlx::query("DELETE FROM valeurs_indicateurs WHERE annee = $1 AND contrat_id = $2")
            .bind(a)
            .bind(contrat_id)
            .execute(e.conn())
            .await?;
        let lignes: BTreeMap<CleValeur, campagne::LigneAttendue> =
            campagne::lignes_attendues(&contrat, annee)
                .into_iter()
                .map(|l| (l.cle.clone(), l))
                .collect();
        let (acteur_s, le) = (e.acteur().to_string(), e.maintenant().to_string());
        for v in &valeurs {
            let l = lignes.get(&v.cle);
            sqlx::query(
                "INSERT INTO valeurs_indicateurs (annee, contrat_id, fiche, axe, nature, indicateur, ventilation, realise, cible, t0, \
                 commentaire, changement_methode, note_methode, effet_methode, modifie_par, modifie_le) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(a)
            .bind(contrat_id)
            .bind(v.cle.fiche.to_string())
            .bind(v.cle.fiche.axe.numero() as i64)
            .bind(v.cle.nature.code())
            .bind(v.cle.indicateur.clone())
            .bind(v.cle.ventilation as i64)
            .bind(v.realise.map(Valeur::en_centiemes))
            .bind(l.and_then(|l| l.cible).map(Valeur::en_centiemes))
            .bind(l.and_then(|l| l.t0).map(Valeur::en_centiemes))
            .bind(v.commentaire.clone())
            .bind(v.changement_methode as i64)
            .bind(v.note_methode.clone())
            .bind(v.effet_methode)
            .bind(acteur_s.clone())
            .bind(le.clone())
            .execute(e.conn())
            .await?;
        }
        let vue = |s: &SuiviCampagne, v: &[ValeurSaisie]| {
            document(
                &VueSuivi {
                    etat: s.etat,
                    prolongation: s.prolongation,
                    soumise_en_retard: s.soumise_en_retard,
                    valeurs: v,
                    transition: None,
                    motif: None,
                    remarques: &[],
                },
                "la campagne",
            )
        };
        let texte_avant = (suivi.tampon.version > 0)
            .then(|| vue(&suivi, &avant))
            .transpose()?;
        let texte_apres = vue(&apres_suivi, &valeurs)?;
        if suivi.etat != etat_apres {
            ajouter_transition(&mut e, &suivi, Transition::Saisir.code(), etat_apres, None, &[]).await?;
        }
        e.consigner(
            ENTITE_CAMPAGNE_CONTRAT,
            &id_suivi(annee, contrat_id),
            "saisie",
            texte_avant.as_deref(),
            Some(&texte_apres),
        )
        .await?;
        let t = e.tampon(contrat_id, suivi.tampon.version + 1);
        e.conclure().await?;
        Ok(t)
    }

    /// Moves a contract's campaign by `transition` (submit, return, validate, reopen), if
    /// `version` is still the stored one, the state allows it ([`campagne::apres`]) and the
    /// guard accepts (it receives the contract, the state and the figures re-read inside the
    /// write). A return carries a remark per figure; a return and a reopening a reason. A
    /// submission after the contract's deadline is recorded as late.
    #[allow(clippy::too_many_arguments)]
    pub async fn changer_etat_campagne(
        &self,
        annee: Annee,
        contrat_id: i64,
        version: i64,
        transition: Transition,
        motif: Option<&str>,
        remarques: &[(CleValeur, String)],
        acteur: &str,
        garde: impl FnOnce(&Contrat, &SuiviCampagne, &[ValeurSaisie]) -> Result<(), Refus> + Send,
    ) -> Resultat<Tampon> {
        if transition == Transition::Saisir {
            return Err(ErreurStore::Invalide(
                "la saisie passe par l'enregistrement des indicateurs".into(),
            ));
        }
        let motif = motif.map(str::trim).filter(|m| !m.is_empty());
        if let Some(m) = motif {
            borne(m, "le motif")?;
        }
        for (_, r) in remarques {
            borne(r, "une remarque")?;
        }
        if transition.exige_motif() && motif.is_none() && remarques.is_empty() {
            return Err(ErreurStore::Invalide(format!(
                "« {} » demande un motif",
                transition.libelle()
            )));
        }
        let mut e = self.ecriture(acteur).await?;
        let c = exiger_campagne(e.conn(), annee).await?;
        let contrat = lire_contrat(e.conn(), contrat_id).await?.contrat;
        let suivi = lire_suivi(e.conn(), annee, contrat_id).await?;
        e.controler_version(
            format!("la campagne {annee} du contrat {contrat_id}"),
            &suivi.tampon,
            version,
        )?;
        let etat_apres = campagne::apres(suivi.etat, transition).map_err(Refus::new)?;
        let valeurs = lire_valeurs(e.conn(), annee, contrat_id).await?;
        garde(&contrat, &suivi, &valeurs)?;
        let mut apres = SuiviCampagne {
            etat: etat_apres,
            ..suivi.clone()
        };
        let maintenant = e.maintenant().to_string();
        match transition {
            Transition::Soumettre => {
                apres.soumise_le = Some(maintenant);
                apres.soumise_en_retard = campagne::soumission_en_retard(
                    campagne::echeance_contrat(c.echeance, suivi.prolongation),
                    aujourdhui(&e),
                );
            }
            Transition::Valider => apres.validee_le = Some(maintenant),
            Transition::Rouvrir => apres.validee_le = None,
            _ => {}
        }
        ecrire_suivi(&mut e, &suivi, &apres).await?;
        ajouter_transition(&mut e, &suivi, transition.code(), etat_apres, motif, remarques).await?;
        let vue = |s: &SuiviCampagne, t: Option<&str>, m: Option<&str>, r: &[(CleValeur, String)]| {
            document(
                &VueSuivi {
                    etat: s.etat,
                    prolongation: s.prolongation,
                    soumise_en_retard: s.soumise_en_retard,
                    valeurs: &valeurs,
                    transition: t,
                    motif: m,
                    remarques: r,
                },
                "la campagne",
            )
        };
        let texte_avant = (suivi.tampon.version > 0)
            .then(|| vue(&suivi, None, None, &[]))
            .transpose()?;
        let texte_apres = vue(&apres, Some(transition.code()), motif, remarques)?;
        e.consigner(
            ENTITE_CAMPAGNE_CONTRAT,
            &id_suivi(annee, contrat_id),
            transition.code(),
            texte_avant.as_deref(),
            Some(&texte_apres),
        )
        .await?;
        let t = e.tampon(contrat_id, suivi.tampon.version + 1);
        e.conclure().await?;
        Ok(t)
    }

    /// Extends a contract's deadline (`None`: back to the campaign's), if `version` is still
    /// the stored one and the guard accepts. Recorded in the history as `prolonger`.
    pub async fn prolonger_campagne(
        &self,
        annee: Annee,
        contrat_id: i64,
        version: i64,
        prolongation: Option<Date>,
        acteur: &str,
        garde: impl FnOnce(&Contrat, &SuiviCampagne) -> Result<(), Refus> + Send,
    ) -> Resultat<Tampon> {
        let mut e = self.ecriture(acteur).await?;
        exiger_campagne(e.conn(), annee).await?;
        let contrat = lire_contrat(e.conn(), contrat_id).await?.contrat;
        let suivi = lire_suivi(e.conn(), annee, contrat_id).await?;
        e.controler_version(
            format!("la campagne {annee} du contrat {contrat_id}"),
            &suivi.tampon,
            version,
        )?;
        garde(&contrat, &suivi)?;
        let apres = SuiviCampagne {
            prolongation,
            ..suivi.clone()
        };
        ecrire_suivi(&mut e, &suivi, &apres).await?;
        let motif = prolongation.map(|d| format!("échéance prolongée au {d}"));
        ajouter_transition(&mut e, &suivi, "prolonger", suivi.etat, motif.as_deref(), &[]).await?;
        let texte = |s: &SuiviCampagne| {
            document(
                &serde_json::json!({ "etat": s.etat, "prolongation": s.prolongation }),
                "la campagne",
            )
        };
        let avant = (suivi.tampon.version > 0).then(|| texte(&suivi)).transpose()?;
        e.consigner(
            ENTITE_CAMPAGNE_CONTRAT,
            &id_suivi(annee, contrat_id),
            "prolongation",
            avant.as_deref(),
            Some(&texte(&apres)?),
        )
        .await?;
        let t = e.tampon(contrat_id, suivi.tampon.version + 1);
        e.conclure().await?;
        Ok(t)
    }

    /// A contract's mid-term evaluation (empty, version 0, when nothing is recorded).
    pub async fn mi_parcours(&self, contrat_id: i64) -> Resultat<MiParcoursStocke> {
        let mut conn = self.pool().acquire().await?;
        lire_mi_parcours(&mut conn, contrat_id).await
    }

    /// Records the collectivity's mid-term report dates (R-EVAL-01) if `version` is still the
    /// stored one and the guard accepts.
    pub async fn enregistrer_rapport_mi_parcours(
        &self,
        contrat_id: i64,
        version: i64,
        rapport: RapportMiParcours,
        acteur: &str,
        garde: impl FnOnce(&Contrat, &MiParcoursStocke) -> Result<(), Refus> + Send,
    ) -> Resultat<Tampon> {
        self.ecrire_mi_parcours(contrat_id, version, acteur, "rapport", move |c, m| {
            garde(c, m)?;
            Ok((rapport, None))
        })
        .await
    }

    /// Records the commissaire's decisions on the 2027 amounts (R-EVAL-02, R-FIN-07): the
    /// decisions of the fiches named replace theirs, the others stay.
    pub async fn decider_mi_parcours(
        &self,
        contrat_id: i64,
        version: i64,
        decisions: Vec<NouvelleDecision>,
        acteur: &str,
        garde: impl FnOnce(&Contrat, &MiParcoursStocke) -> Result<(), Refus> + Send,
    ) -> Resultat<Tampon> {
        for d in &decisions {
            borne(&d.decision.motif, "le motif")?;
        }
        self.ecrire_mi_parcours(contrat_id, version, acteur, "decision", move |c, m| {
            garde(c, m)?;
            Ok((m.rapport, Some(decisions)))
        })
        .await
    }

    async fn ecrire_mi_parcours(
        &self,
        contrat_id: i64,
        version: i64,
        acteur: &str,
        operation: &str,
        garde: impl FnOnce(
            &Contrat,
            &MiParcoursStocke,
        ) -> Result<(RapportMiParcours, Option<Vec<NouvelleDecision>>), Refus>
        + Send,
    ) -> Resultat<Tampon> {
        let mut e = self.ecriture(acteur).await?;
        let contrat = lire_contrat(e.conn(), contrat_id).await?.contrat;
        let stocke = lire_mi_parcours(e.conn(), contrat_id).await?;
        let quoi = || format!("l'évaluation à mi-parcours du contrat {contrat_id}");
        e.controler_version(quoi(), &stocke.tampon, version)?;
        let (rapport, decisions) = garde(&contrat, &stocke)?;
        let (acteur_s, le) = (e.acteur().to_string(), e.maintenant().to_string());
        if stocke.tampon.version == 0 {
            sqlx::query(
                "INSERT INTO mi_parcours (contrat_id, date_deliberation, date_envoi, version, modifie_par, modifie_le) \
                 VALUES ($1, $2, $3, 1, $4, $5)",
            )
            .bind(contrat_id)
            .bind(rapport.date_deliberation.map(Date::iso))
            .bind(rapport.date_envoi.map(Date::iso))
            .bind(acteur_s.clone())
            .bind(le.clone())
            .execute(e.conn())
            .await?;
        } else {
            let q = sqlx::query(
                "UPDATE mi_parcours SET date_deliberation = $1, date_envoi = $2, version = version + 1, \
                 modifie_par = $3, modifie_le = $4 WHERE contrat_id = $5 AND version = $6",
            )
            .bind(rapport.date_deliberation.map(Date::iso))
            .bind(rapport.date_envoi.map(Date::iso))
            .bind(acteur_s.clone())
            .bind(le.clone())
            .bind(contrat_id)
            .bind(stocke.tampon.version);
            e.executer_une(quoi(), &stocke.tampon, q).await?;
        }
        for d in decisions.iter().flatten() {
            sqlx::query("DELETE FROM decisions_mi_parcours WHERE contrat_id = $1 AND fiche = $2")
                .bind(contrat_id)
                .bind(d.decision.fiche.to_string())
                .execute(e.conn())
                .await?;
            sqlx::query(
                "INSERT INTO decisions_mi_parcours (contrat_id, fiche, axe, etat_2027_prevu, etat_2027_propose, etat_2027, \
                 motif, decide_par, decide_le) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(contrat_id)
            .bind(d.decision.fiche.to_string())
            .bind(d.decision.fiche.axe.numero() as i64)
            .bind(d.etat_2027_prevu.en_centimes())
            .bind(d.etat_2027_propose.map(Montant::en_centimes))
            .bind(d.decision.etat_2027.en_centimes())
            .bind(d.decision.motif.clone())
            .bind(acteur_s.clone())
            .bind(le.clone())
            .execute(e.conn())
            .await?;
        }
        let apres = lire_mi_parcours(e.conn(), contrat_id).await?;
        let vue = |m: &MiParcoursStocke| {
            document(
                &serde_json::json!({ "rapport": m.rapport, "decisions": m.decisions }),
                "l'évaluation à mi-parcours",
            )
        };
        let avant = (stocke.tampon.version > 0).then(|| vue(&stocke)).transpose()?;
        e.consigner(
            ENTITE_MI_PARCOURS,
            &contrat_id.to_string(),
            operation,
            avant.as_deref(),
            Some(&vue(&apres)?),
        )
        .await?;
        let t = e.tampon(contrat_id, stocke.tampon.version + 1);
        e.conclure().await?;
        Ok(t)
    }
}

async fn lire_mi_parcours(conn: &mut sqlx::AnyConnection, contrat_id: i64) -> Resultat<MiParcoursStocke> {
    let r = sqlx::query(
        "SELECT date_deliberation, date_envoi, version, modifie_par, modifie_le FROM mi_parcours WHERE contrat_id = $1",
    )
    .bind(contrat_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = r else {
        return Ok(MiParcoursStocke {
            rapport: RapportMiParcours::default(),
            decisions: Vec::new(),
            tampon: Tampon {
                id: contrat_id,
                version: 0,
                modifie_par: String::new(),
                modifie_le: String::new(),
            },
        });
    };
    let decisions = sqlx::query(
        "SELECT fiche, etat_2027_prevu, etat_2027_propose, etat_2027, motif, decide_par, decide_le \
         FROM decisions_mi_parcours WHERE contrat_id = $1 ORDER BY axe, fiche",
    )
    .bind(contrat_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|d| {
        let fiche: String = d.try_get("fiche")?;
        Ok(DecisionStockee {
            decision: DecisionMiParcours {
                fiche: NumeroFiche::parse(&fiche).map_err(ErreurStore::Corrompue)?,
                etat_2027: Montant::centimes(d.try_get("etat_2027")?),
                motif: d.try_get("motif")?,
            },
            etat_2027_prevu: Montant::centimes(d.try_get("etat_2027_prevu")?),
            etat_2027_propose: d
                .try_get::<Option<i64>, _>("etat_2027_propose")?
                .map(Montant::centimes),
            decide_par: d.try_get("decide_par")?,
            decide_le: d.try_get("decide_le")?,
        })
    })
    .collect::<Resultat<Vec<_>>>()?;
    Ok(MiParcoursStocke {
        rapport: RapportMiParcours {
            date_deliberation: date(r.try_get("date_deliberation")?, "date de délibération")?,
            date_envoi: date(r.try_get("date_envoi")?, "date d'envoi")?,
        },
        decisions,
        tampon: Tampon {
            id: contrat_id,
            version: r.try_get("version")?,
            modifie_par: r.try_get("modifie_par")?,
            modifie_le: r.try_get("modifie_le")?,
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Backups
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) enum Type {
    Entier,
    EntierOpt,
    Texte,
    TexteOpt,
}

/// A table: its name, its columns with their types, its `ORDER BY`.
pub(crate) type Table = (&'static str, &'static [(&'static str, Type)], &'static str);

/// The campaign tables in restore order (parents first), with their columns; the reports'
/// texts (`crate::textes_rapports::TABLES`) follow them in backups.
const TABLES: &[Table] = {
    use Type::*;
    &[
        (
            "campagnes",
            &[
                ("annee", Entier),
                ("echeance", Texte),
                ("version", Entier),
                ("ouverte_par", Texte),
                ("ouverte_le", Texte),
                ("modifie_par", Texte),
                ("modifie_le", Texte),
            ],
            "annee",
        ),
        (
            "campagnes_contrats",
            &[
                ("annee", Entier),
                ("contrat_id", Entier),
                ("etat", Texte),
                ("prolongation", TexteOpt),
                ("soumise_le", TexteOpt),
                ("soumise_en_retard", Entier),
                ("validee_le", TexteOpt),
                ("version", Entier),
                ("modifie_par", Texte),
                ("modifie_le", Texte),
            ],
            "annee, contrat_id",
        ),
        (
            "valeurs_indicateurs",
            &[
                ("annee", Entier),
                ("contrat_id", Entier),
                ("fiche", Texte),
                ("axe", Entier),
                ("nature", Texte),
                ("indicateur", Texte),
                ("ventilation", Entier),
                ("realise", EntierOpt),
                ("cible", EntierOpt),
                ("t0", EntierOpt),
                ("commentaire", TexteOpt),
                ("changement_methode", Entier),
                ("note_methode", TexteOpt),
                ("effet_methode", EntierOpt),
                ("modifie_par", Texte),
                ("modifie_le", Texte),
            ],
            "annee, contrat_id, fiche, nature, indicateur, ventilation",
        ),
        (
            "transitions_campagne",
            &[
                ("annee", Entier),
                ("contrat_id", Entier),
                ("rang", Entier),
                ("transition", Texte),
                ("etat_avant", Texte),
                ("etat_apres", Texte),
                ("motif", TexteOpt),
                ("acteur", Texte),
                ("le", Texte),
            ],
            "annee, contrat_id, rang",
        ),
        (
            "remarques_campagne",
            &[
                ("annee", Entier),
                ("contrat_id", Entier),
                ("rang", Entier),
                ("fiche", Texte),
                ("nature", Texte),
                ("indicateur", Texte),
                ("ventilation", Entier),
                ("texte", Texte),
            ],
            "annee, contrat_id, rang, fiche, nature, indicateur, ventilation",
        ),
        (
            "mi_parcours",
            &[
                ("contrat_id", Entier),
                ("date_deliberation", TexteOpt),
                ("date_envoi", TexteOpt),
                ("version", Entier),
                ("modifie_par", Texte),
                ("modifie_le", Texte),
            ],
            "contrat_id",
        ),
        (
            "decisions_mi_parcours",
            &[
                ("contrat_id", Entier),
                ("fiche", Texte),
                ("axe", Entier),
                ("etat_2027_prevu", Entier),
                ("etat_2027_propose", EntierOpt),
                ("etat_2027", Entier),
                ("motif", Texte),
                ("decide_par", Texte),
                ("decide_le", Texte),
            ],
            "contrat_id, fiche",
        ),
    ]
};

/// The rows of one campaign table in a backup, each as a JSON object of its columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCampagne {
    pub table: String,
    pub lignes: Vec<BTreeMap<String, serde_json::Value>>,
}

/// Every row of the campaign tables, for a backup (tables without rows are left out).
pub(crate) async fn lignes_tx(conn: &mut sqlx::AnyConnection) -> Resultat<Vec<TableCampagne>> {
    let mut tables = Vec::new();
    for (table, colonnes, ordre) in TABLES.iter().chain(crate::textes_rapports::TABLES) {
        let noms: Vec<&str> = colonnes.iter().map(|c| c.0).collect();
        let lignes = sqlx::query(&format!(
            "SELECT {} FROM {table} ORDER BY {ordre}",
            noms.join(", ")
        ))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            colonnes
                .iter()
                .map(|(nom, t)| {
                    let v = match t {
                        Type::Entier => serde_json::Value::from(r.try_get::<i64, _>(*nom)?),
                        Type::EntierOpt => serde_json::Value::from(r.try_get::<Option<i64>, _>(*nom)?),
                        Type::Texte => serde_json::Value::from(r.try_get::<String, _>(*nom)?),
                        Type::TexteOpt => serde_json::Value::from(r.try_get::<Option<String>, _>(*nom)?),
                    };
                    Ok((nom.to_string(), v))
                })
                .collect::<Resultat<BTreeMap<_, _>>>()
        })
        .collect::<Resultat<Vec<_>>>()?;
        if !lignes.is_empty() {
            tables.push(TableCampagne {
                table: table.to_string(),
                lignes,
            });
        }
    }
    Ok(tables)
}

/// Writes back the rows of a backup (inside the restore's transaction), parents first.
pub(crate) async fn restaurer_tx(conn: &mut sqlx::AnyConnection, tables: &[TableCampagne]) -> Resultat<()> {
    for (table, colonnes, _) in TABLES.iter().chain(crate::textes_rapports::TABLES) {
        let Some(t) = tables.iter().find(|t| t.table == *table) else {
            continue;
        };
        let noms: Vec<&str> = colonnes.iter().map(|c| c.0).collect();
        let places: Vec<String> = (1..=noms.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            noms.join(", "),
            places.join(", ")
        );
        for l in &t.lignes {
            let mut q = sqlx::query(&sql);
            for (nom, ty) in colonnes.iter() {
                let v = l.get(*nom).unwrap_or(&serde_json::Value::Null);
                let invalide = || {
                    ErreurStore::Invalide(format!(
                        "sauvegarde : {table}.{nom} illisible ({v}) ; rien n'a été restauré"
                    ))
                };
                q = match ty {
                    Type::Entier => q.bind(v.as_i64().ok_or_else(invalide)?),
                    Type::EntierOpt if v.is_null() => q.bind(None::<i64>),
                    Type::EntierOpt => q.bind(Some(v.as_i64().ok_or_else(invalide)?)),
                    Type::Texte => q.bind(v.as_str().ok_or_else(invalide)?.to_string()),
                    Type::TexteOpt if v.is_null() => q.bind(None::<String>),
                    Type::TexteOpt => q.bind(Some(v.as_str().ok_or_else(invalide)?.to_string())),
                };
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}
