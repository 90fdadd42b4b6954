//! What the « Finances » page shows besides the annexe 10 tables: per axis, the situation of
//! each year at a glance (a small server-rendered SVG bar chart with the same figures in a
//! table beside it), the payment register, the avenants, the reductions awaiting a decision,
//! the carry-overs proposed by the collectivity and the recovery statement (R-FIN-11/12).
//!
//! The chart is plain SVG markup with presentation attributes only (no `style` attribute, no
//! script): the Content-Security-Policy (`style-src 'self'`) holds. Every figure comes from
//! `pacte_core::execution::situation`.

use std::fmt::Write;

use pacte_core::contrat::Axe;
use pacte_core::execution::{
    Execution, SituationFinanciere, intitule_fiche, releve_reversement, saisie::reductions_en_attente,
};
use pacte_core::{Annee, Contrat, Montant};

use super::formulaires::{Def, FormulaireVu, Saisie, formulaire};

/// The five series of an axis and year, in chart order, with their colours (DSFR palette).
pub const SERIES: [(&str, &str); 5] = [
    ("Notifié", "#000091"),
    ("Versé", "#6a6af4"),
    ("Réalisé", "#18753c"),
    ("Non consommé", "#b34000"),
    ("Reporté", "#7f7f7f"),
];

/// One axis: its chart and the figures of its table (per year, the five series).
pub struct AxeVu {
    pub titre: String,
    pub id: String,
    pub svg: String,
    pub lignes: Vec<(u16, Vec<String>)>,
}

fn echapper(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The five figures of an axis in a year, summed over its fiches.
fn valeurs_axe(s: &SituationFinanciere, axe: Axe, annee: Annee) -> [Montant; 5] {
    let mut v = [Montant::ZERO; 5];
    for (f, a) in s.annee(annee).filter(|(f, _)| f.axe == axe) {
        let _ = f;
        v[0] += a.etat_notifie;
        v[1] += a.etat_verse;
        v[2] += a.realise_etat;
        v[3] += a.etat_non_consomme;
        v[4] += a.report_etat;
    }
    v
}

/// A grouped bar chart: per year, one bar per series (negative values drawn as zero; the table
/// beside it gives the exact figures).
pub fn graphique(id: &str, titre: &str, annees: &[(Annee, [Montant; 5])]) -> String {
    const L: i64 = 640;
    const H: i64 = 240;
    const BAS: i64 = 200;
    const HAUT: i64 = 20;
    let max = annees
        .iter()
        .flat_map(|(_, v)| v.iter())
        .map(|m| m.en_centimes())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {L} {H}" width="100%" role="img" aria-labelledby="{id}-titre" class="pacte-graphique"><title id="{id}-titre">{}</title>"##,
        echapper(titre)
    );
    let _ = write!(
        s,
        r##"<line x1="40" y1="{BAS}" x2="{}" y2="{BAS}" stroke="#3a3a3a" stroke-width="1"/>"##,
        L - 10
    );
    let groupe = (L - 50) / annees.len().max(1) as i64;
    let barre = (groupe - 20) / SERIES.len() as i64;
    for (k, (annee, v)) in annees.iter().enumerate() {
        let x0 = 45 + k as i64 * groupe;
        for (j, m) in v.iter().enumerate() {
            let h = (m.en_centimes().max(0) as i128 * (BAS - HAUT) as i128 / max as i128) as i64;
            let _ = write!(
                s,
                r##"<rect x="{}" y="{}" width="{}" height="{h}" fill="{}"><title>{annee}, {} : {}</title></rect>"##,
                x0 + j as i64 * barre,
                BAS - h,
                barre - 2,
                SERIES[j].1,
                SERIES[j].0,
                echapper(&m.to_string())
            );
        }
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="13" text-anchor="middle" fill="#3a3a3a">{annee}</text>"##,
            x0 + (barre * SERIES.len() as i64) / 2,
            BAS + 16
        );
    }
    for (j, (nom, couleur)) in SERIES.iter().enumerate() {
        let x = 45 + j as i64 * 118;
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{}" width="10" height="10" fill="{couleur}"/><text x="{}" y="{}" font-size="12" fill="#3a3a3a">{nom}</text>"##,
            H - 14,
            x + 14,
            H - 5
        );
    }
    s.push_str("</svg>");
    s
}

