//! Embeds every file under `static/` into the binary: generates a table of
//! (path, bytes) with `include_bytes!`, so a fresh machine needs no asset step.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fichiers(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entrees: Vec<_> = std::fs::read_dir(dir)
        .expect("static dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entrees.sort();
    for p in entrees {
        if p.is_dir() {
            fichiers(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let racine = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    println!("cargo:rerun-if-changed=static");
    let mut liste = Vec::new();
    fichiers(&racine, &mut liste);
    let mut code = String::from(
        "/// Embedded static files: (path under /statique/, bytes).\npub static FICHIERS: &[(&str, &[u8])] = &[\n",
    );
    for p in &liste {
        let relatif = p
            .strip_prefix(&racine)
            .expect("under static")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({relatif:?}, include_bytes!({:?})),",
            p.display().to_string()
        )
        .expect("write");
    }
    code.push_str("];\n");
    let sortie = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("statiques.rs");
    std::fs::write(sortie, code).expect("write statiques.rs");
    format_contrat();
}

/// The anchor GitHub gives a heading: lower case, letters, digits, spaces and dashes kept,
/// spaces → dashes (« 3. En-tête `[contrat]` » → `3-en-tête-contrat`), so that the document's
/// own table of contents links work on the page.
fn ancre(titre: &str) -> String {
    titre
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Renders docs/FORMAT-CONTRAT.md to an HTML fragment (`format_contrat.html` in OUT_DIR):
/// headings get their anchors, links to the examples go to the pages that serve them, links
/// to other repository files become plain text, tables get the DSFR table classes.
fn format_contrat() {
    use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
    let chemin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/FORMAT-CONTRAT.md");
    println!("cargo:rerun-if-changed={}", chemin.display());
    let texte = std::fs::read_to_string(&chemin).expect("docs/FORMAT-CONTRAT.md");
    let evenements: Vec<Event> = Parser::new_ext(&texte, Options::ENABLE_TABLES).collect();
    let mut sortie: Vec<Event> = Vec::with_capacity(evenements.len());
    let mut i = 0;
    let mut liens_ouverts: Vec<bool> = Vec::new();
    while i < evenements.len() {
        match &evenements[i] {
            Event::Start(Tag::Heading { level, .. }) => {
                let mut titre = String::new();
                let mut j = i + 1;
                while !matches!(evenements[j], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &evenements[j] {
                        titre.push_str(t);
                    }
                    j += 1;
                }
                // The page's own <h1> is the template's: the document's headings move one level down.
                let n = match level {
                    HeadingLevel::H1 => 2,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => 4,
                };
                sortie.push(Event::Html(CowStr::from(format!(
                    "<h{n} id=\"{}\">",
                    ancre(&titre)
                ))));
                sortie.extend(evenements[i + 1..j].iter().cloned());
                sortie.push(Event::Html(CowStr::from(format!("</h{n}>"))));
                i = j + 1;
                continue;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let d = dest_url.to_string();
                let nouveau = if d.starts_with("http") || d.starts_with('#') {
                    Some(d)
                } else {
                    d.strip_prefix("../exemples/")
                        .filter(|n| n.ends_with(".toml"))
                        .map(|n| format!("/aide/exemples/{n}"))
                };
                liens_ouverts.push(nouveau.is_some());
                if let Some(n) = nouveau {
                    sortie.push(Event::Html(CowStr::from(format!("<a href=\"{n}\">"))));
                }
            }
            Event::End(TagEnd::Link) => {
                if liens_ouverts.pop().unwrap_or(false) {
                    sortie.push(Event::Html(CowStr::from("</a>")));
                }
            }
            Event::Start(Tag::Table(_)) => {
                sortie.push(Event::Html(CowStr::from(
                    "<div class=\"fr-table fr-table--bordered fr-table--no-caption\"><div class=\"fr-table__wrapper\"><div class=\"fr-table__container\" tabindex=\"0\"><div class=\"fr-table__content\">",
                )));
                sortie.push(evenements[i].clone());
            }
            Event::End(TagEnd::Table) => {
                sortie.push(evenements[i].clone());
                sortie.push(Event::Html(CowStr::from("</div></div></div></div>")));
            }
            e => sortie.push(e.clone()),
        }
        i += 1;
    }
    let mut html_sortie = String::new();
    html::push_html(&mut html_sortie, sortie.into_iter());
    let fichier = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("format_contrat.html");
    std::fs::write(fichier, html_sortie).expect("write format_contrat.html");
}
