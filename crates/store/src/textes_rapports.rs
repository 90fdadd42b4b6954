//! The free-text parts of the campaign reports (migration 0016): the collectivity's sections
//! of its annual progress report and of its mid-term execution report (`textes_rapports`, one
//! row per contract and report, the sections as one JSON object with one version), and the
//! commissaire's text of the regional synthesis note (`textes_syntheses`, one row per region
//! and year). No row: nothing written, version 0.
//!
//! Both writes go through the one audited path ([`crate::ecriture`]): the version the caller
//! read is checked inside the transaction (409 on a concurrent edit), each text is bounded
//! ([`pacte_core::campagne::textes::verifier_textes`], 20 000 characters), and one audit entry
//! is appended (`textes_rapport` keyed `<contract>-<report>-<year>`, `texte_synthese` keyed
//! `<region>-<year>`). The report's write runs the caller's guard on the contract and the
//! campaign state re-read inside the transaction, so that a text cannot land in a campaign
//! validated meanwhile. Backed up with the campaign tables ([`TABLES`]).

use pacte_core::campagne::textes::{self, RapportTexte, Textes};
use pacte_core::campagne::{DecisionMiParcours, EtatCampagne, ValeurSaisie};
use pacte_core::droits::{Action, PorteeLecture, TerritoireLu, etats_admis};
use pacte_core::{Annee, Contrat};
use serde::Serialize;
use sqlx::Row;

use crate::campagnes::{SuiviCampagne, Table, Type, lire_suivi};
use crate::contrats::lire_contrat;
use crate::erreur::{ErreurStore, Refus, Resultat};
use crate::{Base, Tampon, document};

/// Audit entity of a report's sections (`entite_id`: `<contract>-<report>-<year>`).
pub const ENTITE_TEXTES_RAPPORT: &str = "textes_rapport";
/// Audit entity of a synthesis text (`entite_id`: `<region>-<year>`).
pub const ENTITE_TEXTE_SYNTHESE: &str = "texte_synthese";

/// A report's sections as stored. `tampon.id` is the contract's; version 0 while nothing is
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextesRapportStockes {
    pub rapport: RapportTexte,
    pub sections: Textes,
    pub tampon: Tampon,
}

/// The commissaire's text of a region's synthesis note of a year (empty, version 0, while
/// nothing is written). `tampon.id` is the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TexteSyntheseStocke {
    pub region: String,
    pub annee: Annee,
    pub texte: String,
    pub tampon: Tampon,
}

fn id_rapport(contrat_id: i64, r: RapportTexte) -> String {
    format!("{contrat_id}-{}-{}", r.code(), r.annee())
}

fn vide(id: i64) -> Tampon {
    Tampon {
        id,
        version: 0,
        modifie_par: String::new(),
        modifie_le: String::new(),
    }
}

async fn lire_textes(
    conn: &mut sqlx::AnyConnection,
    contrat_id: i64,
    rapport: RapportTexte,
) -> Resultat<TextesRapportStockes> {
    let r = sqlx::query(
        "SELECT sections, version, modifie_par, modifie_le FROM textes_rapports \
         WHERE contrat_id = $1 AND rapport = $2 AND annee = $3",
    )
    .bind(contrat_id)
    .bind(rapport.code())
    .bind(rapport.annee().valeur() as i64)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = r else {
        return Ok(TextesRapportStockes {
            rapport,
            sections: Textes::new(),
            tampon: vide(contrat_id),
        });
    };
    let json: String = r.try_get("sections")?;
    let sections: Textes = serde_json::from_str(&json)
        .map_err(|e| ErreurStore::Corrompue(format!("textes du rapport du contrat {contrat_id} : {e}")))?;
    Ok(TextesRapportStockes {
        rapport,
        sections,
        tampon: Tampon {
            id: contrat_id,
            version: r.try_get("version")?,
            modifie_par: r.try_get("modifie_par")?,
            modifie_le: r.try_get("modifie_le")?,
        },
    })
}

async fn lire_synthese(
    conn: &mut sqlx::AnyConnection,
    region: &str,
    annee: Annee,
) -> Resultat<TexteSyntheseStocke> {
    let a = annee.valeur() as i64;
    let r = sqlx::query(
        "SELECT texte, version, modifie_par, modifie_le FROM textes_syntheses WHERE region = $1 AND annee = $2",
    )
    .bind(region)
    .bind(a)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match r {
        None => TexteSyntheseStocke {
            region: region.to_string(),
            annee,
            texte: String::new(),
            tampon: vide(a),
        },
        Some(r) => TexteSyntheseStocke {
            region: region.to_string(),
            annee,
            texte: r.try_get("texte")?,
            tampon: Tampon {
                id: a,
                version: r.try_get("version")?,
                modifie_par: r.try_get("modifie_par")?,
                modifie_le: r.try_get("modifie_le")?,
            },
        },
    })
}

