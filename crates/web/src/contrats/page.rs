//! The contract page (`/contrats/{id}`): header, axes and ceilings, fiches, findings and the
//! lifecycle buttons.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use pacte_core::contrat::EtatContrat;
use pacte_core::droits::Action;
use pacte_core::financement;
use pacte_core::regles::{TypeContrat, type_contrat};
use pacte_core::{Annee, CibleConstat, Gravite, Montant, verifier};

use crate::ui::{
    BadgeEtat, Page, code_etat, compter, libelle_etape, lien_constat, nature_collectivite, pluriel,
};
use crate::{ErreurWeb, Etat, Utilisateur};

#[derive(Debug, Clone)]
pub struct SignataireVue {
    pub nom: Option<String>,
    pub qualite: String,
    pub organisation: Option<String>,
    pub date: Option<String>,
}

/// One year of an axis: proposed, contracted, 20 % floor.
#[derive(Debug, Clone)]
pub struct AnneeAxe {
    pub annee: Annee,
    pub propose: Option<Montant>,
    pub contractualise: Montant,
    pub plancher: Option<Montant>,
    pub situation: &'static str,
    /// The year is below the floor: shown as an error.
    pub sous_socle: bool,
}

#[derive(Debug, Clone)]
pub struct FicheVue {
    pub numero: String,
    pub intitule: String,
    pub nature: &'static str,
    /// Per year and over the four years, the State and collectivity shares
    /// (`pacte_core::totaux`, the fiche form's totals).
    pub totaux: pacte_core::totaux::TotauxFiche,
    pub bloquants: usize,
    pub alertes: usize,
}

#[derive(Debug, Clone)]
pub struct AxeContratVue {
    pub numero: u8,
    pub intitule: String,
    pub propose: Option<Montant>,
    pub annees: Vec<AnneeAxe>,
    pub fiches: Vec<FicheVue>,
    /// The axis is not part of this kind of contract but carries fiches or amounts.
    pub hors_contrat: bool,
}

/// One year of the global ceiling.
#[derive(Debug, Clone)]
pub struct AnneePlafond {
    pub annee: Annee,
    pub plafond: Montant,
    pub etat: Montant,
    pub engagement: Option<Montant>,
    pub depasse: bool,
    pub ecart: String,
}

#[derive(Debug, Clone)]
pub struct ConstatVue {
    pub code: &'static str,
    pub bloquant: bool,
    pub gravite: &'static str,
    pub message: String,
    pub source: &'static str,
    pub lien: String,
    pub objet: String,
}

/// A lifecycle step offered on the page.
#[derive(Debug, Clone)]
pub struct Transition {
    pub valeur: String,
    pub libelle: &'static str,
    /// Why the step is not possible yet, when it is not.
    pub empechement: Option<String>,
    /// A step off the main path (the denunciation).
    pub secondaire: bool,
    /// The step's form (`/contrats/{id}/etapes/{etape}`).
    pub lien: String,
}

#[derive(Template)]
#[template(path = "contrat.html")]
pub struct PageContrat {
    pub page: Page,
    pub id: i64,
    pub version: i64,
    pub titre: String,
    pub collectivite: String,
    pub nature: String,
    pub genre: &'static str,
    pub badge: BadgeEtat,
    pub periode: String,
    pub deliberation: Option<String>,
    pub signataires: Vec<SignataireVue>,
    pub modifie: String,
    pub axes: Vec<AxeContratVue>,
    pub plafonds: Vec<AnneePlafond>,
    /// Axes without a proposed amount: the global ceiling is unknown.
    pub plafond_incomplet: bool,
    pub nombre_fiches: usize,
    pub constats: Vec<ConstatVue>,
    pub bloquants: usize,
    pub alertes: usize,
    /// R-ACT-14: the comparison with the paired contracts (`contrat_coherence.html`).
    pub coherence: Vec<super::coherence::CoherenceVue>,
    pub resume_constats: String,
    /// The steps the user may take from the current state.
    pub transitions: Vec<Transition>,
    /// One of them records the deliberation: its date is asked (R-DOC-05).
    pub deliberation_demandee: bool,
    /// Some step follows the current state (whoever may take it).
    pub etapes_existent: bool,
    /// The user may edit the header and the fiches (« Modifier l'en-tête », « Ajouter une
    /// fiche »).
    pub modifier: bool,
    /// The acts of the lifecycle, newest first, and the documents attached outside them.
    pub actes: Vec<crate::contrats::actes::ActeVue>,
    pub documents: Vec<crate::pieces::PieceVue>,
    /// The user may attach a document.
    pub joindre: bool,
    pub taille_max: &'static str,
    pub types: &'static str,
    /// The success message after a step, an undo or an upload.
    pub message: Option<String>,
    /// The signed version compared with the data (issue 14).
    pub signature: Option<crate::documents::AlerteSignature>,
}

