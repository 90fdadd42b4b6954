//! The consolidation pages (issue 15, item 6): the money of the signed contracts summed per
//! region, per axis and per year — contracted, notified, paid, realised and carried over —
//! for France (national roles) or a region (its commissaire, and the national roles), with a
//! chart beside each table, every table as XLSX, ODS and CSV, and the same figures as JSON in
//! the API (`GET /api/v1/consolidation`, `GET /api/v1/consolidation/regions/{region}`).
//!
//! Nothing is computed here beyond adding up the rows the store sums in SQL
//! (`Base::consolidation`, from the relational projections of the contracts and of their
//! execution); who sees which territory is `Habilitation::portee_consolidation`.

pub mod donnees_ouvertes;
pub mod export;
pub mod graphique;

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
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
    /// Per open campaign, the contracts counted per campaign state and region.
    pub campagnes: Vec<CampagneVue>,
    /// The national indicators of the validated campaigns, per year, code and breakdown.
    pub indicateurs: Vec<IndicateurVu>,
}

/// How many contracts are in each campaign state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EtatsCampagne {
    pub non_commencee: i64,
    pub en_cours: i64,
    pub soumise: i64,
    pub renvoyee: i64,
    pub validee: i64,
}

impl EtatsCampagne {
    fn ajouter(&mut self, etat: &str, n: i64) {
        match etat {
            "en_cours" => self.en_cours += n,
            "soumise" => self.soumise += n,
            "renvoyee" => self.renvoyee += n,
            "validee" => self.validee += n,
            _ => self.non_commencee += n,
        }
    }

