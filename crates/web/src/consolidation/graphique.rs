//! Charts drawn on the server as SVG markup: no script, no `style` attribute (the
//! Content-Security-Policy allows neither inline script nor inline style; SVG presentation
//! attributes such as `fill` are not styles), colours of the DSFR palette. Each chart names
//! itself (`<title>`) and points to the table beside it, which holds every figure: the chart
//! adds nothing a screen reader would miss.
//!
//! Bar lengths are proportions for the eye only (`f64`); the amounts printed are the tables'.

use std::fmt::Write;

/// A series drawn: label and DSFR colour.
pub type Serie = (&'static str, &'static str);

/// A chart's data: its id (unique in the page), title, series, and per line (or group) its
/// label and one value per series.
pub struct Donnees {
    pub code: String,
    pub titre: String,
    pub series: &'static [Serie],
    pub lignes: Vec<(String, Vec<i64>)>,
    /// How a value is printed beside its bar or on the axis.
    pub format: fn(i64) -> String,
}

/// Blue France, its lighter tint, the « émeraude » and « tuile » illustrative colours.
pub const BLEU: &str = "#000091";
pub const BLEU_CLAIR: &str = "#6a6af4";
pub const EMERAUDE: &str = "#009081";
pub const TUILE: &str = "#ce614a";

/// Text escaped for XML content and attributes.
pub fn echapper(t: &str) -> String {
    let mut s = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            c => s.push(c),
        }
    }
    s
}

fn ouvrir(t: &Donnees, largeur: u32, hauteur: u32) -> String {
    let id = format!("graphique-{}", t.code);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pacte-graphique\" viewBox=\"0 0 {largeur} {hauteur}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"{id}-titre {id}-desc\" focusable=\"false\">\
         <title id=\"{id}-titre\">{}</title>\
         <desc id=\"{id}-desc\">Graphique en barres ; chaque valeur figure dans le tableau « {} » qui suit.</desc>",
        echapper(&t.titre),
        echapper(&t.titre)
    )
}

fn legende(s: &mut String, series: &[Serie], y: u32) {
    let mut x = 10;
    for (libelle, couleur) in series {
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{couleur}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#161616\">{}</text>",
            x + 16,
            y + 11,
            echapper(libelle)
        );
        x += 30 + 7 * libelle.chars().count() as u32;
    }
}

fn maximum(t: &Donnees) -> i64 {
    t.lignes
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1)
}

/// Vertical bars per group (a year), the series side by side.
pub fn barres_verticales(t: &Donnees) -> String {
    let (largeur, hauteur, bas, haut, gauche) = (720u32, 300u32, 250u32, 20u32, 70u32);
    let max = maximum(t);
    let mut s = ouvrir(t, largeur, hauteur);
    let _ = write!(
        s,
        "<line x1=\"{gauche}\" y1=\"{bas}\" x2=\"{}\" y2=\"{bas}\" stroke=\"#3a3a3a\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#3a3a3a\">{}</text>\
         <text x=\"{}\" y=\"{bas}\" font-size=\"11\" text-anchor=\"end\" fill=\"#3a3a3a\">0</text>",
        largeur - 10,
        gauche - 6,
        haut + 4,
        echapper(&(t.format)(max)),
        gauche - 6
    );
    let n = t.lignes.len().max(1) as u32;
    let groupe = (largeur - gauche - 10) / n;
    let barre = (groupe - 20) / t.series.len().max(1) as u32;
    for (i, (libelle, valeurs)) in t.lignes.iter().enumerate() {
        let x0 = gauche + i as u32 * groupe + 10;
        for (j, ((_, couleur), v)) in t.series.iter().zip(valeurs).enumerate() {
            let h = ((*v.max(&0) as f64 / max as f64) * f64::from(bas - haut)).round() as u32;
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\" fill=\"{couleur}\"/>",
                x0 + j as u32 * barre,
                bas - h,
                barre.saturating_sub(2)
            );
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#161616\">{}</text>",
            x0 + (groupe - 20) / 2,
            bas + 16,
            echapper(libelle)
        );
    }
    legende(&mut s, t.series, hauteur - 18);
    s.push_str("</svg>");
    s
}

/// Horizontal bars per line (a region, an axis, an indicator), the series one under the other.
pub fn barres_horizontales(t: &Donnees) -> String {
    let (largeur, gauche) = (720u32, 260u32);
    let n = t.series.len().max(1) as u32;
    let pas = 8 + 13 * n;
    let hauteur = 30 + pas * t.lignes.len() as u32 + 30;
    let max = maximum(t);
    let etendue = f64::from(largeur - gauche - 90);
    let mut s = ouvrir(t, largeur, hauteur);
    for (i, (libelle, valeurs)) in t.lignes.iter().enumerate() {
        let y = 10 + i as u32 * pas;
        let court: String = if libelle.chars().count() > 38 {
            libelle.chars().take(37).chain(['…']).collect()
        } else {
            libelle.clone()
        };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#161616\">{}</text>",
            gauche - 8,
            y + 4 + 13 * n / 2 + 4,
            echapper(&court)
        );
        for (j, ((_, couleur), v)) in t.series.iter().zip(valeurs).enumerate() {
            let v = (*v).max(0);
            let l = ((v as f64 / max as f64) * etendue).round() as u32;
            let yb = y + 4 + j as u32 * 13;
            let _ = write!(
                s,
                "<rect x=\"{gauche}\" y=\"{yb}\" width=\"{l}\" height=\"12\" fill=\"{couleur}\"/>\
                 <text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#3a3a3a\">{}</text>",
                gauche + l + 4,
                yb + 10,
                echapper(&(t.format)(v))
            );
        }
    }
    legende(&mut s, t.series, hauteur - 22);
    s.push_str("</svg>");
    s
}

/// Millions of euros, French style: `12,5 M€`.
pub fn millions(centimes: i64) -> String {
    format!("{:.1} M€", centimes as f64 / 100_000_000.0).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn donnees() -> Donnees {
        Donnees {
            code: "axes".into(),
            titre: "Montants <par> axe & d'année".into(),
            series: &[("Contractualisé", BLEU), ("Réalisé", TUILE)],
            lignes: vec![("Axe 1".into(), vec![200, 100]), ("Axe 2".into(), vec![100, 0])],
            format: millions,
        }
    }

    #[test]
    fn sans_style_ni_script_et_textes_echappes() {
        for svg in [barres_verticales(&donnees()), barres_horizontales(&donnees())] {
            assert!(!svg.contains("style"), "{svg}");
            assert!(!svg.contains("<script"), "{svg}");
            assert!(
                svg.contains("Montants &lt;par&gt; axe &amp; d&#39;année"),
                "{svg}"
            );
            assert!(svg.contains("role=\"img\""));
        }
    }

    #[test]
    fn barres_proportionnelles() {
        // The largest bar (200) spans the whole drawing width, 720 − 260 − 90 = 370 units;
        // the bar of 100 half of it, 185.
        let svg = barres_horizontales(&donnees());
        assert!(svg.contains("width=\"370\""), "{svg}");
        assert!(svg.contains("width=\"185\""), "{svg}");
    }
}