impl Base {
    /// A contract's sections of `rapport` (none, version 0, while nothing is written).
    pub async fn textes_rapport(
        &self,
        contrat_id: i64,
        rapport: RapportTexte,
    ) -> Resultat<TextesRapportStockes> {
        let mut conn = self.pool().acquire().await?;
        lire_textes(&mut conn, contrat_id, rapport).await
    }

    /// Replaces the sections of a contract's `rapport` (empty ones are removed) if `version` is
    /// still the stored one, every section is one of the report's and within the bound, and
    /// the guard accepts: it receives the contract and the state of the report's campaign
    /// ([`RapportTexte::annee`]), re-read inside the write.
    pub async fn enregistrer_textes_rapport(
        &self,
        contrat_id: i64,
        rapport: RapportTexte,
        version: i64,
        sections: Textes,
        acteur: &str,
        garde: impl FnOnce(&Contrat, &SuiviCampagne) -> Result<(), Refus> + Send,
    ) -> Resultat<Tampon> {
        let sections = textes::nettoyer(sections);
        if let Some((_, m)) = textes::verifier_textes(rapport, &sections).into_iter().next() {
            return Err(ErreurStore::Invalide(m));
        }
        let mut e = self.ecriture(acteur).await?;
        let contrat = lire_contrat(e.conn(), contrat_id).await?.contrat;
        let stocke = lire_textes(e.conn(), contrat_id, rapport).await?;
        let quoi = || format!("les textes du {} du contrat {contrat_id}", rapport.nom());
        e.controler_version(quoi(), &stocke.tampon, version)?;
        let suivi = lire_suivi(e.conn(), rapport.annee(), contrat_id).await?;
        garde(&contrat, &suivi)?;
        let json = document(&sections, "le texte")?;
        let (acteur_s, le) = (e.acteur().to_string(), e.maintenant().to_string());
        if stocke.tampon.version == 0 {
            sqlx::query(
                "INSERT INTO textes_rapports (contrat_id, rapport, annee, sections, version, modifie_par, modifie_le) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6)",
            )
            .bind(contrat_id)
            .bind(rapport.code())
            .bind(rapport.annee().valeur() as i64)
            .bind(json)
            .bind(acteur_s)
            .bind(le)
            .execute(e.conn())
            .await?;
        } else {
            let q = sqlx::query(
                "UPDATE textes_rapports SET sections = $1, version = version + 1, modifie_par = $2, modifie_le = $3 \
                 WHERE contrat_id = $4 AND rapport = $5 AND annee = $6 AND version = $7",
            )
            .bind(json)
            .bind(acteur_s)
            .bind(le)
            .bind(contrat_id)
            .bind(rapport.code())
            .bind(rapport.annee().valeur() as i64)
            .bind(stocke.tampon.version);
            e.executer_une(quoi(), &stocke.tampon, q).await?;
        }
        let vue = |s: &Textes| {
            document(
                &serde_json::json!({ "rapport": rapport, "sections": s }),
                "le texte",
            )
        };
        let avant = (stocke.tampon.version > 0)
            .then(|| vue(&stocke.sections))
            .transpose()?;
        let journal = (ENTITE_TEXTES_RAPPORT, id_rapport(contrat_id, rapport));
        consigner_et_conclure(e, journal, &stocke.tampon, avant, vue(&sections)?).await
    }

    /// The commissaire's text of the synthesis note of `region` for `annee`.
    pub async fn texte_synthese(&self, region: &str, annee: Annee) -> Resultat<TexteSyntheseStocke> {
        let mut conn = self.pool().acquire().await?;
        lire_synthese(&mut conn, region, annee).await
    }

