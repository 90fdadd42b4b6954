//! The open data file of the national indicators (issue 15, item 7): one line per
//! collectivity, year, indicator and breakdown, over the validated campaigns of the contracts
//! the reader's consolidation counts; schema in `docs/OPEN-DATA.md` (stable column names).
//!
//! Statistical secrecy: a realised value of an indicator that counts people (beneficiaries,
//! families, households, pupils — [`COMPTE_DES_PERSONNES`]) is withheld when it is between 1 and
//! 4 (under [`SEUIL_SECRET`]); the line stays, with an empty value and `secret_statistique` set.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use pacte_core::referentiel::referentiel;
use pacte_core::territoires::territoires;
use pacte_store::consolidation::IndicateurConsolide;

use super::territoire_pour;
use crate::{ErreurWeb, Etat, Utilisateur};

/// The national indicators that count people (annexe 6, « Unité »): families (NI-1.1),
/// mothers (NI-1.2), teenagers (NI-1.3), young people (NI-1.4), job seekers (NI-2.1, and
/// NI-2.3's breakdowns), people reached or accompanied (NI-3.1, NI-3.2, NI-3.6 to NI-3.8),
/// households facing eviction (NI-3.5, « dossiers » of households), households visited
/// (NI-4.1), people diagnosed (NI-4.2), pupils (NI-4.3). Not: the professionals trained
/// (NI-2.2, NI-3.3: staff, not the people helped) and the CCAPEX full-time equivalents
/// (NI-3.4).
pub const COMPTE_DES_PERSONNES: [&str; 15] = [
    "NI-1.1", "NI-1.2", "NI-1.3", "NI-1.4", "NI-2.1", "NI-2.3", "NI-3.1", "NI-3.2", "NI-3.5", "NI-3.6",
    "NI-3.7", "NI-3.8", "NI-4.1", "NI-4.2", "NI-4.3",
];

/// Counts of people under this many units are withheld (1 to 4).
pub const SEUIL_SECRET: i64 = 5;

/// Whether the realised value `centiemes` (hundredths) of indicator `code` may be published.
pub fn diffusable(code: &str, centiemes: i64) -> bool {
    !COMPTE_DES_PERSONNES.contains(&code) || centiemes <= 0 || centiemes >= SEUIL_SECRET * 100
}

/// The columns, in order (the schema of docs/OPEN-DATA.md).
pub const COLONNES: [&str; 15] = [
    "annee",
    "code_collectivite",
    "siren",
    "nom_collectivite",
    "code_departement",
    "code_region",
    "indicateur",
    "ventilation",
    "libelle_ventilation",
    "unite",
    "valeur_realisee",
    "valeur_cible",
    "fiches_contributrices",
    "secret_statistique",
    "libelle_indicateur",
];

/// A decimal with a point and no trailing zeros: `12`, `12.5`, `0.25`.
fn decimal(centiemes: i64) -> String {
    let signe = if centiemes < 0 { "-" } else { "" };
    let (e, c) = (centiemes.abs() / 100, centiemes.abs() % 100);
    match c {
        0 => format!("{signe}{e}"),
        c if c % 10 == 0 => format!("{signe}{e}.{}", c / 10),
        c => format!("{signe}{e}.{c:02}"),
    }
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
fn champ(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The file: UTF-8 without byte order mark, `,` between fields, `.` as decimal point, LF.
pub fn csv(lignes: &[IndicateurConsolide]) -> String {
    let t = territoires();
    let r = referentiel();
    let mut s = COLONNES.join(",");
    s.push('\n');
    for l in lignes {
        let k = t.collectivite(&l.collectivite);
        let def = r.indicateur(&l.code);
        let secret = !diffusable(&l.code, l.realise);
        let ventilation = if l.ventilation == 0 {
            String::new()
        } else {
            def.and_then(|d| d.ventilations.get(usize::from(l.ventilation) - 1))
                .cloned()
                .unwrap_or_default()
        };
        let cellules = [
            l.annee.to_string(),
            l.collectivite.clone(),
            k.and_then(|k| k.siren.as_ref().map(|s| s.as_str().to_string()))
                .unwrap_or_default(),
            k.map(|k| k.nom.clone()).unwrap_or_default(),
            k.map(|k| k.departement.clone()).unwrap_or_default(),
            k.and_then(|k| t.region_de(k))
                .map(|r| r.code.clone())
                .unwrap_or_default(),
            l.code.clone(),
            l.ventilation.to_string(),
            ventilation,
            def.map(|d| d.unite.clone()).unwrap_or_default(),
            if secret { String::new() } else { decimal(l.realise) },
            decimal(l.cible),
            l.contributions.to_string(),
            secret.to_string(),
            def.map(|d| d.libelle.clone()).unwrap_or_default(),
        ];
        s.push_str(&cellules.iter().map(|c| champ(c)).collect::<Vec<_>>().join(","));
        s.push('\n');
    }
    s
}

/// `GET /consolidation/donnees-ouvertes/indicateurs-nationaux.csv`: the reader's territory.
pub async fn indicateurs_nationaux(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    let territoire = territoire_pour(&u, None)?;
    let mut portee = u.habilitation.portee_lecture();
    portee.territoire = territoire;
    let lignes = etat.base.indicateurs_consolides(&portee, true).await?;
    let mut r = csv(&lignes).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"pacte-indicateurs-nationaux.csv\""),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_sous_cinq_personnes() {
        // NI-2.1 counts people: 4 is withheld, 5 is published; 0 (nobody) is published.
        assert!(!diffusable("NI-2.1", 400));
        assert!(diffusable("NI-2.1", 500));
        assert!(!diffusable("NI-2.1", 1));
        assert!(diffusable("NI-2.1", 0));
        // NI-3.4 counts full-time equivalents and NI-2.2 professionals: always published.
        assert!(diffusable("NI-3.4", 200));
        assert!(diffusable("NI-2.2", 300));
    }

    #[test]
    fn colonnes_et_decimales() {
        let l = |code: &str, realise| IndicateurConsolide {
            annee: 2024,
            collectivite: "200054807".into(),
            code: code.into(),
            ventilation: 0,
            realise,
            cible: 1250,
            contributions: 2,
            contrats: 1,
        };
        let f = csv(&[l("NI-2.1", 400), l("NI-2.1", 500), l("NI-3.4", 250)]);
        let lignes: Vec<&str> = f.lines().collect();
        assert_eq!(lignes[0], COLONNES.join(","));
        let champs = |i: usize| lignes[i].split(',').map(String::from).collect::<Vec<_>>();
        assert_eq!(champs(1)[10], "", "4 personnes : masqué");
        assert_eq!(champs(1)[13], "true");
        assert_eq!(champs(2)[10], "5", "5 personnes : publié");
        assert_eq!(champs(2)[13], "false");
        assert_eq!(champs(3)[10], "2.5");
        assert_eq!(champs(3)[11], "12.5");
        assert_eq!(champs(1)[1], "200054807");
        assert_eq!(champs(1)[5], "93");
    }
}
