//! The two entry forms of the « Finances » page: a State payment (DDETS, commissaire:
//! `Action::EnregistrerFinancesEtat`) and the realised amounts of a fiche in a year (the
//! collectivity's editor: `Action::DeclarerRealisations`). Each is checked at the edge, every
//! error in French naming its field (and its rule where one applies), then written through
//! `Base::enregistrer_execution` with the version the page was loaded with.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::droits::Action;
use pacte_core::execution::{Realisation, Versement};
use pacte_core::{Annee, Date, Montant, NumeroFiche};
use pacte_store::Refus;

use crate::contrats::edition::{etat_permis, id_contrat};
use crate::{ErreurWeb, Etat, Utilisateur};

/// Longest text accepted in a payment's short fields (the document's own bound is the same).
const TEXTE_MAX: usize = 200;

struct Champs(Vec<(String, String)>);

impl Champs {
    fn texte(&self, nom: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == nom)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    }

    fn montant(&self, nom: &str, libelle: &str) -> Result<Montant, ErreurWeb> {
        let t = self.texte(nom);
        if t.is_empty() {
            return Ok(Montant::ZERO);
        }
        Montant::parse(t).map_err(|e| {
            ErreurWeb::invalide(
                format!("{libelle} : « {t} » n'est pas un montant en euros ({e})."),
                Some(nom.into()),
            )
        })
    }

    fn annee(&self) -> Result<Annee, ErreurWeb> {
        let t = self.texte("annee");
        t.parse::<i64>()
            .map_err(|_| format!("« {t} » n'est pas une année"))
            .and_then(Annee::new)
            .map_err(|m| ErreurWeb::invalide(format!("Année : {m}."), Some("annee".into())))
    }

    fn version(&self) -> Result<i64, ErreurWeb> {
        self.texte("version")
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| {
                ErreurWeb::requete("Version de l'exécution illisible : rechargez la page « Finances ».")
            })
    }

    fn court(&self, nom: &str, libelle: &str, obligatoire: Option<&str>) -> Result<String, ErreurWeb> {
        let t = self.texte(nom);
        if t.chars().count() > TEXTE_MAX {
            return Err(ErreurWeb::invalide(
                format!("{libelle} : {TEXTE_MAX} caractères au plus."),
                Some(nom.into()),
            ));
        }
        if t.is_empty()
            && let Some(regle) = obligatoire
        {
            return Err(ErreurWeb::invalide(
                format!("{libelle} : champ obligatoire ({regle})."),
                Some(nom.into()),
            ));
        }
        Ok(t.to_string())
    }
}

async fn contrat_pour(etat: &Etat, u: &Utilisateur, id: &str, action: Action) -> Result<i64, ErreurWeb> {
    let id = id_contrat(id)?;
    let c = u.contrat_pour(etat, id, action).await?;
    etat_permis(action, &c)?;
    Ok(id)
}

fn retour(id: i64) -> Response {
    Redirect::to(&format!("/contrats/{id}/finances")).into_response()
}

/// `POST /contrats/{id}/finances/versement`: a State payment.
pub async fn versement(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let id = contrat_pour(&etat, &u, &id, Action::EnregistrerFinancesEtat).await?;
    let c = Champs(champs);
    let version = c.version()?;
    let annee = c.annee()?;
    let date = Date::parse(c.texte("date"))
        .map_err(|m| ErreurWeb::invalide(format!("Date du versement : {m}."), Some("date".into())))?;
    let montant = c.montant("montant", "Montant versé")?;
    if montant.est_nul() {
        return Err(ErreurWeb::invalide(
            "Montant versé : un versement porte un montant supérieur à zéro.",
            Some("montant".into()),
        ));
    }
    let programme = c.texte("programme");
    if programme != "304" {
        return Err(ErreurWeb::invalide(
            format!(
                "Programme : la dépense est imputée sur le programme 304 « Inclusion sociale et protection des personnes », pas « {programme} » (R-FIN-10)."
            ),
            Some("programme".into()),
        ));
    }
    let v = Versement {
        annee,
        date,
        montant,
        programme: 304,
        code_chorus: c.court("code_chorus", "Code Chorus", None)?,
        libelle_chorus: c.court("libelle_chorus", "Libellé Chorus", None)?,
        iban: c.court("iban", "Coordonnées bancaires (IBAN)", Some("R-FIN-10"))?,
        ordonnateur: c.court("ordonnateur", "Ordonnateur", None)?,
        comptable: c.court("comptable", "Comptable assignataire", None)?,
    };
    etat.base
        .enregistrer_execution(id, version, &u.acteur(), move |_, e| {
            let mut apres = e.clone();
            apres.versements.push(v);
            Ok(apres)
        })
        .await?;
    Ok(retour(id))
}

/// `POST /contrats/{id}/finances/realisation`: what a fiche spent in a year.
pub async fn realisation(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let id = contrat_pour(&etat, &u, &id, Action::DeclarerRealisations).await?;
    let c = Champs(champs);
    let version = c.version()?;
    let annee = c.annee()?;
    let t = c.texte("fiche");
    let fiche = NumeroFiche::parse(t).map_err(|_| {
        ErreurWeb::invalide(
            format!("Fiche : « {t} » n'est pas un numéro de fiche (1.2)."),
            Some("fiche".into()),
        )
    })?;
    let r = Realisation {
        fiche,
        annee,
        etat: c.montant("etat", "Crédits État consommés")?,
        collectivite: c.montant("collectivite", "Crédits de la collectivité consommés")?,
        autres: c.montant("autres", "Autres financements consommés")?,
    };
    etat.base
        .enregistrer_execution(id, version, &u.acteur(), move |contrat, e| {
            if !contrat.fiches.iter().any(|f| f.numero == fiche) {
                return Err(Refus::new(format!(
                    "Fiche : le contrat n'a pas de fiche {fiche}."
                )));
            }
            let mut apres = e.clone();
            apres
                .realisations
                .retain(|x| !(x.fiche == fiche && x.annee == annee));
            apres.realisations.push(r);
            Ok(apres)
        })
        .await?;
    Ok(retour(id))
}
