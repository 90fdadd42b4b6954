//! ODS (OpenDocument spreadsheet), written directly: a zip of `mimetype`, `content.xml`,
//! `settings.xml` (the frozen header) and the manifest, with OpenFormula formulas
//! (`of:=SUM([.D5:.D6])`) and their results, a euro currency style and the title line. See
//! docs/ARCHITECTURE.md for why not a crate.

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::disposition::{Cellule, Disposition, GenreNombre, Style, decimal_point};

const NS: &str = concat!(
    r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
    r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
    r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
    r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
    r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#,
    r#"xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" "#,
    r#"xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" "#,
    r#"xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" "#,
    r#"office:version="1.2""#
);

const STYLES: &str = r##"<office:automatic-styles>
<number:currency-style style:name="N_EUR_P" style:volatile="true"><number:number number:decimal-places="2" number:min-decimal-places="2" number:min-integer-digits="1" number:grouping="true"/><number:text> </number:text><number:currency-symbol number:language="fr" number:country="FR">€</number:currency-symbol></number:currency-style>
<number:currency-style style:name="N_EUR"><number:text>-</number:text><number:number number:decimal-places="2" number:min-decimal-places="2" number:min-integer-digits="1" number:grouping="true"/><number:text> </number:text><number:currency-symbol number:language="fr" number:country="FR">€</number:currency-symbol><style:map style:condition="value()&gt;=0" style:apply-style-name="N_EUR_P"/></number:currency-style>
<style:style style:name="ce_eur" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_EUR"/>
<style:style style:name="ce_eur_b" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_EUR"><style:text-properties fo:font-weight="bold"/></style:style>
<number:number-style style:name="N_ENT"><number:number number:decimal-places="0" number:min-integer-digits="1" number:grouping="true"/></number:number-style>
<number:number-style style:name="N_DEC"><number:number number:decimal-places="2" number:min-decimal-places="0" number:min-integer-digits="1" number:grouping="true"/></number:number-style>
<number:percentage-style style:name="N_PCT"><number:number number:decimal-places="1" number:min-decimal-places="1" number:min-integer-digits="1"/><number:text> %</number:text></number:percentage-style>
<style:style style:name="ce_ent" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_ENT"/>
<style:style style:name="ce_dec" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_DEC"/>
<style:style style:name="ce_pct" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_PCT"/>
<style:style style:name="ce_b" style:family="table-cell" style:parent-style-name="Default"><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="ce_t" style:family="table-cell" style:parent-style-name="Default"><style:text-properties fo:font-weight="bold" fo:font-size="12pt"/></style:style>
<style:style style:name="ce_h" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties fo:wrap-option="wrap" fo:background-color="#dde5f4" style:vertical-align="middle"/><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="ce_n" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties fo:wrap-option="wrap"/></style:style>
<style:style style:name="ce_i" style:family="table-cell" style:parent-style-name="Default"><style:text-properties fo:font-style="italic"/></style:style>
<style:style style:name="co_l" style:family="table-column"><style:table-column-properties style:column-width="7cm"/></style:style>
<style:style style:name="co_m" style:family="table-column"><style:table-column-properties style:column-width="3.6cm"/></style:style>
<style:style style:name="co_s" style:family="table-column"><style:table-column-properties style:column-width="2.4cm"/></style:style>
<style:style style:name="ro_h" style:family="table-row"><style:table-row-properties style:row-height="2.2cm"/></style:style>
</office:automatic-styles>"##;

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// An A1 formula (`=SUM(D5:D6)+E7`) in OpenFormula (`of:=SUM([.D5:.D6])+[.E7]`).
pub fn formule_openformula(a1: &str) -> String {
    let corps = a1.strip_prefix('=').unwrap_or(a1);
    let c: Vec<char> = corps.chars().collect();
    let mut o = String::from("of:=");
    let reference = |i: usize| -> Option<usize> {
        let mut j = i;
        while j < c.len() && c[j].is_ascii_uppercase() {
            j += 1;
        }
        let lettres = j - i;
        let debut_chiffres = j;
        while j < c.len() && c[j].is_ascii_digit() {
            j += 1;
        }
        (lettres > 0 && j > debut_chiffres).then_some(j)
    };
    let mut i = 0;
    while i < c.len() {
        if let Some(fin) = reference(i) {
            let a: String = c[i..fin].iter().collect();
            if let Some(fin2) = (fin < c.len() && c[fin] == ':')
                .then(|| reference(fin + 1))
                .flatten()
            {
                let b: String = c[fin + 1..fin2].iter().collect();
                let _ = write!(o, "[.{a}:.{b}]");
                i = fin2;
                continue;
            }
            let _ = write!(o, "[.{a}]");
            i = fin;
        } else if c[i].is_ascii_uppercase() {
            // A function name: copy it whole.
            while i < c.len() && c[i].is_ascii_uppercase() {
                o.push(c[i]);
                i += 1;
            }
        } else {
            o.push(c[i]);
            i += 1;
        }
    }
    o
}

