//! Helpers shared by the documents' tests: the text tools (poppler, LibreOffice) and
//! whitespace-insensitive comparison.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The path of a text tool, or `None` (test skipped) outside CI when it is missing.
pub fn outil(nom: &str) -> Option<PathBuf> {
    ["/usr/bin", "/usr/local/bin"]
        .iter()
        .map(|d| Path::new(d).join(nom))
        .find(|p| p.exists())
        .or_else(|| {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{nom} est requis en intégration continue (scripts/test l'installe)");
            }
            eprintln!(
                "{nom} absent : test non exécuté (scripts/test installe poppler-utils et LibreOffice Writer)."
            );
            None
        })
}

/// A working folder of this test process.
pub fn dossier(prefixe: &str, nom: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("{prefixe}-{nom}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Whitespace collapsed, non-breaking spaces as spaces: text laid out in lines and cells
/// compares with the data.
pub fn normaliser(t: &str) -> String {
    t.replace(['\u{a0}', '\u{202f}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