    /// Writes the synthesis text of `region` for `annee` if `version` is still the stored one
    /// and the text is within the bound. The caller decides the right
    /// ([`pacte_core::campagne::textes::decider_synthese`]) and that the region exists.
    pub async fn enregistrer_texte_synthese(
        &self,
        region: &str,
        annee: Annee,
        version: i64,
        texte: &str,
        acteur: &str,
    ) -> Resultat<Tampon> {
        let texte = textes::normaliser(texte);
        textes::verifier_texte(textes::TITRE_SYNTHESE, &texte).map_err(ErreurStore::Invalide)?;
        let mut e = self.ecriture(acteur).await?;
        let stocke = lire_synthese(e.conn(), region, annee).await?;
        let quoi = || format!("le texte de la note de synthèse {annee} de la région {region}");
        e.controler_version(quoi(), &stocke.tampon, version)?;
        let a = annee.valeur() as i64;
        let (acteur_s, le) = (e.acteur().to_string(), e.maintenant().to_string());
        if stocke.tampon.version == 0 {
            sqlx::query(
                "INSERT INTO textes_syntheses (region, annee, texte, version, modifie_par, modifie_le) \
                 VALUES ($1, $2, $3, 1, $4, $5)",
            )
            .bind(region)
            .bind(a)
            .bind(texte.clone())
            .bind(acteur_s)
            .bind(le)
            .execute(e.conn())
            .await?;
        } else {
            let q = sqlx::query(
                "UPDATE textes_syntheses SET texte = $1, version = version + 1, modifie_par = $2, modifie_le = $3 \
                 WHERE region = $4 AND annee = $5 AND version = $6",
            )
            .bind(texte.clone())
            .bind(acteur_s)
            .bind(le)
            .bind(region)
            .bind(a)
            .bind(stocke.tampon.version);
            e.executer_une(quoi(), &stocke.tampon, q).await?;
        }
        let vue = |t: &str| {
            document(
                &serde_json::json!({ "region": region, "annee": annee, "texte": t }),
                "le texte",
            )
        };
        let avant = (stocke.tampon.version > 0)
            .then(|| vue(&stocke.texte))
            .transpose()?;
        let journal = (ENTITE_TEXTE_SYNTHESE, format!("{region}-{annee}"));
        consigner_et_conclure(e, journal, &stocke.tampon, avant, vue(&texte)?).await
    }
}

/// The end of a text's write: the audit entry (`journal`: entity and id; a creation when
/// nothing was stored, `avant` absent) and the commit; the new stamp, keyed like `stocke`.
async fn consigner_et_conclure(
    mut e: crate::ecriture::Ecriture<'_>,
    (entite, id): (&str, String),
    stocke: &Tampon,
    avant: Option<String>,
    apres: String,
) -> Resultat<Tampon> {
    let operation = if stocke.version == 0 {
        "creation"
    } else {
        "modification"
    };
    e.consigner(entite, &id, operation, avant.as_deref(), Some(&apres))
        .await?;
    let t = e.tampon(stocke.id, stocke.version + 1);
    e.conclure().await?;
    Ok(t)
}

/// One contract of a region as its synthesis note of a year shows it.
#[derive(Debug, Clone)]
pub struct ContratSynthese {
    pub contrat: Contrat,
    pub etat_campagne: EtatCampagne,
    /// The figures of the year's campaign.
    pub valeurs: Vec<ValeurSaisie>,
    /// The mid-term decisions recorded.
    pub decisions: Vec<DecisionMiParcours>,
}

impl Base {
    /// The contracts of region `region` a synthesis note of `annee` shows: those a campaign
    /// concerns (the states in which figures are reported, `droits::etats_admis` of
    /// `SaisirCampagne`: signed, in execution, evaluated), with their campaign of the year and
    /// their mid-term decisions. The web page and `pacte rapport --synthese` both read this.
    pub async fn contrats_synthese(&self, region: &str, annee: Annee) -> Resultat<Vec<ContratSynthese>> {
        let etats = etats_admis(Action::SaisirCampagne).unwrap_or_default().to_vec();
        let portee = PorteeLecture {
            territoire: TerritoireLu::Region(region.to_string()),
            etats,
        };
        let lignes = self.contrats_lisibles(&portee, None, 1, None).await?.lignes;
        let mut v = Vec::with_capacity(lignes.len());
        for l in lignes {
            v.push(ContratSynthese {
                contrat: self.contrat(l.id).await?.contrat,
                etat_campagne: self.suivi_campagne(annee, l.id).await?.etat,
                valeurs: self.valeurs_campagne(annee, l.id).await?,
                decisions: self
                    .mi_parcours(l.id)
                    .await?
                    .decisions
                    .into_iter()
                    .map(|d| d.decision)
                    .collect(),
            });
        }
        Ok(v)
    }
}

/// The two tables in a backup, after the campaign tables (`textes_rapports` needs its
/// contract).
pub(crate) const TABLES: &[Table] = {
    use Type::*;
    &[
        (
            "textes_rapports",
            &[
                ("contrat_id", Entier),
                ("rapport", Texte),
                ("annee", Entier),
                ("sections", Texte),
                ("version", Entier),
                ("modifie_par", Texte),
                ("modifie_le", Texte),
            ],
            "contrat_id, rapport, annee",
        ),
        (
            "textes_syntheses",
            &[
                ("region", Texte),
                ("annee", Entier),
                ("texte", Texte),
                ("version", Entier),
                ("modifie_par", Texte),
                ("modifie_le", Texte),
            ],
            "region, annee",
        ),
    ]
};