    pub fn contrats(&self) -> i64 {
        self.non_commencee + self.en_cours + self.soumise + self.renvoyee + self.validee
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LigneCampagne {
    pub code: String,
    pub nom: String,
    #[serde(flatten)]
    pub etats: EtatsCampagne,
}

/// A campaign of the consolidation: its year, its regions and their total.
#[derive(Debug, Clone, Serialize)]
pub struct CampagneVue {
    pub annee: u16,
    pub regions: Vec<LigneCampagne>,
    pub total: EtatsCampagne,
}

/// A national indicator of a year, over the validated campaigns (values in hundredths of the
/// indicator's unit).
#[derive(Debug, Clone, Serialize)]
pub struct IndicateurVu {
    pub annee: u16,
    pub code: String,
    /// 0, or NI-2.3's breakdown (1 to 3).
    pub ventilation: u8,
    pub libelle: String,
    pub unite: String,
    pub realise: i64,
    pub cible: i64,
    /// Fiches that entered a value.
    pub contributions: i64,
    pub contrats: i64,
}

/// A column of the amounts tables: its label and the figure it shows.
pub type Colonne = (&'static str, fn(&Montants) -> i64);

/// The columns of every amounts table.
pub const COLONNES: [Colonne; 8] = [
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
    let portee = pacte_store::consolidation::portee_consolidee(&portee);
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
    let mut campagnes: Vec<CampagneVue> = Vec::new();
    for s in etat.base.suivi_campagnes_consolide(&portee).await? {
        if campagnes.last().is_none_or(|c| c.annee != s.annee) {
            campagnes.push(CampagneVue {
                annee: s.annee,
                regions: regions
                    .iter()
                    .map(|r| LigneCampagne {
                        code: r.cle.code.clone(),
                        nom: r.cle.nom.clone(),
                        etats: EtatsCampagne::default(),
                    })
                    .collect(),
                total: EtatsCampagne::default(),
            });
        }
        let c = campagnes.last_mut().expect("pushed above");
        if let Some(r) = c.regions.iter_mut().find(|r| r.code == s.region) {
            r.etats.ajouter(&s.etat, s.contrats);
        }
        c.total.ajouter(&s.etat, s.contrats);
    }
    let referentiel = pacte_core::referentiel::referentiel();
    let indicateurs = etat
        .base
        .indicateurs_consolides(&portee, false)
        .await?
        .into_iter()
        .map(|i| {
            let def = referentiel.indicateur(&i.code);
            let mut libelle = def.map_or_else(|| i.code.clone(), |d| d.libelle.clone());
            if let Some(v) = def.and_then(|d| d.ventilations.get(usize::from(i.ventilation).wrapping_sub(1)))
            {
                libelle = format!("{libelle} — {v}");
            }
            IndicateurVu {
                annee: i.annee,
                unite: def.map_or_else(String::new, |d| d.unite.clone()),
                code: i.code,
                ventilation: i.ventilation,
                libelle,
                realise: i.realise,
                cible: i.cible,
                contributions: i.contributions,
                contrats: i.contrats,
            }
        })
        .collect();
    Ok(Vue {
        territoire,
        etats: ETATS_CONSOLIDES.iter().map(|e| e.code()).collect(),
        contrats: c.regions.iter().map(|r| r.contrats).sum(),
        regions,
        axes,
        annees,
        total,
        campagnes,
        indicateurs,
    })
}

/// A table as the page shows it.
pub struct TableauVu {
    pub code: String,
    pub titre: String,
    pub premiere_colonne: &'static str,
    pub colonnes: Vec<String>,
    /// (label, link of the label, cells).
    pub lignes: Vec<(String, Option<String>, Vec<String>)>,
    pub total: Option<Vec<String>>,
    /// (format label, link).
    pub fichiers: Vec<(&'static str, String)>,
    /// The chart beside it (SVG markup, built from numbers and escaped labels only).
    pub graphique: Option<String>,
}

/// `n` out of `sur` as a percentage with one decimal, floored: `87,5 %`; a dash without base.
fn pourcentage(n: i64, sur: i64) -> String {
    if sur <= 0 {
        return "—".into();
    }
    let dixiemes = (i128::from(n) * 1000 / i128::from(sur)) as i64;
    format!("{},{} %", dixiemes / 10, dixiemes % 10)
}

/// Tenths of a percent of `n` out of `sur` (0 without base), for the bars.
fn dixiemes(n: i64, sur: i64) -> i64 {
    if sur <= 0 {
        0
    } else {
        (i128::from(n) * 1000 / i128::from(sur)) as i64
    }
}

fn en_pourcentage(d: i64) -> String {
    format!("{},{} %", d / 10, d % 10)
}

/// A region's label in the tables: « Bretagne (3 contrats) ».
fn libelle_region(r: &CleRegion) -> String {
    format!(
        "{} ({} contrat{})",
        r.nom,
        r.contrats,
        if r.contrats > 1 { "s" } else { "" }
    )
}

/// The tables of a consolidation, in page order, each with its chart: amounts per region
/// (France only), per axis, per year; then per open campaign its follow-up per region, and per
/// year the national indicators of the validated campaigns.
pub fn tableaux(v: &Vue) -> Vec<(export::Table, Option<graphique::Donnees>)> {
    use graphique::{BLEU, BLEU_CLAIR, Donnees, EMERAUDE, TUILE, millions};
    const CONTRACTUALISE_REALISE: &[graphique::Serie] =
        &[("Contractualisé — État", BLEU), ("Réalisé — État", TUILE)];
    const EXECUTION: &[graphique::Serie] = &[
        ("Contractualisé — État", BLEU),
        ("Notifié — État", BLEU_CLAIR),
        ("Versé — État", EMERAUDE),
        ("Réalisé — État", TUILE),
    ];
    let barres = |code: &str,
                  titre: &str,
                  series: &'static [graphique::Serie],
                  lignes: Vec<(String, Vec<i64>)>,
                  format: fn(i64) -> String| Donnees {
        code: code.into(),
        titre: titre.into(),
        series,
        lignes,
        format,
    };
    let mut t = Vec::new();
    let nom = &v.territoire.nom;
    let mut ajouter = |code: &str,
                       titre: String,
                       premiere: &'static str,
                       lignes: Vec<(String, Montants)>,
                       series: &'static [graphique::Serie]| {
        let valeurs = lignes
            .iter()
            .map(|(l, m)| {
                let f: Vec<i64> = if series.len() == 2 {
                    vec![m.contractualise_etat, m.realise_etat]
                } else {
                    vec![m.contractualise_etat, m.notifie, m.verse, m.realise_etat]
                };
                (l.clone(), f)
            })
            .collect();
        let g = barres(code, &titre, series, valeurs, millions);
        t.push((
            export::table_montants(code, titre, premiere, &lignes, &v.total),
            Some(g),
        ));
    };
    if v.territoire.code.is_none() {
        ajouter(
            "regions",
            format!("Montants par région — {nom}"),
            "Région",
            v.regions
                .iter()
                .map(|r| (libelle_region(&r.cle), r.montants))
                .collect(),
            CONTRACTUALISE_REALISE,
        );
    }
    ajouter(
        "axes",
        format!("Montants par axe, 2024 à 2027 — {nom}"),
        "Axe",
        v.axes
            .iter()
            .map(|a| (format!("Axe {}", a.cle.axe), a.montants))
            .collect(),
        CONTRACTUALISE_REALISE,
    );
    ajouter(
        "annees",
        format!("Montants par année — {nom}"),
        "Année",
        v.annees
            .iter()
            .map(|a| (a.cle.annee.to_string(), a.montants))
            .collect(),
        EXECUTION,
    );
    for c in &v.campagnes {
        let code = format!("campagne-{}", c.annee);
        let titre = format!(
            "Campagne {} (indicateurs de l'année {}) : état des contrats — {nom}",
            c.annee, c.annee
        );
        let cellules = |e: &EtatsCampagne| {
            vec![
                export::Valeur::compte(e.contrats()),
                export::Valeur::compte(e.non_commencee),
                export::Valeur::compte(e.en_cours),
                export::Valeur::compte(e.soumise),
                export::Valeur::compte(e.renvoyee),
                export::Valeur::compte(e.validee),
                export::Valeur::Part {
                    n: e.validee,
                    sur: e.contrats(),
                },
            ]
        };
        let table = export::Table {
            code: code.clone(),
            titre: titre.clone(),
            premiere_colonne: "Région",
            colonnes: [
                "Contrats",
                "Non commencée",
                "En cours",
                "Soumise",
                "Renvoyée",
                "Validée",
                "Part validée",
            ]
            .map(String::from)
            .to_vec(),
            lignes: c
                .regions
                .iter()
                .map(|r| (r.nom.clone(), cellules(&r.etats)))
                .collect(),
            total: Some(cellules(&c.total)),
        };
        let g = barres(
            &code,
            &titre,
            &[("Part des contrats dont la campagne est validée", BLEU)],
            c.regions
                .iter()
                .map(|r| (r.nom.clone(), vec![dixiemes(r.etats.validee, r.etats.contrats())]))
                .collect(),
            en_pourcentage,
        );
        t.push((table, Some(g)));
    }
    let mut annees: Vec<u16> = v.indicateurs.iter().map(|i| i.annee).collect();
    annees.dedup();
    for annee in annees {
        let code = format!("indicateurs-{annee}");
        let titre = format!("Indicateurs nationaux {annee} (campagnes validées) — {nom}");
        let lignes: Vec<&IndicateurVu> = v.indicateurs.iter().filter(|i| i.annee == annee).collect();
        let libelle = |i: &IndicateurVu| {
            if i.ventilation == 0 {
                i.code.clone()
            } else {
                format!("{} ({})", i.code, i.ventilation)
            }
        };
        let table = export::Table {
            code: code.clone(),
            titre: titre.clone(),
            premiere_colonne: "Indicateur",
            colonnes: [
                "Libellé",
                "Unité",
                "Réalisé",
                "Cible",
                "Réalisé / cible",
                "Fiches contributrices",
                "Contrats",
            ]
            .map(String::from)
            .to_vec(),
            lignes: lignes
                .iter()
                .map(|i| {
                    (
                        libelle(i),
                        vec![
                            export::Valeur::Texte(i.libelle.clone()),
                            export::Valeur::Texte(i.unite.clone()),
                            export::Valeur::Nombre(i.realise),
                            export::Valeur::Nombre(i.cible),
                            export::Valeur::Part {
                                n: i.realise,
                                sur: i.cible,
                            },
                            export::Valeur::compte(i.contributions),
                            export::Valeur::compte(i.contrats),
                        ],
                    )
                })
                .collect(),
            total: None,
        };
        let g = barres(
            &code,
            &titre,
            &[("Réalisé / cible", EMERAUDE)],
            lignes
                .iter()
                .map(|i| (libelle(i), vec![dixiemes(i.realise, i.cible)]))
                .collect(),
            en_pourcentage,
        );
        t.push((table, Some(g)));
    }
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
        .map(|(t, g)| {
            let liens: Vec<Option<String>> = if t.code == "regions" {
                v.regions
                    .iter()
                    .map(|r| Some(format!("{ADRESSE}/regions/{}", r.cle.code)))
                    .collect()
            } else {
                vec![None; t.lignes.len()]
            };
            let graphique = g.map(|g| {
                if t.code == "annees" {
                    graphique::barres_verticales(&g)
                } else {
                    graphique::barres_horizontales(&g)
                }
            });
            TableauVu {
                code: t.code.clone(),
                titre: t.titre.clone(),
                premiere_colonne: t.premiere_colonne,
                colonnes: t.colonnes.clone(),
                lignes: t
                    .lignes
                    .iter()
                    .zip(liens)
                    .map(|((l, c), lien)| (l.clone(), lien, c.iter().map(export::Valeur::texte).collect()))
                    .collect(),
                total: t
                    .total
                    .as_ref()
                    .map(|c| c.iter().map(export::Valeur::texte).collect()),
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
    let toutes = tableaux(&v);
    let t = toutes
        .iter()
        .map(|(t, _)| t)
        .find(|t| t.code == tableau)
        .ok_or_else(|| {
            ErreurWeb::introuvable(format!(
                "Tableau « {tableau} » inconnu ici : {}.",
                toutes
                    .iter()
                    .map(|(t, _)| t.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let octets = export::exporter(t, format).map_err(|e| ErreurWeb::interne(e.to_string()))?;
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
