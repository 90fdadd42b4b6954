//! The référentiel page (`/referentiel`): axes, sub-axes, action types and national indicators;
//! and the référentiel as JSON for the API.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use pacte_core::droits::{Action, Cible};
use pacte_core::referentiel::IndicateurNational;

use crate::comptes::ClientApi;
use crate::ui::{Page, ancre_indicateur, rendre};
use crate::{ErreurApi, ErreurWeb, Etat, Utilisateur};

#[derive(Debug, Clone)]
pub struct TypeActionVue {
    pub id: String,
    pub intitule: String,
    pub statut: &'static str,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SousAxeVue {
    pub uid: String,
    /// HTML id: `A1-1.1` → `sous-axe-a1-1-1`.
    pub ancre: String,
    pub code: String,
    /// « Volet I : Soutien à la parentalité… », when the sub-axis belongs to a volet.
    pub volet: Option<String>,
    pub intitule: String,
    pub notes: Vec<String>,
    pub exclusions: Vec<String>,
    /// (code, anchor) of the national indicators attached to the sub-axis.
    pub indicateurs: Vec<(String, String)>,
    pub types_action: Vec<TypeActionVue>,
}

#[derive(Debug, Clone)]
pub struct IndicateurVue {
    pub code: String,
    pub ancre: String,
    pub libelle: String,
    pub libelle_referentiel: Option<String>,
    pub sous_axes: Vec<String>,
    pub types_action: Vec<String>,
    pub unite: String,
    pub periode: String,
    pub regles: Vec<String>,
    pub exclusions: Vec<String>,
    pub dedoublonnage: String,
    pub estimations: String,
    pub ventilations: Vec<String>,
    pub notes: Vec<String>,
    pub source: String,
}

impl IndicateurVue {
    fn new(ni: &IndicateurNational) -> IndicateurVue {
        IndicateurVue {
            code: ni.code.clone(),
            ancre: ancre_indicateur(&ni.code),
            libelle: ni.libelle.clone(),
            libelle_referentiel: ni.libelle_referentiel.clone(),
            sous_axes: ni.sous_axes.clone(),
            types_action: ni.types_action.clone(),
            unite: ni.unite.clone(),
            periode: ni.periode.clone(),
            regles: ni.regles_decompte.clone(),
            exclusions: ni.exclusions.clone(),
            dedoublonnage: ni.dedoublonnage.clone(),
            estimations: ni.estimations.clone(),
            ventilations: ni.ventilations.clone(),
            notes: ni.notes.clone(),
            source: ni.source.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AxeReferentielVue {
    pub numero: u8,
    pub intitule: String,
    pub annexe: String,
    pub notes: Vec<String>,
    pub sous_axes: Vec<SousAxeVue>,
    pub indicateurs: Vec<IndicateurVue>,
    pub nombre_types: usize,
}

#[derive(Template)]
#[template(path = "referentiel.html")]
pub struct PageReferentiel {
    pub page: Page,
    pub version: String,
    pub axes: Vec<AxeReferentielVue>,
    pub resume: String,
}

pub async fn referentiel(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    u.exiger(Action::LireReferentiel, &Cible::Referentiel)?;
    let etat = etat.pour(&u);
    let r = pacte_core::referentiel::referentiel();
    let axes: Vec<AxeReferentielVue> = r
        .axes
        .iter()
        .map(|axe| {
            let sous_axes: Vec<SousAxeVue> =
                axe.sous_axes
                    .iter()
                    .map(|sa| SousAxeVue {
                        uid: sa.uid.clone(),
                        ancre: format!("sous-axe-{}", ancre_indicateur(&sa.uid)),
                        code: sa.code.clone(),
                        volet: sa.volet.as_ref().map(|code| {
                            match axe.volets.iter().find(|v| &v.code == code) {
                                Some(v) => format!("{} {} : {}", majuscule(&v.nature), v.code, v.intitule),
                                None => format!("Volet {code}"),
                            }
                        }),
                        intitule: sa.intitule.clone(),
                        notes: sa.notes.clone(),
                        exclusions: sa.exclusions.clone(),
                        indicateurs: sa
                            .indicateurs_nationaux
                            .iter()
                            .map(|c| (c.clone(), ancre_indicateur(c)))
                            .collect(),
                        types_action: sa
                            .types_action
                            .iter()
                            .map(|t| TypeActionVue {
                                id: t.id.clone(),
                                intitule: t.intitule.clone(),
                                statut: t.statut.libelle(),
                                note: t.note.clone(),
                            })
                            .collect(),
                    })
                    .collect();
            AxeReferentielVue {
                numero: axe.code,
                intitule: axe.intitule.clone(),
                annexe: axe.annexe.clone(),
                notes: axe.notes.clone(),
                nombre_types: sous_axes.iter().map(|s| s.types_action.len()).sum(),
                sous_axes,
                indicateurs: r
                    .indicateurs_nationaux
                    .iter()
                    .filter(|ni| ni.axe == axe.code)
                    .map(IndicateurVue::new)
                    .collect(),
            }
        })
        .collect();
    let n_sous_axes: usize = axes.iter().map(|a| a.sous_axes.len()).sum();
    let n_types: usize = axes.iter().map(|a| a.nombre_types).sum();
    let resume = format!(
        "{} axes, {n_sous_axes} sous-axes, {n_types} types d'action et {} indicateurs nationaux.",
        axes.len(),
        r.indicateurs_nationaux.len()
    );
    let page = PageReferentiel {
        page: Page::new(&etat, "Référentiel national", "/referentiel").ariane("Référentiel", None),
        version: r.version.clone(),
        axes,
        resume,
    };
    rendre(&page)
}

fn majuscule(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(p) => p.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `GET /api/v1/referentiel`: the référentiel as JSON.
pub async fn api_referentiel(
    ClientApi(u): ClientApi,
) -> Result<Json<&'static pacte_core::referentiel::Referentiel>, ErreurApi> {
    u.exiger(Action::LireReferentiel, &Cible::Referentiel)?;
    Ok(Json(pacte_core::referentiel::referentiel()))
}
