//! The acts of a contract's lifecycle, written by the same transaction as the header they
//! move: [`Base::enregistrer_acte`] (the step, its act, the documents that evidence it) and
//! [`Base::annuler_acte`] (the last act in force taken back, audited as an undo).
//!
//! Like every contract write, both run a guard of the caller inside the transaction, on the
//! contract and its acts as stored after the audit head is taken; the guard decides (rights,
//! state, the act's validation in `pacte_core::actes`) and returns the header to write. The
//! store interprets no rule.

use pacte_core::Contrat;
use pacte_core::actes::Acte;
use pacte_core::contrat::{EnTete, EtatContrat};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::contrats::{ENTITE_CONTRAT, lire_contrat};
use crate::ecriture::Ecriture;
use crate::erreur::{ErreurStore, Refus, Resultat};
use crate::pieces::{ENTITE_PIECE, NouvellePiece, Piece};
use crate::{Base, Tampon, document, lire_json, sommes};

/// Audit entity of acts.
pub(crate) const ENTITE_ACTE: &str = "acte";

/// A stored act.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActeStocke {
    pub id: i64,
    pub contrat_id: i64,
    pub acte: Acte,
    /// The contract's state before the act.
    pub etat_avant: EtatContrat,
    pub cree_par: String,
    pub cree_le: String,
    /// Who undid the act, and when; `None` while it is in force.
    pub annule_par: Option<String>,
    pub annule_le: Option<String>,
}

impl ActeStocke {
    pub fn en_vigueur(&self) -> bool {
        self.annule_le.is_none()
    }
}

const COLONNES_ACTE: &str = "id, contrat_id, etat_avant, donnees, cree_par, cree_le, annule_par, annule_le";

fn lire_acte(r: &AnyRow) -> Resultat<ActeStocke> {
    let id: i64 = r.try_get("id")?;
    let etat: String = r.try_get("etat_avant")?;
    Ok(ActeStocke {
        id,
        contrat_id: r.try_get("contrat_id")?,
        acte: lire_json(&r.try_get::<String, _>("donnees")?, &format!("acte {id}"))?,
        etat_avant: EtatContrat::depuis_code(&etat)
            .ok_or_else(|| ErreurStore::Corrompue(format!("acte {id} : état « {etat} » inconnu")))?,
        cree_par: r.try_get("cree_par")?,
        cree_le: r.try_get("cree_le")?,
        annule_par: r.try_get("annule_par")?,
        annule_le: r.try_get("annule_le")?,
    })
}

/// The audited view of an act: what it records, the state it left, and its undo.
fn vue_auditee(a: &ActeStocke) -> String {
    serde_json::json!({
        "contrat_id": a.contrat_id,
        "acte": a.acte,
        "etat_avant": a.etat_avant.code(),
        "annule_par": a.annule_par,
        "annule_le": a.annule_le,
    })
    .to_string()
}

