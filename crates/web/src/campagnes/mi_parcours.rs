//! The mid-term evaluation page of a contract (`/contrats/{id}/mi-parcours`; annexe 8 art.
//! 2.3, R-EVAL-01/02, R-FIN-07): per fiche the attainment of 2025 (from the 2025 campaign) and
//! the consumption of the State credits paid in 2024-2025 (from the execution) side by side,
//! the proposed 2027 amount; the collectivity's deliberation and sending dates; the
//! commissaire's decision per fiche and the resulting 2027 amount, with the lines of the 2027
//! avenant it calls for (`campagne::lignes_avenant_2027`, which the avenant forms start from).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::campagne::{self, DecisionMiParcours, RapportMiParcours};
use pacte_core::droits::Action;
use pacte_core::{Date, Montant, NumeroFiche};
use pacte_store::Refus;
use pacte_store::campagnes::NouvelleDecision;

use super::{carte, contrat_pour, permis, version_de};
use crate::contrats::edition::{id_contrat, page_contrat};
use crate::ui::Page;
use crate::{ErreurWeb, Etat, Utilisateur};

struct LigneVue {
    fiche: String,
    intitule: String,
    atteinte: String,
    sous_atteinte: bool,
    verse: String,
    realise: String,
    consommation: String,
    sous_consommation: bool,
    prevu: String,
    propose: String,
    decide: Option<String>,
    motif: Option<String>,
}

#[derive(Template)]
#[template(path = "mi_parcours.html")]
struct PageMiParcours {
    page: Page,
    id: i64,
    collectivite: String,
    lignes: Vec<LigneVue>,
    constats: Vec<(&'static str, String)>,
    erreurs_rapport: Vec<String>,
    date_deliberation: String,
    date_envoi: String,
    date_limite: String,
    version: i64,
    avenant: Vec<(String, String, String)>,
    saisir_rapport: bool,
    decider: bool,
    campagne_2025: bool,
    lectures: Vec<(&'static str, &'static str)>,
    /// The collectivity's sections of the mid-term report.
    textes: crate::rapports::textes::TextesVue,
}

fn taux(millioniemes: i64) -> String {
    campagne::Atteinte { millioniemes }.texte()
}

/// `GET /contrats/{id}/mi-parcours`: whoever may read the contract.
pub async fn page(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let contrat = &c.contrat;
    let annee = campagne::ANNEE_REFERENCE_MI_PARCOURS;
    let campagne_2025 = etat.base.campagne(annee).await?.is_some();
    let valeurs = if campagne_2025 {
        etat.base.valeurs_campagne(annee, id).await?
    } else {
        Vec::new()
    };
    let atteintes = campagne::atteintes(contrat, annee, &valeurs);
    let execution = etat.base.execution(id).await?.execution;
    let lignes_mp = campagne::evaluation_mi_parcours(contrat, &execution, &atteintes);
    let m = etat.base.mi_parcours(id).await?;
    let lignes = lignes_mp
        .iter()
        .map(|l| {
            let d = m.decisions.iter().find(|d| d.decision.fiche == l.fiche);
            LigneVue {
                fiche: l.fiche.to_string(),
                intitule: l.intitule.clone(),
                atteinte: l
                    .atteinte
                    .map(|a| a.texte())
                    .unwrap_or_else(|| "non mesurée".into()),
                sous_atteinte: l.sous_atteinte,
                verse: l.etat_verse.to_string(),
                realise: l.etat_realise.to_string(),
                consommation: l.consommation.map(taux).unwrap_or_else(|| "—".into()),
                sous_consommation: l.sous_consommation,
                prevu: l.etat_2027_prevu.to_string(),
                propose: l
                    .etat_2027_propose
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "—".into()),
                decide: d.map(|d| d.decision.etat_2027.to_string()),
                motif: d.map(|d| d.decision.motif.clone()),
            }
        })
        .collect();
    let decisions: Vec<DecisionMiParcours> = m.decisions.iter().map(|d| d.decision.clone()).collect();
    let avenant = campagne::lignes_avenant_2027(contrat, &execution, &decisions)
        .into_iter()
        .map(|l| (l.fiche.to_string(), l.etat.to_string(), l.motif))
        .collect();
    let p = PageMiParcours {
        page: page_contrat(
            &etat,
            "Évaluation à mi-parcours",
            Some(id),
            Some(&contrat.contrat),
        ),
        id,
        collectivite: contrat.contrat.nom_collectivite(),
        lignes,
        constats: campagne::constats_mi_parcours(&lignes_mp)
            .into_iter()
            .map(|k| (k.code, k.message))
            .collect(),
        erreurs_rapport: campagne::verifier_rapport(&m.rapport)
            .into_iter()
            .map(|(_, m)| m)
            .collect(),
        date_deliberation: m.rapport.date_deliberation.map(Date::iso).unwrap_or_default(),
        date_envoi: m.rapport.date_envoi.map(Date::iso).unwrap_or_default(),
        date_limite: campagne::DATE_LIMITE_RAPPORT.to_string(),
        version: m.tampon.version,
        avenant,
        saisir_rapport: permis(&u, contrat, Action::SaisirCampagne),
        decider: permis(&u, contrat, Action::DeciderMiParcours),
        campagne_2025,
        lectures: campagne::LECTURES.to_vec(),
        textes: crate::rapports::textes::vue(
            &etat,
            &u,
            &c,
            pacte_core::campagne::textes::RapportTexte::MiParcours,
            None,
        )
        .await?,
    };
    crate::ui::rendre(&p)
}

