//! The ODT rendering (OpenDocument text 1.3): the same document description as the PDF,
//! written as a zip of `mimetype` (first, stored), `content.xml`, `styles.xml` (page styles
//! with the running header and the page numbers, heading and table styles), `meta.xml`
//! (title, language) and the manifest. Headings are real outline headings, tables have a
//! repeated header row, so the document stays editable in LibreOffice or Word.

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::ErreurDocument;
use crate::modele::{Bloc, Document, GenreLigne, Morceau, Tableau};

const MIME: &str = "application/vnd.oasis.opendocument.text";

const NS: &str = concat!(
    r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
    r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
    r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
    r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
    r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#,
    r#"xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" "#,
    r#"xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" "#,
    r#"xmlns:dc="http://purl.org/dc/elements/1.1/" "#,
    r#"office:version="1.3""#
);

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Characters XML 1.0 forbids (control characters but tab and line feed).
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// A text with its line breaks as `<text:line-break/>`.
fn texte(s: &str) -> String {
    xml(s).replace('\n', "<text:line-break/>")
}

fn styles(doc: &Document) -> String {
    let entete = format!(
        "{}{}",
        if doc.projet {
            r#"<text:span text:style-name="T_gras">PROJET</text:span> — "#
        } else {
            ""
        },
        xml(&doc.entete)
    );
    let pied = format!(
        r#"{}<text:tab/>Page <text:page-number text:select-page="current"/> sur <text:page-count/>"#,
        xml(&doc.pied)
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {NS}>
<office:font-face-decls><style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'" style:font-family-generic="swiss" style:font-pitch="variable"/></office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.18cm"/><style:text-properties style:font-name="Liberation Sans" fo:font-size="10pt" fo:language="fr" fo:country="FR"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph" style:class="text"/>
<style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph" style:parent-style-name="Standard" style:class="text"><style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.2cm"/></style:style>
<style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard" style:next-style-name="Text_20_body" style:class="text"><style:paragraph-properties fo:margin-top="0.4cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always"/><style:text-properties fo:font-weight="bold" fo:color="#000091"/></style:style>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="1" style:class="text"><style:text-properties fo:font-size="15pt"/></style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="2" style:class="text"><style:text-properties fo:font-size="12pt"/></style:style>
<style:style style:name="Heading_20_3" style:display-name="Heading 3" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="3" style:class="text"><style:text-properties fo:font-size="10.5pt" fo:color="#000000"/></style:style>
<style:style style:name="Heading_20_4" style:display-name="Heading 4" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="4" style:class="text"><style:text-properties fo:font-size="10pt" fo:color="#000000"/></style:style>
<style:style style:name="Table_20_Contents" style:display-name="Table Contents" style:family="paragraph" style:parent-style-name="Standard" style:class="extra"><style:paragraph-properties fo:margin-bottom="0cm"/><style:text-properties fo:font-size="8pt"/></style:style>
<style:style style:name="Table_20_Heading" style:display-name="Table Heading" style:family="paragraph" style:parent-style-name="Table_20_Contents" style:class="extra"><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard" style:class="extra"><style:text-properties fo:font-size="8pt" fo:color="#3a3a3a"/></style:style>
<style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard" style:class="extra"><style:paragraph-properties><style:tab-stops><style:tab-stop style:position="17.4cm" style:type="right"/></style:tab-stops></style:paragraph-properties><style:text-properties fo:font-size="8pt" fo:color="#3a3a3a"/></style:style>
<style:style style:name="Footer_20_Paysage" style:family="paragraph" style:parent-style-name="Footer" style:class="extra"><style:paragraph-properties><style:tab-stops><style:tab-stop style:position="26.1cm" style:type="right"/></style:tab-stops></style:paragraph-properties></style:style>
<style:style style:name="T_gras" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="T_italique" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="PL_portrait"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="1.2cm" fo:margin-bottom="1.2cm" fo:margin-left="1.8cm" fo:margin-right="1.8cm"/><style:header-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.4cm"/></style:header-style><style:footer-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.4cm"/></style:footer-style></style:page-layout>
<style:page-layout style:name="PL_paysage"><style:page-layout-properties fo:page-width="29.7cm" fo:page-height="21cm" style:print-orientation="landscape" fo:margin-top="1.2cm" fo:margin-bottom="1.2cm" fo:margin-left="1.8cm" fo:margin-right="1.8cm"/><style:header-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.4cm"/></style:header-style><style:footer-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.4cm"/></style:footer-style></style:page-layout>
</office:automatic-styles>
<office:master-styles>
<style:master-page style:name="Standard" style:page-layout-name="PL_portrait"><style:header><text:p text:style-name="Header">{entete}</text:p></style:header><style:footer><text:p text:style-name="Footer">{pied}</text:p></style:footer></style:master-page>
<style:master-page style:name="Paysage" style:page-layout-name="PL_paysage"><style:header><text:p text:style-name="Header">{entete}</text:p></style:header><style:footer><text:p text:style-name="Footer_20_Paysage">{pied}</text:p></style:footer></style:master-page>
</office:master-styles>
</office:document-styles>"##
    );
    s
}