/// Per axis of the contract's kind, the chart and its table.
pub fn axes(contrat: &Contrat, s: &SituationFinanciere) -> Vec<AxeVu> {
    pacte_core::financement::par_axe(contrat)
        .type_contrat
        .axes()
        .iter()
        .map(|&axe| {
            let annees: Vec<(Annee, [Montant; 5])> = Annee::TOUTES
                .into_iter()
                .map(|a| (a, valeurs_axe(s, axe, a)))
                .collect();
            let id = format!("graphique-axe-{}", axe.numero());
            let titre = format!(
                "Axe {} : crédits État notifiés, versés, réalisés, non consommés et reportés, par année",
                axe.numero()
            );
            AxeVu {
                svg: graphique(&id, &titre, &annees),
                lignes: annees
                    .iter()
                    .map(|(a, v)| (a.valeur(), v.iter().map(ToString::to_string).collect()))
                    .collect(),
                titre: format!("Axe {}", axe.numero()),
                id,
            }
        })
        .collect()
}

/// The payment register: year, date, amount, programme, Chorus imputation, bank details,
/// authorising officer, accountant.
pub fn versements(e: &Execution) -> Vec<Vec<String>> {
    let mut v: Vec<_> = e.versements.iter().collect();
    v.sort_by_key(|x| (x.annee, x.date));
    v.into_iter()
        .map(|x| {
            vec![
                x.annee.to_string(),
                x.date.to_string(),
                x.montant.to_string(),
                x.programme.to_string(),
                [x.code_chorus.as_str(), x.libelle_chorus.as_str()]
                    .into_iter()
                    .filter(|t| !t.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(" — "),
                x.iban.clone(),
                x.ordonnateur.clone(),
                x.comptable.clone(),
            ]
        })
        .collect()
}

/// An avenant as the page lists it.
pub struct AvenantVu {
    pub titre: String,
    pub accords: String,
    pub lignes: Vec<String>,
    /// (link, label) of the signed document.
    pub document: Option<(String, String)>,
}

fn date_ou(d: Option<pacte_core::Date>) -> String {
    d.map_or_else(|| "non daté".to_string(), |d| d.to_string())
}

pub fn avenants(id: i64, contrat: &Contrat, e: &Execution) -> Vec<AvenantVu> {
    e.avenants
        .iter()
        .enumerate()
        .map(|(i, a)| AvenantVu {
            titre: format!("Avenant {} — année {}, du {}", i + 1, a.annee, date_ou(a.date)),
            accords: format!(
                "Accord exprès de l'État : {} ; de la collectivité : {}",
                date_ou(a.accord_etat),
                date_ou(a.accord_collectivite)
            ),
            lignes: a
                .lignes
                .iter()
                .map(|l| {
                    let mut t = format!(
                        "Fiche {} — {}{} : État {}",
                        l.fiche,
                        intitule_fiche(contrat, e, l.fiche),
                        if l.ajoutee { " (ajoutée)" } else { "" },
                        l.etat
                    );
                    if let Some(c) = l.collectivite {
                        let _ = write!(t, ", collectivité {c}");
                    }
                    let _ = write!(t, ". Motif : {}", l.motif);
                    t
                })
                .collect(),
            document: a
                .piece
                .map(|p| (format!("/contrats/{id}/pieces/{p}"), "Avenant signé".to_string())),
        })
        .collect()
}

/// A reduction awaiting the commissaire's decision, with the form of whoever may act on it.
pub struct ReductionVue {
    pub texte: String,
    pub justification: Option<String>,
    pub formulaire: Option<FormulaireVu>,
}

pub fn reductions(
    id: i64,
    contrat: &Contrat,
    e: &Execution,
    decider: bool,
    justifier: bool,
    s: Option<&Saisie>,
) -> Vec<ReductionVue> {
    reductions_en_attente(contrat, e)
        .into_iter()
        .map(|r| {
            let caches = || {
                vec![
                    Def::cache("fiche", r.fiche.to_string()),
                    Def::cache("annee", r.annee.to_string()),
                ]
            };
            let formulaire = if decider {
                let mut d = caches();
                d.push(Def::montant("montant", "Réduction décidée (€)").defaut(r.proposee.texte_fichier()));
                d.push(Def::date("date", "Date de la décision"));
                Some(formulaire(
                    format!("decision-{}-{}", r.fiche, r.annee),
                    format!("/contrats/{id}/finances/reduction/decision"),
                    format!("Décider la réduction de la fiche {} sur {}", r.fiche, r.annee),
                    "Enregistrer la décision",
                    s,
                    d,
                ))
            } else if justifier {
                let mut d = caches();
                d.push(
                    Def::zone("justification", "Justification de la collectivité")
                        .defaut(r.justification.clone().unwrap_or_default()),
                );
                Some(formulaire(
                    format!("justification-{}-{}", r.fiche, r.annee),
                    format!("/contrats/{id}/finances/reduction/justification"),
                    format!("Justifier la sous-consommation de la fiche {}", r.fiche),
                    "Enregistrer la justification",
                    s,
                    d,
                ))
            } else {
                None
            };
            ReductionVue {
                texte: format!(
                    "Fiche {} — {} : réduction proposée de {} sur {} (R-FIN-06).",
                    r.fiche,
                    intitule_fiche(contrat, e, r.fiche),
                    r.proposee,
                    r.annee
                ),
                justification: r.justification.clone(),
                formulaire,
            }
        })
        .collect()
}

/// A carry-over proposed by the collectivity (its Bilan), with the State's confirmation form.
pub struct PropositionVue {
    pub texte: String,
    pub formulaire: Option<FormulaireVu>,
}

pub fn propositions(id: i64, e: &Execution, confirmer: bool, s: Option<&Saisie>) -> Vec<PropositionVue> {
    e.reports
        .iter()
        .filter(|r| r.proposition)
        .map(|r| PropositionVue {
            texte: format!(
                "Fiche {}, crédits de {} reportés sur {} : part État {}, part collectivité {}.",
                r.fiche,
                r.annee,
                r.annee.valeur() + 1,
                r.etat,
                r.collectivite
            ),
            formulaire: confirmer.then(|| {
                formulaire(
                    format!("confirmation-{}-{}", r.fiche, r.annee),
                    format!("/contrats/{id}/finances/report"),
                    format!("Confirmer le report de la fiche {}", r.fiche),
                    "Confirmer le report",
                    s,
                    vec![
                        Def::cache("proposition", "1"),
                        Def::cache("fiche", r.fiche.to_string()),
                        Def::cache("annee", r.annee.to_string()),
                        Def::montant("etat", "Report de la part État (€)").defaut(r.etat.texte_fichier()),
                        Def::montant("collectivite", "Report de la part collectivité (€)")
                            .defaut(r.collectivite.texte_fichier()),
                        Def::date("date", "Date de la décision (dialogue de gestion)"),
                    ],
                )
            }),
        })
        .collect()
}

/// The recovery statement: per fiche, paid, realised (State), *titre de reversement*; and the
/// total of each column.
pub fn reversement(
    contrat: &Contrat,
    e: &Execution,
    s: &SituationFinanciere,
) -> (Vec<Vec<String>>, Vec<String>) {
    let lignes = releve_reversement(s);
    let total = |f: fn(&pacte_core::execution::LigneReversement) -> Montant| -> String {
        lignes.iter().map(f).sum::<Montant>().to_string()
    };
    let totaux = vec![
        total(|l| l.verse),
        total(|l| l.realise_etat),
        total(|l| l.reversement),
    ];
    (
        lignes
            .iter()
            .map(|l| {
                vec![
                    format!("{} — {}", l.fiche, intitule_fiche(contrat, e, l.fiche)),
                    l.verse.to_string(),
                    l.realise_etat.to_string(),
                    l.reversement.to_string(),
                ]
            })
            .collect(),
        totaux,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphique_sans_attribut_style_ni_script() {
        let a = Annee::TOUTES[0];
        let svg = graphique(
            "g",
            "Axe 1 <test>",
            &[(
                a,
                [
                    Montant::euros(100),
                    Montant::euros(50),
                    Montant::euros(25),
                    Montant::euros(-5),
                    Montant::ZERO,
                ],
            )],
        );
        assert!(!svg.contains("style="));
        assert!(!svg.contains("<script"));
        assert!(svg.contains("Axe 1 &lt;test&gt;"));
        // The largest value fills the height (180 units); half of it, 90.
        assert!(svg.contains(r##"height="180" fill="#000091""##), "{svg}");
        assert!(svg.contains(r##"height="90" fill="#6a6af4""##), "{svg}");
        // A negative value is drawn as zero.
        assert!(svg.contains(r##"height="0" fill="#b34000""##), "{svg}");
    }
}