/// A field path of the contract file in words: `financement.etat.2024` → « part de l'État,
/// 2024 », `indicateurs[0].t0` → « indicateur local n° 1, situation au 31/12/2023 ».
fn libelle_champ(champ: &str) -> String {
    let segments: Vec<&str> = champ.split('.').filter(|s| !s.is_empty()).collect();
    let mut mots = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let (nom, rang) = match segment.split_once('[') {
            Some((nom, reste)) => (nom, reste.trim_end_matches(']').parse::<usize>().ok()),
            None => (*segment, None),
        };
        let parent = i.checked_sub(1).map(|p| segments[p]);
        let mot = match (parent, nom) {
            // "financement" alone says little when a funder follows.
            (_, "financement") if i + 1 < segments.len() => continue,
            (Some("financement"), "etat") => "part de l'État".to_string(),
            (Some("financement"), "collectivite") => "part de la collectivité".to_string(),
            (Some("montants_proposes"), n) if n.len() == 1 => format!("axe {n}"),
            (_, "etat") => "État".into(),
            (_, "collectivite") => "collectivité".into(),
            (_, "fse_plus") => "dont FSE+".into(),
            (_, "autres") => "autres financeurs".into(),
            (_, "debut") => "date de début".into(),
            (_, "fin") => "date de fin".into(),
            (_, "duree_mois") => "durée en mois".into(),
            (_, "derogation") => "dérogation".into(),
            (_, "diplp_informee") => "information de la DIPLP".into(),
            (_, "depenses") => "dépenses".into(),
            (_, "indicateurs") => "indicateur local".into(),
            (_, "indicateurs_nationaux") => "indicateur national".into(),
            (_, "t0") => "situation au 31/12/2023".into(),
            (_, "cibles") => "cibles".into(),
            (_, "public_mobilite") => "public de l'action de mobilité".into(),
            (_, "reconduction") => "reconduction CALPAE".into(),
            (_, "part_renforcee") => "part renforcée".into(),
            (_, "budget_global") => "budget global".into(),
            (_, "sous_axe") => "sous-axe".into(),
            (_, "type_action") => "type d'action".into(),
            (_, "montants_proposes") => "montant proposé".into(),
            (_, "engagement_etat") => "soutien de l'État (article 2.2)".into(),
            (_, "date_deliberation") => "date de délibération".into(),
            (_, "intitule") => "intitulé".into(),
            (_, "operateur") => "opérateur".into(),
            (_, "mode_execution") => "mode d'exécution".into(),
            (_, "evaluation_impact") => "évaluation d'impact social".into(),
            (_, "ami") => "sélection par l'appel à manifestation d'intérêt".into(),
            (_, autre) => autre.replace('_', " "),
        };
        mots.push(match rang {
            Some(r) => format!("{mot} n° {}", r + 1),
            None => mot,
        });
    }
    mots.join(", ")
}

