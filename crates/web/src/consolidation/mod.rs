//! The consolidation pages (issue 15, item 6): the money of the signed contracts summed per
//! region, per axis and per year — contracted, notified, paid, realised and carried over —
//! for France (national roles) or a region (its commissaire, and the national roles), with a
//! chart beside each table, every table as XLSX, ODS and CSV, and the same figures as JSON in
//! the API (`GET /api/v1/consolidation`, `GET /api/v1/consolidation/regions/{region}`).
//!
//! Nothing is computed here beyond adding up the rows the store sums in SQL
//! (`Base::consolidation`, from the relational projections of the contracts and of their
//! execution); who sees which territory is `Habilitation::portee_consolidation`.

pub mod export;
pub mod graphique;

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use pacte_core::Montant;
use pacte_core::contrat::Axe;
use pacte_core::droits::TerritoireLu;
use pacte_core::territoires::territoires;
use pacte_store::consolidation::{ETATS_CONSOLIDES, Montants};
use pacte_tableurs::FormatTableur;
use serde::Serialize;

use crate::comptes::ClientApi;
use crate::ui::{Page, rendre};
use crate::{ErreurApi, ErreurWeb, Etat, Utilisateur};

/// Address of the consolidation page (the menu's entry).
pub const ADRESSE: &str = "/consolidation";

/// The territory a consolidation covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Territoire {
    /// `france` or `region`.
    pub nature: &'static str,
    /// INSEE code of the region; `None` for France.
    pub code: Option<String>,
    pub nom: String,
}

/// One line of a table: its label and its sums.
#[derive(Debug, Clone, Serialize)]
pub struct LigneSommes<K: Serialize> {
    #[serde(flatten)]
    pub cle: K,
    pub montants: Montants,
}