fn date_champ(
    champs: &std::collections::BTreeMap<String, String>,
    nom: &str,
    libelle: &str,
) -> Result<Option<Date>, ErreurWeb> {
    let t = champs.get(nom).map(|s| s.trim()).unwrap_or("");
    if t.is_empty() {
        return Ok(None);
    }
    Date::parse(t)
        .map(Some)
        .map_err(|m| ErreurWeb::invalide(format!("{libelle} : {m}."), Some(nom.into())))
}

/// `POST /contrats/{id}/mi-parcours/rapport`: the collectivity's deliberation and sending
/// dates (R-EVAL-01: sent by 31 March 2026, after the deliberation).
pub async fn rapport(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    contrat_pour(&etat, &u, id, Action::SaisirCampagne).await?;
    let champs = carte(champs);
    let version = version_de(&champs)?;
    let r = RapportMiParcours {
        date_deliberation: date_champ(&champs, "date_deliberation", "Date de la délibération")?,
        date_envoi: date_champ(&champs, "date_envoi", "Date d'envoi aux préfets")?,
    };
    if let Some((champ, m)) = campagne::verifier_rapport(&r).into_iter().next() {
        return Err(ErreurWeb::invalide(
            format!("Rapport à mi-parcours : {m}."),
            Some(champ.into()),
        ));
    }
    etat.base
        .enregistrer_rapport_mi_parcours(id, version, r, &u.acteur(), |contrat, _| {
            pacte_core::droits::etat_apres(Action::SaisirCampagne, contrat.contrat.etat)
                .map(|_| ())
                .map_err(Refus::new)
        })
        .await?;
    Ok(Redirect::to(&format!("/contrats/{id}/mi-parcours")).into_response())
}

/// `POST /contrats/{id}/mi-parcours/decision`: the commissaire's 2027 amount for one fiche,
/// with its reason (R-EVAL-02, R-FIN-07).
pub async fn decision(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    axum::Form(champs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let c = contrat_pour(&etat, &u, id, Action::DeciderMiParcours).await?;
    let champs = carte(champs);
    let version = version_de(&champs)?;
    let texte = |n: &str| champs.get(n).map(|s| s.trim().to_string()).unwrap_or_default();
    let fiche = NumeroFiche::parse(&texte("fiche")).map_err(|_| {
        ErreurWeb::invalide(
            format!("Fiche : « {} » n'est pas un numéro de fiche.", texte("fiche")),
            Some("fiche".into()),
        )
    })?;
    let montant = Montant::parse(&texte("etat_2027")).map_err(|e| {
        ErreurWeb::invalide(
            format!(
                "Montant 2027 décidé : « {} » n'est pas un montant en euros ({e}).",
                texte("etat_2027")
            ),
            Some("etat_2027".into()),
        )
    })?;
    let d = DecisionMiParcours {
        fiche,
        etat_2027: montant,
        motif: texte("motif"),
    };
    campagne::verifier_decision(&c.contrat, &d)
        .map_err(|(champ, m)| ErreurWeb::invalide(format!("Décision : {m}."), Some(champ.into())))?;
    // The figures the decision is taken on, computed now and kept beside it.
    let annee = campagne::ANNEE_REFERENCE_MI_PARCOURS;
    let valeurs = if etat.base.campagne(annee).await?.is_some() {
        etat.base.valeurs_campagne(annee, id).await?
    } else {
        Vec::new()
    };
    let execution = etat.base.execution(id).await?.execution;
    let atteintes = campagne::atteintes(&c.contrat, annee, &valeurs);
    let ligne = campagne::evaluation_mi_parcours(&c.contrat, &execution, &atteintes)
        .into_iter()
        .find(|l| l.fiche == fiche)
        .ok_or_else(|| {
            ErreurWeb::invalide(format!("Fiche {fiche} absente du contrat."), Some("fiche".into()))
        })?;
    let nouvelle = NouvelleDecision {
        decision: d,
        etat_2027_prevu: ligne.etat_2027_prevu,
        etat_2027_propose: ligne.etat_2027_propose,
    };
    etat.base
        .decider_mi_parcours(id, version, vec![nouvelle], &u.acteur(), |contrat, _| {
            pacte_core::droits::etat_apres(Action::DeciderMiParcours, contrat.contrat.etat)
                .map(|_| ())
                .map_err(Refus::new)
        })
        .await?;
    Ok(Redirect::to(&format!("/contrats/{id}/mi-parcours")).into_response())
}