/// The text of a finding's link: what its target designates. A blocking finding is to be
/// corrected; an alert, to be examined (it may stand with a justification).
fn objet_constat(cible: &CibleConstat, gravite: Gravite) -> String {
    let verbe = match gravite {
        Gravite::Bloquant => "Corriger",
        Gravite::Alerte => "Examiner",
    };
    match cible {
        CibleConstat::Fiche { numero, champ: None } => format!("Voir la fiche {numero}"),
        CibleConstat::Fiche {
            numero,
            champ: Some(champ),
        } => format!("{verbe} la fiche {numero} ({})", libelle_champ(champ)),
        CibleConstat::Axe(axe) => format!("Voir l'axe {}", axe.numero()),
        CibleConstat::Fiches => "Voir les fiches du contrat".into(),
        CibleConstat::EnTete(champ) => format!("{verbe} l'en-tête ({})", libelle_champ(champ)),
    }
}

/// The sentence that introduces the findings of a contract.
fn resume_constats(bloquants: usize, alertes: usize) -> String {
    let b = match bloquants {
        0 => "Aucun constat bloquant".to_string(),
        n => format!(
            "{} (à corriger avant la validation)",
            pluriel(n, "constat bloquant", "constats bloquants")
        ),
    };
    let a = match alertes {
        0 => "aucune alerte".to_string(),
        1 => "1 alerte (admise avec une justification)".to_string(),
        n => format!("{n} alertes (admises avec une justification)"),
    };
    format!("{b} et {a}.")
}

fn lire_id(texte: &str) -> Result<i64, ErreurWeb> {
    texte.trim().parse::<i64>().map_err(|_| {
        ErreurWeb::introuvable(format!(
            "« {texte} » n'est pas un numéro de contrat : l'adresse d'un contrat est /contrats/ suivi de son numéro."
        ))
    })
}

pub async fn contrat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    axum::extract::RawQuery(requete): axum::extract::RawQuery,
) -> Result<Response, ErreurWeb> {
    let id = lire_id(&id)?;
    let etat = etat.pour(&u);
    // After a step, an undo or an upload: the page with its success message, not cached.
    if let Some(message) = crate::contrats::actes::message_etape(requete.as_deref()) {
        let html = construire_page_contrat(&etat, &u, id, Some(message)).await?;
        return Ok(axum::response::IntoResponse::into_response(axum::response::Html(
            html,
        )));
    }
    // The page of a large contract is the heaviest one: served from the page cache while the
    // data has not changed (see app/cache.rs). The page depends on the user (the controls their
    // rights allow, the session's CSRF token): it is cached per account, habilitation and
    // session (`cache::cle_par_utilisateur`): a change of rights changes the key. The page shows
    // only the contract, so it is keyed by the contract's revision, which every write to its
    // header or fiches (a change of state included) moves, and only those.
    let cle = crate::app::cache::cle_par_utilisateur(&format!("contrat/{id}"), &u)
        + &super::coherence::cle_apparies(&etat, id).await?;
    let revision = etat.pages.revision(&etat.base, id).await?;
    if let Some(html) = revision.and_then(|r| etat.pages.lire(&cle, r)) {
        return Ok(axum::response::IntoResponse::into_response(axum::response::Html(
            html,
        )));
    }
    let html = axum::body::Bytes::from(construire_page_contrat(&etat, &u, id, None).await?);
    if let Some(r) = revision {
        etat.pages.garder(&cle, r, html.clone());
    }
    Ok(axum::response::IntoResponse::into_response(axum::response::Html(
        html,
    )))
}