/// The automatic styles of the content: one column style per table column width, the page
/// starts of sections, cell styles.
fn styles_automatiques(doc: &Document, o: &mut String) {
    o.push_str("<office:automatic-styles>");
    for master in ["Standard", "Paysage"] {
        for niveau in 1..=4 {
            let _ = write!(
                o,
                r#"<style:style style:name="H{niveau}_{master}" style:family="paragraph" style:parent-style-name="Heading_20_{niveau}" style:master-page-name="{master}"/>"#
            );
        }
        let _ = write!(
            o,
            r#"<style:style style:name="P_{master}" style:family="paragraph" style:parent-style-name="Text_20_body" style:master-page-name="{master}"/>"#
        );
    }
    o.push_str(r#"<style:style style:name="P_saut" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:break-before="page"/></style:style>"#);
    o.push_str(r#"<style:style style:name="H_saut" style:family="paragraph" style:parent-style-name="Heading_20_3"><style:paragraph-properties fo:break-before="page"/></style:style>"#);
    o.push_str(r#"<style:style style:name="P_centre" style:family="paragraph" style:parent-style-name="Text_20_body"><style:paragraph-properties fo:text-align="center"/></style:style>"#);
    o.push_str(r#"<style:style style:name="P_droite" style:family="paragraph" style:parent-style-name="Table_20_Contents"><style:paragraph-properties fo:text-align="end"/></style:style>"#);
    o.push_str(r#"<style:style style:name="P_droite_gras" style:family="paragraph" style:parent-style-name="P_droite"><style:text-properties fo:font-weight="bold"/></style:style>"#);
    o.push_str(r#"<style:style style:name="P_gras" style:family="paragraph" style:parent-style-name="Table_20_Contents"><style:text-properties fo:font-weight="bold"/></style:style>"#);
    o.push_str(r#"<style:style style:name="C_normale" style:family="table-cell"><style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #929292"/></style:style>"#);
    o.push_str(r##"<style:style style:name="C_entete" style:family="table-cell"><style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #929292" fo:background-color="#e3e3fd"/></style:style>"##);
    o.push_str(r##"<style:style style:name="C_groupe" style:family="table-cell"><style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #929292" fo:background-color="#f6f6f6"/></style:style>"##);
    o.push_str(r##"<style:style style:name="C_total" style:family="table-cell"><style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #929292" fo:background-color="#eeeeee"/></style:style>"##);
    o.push_str(r#"<style:style style:name="C_sign" style:family="table-cell"><style:table-cell-properties fo:padding="0.1cm" fo:border="none"/></style:style>"#);
    let mut n = 0;
    for s in &doc.sections {
        let largeur_page = if s.paysage { 26.1 } else { 17.4 };
        for b in &s.blocs {
            let colonnes: Vec<u16> = match b {
                Bloc::Tableau(t) => t.colonnes.iter().map(|c| c.largeur).collect(),
                Bloc::Signatures { colonnes } => vec![1; colonnes.len()],
                _ => continue,
            };
            n += 1;
            let _ = write!(
                o,
                r#"<style:style style:name="Tab{n}" style:family="table"><style:table-properties style:width="{largeur_page}cm" table:align="margins"/></style:style>"#
            );
            let total: f64 = colonnes.iter().map(|&l| l.max(1) as f64).sum();
            for (i, l) in colonnes.iter().enumerate() {
                let w = largeur_page * (*l).max(1) as f64 / total;
                let _ = write!(
                    o,
                    r#"<style:style style:name="Tab{n}_{i}" style:family="table-column"><style:table-column-properties style:column-width="{w:.3}cm"/></style:style>"#
                );
            }
        }
    }
    o.push_str("</office:automatic-styles>");
}

fn morceaux(m: &[Morceau]) -> String {
    let mut o = String::new();
    for m in m {
        let style = match (m.gras, m.italique) {
            (true, _) => Some("T_gras"),
            (false, true) => Some("T_italique"),
            _ => None,
        };
        match style {
            Some(s) => {
                let _ = write!(
                    o,
                    r#"<text:span text:style-name="{s}">{}</text:span>"#,
                    texte(&m.texte)
                );
            }
            None => o.push_str(&texte(&m.texte)),
        }
    }
    o
}

fn tableau(t: &Tableau, n: usize, o: &mut String) {
    let _ = write!(
        o,
        r#"<table:table table:name="Tableau{n}" table:style-name="Tab{n}">"#
    );
    for i in 0..t.colonnes.len() {
        let _ = write!(o, r#"<table:table-column table:style-name="Tab{n}_{i}"/>"#);
    }
    o.push_str("<table:table-header-rows><table:table-row>");
    for c in &t.colonnes {
        let _ = write!(
            o,
            r#"<table:table-cell table:style-name="C_entete" office:value-type="string"><text:p text:style-name="Table_20_Heading">{}</text:p></table:table-cell>"#,
            texte(&c.libelle)
        );
    }
    o.push_str("</table:table-row></table:table-header-rows>");
    for l in &t.lignes {
        o.push_str("<table:table-row>");
        match l.genre {
            GenreLigne::Groupe => {
                let n = t.colonnes.len();
                let _ = write!(
                    o,
                    r#"<table:table-cell table:style-name="C_groupe" table:number-columns-spanned="{n}" office:value-type="string"><text:p text:style-name="P_gras">{}</text:p></table:table-cell>"#,
                    texte(l.cellules.first().map_or("", String::as_str))
                );
                for _ in 1..n {
                    o.push_str("<table:covered-table-cell/>");
                }
            }
            GenreLigne::Normale | GenreLigne::Total => {
                let total = l.genre == GenreLigne::Total;
                for (i, c) in l.cellules.iter().enumerate() {
                    let nombre = t.colonnes.get(i).is_some_and(|c| c.nombre);
                    let p = match (nombre, total) {
                        (true, true) => "P_droite_gras",
                        (true, false) => "P_droite",
                        (false, true) => "P_gras",
                        (false, false) => "Table_20_Contents",
                    };
                    let _ = write!(
                        o,
                        r#"<table:table-cell table:style-name="{}" office:value-type="string"><text:p text:style-name="{p}">{}</text:p></table:table-cell>"#,
                        if total { "C_total" } else { "C_normale" },
                        texte(c)
                    );
                }
            }
        }
        o.push_str("</table:table-row>");
    }
    o.push_str("</table:table>");
}

fn contenu(doc: &Document) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}>"#
    );
    styles_automatiques(doc, &mut o);
    o.push_str("<office:body><office:text>");
    let mut n = 0;
    for s in &doc.sections {
        let master = if s.paysage { "Paysage" } else { "Standard" };
        // The first paragraph of a section names its page style: a new page of that style.
        let mut premier = true;
        let mut saut = false;
        for b in &s.blocs {
            match b {
                Bloc::Titre { niveau, texte: t } => {
                    let niveau = (*niveau).clamp(1, 4);
                    let style = if premier {
                        format!("H{niveau}_{master}")
                    } else if saut {
                        "H_saut".to_string()
                    } else {
                        format!("Heading_20_{niveau}")
                    };
                    let _ = write!(
                        o,
                        r#"<text:h text:style-name="{style}" text:outline-level="{niveau}">{}</text:h>"#,
                        texte(t)
                    );
                }
                Bloc::Paragraphe { morceaux: m, centre } => {
                    let style = if premier {
                        format!("P_{master}")
                    } else if saut {
                        "P_saut".to_string()
                    } else if *centre {
                        "P_centre".to_string()
                    } else {
                        "Text_20_body".to_string()
                    };
                    let _ = write!(o, r#"<text:p text:style-name="{style}">{}</text:p>"#, morceaux(m));
                }
                Bloc::Tableau(t) => {
                    if premier || saut {
                        let style = if premier {
                            format!("P_{master}")
                        } else {
                            "P_saut".into()
                        };
                        let _ = write!(o, r#"<text:p text:style-name="{style}"/>"#);
                    }
                    n += 1;
                    tableau(t, n, &mut o);
                }
                Bloc::Signatures { colonnes } => {
                    if premier || saut {
                        let style = if premier {
                            format!("P_{master}")
                        } else {
                            "P_saut".into()
                        };
                        let _ = write!(o, r#"<text:p text:style-name="{style}"/>"#);
                    }
                    n += 1;
                    let _ = write!(
                        o,
                        r#"<table:table table:name="Signatures{n}" table:style-name="Tab{n}">"#
                    );
                    for i in 0..colonnes.len() {
                        let _ = write!(o, r#"<table:table-column table:style-name="Tab{n}_{i}"/>"#);
                    }
                    o.push_str("<table:table-row>");
                    for c in colonnes {
                        o.push_str(
                            r#"<table:table-cell table:style-name="C_sign" office:value-type="string">"#,
                        );
                        for (i, l) in c.iter().enumerate() {
                            let style = if i == 0 { "P_gras" } else { "Text_20_body" };
                            let _ = write!(o, r#"<text:p text:style-name="{style}">{}</text:p>"#, texte(l));
                        }
                        o.push_str("</table:table-cell>");
                    }
                    o.push_str("</table:table-row></table:table>");
                }
                Bloc::Saut => {
                    saut = true;
                    continue;
                }
            }
            premier = false;
            saut = false;
        }
    }
    o.push_str("</office:text></office:body></office:document-content>");
    o
}

fn meta(doc: &Document) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-meta {NS}><office:meta><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>fr-FR</dc:language><meta:generator>Pacte</meta:generator></office:meta></office:document-meta>"#,
        xml(&doc.titre),
        xml(&doc.auteur)
    )
}

const MANIFESTE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// The ODT of `doc`.
pub fn odt(doc: &Document) -> Result<Vec<u8>, ErreurDocument> {
    let ecrire = || -> Result<Vec<u8>, zip::result::ZipError> {
        let mut z = ZipWriter::new(Cursor::new(Vec::new()));
        // The mimetype comes first, uncompressed (OpenDocument 1.3, part 2, 3.3).
        z.start_file(
            "mimetype",
            SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
        )?;
        z.write_all(MIME.as_bytes())?;
        let deflate = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        z.start_file("content.xml", deflate)?;
        z.write_all(contenu(doc).as_bytes())?;
        z.start_file("styles.xml", deflate)?;
        z.write_all(styles(doc).as_bytes())?;
        z.start_file("meta.xml", deflate)?;
        z.write_all(meta(doc).as_bytes())?;
        z.start_file("META-INF/manifest.xml", deflate)?;
        z.write_all(MANIFESTE.as_bytes())?;
        Ok(z.finish()?.into_inner())
    };
    ecrire().map_err(|e| ErreurDocument::Moteur(format!("écriture ODT : {e}")))
}