#[derive(Debug, Clone, Serialize)]
pub struct CleRegion {
    pub code: String,
    pub nom: String,
    pub contrats: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CleAxe {
    pub axe: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct CleAnnee {
    pub annee: u16,
}

/// The consolidation of a territory, as the page, the files and the API give it.
#[derive(Debug, Clone, Serialize)]
pub struct Vue {
    pub territoire: Territoire,
    /// The contract states counted (signed or past signature).
    pub etats: Vec<&'static str>,
    pub contrats: i64,
    pub regions: Vec<LigneSommes<CleRegion>>,
    pub axes: Vec<LigneSommes<CleAxe>>,
    pub annees: Vec<LigneSommes<CleAnnee>>,
    pub total: Montants,
}

/// The columns of every table: label and the figure it shows.
pub const COLONNES: [(&str, fn(&Montants) -> i64); 8] = [
    ("Contractualisé — État", |m| m.contractualise_etat),
    ("Contractualisé — collectivité", |m| {
        m.contractualise_collectivite
    }),
    ("Notifié — État", |m| m.notifie),
    ("Versé — État", |m| m.verse),
    ("Réalisé — État", |m| m.realise_etat),
    ("Réalisé — collectivité", |m| m.realise_collectivite),
    ("Reporté — État", |m| m.reporte_etat),
    ("Reporté — collectivité", |m| m.reporte_collectivite),
];

/// The territory of address `region` (`None`: the user's own), if `u` may read it: France or
/// a region for the national roles, its region for a commissaire (403 elsewhere), nothing for
/// the other roles (403). An unknown region is a 404.
fn territoire_pour(u: &Utilisateur, region: Option<&str>) -> Result<TerritoireLu, ErreurWeb> {
    let refus = || {
        ErreurWeb::interdit(
            "La consolidation est réservée aux rôles nationaux (la France) et au commissaire (sa région).",
        )
    };
    let propre = u.habilitation.portee_consolidation().ok_or_else(refus)?;
    let Some(code) = region else {
        return Ok(propre);
    };
    if territoires().region(code).is_none() {
        return Err(ErreurWeb::introuvable(format!(
            "Région « {code} » inconnue : le code est le code INSEE de la région (« 93 »)."
        )));
    }
    match propre {
        TerritoireLu::Tout => Ok(TerritoireLu::Region(code.to_string())),
        TerritoireLu::Region(r) if r == code => Ok(TerritoireLu::Region(r)),
        _ => Err(refus()),
    }
}

/// The consolidation of `territoire`, read for `u` (their reading scope's states).
async fn vue(etat: &Etat, u: &Utilisateur, territoire: TerritoireLu) -> Result<Vue, ErreurWeb> {
    let mut portee = u.habilitation.portee_lecture();
    portee.territoire = territoire.clone();
    let c = etat.base.consolidation(&portee).await?;
    let t = territoires();
    let territoire = match &territoire {
        TerritoireLu::Region(r) => Territoire {
            nature: "region",
            code: Some(r.clone()),
            nom: t.region(r).map_or_else(|| r.clone(), |x| x.nom.clone()),
        },
        _ => Territoire {
            nature: "france",
            code: None,
            nom: "France".into(),
        },
    };
    let mut regions: Vec<LigneSommes<CleRegion>> = c
        .regions
        .iter()
        .map(|r| LigneSommes {
            cle: CleRegion {
                code: r.code.clone(),
                nom: if r.nom.is_empty() {
                    "Région inconnue".into()
                } else {
                    r.nom.clone()
                },
                contrats: r.contrats,
            },
            montants: Montants::default(),
        })
        .collect();
    regions.sort_by_key(|r| pacte_core::collation::cle_tri(&r.cle.nom));
    let mut axes: Vec<LigneSommes<CleAxe>> = Axe::TOUS
        .iter()
        .map(|a| LigneSommes {
            cle: CleAxe { axe: a.numero() },
            montants: Montants::default(),
        })
        .collect();
    let mut annees: Vec<LigneSommes<CleAnnee>> = pacte_core::Annee::TOUTES
        .iter()
        .map(|a| LigneSommes {
            cle: CleAnnee { annee: a.valeur() },
            montants: Montants::default(),
        })
        .collect();
    let mut total = Montants::default();
    for ((region, axe, annee), m) in &c.montants {
        if let Some(r) = regions.iter_mut().find(|r| &r.cle.code == region) {
            r.montants += *m;
        }
        if let Some(a) = axes.iter_mut().find(|a| a.cle.axe == *axe) {
            a.montants += *m;
        }
        if let Some(a) = annees.iter_mut().find(|a| a.cle.annee == *annee) {
            a.montants += *m;
        }
        total += *m;
    }
    Ok(Vue {
        territoire,
        etats: ETATS_CONSOLIDES.iter().map(|e| e.code()).collect(),
        contrats: c.regions.iter().map(|r| r.contrats).sum(),
        regions,
        axes,
        annees,
        total,
    })
}

/// A table as the page shows it.
pub struct TableauVu {
    pub code: &'static str,
    pub titre: String,
    pub premiere_colonne: &'static str,
    /// (label, link of the label, cells).
    pub lignes: Vec<(String, Option<String>, Vec<String>)>,
    pub total: Vec<String>,
    /// (format label, link).
    pub fichiers: Vec<(&'static str, String)>,
    /// The chart beside it (SVG markup, built from numbers only).
    pub graphique: String,
}

fn cellules(m: &Montants) -> Vec<String> {
    COLONNES
        .iter()
        .map(|(_, f)| Montant::centimes(f(m)).to_string())
        .collect()
}

/// The tables of a consolidation, in page order: per region (France only), per axis, per year.
pub fn tableaux(v: &Vue) -> Vec<export::Table> {
    let mut t = Vec::new();
    if v.territoire.code.is_none() {
        t.push(export::Table {
            code: "regions",
            titre: format!("Montants par région — {}", v.territoire.nom),
            premiere_colonne: "Région",
            lignes: v
                .regions
                .iter()
                .map(|r| {
                    (
                        format!(
                            "{} ({} contrat{})",
                            r.cle.nom,
                            r.cle.contrats,
                            if r.cle.contrats > 1 { "s" } else { "" }
                        ),
                        r.montants,
                    )
                })
                .collect(),
            total: v.total,
        });
    }
    t.push(export::Table {
        code: "axes",
        titre: format!("Montants par axe, 2024 à 2027 — {}", v.territoire.nom),
        premiere_colonne: "Axe",
        lignes: v
            .axes
            .iter()
            .map(|a| (format!("Axe {}", a.cle.axe), a.montants))
            .collect(),
        total: v.total,
    });
    t.push(export::Table {
        code: "annees",
        titre: format!("Montants par année — {}", v.territoire.nom),
        premiere_colonne: "Année",
        lignes: v
            .annees
            .iter()
            .map(|a| (a.cle.annee.to_string(), a.montants))
            .collect(),
        total: v.total,
    });
    t
}

fn base_adresse(v: &Vue) -> String {
    match &v.territoire.code {
        Some(r) => format!("{ADRESSE}/regions/{r}"),
        None => ADRESSE.to_string(),
    }
}

fn tableaux_vus(v: &Vue) -> Vec<TableauVu> {
    let base = base_adresse(v);
    tableaux(v)
        .into_iter()
        .map(|t| {
            let liens: Vec<Option<String>> = if t.code == "regions" {
                v.regions
                    .iter()
                    .map(|r| Some(format!("{ADRESSE}/regions/{}", r.cle.code)))
                    .collect()
            } else {
                vec![None; t.lignes.len()]
            };
            let graphique = match t.code {
                "annees" => graphique::barres_par_annee(&t),
                _ => graphique::barres_horizontales(&t),
            };
            TableauVu {
                code: t.code,
                titre: t.titre.clone(),
                premiere_colonne: t.premiere_colonne,
                lignes: t
                    .lignes
                    .iter()
                    .zip(liens)
                    .map(|((l, m), lien)| (l.clone(), lien, cellules(m)))
                    .collect(),
                total: cellules(&t.total),
                fichiers: FormatTableur::TOUS
                    .into_iter()
                    .map(|f| {
                        (
                            export::libelle_format(f),
                            format!("{base}/tableaux/{}/{}", t.code, f.extension()),
                        )
                    })
                    .collect(),
                graphique,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "consolidation.html")]
struct PageConsolidation {
    page: Page,
    territoire: Territoire,
    contrats: i64,
    entetes: Vec<&'static str>,
    tableaux: Vec<TableauVu>,
    /// The address of the same figures as JSON.
    api: String,
}

async fn rendre_page(etat: Etat, u: Utilisateur, region: Option<String>) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let territoire = territoire_pour(&u, region.as_deref())?;
    let v = vue(&etat, &u, territoire).await?;
    let mut page = Page::new(&etat, format!("Consolidation — {}", v.territoire.nom), ADRESSE);
    if v.territoire.code.is_some() && u.habilitation.portee_consolidation() == Some(TerritoireLu::Tout) {
        page.ariane = vec![
            ("Consolidation".into(), Some(ADRESSE.into())),
            (v.territoire.nom.clone(), None),
        ];
    } else {
        page.ariane = vec![(format!("Consolidation — {}", v.territoire.nom), None)];
    }
    let api = match &v.territoire.code {
        Some(r) => format!("{}/consolidation/regions/{r}", crate::app::PREFIXE_API),
        None => format!("{}/consolidation", crate::app::PREFIXE_API),
    };
    let p = PageConsolidation {
        page,
        territoire: v.territoire.clone(),
        contrats: v.contrats,
        entetes: COLONNES.iter().map(|(l, _)| *l).collect(),
        tableaux: tableaux_vus(&v),
        api,
    };
    rendre(&p)
}

/// `GET /consolidation`: the user's own territory (France, or the commissaire's region).
pub async fn page(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    rendre_page(etat, u, None).await
}

/// `GET /consolidation/regions/{region}`: a region.
pub async fn page_region(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(region): Path<String>,
) -> Result<Response, ErreurWeb> {
    rendre_page(etat, u, Some(region)).await
}

async fn fichier(
    etat: Etat,
    u: Utilisateur,
    region: Option<String>,
    tableau: String,
    format: String,
) -> Result<Response, ErreurWeb> {
    let format = FormatTableur::depuis_extension(&format)
        .ok_or_else(|| ErreurWeb::introuvable(format!("Format « {format} » inconnu : xlsx, ods ou csv.")))?;
    let territoire = territoire_pour(&u, region.as_deref())?;
    let v = vue(&etat, &u, territoire).await?;
    let t = tableaux(&v)
        .into_iter()
        .find(|t| t.code == tableau)
        .ok_or_else(|| {
            ErreurWeb::introuvable(format!(
                "Tableau « {tableau} » inconnu ici : {}.",
                tableaux(&v).iter().map(|t| t.code).collect::<Vec<_>>().join(", ")
            ))
        })?;
    let octets = export::exporter(&t, format).map_err(|e| ErreurWeb::interne(e.to_string()))?;
    let nom = format!(
        "consolidation-{}-{}.{}",
        v.territoire.code.as_deref().unwrap_or("france"),
        t.code,
        format.extension()
    );
    let mut r = octets.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.type_mime()));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&crate::pieces::disposition(&nom))
            .map_err(|e| ErreurWeb::interne(format!("nom de fichier : {e}")))?,
    );
    Ok(r)
}

/// `GET /consolidation/tableaux/{tableau}/{format}`: a table of the user's own territory.
pub async fn telecharger(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((tableau, format)): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    fichier(etat, u, None, tableau, format).await
}

/// `GET /consolidation/regions/{region}/tableaux/{tableau}/{format}`: a table of a region.
pub async fn telecharger_region(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((region, tableau, format)): Path<(String, String, String)>,
) -> Result<Response, ErreurWeb> {
    fichier(etat, u, Some(region), tableau, format).await
}

/// `GET /api/v1/consolidation`: the user's own territory as JSON (integer cents).
pub(crate) async fn api(State(etat): State<Etat>, ClientApi(u): ClientApi) -> Result<Response, ErreurApi> {
    let territoire = territoire_pour(&u, None)?;
    Ok(Json(vue(&etat, &u, territoire).await?).into_response())
}

/// `GET /api/v1/consolidation/regions/{region}`: a region as JSON (integer cents).
pub(crate) async fn api_region(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    Path(region): Path<String>,
) -> Result<Response, ErreurApi> {
    let territoire = territoire_pour(&u, Some(&region))?;
    Ok(Json(vue(&etat, &u, territoire).await?).into_response())
}