async fn construire_page_contrat(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    message: Option<String>,
) -> Result<String, ErreurWeb> {
    let stocke = u.contrat_pour(etat, id, Action::Lire).await?;
    let (actes, documents) = crate::contrats::actes::actes_vus(etat, u, &stocke).await?;
    let contrat = &stocke.contrat;
    let entete = &contrat.contrat;
    let constats = verifier(contrat);
    let r = pacte_core::referentiel::referentiel();
    let genre = type_contrat(contrat);
    // Ceilings, floors and contracted amounts: the figures R-FIN-03/04 check.
    let finances = financement::par_axe(contrat);

    let axes = finances
        .axes
        .iter()
        .filter(|x| x.present())
        .map(|x| {
            let axe = x.axe;
            let propose = x.reperes.propose;
            let annees = x
                .annees
                .iter()
                .zip(&finances.annees)
                .map(|(a, global)| {
                    let situation = match propose {
                        None => "montant proposé non renseigné",
                        Some(_) if !x.reperes.dans_contrat => "axe hors de ce contrat",
                        Some(_) if a.sous_socle => "sous le socle de 20 %",
                        Some(_) if global.etat.est_nul() => "aucune participation de l'État cette année",
                        Some(p) if a.contractualise > p => "au-delà du montant proposé (fongibilité)",
                        Some(_) => "conforme",
                    };
                    AnneeAxe {
                        annee: a.annee,
                        propose,
                        contractualise: a.contractualise,
                        plancher: x.reperes.socle,
                        situation,
                        sous_socle: a.sous_socle,
                    }
                })
                .collect();
            let mut de_l_axe: Vec<_> = contrat.fiches.iter().filter(|f| f.axe() == axe).collect();
            de_l_axe.sort_by_key(|f| f.numero);
            let fiches = de_l_axe
                .into_iter()
                .map(|f| {
                    let concernes = constats
                        .iter()
                        .filter(|c| c.cible.fiche_concernee() == Some(f.numero));
                    let (bloquants, alertes) = concernes.fold((0, 0), |(b, a), c| match c.gravite {
                        Gravite::Bloquant => (b + 1, a),
                        Gravite::Alerte => (b, a + 1),
                    });
                    FicheVue {
                        intitule: f.intitule.clone(),
                        nature: f.nature.map_or("non renseignée", |n| n.libelle()),
                        totaux: pacte_core::totaux::totaux_fiche(f),
                        bloquants,
                        alertes,
                        numero: f.numero.to_string(),
                    }
                })
                .collect();
            AxeContratVue {
                numero: axe.numero(),
                intitule: r.axe(axe).intitule.clone(),
                propose,
                annees,
                fiches,
                hors_contrat: !x.reperes.dans_contrat,
            }
        })
        .collect();

    let plafond_incomplet = !finances.plafond_complet;
    let plafond = finances.plafond_global;
    let plafonds = finances
        .annees
        .iter()
        .map(|a| {
            let ecart = if plafond_incomplet {
                "plafond incomplet".to_string()
            } else if a.depasse {
                format!("dépassement de {}", a.etat - plafond)
            } else {
                format!("marge de {}", plafond - a.etat)
            };
            AnneePlafond {
                annee: a.annee,
                plafond,
                etat: a.etat,
                engagement: entete.engagement_etat.get(&a.annee).copied(),
                depasse: a.depasse,
                ecart,
            }
        })
        .collect();

    let bloquants = compter(&constats, Gravite::Bloquant);
    let alertes = compter(&constats, Gravite::Alerte);
    // Only the steps the user may take from the current state are offered (the same decision
    // as the lifecycle handler's).
    let suivants = crate::contrats::formulaire::etats_suivants(entete.etat);
    let transitions: Vec<Transition> = suivants
        .iter()
        .filter(|suivant| crate::comptes::action_vers(**suivant).is_some_and(|a| u.propose(a, contrat)))
        .map(|&suivant| Transition {
            valeur: code_etat(suivant),
            libelle: libelle_etape(suivant),
            empechement: (crate::contrats::formulaire::exige_conformite(suivant) && bloquants > 0).then(
                || {
                    let reste = pluriel(bloquants, "constat bloquant reste", "constats bloquants restent");
                    if suivant == EtatContrat::Valide {
                        format!(
                            "Le contrat ne peut pas être validé : {reste} à corriger (voir la liste des constats)."
                        )
                    } else {
                        format!(
                            "Le contrat ne peut pas passer à l'étape « {} » : {reste} à corriger (voir la liste des constats).",
                            suivant.libelle()
                        )
                    }
                },
            ),
            secondaire: suivant == EtatContrat::Denonce,
            lien: pacte_core::actes::Etape::vers_etat(suivant)
                .map(|e| format!("/contrats/{id}/etapes/{}", e.code()))
                .unwrap_or_default(),
        })
        .collect();
    let modifiable = u.propose(Action::Modifier, contrat);
    let constats_vue = constats
        .iter()
        .map(|c| ConstatVue {
            code: c.code,
            bloquant: c.gravite == Gravite::Bloquant,
            gravite: c.gravite.libelle(),
            message: c.message.clone(),
            source: c.source,
            lien: lien_constat(id, &c.cible, modifiable),
            objet: objet_constat(&c.cible, c.gravite),
        })
        .collect();

    let collectivite = entete.nom_collectivite();
    let titre = entete
        .intitule
        .clone()
        .unwrap_or_else(|| format!("Contrat local des solidarités — {collectivite}"));
    let periode = match (entete.debut, entete.fin) {
        (Some(d), Some(f)) => format!("du {d} au {f}"),
        (Some(d), None) => format!("à partir du {d} (fin non renseignée)"),
        (None, Some(f)) => format!("jusqu'au {f} (début non renseigné)"),
        (None, None) => "non renseignée".into(),
    };
    let modifie = format!(
        "Version {}, modifiée {} par {}.",
        stocke.tampon.version,
        pacte_core::temps::horodatage_lisible(&stocke.tampon.modifie_le),
        crate::comptes::Auteurs::lire(&etat.base, [stocke.tampon.modifie_par.as_str()])
            .await?
            .lisible(&stocke.tampon.modifie_par)
    );
    let page = PageContrat {
        page: Page::new(etat, collectivite.clone(), "/contrats")
            .ariane("Contrats", Some("/contrats".into()))
            .ariane(format!("Contrat n° {id}"), None),
        id,
        version: stocke.tampon.version,
        titre,
        nature: nature_collectivite(entete),
        genre: match genre {
            TypeContrat::Metropole => "contrat de métropole : quatre axes",
            TypeContrat::Departement => "contrat de département : axes 1, 3 et 4",
        },
        badge: BadgeEtat::new(entete.etat),
        periode,
        deliberation: entete.date_deliberation.map(|d| d.to_string()),
        signataires: entete
            .signataires
            .iter()
            .map(|s| SignataireVue {
                nom: s.nom.clone(),
                qualite: s.qualite.clone(),
                organisation: s.organisation.clone(),
                date: s.date_signature.map(|d| d.to_string()),
            })
            .collect(),
        modifie,
        collectivite,
        axes,
        plafonds,
        plafond_incomplet,
        nombre_fiches: contrat.fiches.len(),
        constats: constats_vue,
        bloquants,
        alertes,
        coherence: super::coherence::coherences(etat, u, id, contrat).await?,
        resume_constats: resume_constats(bloquants, alertes),
        deliberation_demandee: transitions
            .iter()
            .any(|t| t.valeur == code_etat(EtatContrat::Delibere) && t.empechement.is_none()),
        etapes_existent: !suivants.is_empty(),
        transitions,
        modifier: modifiable,
        joindre: crate::pieces::peut_joindre(u, contrat),
        actes,
        documents,
        taille_max: pacte_store::pieces::TAILLE_MAX_LIBELLE,
        types: pacte_store::pieces::TYPES_ACCEPTES,
        message,
        signature: crate::documents::alerte_signature(etat, &stocke).await?,
    };
    Ok(page.render()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objets_des_constats() {
        assert_eq!(
            objet_constat(
                &"fiches[1.2].financement.etat.2024".parse().unwrap(),
                Gravite::Bloquant
            ),
            "Corriger la fiche 1.2 (part de l'État, 2024)"
        );
        assert_eq!(
            objet_constat(
                &"fiches[1.3].indicateurs[0].t0".parse().unwrap(),
                Gravite::Bloquant
            ),
            "Corriger la fiche 1.3 (indicateur local n° 1, situation au 31/12/2023)"
        );
        assert_eq!(
            objet_constat(&"contrat.montants_proposes.4".parse().unwrap(), Gravite::Alerte),
            "Examiner l'en-tête (montant proposé, axe 4)"
        );
        assert_eq!(
            objet_constat(&"fiches[2.1]".parse().unwrap(), Gravite::Bloquant),
            "Voir la fiche 2.1"
        );
        assert_eq!(
            resume_constats(0, 1),
            "Aucun constat bloquant et 1 alerte (admise avec une justification)."
        );
    }
}
