//! What an uploaded file is, said in French before anything tries to read it as a contract:
//! an image, a spreadsheet, a PDF, a word-processing document, an archive, an empty file, text
//! in another encoding than UTF-8, a CSV table. Recognised by content (the first bytes), not
//! by name. The import pages show [`refus`]'s message instead of a parser's.

/// The French message refusing `octets` as a contract file, or `None` when they are UTF-8
/// text that may be one (the TOML reader then says what is wrong, line by line).
pub fn refus(octets: &[u8]) -> Option<String> {
    const SUITE: &str = "Un fichier de contrat est un fichier texte au format TOML (.toml), encodé en UTF-8 : partez du modèle vierge ou d'un fichier exporté par Pacte.";
    if octets.iter().all(|b| b.is_ascii_whitespace()) {
        return Some(format!(
            "Le fichier est vide{}. {SUITE}",
            if octets.is_empty() {
                ""
            } else {
                " (il ne contient que des espaces)"
            }
        ));
    }
    let commence = |m: &[u8]| octets.starts_with(m);
    let nature = if commence(b"\x89PNG") {
        Some("une image PNG")
    } else if commence(b"\xff\xd8\xff") {
        Some("une image JPEG")
    } else if commence(b"GIF87a") || commence(b"GIF89a") {
        Some("une image GIF")
    } else if commence(b"RIFF") && octets.get(8..12) == Some(b"WEBP") {
        Some("une image WebP")
    } else if commence(b"%PDF") {
        Some("un document PDF")
    } else if commence(b"PK\x03\x04") {
        Some(archive(octets))
    } else if commence(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        Some("un document Microsoft Office ancien format (.xls ou .doc)")
    } else if commence(b"{\\rtf") {
        Some("un document RTF")
    } else if commence(b"\xff\xfe") || commence(b"\xfe\xff") {
        Some("un texte encodé en UTF-16, pas en UTF-8")
    } else {
        None
    };
    if let Some(n) = nature {
        return Some(format!("Ce fichier est {n}, pas un fichier de contrat. {SUITE}"));
    }
    let Ok(texte) = std::str::from_utf8(octets) else {
        return Some(if octets.contains(&0) {
            format!("Ce fichier n'est pas un fichier texte (il contient des données binaires). {SUITE}")
        } else {
            format!(
                "Ce fichier texte n'est pas encodé en UTF-8 (probablement en Windows-1252 ou ISO-8859-1, l'encodage d'anciens tableurs et éditeurs) : enregistrez-le en UTF-8 depuis votre éditeur, puis importez-le de nouveau. {SUITE}"
            )
        });
    };
    if texte.contains('\0') {
        return Some(format!(
            "Ce fichier n'est pas un fichier texte (il contient des données binaires). {SUITE}"
        ));
    }
    if ressemble_a_un_csv(texte) {
        return Some(format!(
            "Ce fichier est un tableau (CSV, colonnes séparées par « {} »), pas un fichier de contrat : Pacte n'importe pas encore de tableaux. {SUITE}",
            separateur(texte)
        ));
    }
    None
}

/// The kind of a ZIP container, from the names of its first entries (office documents keep
/// them near the start).
fn archive(octets: &[u8]) -> &'static str {
    let debut = &octets[..octets.len().min(4096)];
    let contient = |m: &[u8]| debut.windows(m.len()).any(|w| w == m);
    if contient(b"application/vnd.oasis.opendocument.spreadsheet") {
        "un classeur OpenDocument (.ods)"
    } else if contient(b"application/vnd.oasis.opendocument.text") {
        "un document texte OpenDocument (.odt)"
    } else if contient(b"xl/") {
        "un classeur Excel (.xlsx)"
    } else if contient(b"word/") {
        "un document Word (.docx)"
    } else if contient(b"[Content_Types].xml") {
        "un document Microsoft Office (.xlsx, .docx ou .pptx)"
    } else {
        "une archive compressée (ZIP)"
    }
}

fn separateur(texte: &str) -> char {
    let premiere = texte.lines().next().unwrap_or_default();
    if premiere.matches(';').count() >= premiere.matches(',').count() {
        ';'
    } else {
        ','
    }
}

/// Several first lines with the same number (≥ 1) of `;` or `,` separators and no TOML
/// syntax (`=`, `[`) at the start of a line.
fn ressemble_a_un_csv(texte: &str) -> bool {
    let lignes: Vec<&str> = texte
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(5)
        .collect();
    if lignes.is_empty() || lignes.iter().any(|l| l.starts_with('[') || l.contains('=')) {
        return false;
    }
    let sep = separateur(texte);
    let n = lignes[0].matches(sep).count();
    n >= 1 && lignes.iter().all(|l| l.matches(sep).count() == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaque_nature_est_nommee() {
        let cas: [(&[u8], &str); 9] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "une image PNG"),
            (b"\xff\xd8\xff\xe0\0\x10JFIF", "une image JPEG"),
            (b"%PDF-1.7\n", "un document PDF"),
            (
                b"PK\x03\x04\x14\0\0\0[Content_Types].xml xl/workbook.xml",
                "un classeur Excel (.xlsx)",
            ),
            (
                b"PK\x03\x04\0\0mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
                "un classeur OpenDocument (.ods)",
            ),
            (b"", "Le fichier est vide."),
            (b" \n\n", "Le fichier est vide (il ne contient que des espaces)."),
            (
                b"collectivite = \"Coll\xe9ctivit\xe9\"\n",
                "n'est pas encodé en UTF-8",
            ),
            (
                b"numero;intitule;etat\n1.1;Accueil;40000\n1.2;Insertion;30000\n",
                "est un tableau (CSV, colonnes séparées par « ; »)",
            ),
        ];
        for (octets, attendu) in cas {
            let m = refus(octets).unwrap_or_default();
            assert!(m.contains(attendu), "{attendu:?} attendu dans {m:?}");
            // A French sentence, never a parser's.
            assert!(m.contains("fichier texte au format TOML"), "{m}");
        }
    }

    #[test]
    fn un_fichier_toml_passe() {
        assert_eq!(refus(b"[contrat]\ncollectivite = \"13\"\n"), None);
        // Broken TOML is left to the reader, which names the line.
        assert_eq!(refus(b"[contrat\ncollectivite = 13\n"), None);
        assert_eq!(refus(super::super::format::MODELE.as_bytes()), None);
    }
}