fn contenu(nom_feuille: &str, d: &Disposition) -> String {
    let mut s = format!(r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}>"#);
    s.push_str(STYLES);
    let _ = write!(
        s,
        r#"<office:body><office:spreadsheet><table:table table:name="{}">"#,
        xml(nom_feuille)
    );
    for c in 0..d.largeur {
        let style = if c == 0 || c + 1 == d.colonnes_texte {
            "co_l"
        } else if c < d.colonnes_texte {
            "co_s"
        } else {
            "co_m"
        };
        let _ = write!(s, r#"<table:table-column table:style-name="{style}"/>"#);
    }
    for (r, ligne) in d.lignes.iter().enumerate() {
        if r == d.ligne_entete {
            s.push_str(r#"<table:table-row table:style-name="ro_h">"#);
        } else {
            s.push_str("<table:table-row>");
        }
        if ligne.is_empty() {
            s.push_str("<table:table-cell/>");
        }
        for cell in ligne {
            match cell {
                Cellule::Vide => s.push_str("<table:table-cell/>"),
                Cellule::Texte(t, style) => {
                    let st = match style {
                        Style::Titre => "ce_t",
                        Style::Entete => "ce_h",
                        Style::Total => "ce_b",
                        Style::Note => "ce_i",
                        Style::Normal => "ce_n",
                    };
                    let _ = write!(
                        s,
                        r#"<table:table-cell table:style-name="{st}" office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                        xml(t)
                    );
                }
                Cellule::Nombre { centiemes, genre, .. } => {
                    let (st, genre_valeur) = match (genre, centiemes % 100 == 0) {
                        (GenreNombre::Nombre, true) => ("ce_ent", "float"),
                        (GenreNombre::Nombre, false) => ("ce_dec", "float"),
                        (GenreNombre::Pourcentage, _) => ("ce_pct", "percentage"),
                    };
                    let _ = write!(
                        s,
                        r#"<table:table-cell table:style-name="{st}" office:value-type="{genre_valeur}" office:value="{}"><text:p>{}</text:p></table:table-cell>"#,
                        genre.valeur(*centiemes),
                        xml(&genre.texte(*centiemes))
                    );
                }
                Cellule::Montant {
                    valeur,
                    formule,
                    style,
                } => {
                    let st = if *style == Style::Total {
                        "ce_eur_b"
                    } else {
                        "ce_eur"
                    };
                    let f = formule
                        .as_deref()
                        .map(|f| format!(r#" table:formula="{}""#, xml(&formule_openformula(f))))
                        .unwrap_or_default();
                    let _ = write!(
                        s,
                        r#"<table:table-cell table:style-name="{st}"{f} office:value-type="currency" office:currency="EUR" office:value="{}"><text:p>{}</text:p></table:table-cell>"#,
                        decimal_point(*valeur),
                        valeur
                    );
                }
            }
        }
        s.push_str("</table:table-row>");
    }
    s.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    s
}

/// The frozen header: rows above and at the header, the text columns.
fn reglages(nom_feuille: &str, d: &Disposition) -> String {
    let item = |nom: &str, genre: &str, v: usize| {
        format!(r#"<config:config-item config:name="{nom}" config:type="{genre}">{v}</config:config-item>"#)
    };
    let lignes = d.ligne_entete + 1;
    let cols = d.colonnes_texte;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-settings {NS}><office:settings><config:config-item-set config:name="ooo:view-settings"><config:config-item-map-indexed config:name="Views"><config:config-item-map-entry><config:config-item config:name="ViewId" config:type="string">view1</config:config-item><config:config-item-map-named config:name="Tables"><config:config-item-map-entry config:name="{}">{}{}{}{}{}{}{}{}{}</config:config-item-map-entry></config:config-item-map-named></config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set></office:settings></office:document-settings>"#,
        xml(nom_feuille),
        item("HorizontalSplitMode", "short", 2),
        item("VerticalSplitMode", "short", 2),
        item("HorizontalSplitPosition", "int", cols),
        item("VerticalSplitPosition", "int", lignes),
        item("ActiveSplitRange", "short", 2),
        item("PositionLeft", "int", 0),
        item("PositionRight", "int", cols),
        item("PositionTop", "int", 0),
        item("PositionBottom", "int", lignes),
    )
}

const MANIFESTE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

pub fn ecrire(nom_feuille: &str, d: &Disposition) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    // The mimetype comes first, uncompressed (OpenDocument 1.2, part 3, 3.3).
    z.start_file(
        "mimetype",
        SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
    )?;
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")?;
    let deflate = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    z.start_file("content.xml", deflate)?;
    z.write_all(contenu(nom_feuille, d).as_bytes())?;
    z.start_file("settings.xml", deflate)?;
    z.write_all(reglages(nom_feuille, d).as_bytes())?;
    z.start_file("META-INF/manifest.xml", deflate)?;
    z.write_all(MANIFESTE.as_bytes())?;
    Ok(z.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formules_en_openformula() {
        assert_eq!(formule_openformula("=SUM(D5:D6)"), "of:=SUM([.D5:.D6])");
        assert_eq!(formule_openformula("=D5+E5-AA12"), "of:=[.D5]+[.E5]-[.AA12]");
        assert_eq!(formule_openformula("=0"), "of:=0");
    }
}