async fn actes_tx(conn: &mut sqlx::AnyConnection, contrat_id: i64) -> Resultat<Vec<ActeStocke>> {
    sqlx::query(&format!(
        "SELECT {COLONNES_ACTE} FROM actes WHERE contrat_id = $1 ORDER BY id"
    ))
    .bind(contrat_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(lire_acte)
    .collect()
}

/// Writes the header `apres` of contract `id` (read at `actuel`) inside write `e`.
async fn ecrire_entete(
    e: &mut Ecriture<'_>,
    id: i64,
    actuel: &Tampon,
    avant: &EnTete,
    apres: &EnTete,
) -> Resultat<()> {
    let quoi = || format!("le contrat {id}");
    let texte_avant = document(avant, "l'en-tête du contrat")?;
    let texte_apres = document(apres, "l'en-tête du contrat")?;
    let requete = sqlx::query(
        "UPDATE contrats SET entete = $1, etat = $2, collectivite = $3, version = version + 1, modifie_par = $4, modifie_le = $5 \
         WHERE id = $6 AND version = $7",
    )
    .bind(texte_apres.clone())
    .bind(apres.etat.code())
    .bind(apres.collectivite.clone())
    .bind(e.acteur().to_string())
    .bind(e.maintenant().to_string())
    .bind(id)
    .bind(actuel.version);
    e.executer_une(quoi(), actuel, requete).await?;
    sommes::ecrire_entete(e.conn(), id, apres).await?;
    sommes::toucher(e.conn(), id).await?;
    e.consigner(
        ENTITE_CONTRAT,
        &id.to_string(),
        "modification",
        Some(&texte_avant),
        Some(&texte_apres),
    )
    .await
}

impl Base {
    /// The acts of contract `contrat_id`, undone ones included, oldest first.
    pub async fn actes(&self, contrat_id: i64) -> Resultat<Vec<ActeStocke>> {
        let mut conn = self.pool().acquire().await?;
        actes_tx(&mut conn, contrat_id).await
    }

    /// Records `acte` on contract `id`, if `version` is still the contract's stored one and
    /// `garde` accepts it: the guard receives the contract as stored and the acts in force
    /// (oldest first), re-read inside the write's transaction, and returns the header after
    /// the act. In one transaction: the header, the act (with the header before it, for an
    /// undo), the documents `pieces` attached to the act, and their audit entries. Returns the
    /// act's id and the contract's new stamp.
    pub async fn enregistrer_acte(
        &self,
        id: i64,
        version: i64,
        acte: &Acte,
        pieces: &[NouvellePiece<'_>],
        acteur: &str,
        garde: impl FnOnce(&Contrat, &[Acte]) -> Result<EnTete, Refus> + Send,
    ) -> Resultat<(i64, Tampon)> {
        self.acte_et_version_signee(
            id,
            version,
            acte,
            pieces,
            acteur,
            garde,
            None::<fn(&Contrat, &[Acte], i64) -> String>,
        )
        .await
    }

    /// [`Base::enregistrer_acte`] for a signature whose signed document is among `pieces`: in
    /// the same transaction, records the version of the data it signs ([004] annexe 8: the
    /// convention signed is the one generated from these data), with the verification code
    /// `code` computes from the contract as it stands after the act, the acts in force (this one
    /// included) and the contract's new version. Without a document, or for another step, the
    /// act alone is recorded.
    #[allow(clippy::too_many_arguments)]
    pub async fn enregistrer_acte_signe(
        &self,
        id: i64,
        version: i64,
        acte: &Acte,
        pieces: &[NouvellePiece<'_>],
        acteur: &str,
        garde: impl FnOnce(&Contrat, &[Acte]) -> Result<EnTete, Refus> + Send,
        code: impl FnOnce(&Contrat, &[Acte], i64) -> String + Send,
    ) -> Resultat<(i64, Tampon)> {
        self.acte_et_version_signee(id, version, acte, pieces, acteur, garde, Some(code))
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn acte_et_version_signee(
        &self,
        id: i64,
        version: i64,
        acte: &Acte,
        pieces: &[NouvellePiece<'_>],
        acteur: &str,
        garde: impl FnOnce(&Contrat, &[Acte]) -> Result<EnTete, Refus> + Send,
        code: Option<impl FnOnce(&Contrat, &[Acte], i64) -> String + Send>,
    ) -> Resultat<(i64, Tampon)> {
        let mut e = self.ecriture(acteur).await?;
        let stocke = lire_contrat(e.conn(), id).await?;
        e.controler_version(format!("le contrat {id}"), &stocke.tampon, version)?;
        let en_vigueur: Vec<Acte> = actes_tx(e.conn(), id)
            .await?
            .into_iter()
            .filter(ActeStocke::en_vigueur)
            .map(|a| a.acte)
            .collect();
        let apres = garde(&stocke.contrat, &en_vigueur)?;
        let avant = &stocke.contrat.contrat;
        ecrire_entete(&mut e, id, &stocke.tampon, avant, &apres).await?;
        let donnees = document(acte, "l'acte")?;
        let r = sqlx::query(
            "INSERT INTO actes (contrat_id, etape, etat_avant, donnees, entete_avant, cree_par, cree_le) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(acte.etape().code())
        .bind(avant.etat.code())
        .bind(&donnees)
        .bind(document(avant, "l'en-tête du contrat")?)
        .bind(e.acteur().to_string())
        .bind(e.maintenant().to_string())
        .fetch_one(e.conn())
        .await?;
        let acte_id: i64 = r.try_get("id")?;
        let stocke_acte = ActeStocke {
            id: acte_id,
            contrat_id: id,
            acte: acte.clone(),
            etat_avant: avant.etat,
            cree_par: e.acteur().to_string(),
            cree_le: e.maintenant().to_string(),
            annule_par: None,
            annule_le: None,
        };
        e.consigner(
            ENTITE_ACTE,
            &acte_id.to_string(),
            "creation",
            None,
            Some(&vue_auditee(&stocke_acte)),
        )
        .await?;
        for p in pieces {
            let p = NouvellePiece {
                contrat_id: id,
                acte_id: Some(acte_id),
                ..p.clone()
            };
            crate::pieces::inserer(&mut e, &p).await?;
        }
        if let Some(code) = code
            && acte.etape() == pacte_core::actes::Etape::Signature
            && !pieces.is_empty()
        {
            let mut signe = stocke.contrat.clone();
            signe.contrat = apres;
            let mut actes = en_vigueur;
            actes.push(acte.clone());
            let code = code(&signe, &actes, version + 1);
            crate::versions_signees::ecrire_tx(&mut e, id, acte_id, version + 1, &code).await?;
        }
        let t = e.tampon(id, version + 1);
        e.conclure().await?;
        Ok((acte_id, t))
    }

    /// Undoes act `acte_id` of contract `id`: only the last act in force, while the contract
    /// is still in the state it led to, and if `version` is still the contract's. `garde`
    /// receives the act, the header before it and the header now, and returns the header to
    /// write (or refuses). The act stays, marked undone; both changes are audited (entity
    /// `acte`, operation `annulation`).
    pub async fn annuler_acte(
        &self,
        id: i64,
        acte_id: i64,
        version: i64,
        acteur: &str,
        garde: impl FnOnce(&ActeStocke, &EnTete, &EnTete) -> Result<EnTete, Refus> + Send,
    ) -> Resultat<Tampon> {
        let mut e = self.ecriture(acteur).await?;
        let stocke = lire_contrat(e.conn(), id).await?;
        e.controler_version(format!("le contrat {id}"), &stocke.tampon, version)?;
        let actes = actes_tx(e.conn(), id).await?;
        let Some(acte) = actes.iter().find(|a| a.id == acte_id) else {
            return Err(ErreurStore::Introuvable {
                entite: "acte",
                id: format!("{acte_id} du contrat {id}"),
            });
        };
        if !acte.en_vigueur() {
            return Err(Refus::new("Cet acte a déjà été annulé.").into());
        }
        let dernier = actes.iter().rev().find(|a| a.en_vigueur()).map(|a| a.id);
        if dernier != Some(acte_id) || stocke.contrat.contrat.etat != acte.acte.etape().vers() {
            return Err(Refus::new(format!(
                "Seule la dernière étape peut être annulée, tant qu'aucune étape ne l'a suivie : le contrat est à l'étape « {} ».",
                stocke.contrat.contrat.etat.libelle()
            ))
            .into());
        }
        let r = sqlx::query("SELECT entete_avant FROM actes WHERE id = $1")
            .bind(acte_id)
            .fetch_one(e.conn())
            .await?;
        let entete_avant: EnTete = lire_json(
            &r.try_get::<String, _>("entete_avant")?,
            &format!("en-tête avant l'acte {acte_id}"),
        )?;
        let actuel = &stocke.contrat.contrat;
        let apres = garde(acte, &entete_avant, actuel)?;
        ecrire_entete(&mut e, id, &stocke.tampon, actuel, &apres).await?;
        let mut annule = acte.clone();
        annule.annule_par = Some(e.acteur().to_string());
        annule.annule_le = Some(e.maintenant().to_string());
        sqlx::query("UPDATE actes SET annule_par = $1, annule_le = $2 WHERE id = $3")
            .bind(annule.annule_par.clone())
            .bind(annule.annule_le.clone())
            .bind(acte_id)
            .execute(e.conn())
            .await?;
        e.consigner(
            ENTITE_ACTE,
            &acte_id.to_string(),
            "annulation",
            Some(&vue_auditee(acte)),
            Some(&vue_auditee(&annule)),
        )
        .await?;
        let t = e.tampon(id, version + 1);
        e.conclure().await?;
        Ok(t)
    }
}

/// The audited views of every act and document, keyed like the log, for the verification.
pub(crate) async fn documents_audites(
    conn: &mut sqlx::AnyConnection,
) -> Resultat<Vec<((String, String), String)>> {
    let mut v = Vec::new();
    for r in sqlx::query(&format!("SELECT {COLONNES_ACTE} FROM actes"))
        .fetch_all(&mut *conn)
        .await?
    {
        let a = lire_acte(&r)?;
        v.push(((ENTITE_ACTE.to_string(), a.id.to_string()), vue_auditee(&a)));
    }
    // A document's view carries the hash of its bytes as they are now, so that bytes changed
    // behind the application's back differ from the audited view.
    for r in sqlx::query(&format!(
        "SELECT {}, contenu FROM pieces",
        crate::pieces::COLONNES_PIECE
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        let mut p: Piece = crate::pieces::lire_piece(&r)?;
        p.sha256 = crate::pieces::sha256(&r.try_get::<Vec<u8>, _>("contenu")?);
        v.push(((ENTITE_PIECE.to_string(), p.id.to_string()), p.vue_auditee()));
    }
    Ok(v)
}
