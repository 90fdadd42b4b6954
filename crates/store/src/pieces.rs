//! Documents attached to a contract, one of its fiches or one of its acts (the deliberation,
//! the signed convention, the denunciation letter, any supporting file).
//!
//! The bytes are kept in the base (`pieces.contenu`, BLOB on SQLite, BYTEA on PostgreSQL) with
//! their SHA-256, written through the one audited write path: the audit entry (entity `piece`)
//! records the metadata and the hash, so the log vouches for the content without holding it.
//! Backups carry the bytes (base64) and a restore checks every hash.
//!
//! The type is recognised from the content, never from the name ([`reconnaitre`]): PDF, PNG
//! and JPEG by their signature; the office formats, which are ZIP archives, by their entries
//! (OpenDocument: the uncompressed `mimetype` entry first in the archive; Office Open XML:
//! `[Content_Types].xml` and the main part, `word/document.xml` or `xl/workbook.xml`).

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Base;
use crate::ecriture::Ecriture;
use crate::erreur::{ErreurStore, Resultat};

/// Audit entity of attached documents.
pub(crate) const ENTITE_PIECE: &str = "piece";

/// The largest document accepted: 10 Mio. Announced on every upload form.
pub const TAILLE_MAX: usize = 10 * 1024 * 1024;

/// The limit as users read it.
pub const TAILLE_MAX_LIBELLE: &str = "10 Mo";

/// Longest stored file name, in characters.
pub const NOM_MAX: usize = 200;

/// The accepted document types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TypePiece {
    Pdf,
    Odt,
    Ods,
    Docx,
    Xlsx,
    Png,
    Jpeg,
}

impl TypePiece {
    pub const TOUS: [TypePiece; 7] = [
        TypePiece::Pdf,
        TypePiece::Odt,
        TypePiece::Ods,
        TypePiece::Docx,
        TypePiece::Xlsx,
        TypePiece::Png,
        TypePiece::Jpeg,
    ];

    pub fn mime(self) -> &'static str {
        match self {
            TypePiece::Pdf => "application/pdf",
            TypePiece::Odt => "application/vnd.oasis.opendocument.text",
            TypePiece::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            TypePiece::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            TypePiece::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            TypePiece::Png => "image/png",
            TypePiece::Jpeg => "image/jpeg",
        }
    }

    pub fn depuis_mime(mime: &str) -> Option<TypePiece> {
        TypePiece::TOUS.into_iter().find(|t| t.mime() == mime)
    }

    /// The extension a downloaded file is given.
    pub fn extension(self) -> &'static str {
        match self {
            TypePiece::Pdf => "pdf",
            TypePiece::Odt => "odt",
            TypePiece::Ods => "ods",
            TypePiece::Docx => "docx",
            TypePiece::Xlsx => "xlsx",
            TypePiece::Png => "png",
            TypePiece::Jpeg => "jpg",
        }
    }

    /// « document PDF », for messages and lists.
    pub fn libelle(self) -> &'static str {
        match self {
            TypePiece::Pdf => "document PDF",
            TypePiece::Odt => "texte OpenDocument",
            TypePiece::Ods => "tableur OpenDocument",
            TypePiece::Docx => "document Word",
            TypePiece::Xlsx => "classeur Excel",
            TypePiece::Png => "image PNG",
            TypePiece::Jpeg => "image JPEG",
        }
    }
}

/// The accepted types, as announced next to an upload field.
pub const TYPES_ACCEPTES: &str = "PDF, ODT, ODS, DOCX, XLSX, PNG ou JPEG";

/// The type of `octets`, recognised from the content; the French reason of a refusal
/// otherwise (naming what the file looks like when that is known).
pub fn reconnaitre(octets: &[u8]) -> Result<TypePiece, String> {
    if octets.is_empty() {
        return Err("le fichier est vide".into());
    }
    if octets.len() > TAILLE_MAX {
        return Err(format!(
            "le fichier pèse {} ; la limite est de {TAILLE_MAX_LIBELLE}",
            taille_lisible(octets.len() as i64)
        ));
    }
    if octets.starts_with(b"%PDF-") {
        return Ok(TypePiece::Pdf);
    }
    if octets.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(TypePiece::Png);
    }
    if octets.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(TypePiece::Jpeg);
    }
    if octets.starts_with(b"PK\x03\x04") {
        return reconnaitre_zip(octets);
    }
    let apercu = &octets[..octets.len().min(512)];
    let nature = if std::str::from_utf8(apercu).is_ok() || apercu.iter().all(|b| b.is_ascii()) {
        "un fichier texte"
    } else if octets.starts_with(b"GIF8") {
        "une image GIF"
    } else if octets.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "un document Office ancien (.doc ou .xls)"
    } else {
        "un fichier d'un type non reconnu"
    };
    Err(format!(
        "le contenu du fichier n'est pas d'un type accepté ({TYPES_ACCEPTES}) : c'est {nature}, quel que soit son nom"
    ))
}

fn u16_le(o: &[u8], i: usize) -> Option<usize> {
    o.get(i..i + 2)
        .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_le(o: &[u8], i: usize) -> Option<usize> {
    o.get(i..i + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// The names of the entries of a ZIP archive, from its central directory.
fn noms_zip(o: &[u8]) -> Option<Vec<String>> {
    // The end-of-central-directory record is in the last 22 + 65 535 bytes.
    let debut = o.len().saturating_sub(22 + 65_535);
    let fin = (debut..=o.len().saturating_sub(22))
        .rev()
        .find(|&i| o[i..].starts_with(b"PK\x05\x06"))?;
    let n = u16_le(o, fin + 10)?;
    let mut i = u32_le(o, fin + 16)?;
    let mut noms = Vec::with_capacity(n.min(1_000));
    for _ in 0..n.min(10_000) {
        if !o.get(i..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let (l_nom, l_extra, l_comm) = (u16_le(o, i + 28)?, u16_le(o, i + 30)?, u16_le(o, i + 32)?);
        noms.push(String::from_utf8_lossy(o.get(i + 46..i + 46 + l_nom)?).into_owned());
        i += 46 + l_nom + l_extra + l_comm;
    }
    Some(noms)
}

fn reconnaitre_zip(o: &[u8]) -> Result<TypePiece, String> {
    // OpenDocument: the first entry is `mimetype`, stored uncompressed, holding the type.
    if u16_le(o, 26) == Some(8) && o.get(30..38) == Some(b"mimetype") && u16_le(o, 8) == Some(0) {
        let taille = u32_le(o, 18).unwrap_or(0);
        let extra = u16_le(o, 28).unwrap_or(0);
        let contenu = o.get(38 + extra..38 + extra + taille).unwrap_or_default();
        for t in [TypePiece::Odt, TypePiece::Ods] {
            if contenu == t.mime().as_bytes() {
                return Ok(t);
            }
        }
        return Err(format!(
            "le fichier est un document OpenDocument d'un type non accepté (« {} ») : seuls le texte (ODT) et le tableur (ODS) le sont",
            String::from_utf8_lossy(&contenu[..contenu.len().min(80)])
        ));
    }
    let Some(noms) = noms_zip(o) else {
        return Err("le fichier commence comme une archive ZIP mais son répertoire est illisible (fichier tronqué ou endommagé)".into());
    };
    let a = |nom: &str| noms.iter().any(|n| n == nom);
    if a("[Content_Types].xml") {
        if a("word/document.xml") {
            return Ok(TypePiece::Docx);
        }
        if a("xl/workbook.xml") {
            return Ok(TypePiece::Xlsx);
        }
    }
    Err(format!(
        "le fichier est une archive ZIP qui n'est ni un document OpenDocument ni un document Office ({TYPES_ACCEPTES} acceptés)"
    ))
}

/// « 1,5 Mo », « 12 ko », « 300 octets ».
pub fn taille_lisible(octets: i64) -> String {
    const KO: i64 = 1024;
    if octets < KO {
        format!("{octets} octets")
    } else if octets < KO * KO {
        format!("{} ko", (octets + KO / 2) / KO)
    } else {
        let dixiemes = (octets * 10 + KO * KO / 2) / (KO * KO);
        format!("{},{} Mo", dixiemes / 10, dixiemes % 10)
    }
}

/// A file name kept for display and download: the last path component, control characters
/// and quotes removed, bounded; « document » when nothing is left.
pub fn nom_sur(nom: &str) -> String {
    let dernier = nom.rsplit(['/', '\\']).next().unwrap_or("");
    let propre: String = dernier
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | ';'))
        .take(NOM_MAX)
        .collect();
    let propre = propre.trim().trim_start_matches('.').to_string();
    if propre.is_empty() {
        "document".into()
    } else {
        propre
    }
}

/// A document to attach.
#[derive(Debug, Clone)]
pub struct NouvellePiece<'a> {
    pub contrat_id: i64,
    /// The fiche (its id) the document supports, if any.
    pub fiche_id: Option<i64>,
    /// The act the document is the evidence of, if any.
    pub acte_id: Option<i64>,
    /// The name the file was sent with (kept for display only, never trusted for the type).
    pub nom: &'a str,
    pub contenu: &'a [u8],
}

/// A stored document without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub id: i64,
    pub contrat_id: i64,
    pub fiche_id: Option<i64>,
    pub acte_id: Option<i64>,
    pub nom: String,
    pub type_mime: String,
    pub taille: i64,
    pub sha256: String,
    pub depose_par: String,
    pub depose_le: String,
}

impl Piece {
    /// The audited view of the record: its metadata and the hash of its content.
    pub(crate) fn vue_auditee(&self) -> String {
        serde_json::json!({
            "contrat_id": self.contrat_id,
            "fiche_id": self.fiche_id,
            "acte_id": self.acte_id,
            "nom": self.nom,
            "type_mime": self.type_mime,
            "taille": self.taille,
            "sha256": self.sha256,
        })
        .to_string()
    }

    pub fn type_piece(&self) -> Option<TypePiece> {
        TypePiece::depuis_mime(&self.type_mime)
    }
}

pub(crate) const COLONNES_PIECE: &str =
    "id, contrat_id, fiche_id, acte_id, nom, type_mime, taille, sha256, depose_par, depose_le";

pub(crate) fn lire_piece(r: &AnyRow) -> Resultat<Piece> {
    Ok(Piece {
        id: r.try_get("id")?,
        contrat_id: r.try_get("contrat_id")?,
        fiche_id: r.try_get("fiche_id")?,
        acte_id: r.try_get("acte_id")?,
        nom: r.try_get("nom")?,
        type_mime: r.try_get("type_mime")?,
        taille: r.try_get("taille")?,
        sha256: r.try_get("sha256")?,
        depose_par: r.try_get("depose_par")?,
        depose_le: r.try_get("depose_le")?,
    })
}

/// Hex SHA-256 of bytes.
pub fn sha256(octets: &[u8]) -> String {
    hex::encode(Sha256::digest(octets))
}

/// Attaches a document inside a write already begun (the act that it evidences, a message
/// that carries it): checks its type by content and its size, that the fiche and the act
/// belong to the contract, writes it and its audit entry. Returns the new document's id.
pub(crate) async fn inserer(e: &mut Ecriture<'_>, p: &NouvellePiece<'_>) -> Resultat<i64> {
    let t = reconnaitre(p.contenu).map_err(|m| ErreurStore::Invalide(format!("pièce jointe : {m}")))?;
    let existe = sqlx::query("SELECT id FROM contrats WHERE id = $1")
        .bind(p.contrat_id)
        .fetch_optional(e.conn())
        .await?;
    if existe.is_none() {
        return Err(ErreurStore::Introuvable {
            entite: "contrat",
            id: p.contrat_id.to_string(),
        });
    }
    if let Some(f) = p.fiche_id {
        let r = sqlx::query("SELECT id FROM fiches WHERE id = $1 AND contrat_id = $2")
            .bind(f)
            .bind(p.contrat_id)
            .fetch_optional(e.conn())
            .await?;
        if r.is_none() {
            return Err(ErreurStore::Introuvable {
                entite: "fiche",
                id: format!("{f} du contrat {}", p.contrat_id),
            });
        }
    }
    if let Some(a) = p.acte_id {
        let r = sqlx::query("SELECT id FROM actes WHERE id = $1 AND contrat_id = $2")
            .bind(a)
            .bind(p.contrat_id)
            .fetch_optional(e.conn())
            .await?;
        if r.is_none() {
            return Err(ErreurStore::Introuvable {
                entite: "acte",
                id: format!("{a} du contrat {}", p.contrat_id),
            });
        }
    }
    let mut piece = Piece {
        id: 0,
        contrat_id: p.contrat_id,
        fiche_id: p.fiche_id,
        acte_id: p.acte_id,
        nom: nom_sur(p.nom),
        type_mime: t.mime().to_string(),
        taille: p.contenu.len() as i64,
        sha256: sha256(p.contenu),
        depose_par: e.acteur().to_string(),
        depose_le: e.maintenant().to_string(),
    };
    let r = sqlx::query(
        "INSERT INTO pieces (contrat_id, fiche_id, acte_id, nom, type_mime, taille, sha256, contenu, depose_par, depose_le) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(piece.contrat_id)
    .bind(piece.fiche_id)
    .bind(piece.acte_id)
    .bind(&piece.nom)
    .bind(&piece.type_mime)
    .bind(piece.taille)
    .bind(&piece.sha256)
    .bind(p.contenu.to_vec())
    .bind(&piece.depose_par)
    .bind(&piece.depose_le)
    .fetch_one(e.conn())
    .await?;
    piece.id = r.try_get("id")?;
    // The contract's pages show its documents: its revision moves.
    crate::sommes::toucher(e.conn(), p.contrat_id).await?;
    e.consigner(
        ENTITE_PIECE,
        &piece.id.to_string(),
        "creation",
        None,
        Some(&piece.vue_auditee()),
    )
    .await?;
    Ok(piece.id)
}

impl Base {
    /// Attaches a document to a contract (and optionally one of its fiches or acts), in its
    /// own audited write. Refused (nothing written) when its content is not of an accepted
    /// type, when it is empty or larger than [`TAILLE_MAX`], or when the fiche or the act is
    /// not the contract's. Who may attach is decided by the caller.
    pub async fn ajouter_piece(&self, p: &NouvellePiece<'_>, acteur: &str) -> Resultat<i64> {
        let mut e = self.ecriture(acteur).await?;
        let id = inserer(&mut e, p).await?;
        e.conclure().await?;
        Ok(id)
    }

    /// The documents of a contract (those of its fiches and acts included), oldest first.
    pub async fn pieces(&self, contrat_id: i64) -> Resultat<Vec<Piece>> {
        sqlx::query(&format!(
            "SELECT {COLONNES_PIECE} FROM pieces WHERE contrat_id = $1 ORDER BY id"
        ))
        .bind(contrat_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(lire_piece)
        .collect()
    }

    /// One document with its bytes; the bytes are checked against the stored SHA-256
    /// ([`ErreurStore::Corrompue`] when they differ).
    pub async fn piece(&self, id: i64) -> Resultat<(Piece, Vec<u8>)> {
        let r = sqlx::query(&format!(
            "SELECT {COLONNES_PIECE}, contenu FROM pieces WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| ErreurStore::Introuvable {
            entite: "pièce jointe",
            id: id.to_string(),
        })?;
        let p = lire_piece(&r)?;
        let contenu: Vec<u8> = r.try_get("contenu")?;
        if sha256(&contenu) != p.sha256 {
            return Err(ErreurStore::Corrompue(format!(
                "le contenu de la pièce jointe {id} ne correspond plus à son empreinte SHA-256"
            )));
        }
        Ok((p, contenu))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ZIP archive holding `entrees` (name, content), stored uncompressed.
    pub(crate) fn zip(entrees: &[(&str, &[u8])]) -> Vec<u8> {
        let mut o = Vec::new();
        let mut central = Vec::new();
        for (nom, contenu) in entrees {
            let offset = o.len() as u32;
            let mut local = b"PK\x03\x04".to_vec();
            local.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method 0, time, date
            local.extend(0u32.to_le_bytes()); // crc (not checked)
            local.extend((contenu.len() as u32).to_le_bytes());
            local.extend((contenu.len() as u32).to_le_bytes());
            local.extend((nom.len() as u16).to_le_bytes());
            local.extend(0u16.to_le_bytes());
            local.extend(nom.as_bytes());
            local.extend(*contenu);
            o.extend(local);
            let mut c = b"PK\x01\x02".to_vec();
            c.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            c.extend(0u32.to_le_bytes());
            c.extend((contenu.len() as u32).to_le_bytes());
            c.extend((contenu.len() as u32).to_le_bytes());
            c.extend((nom.len() as u16).to_le_bytes());
            c.extend([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // extra, comment, disk, attrs
            c.extend(offset.to_le_bytes());
            c.extend(nom.as_bytes());
            central.extend(c);
        }
        let debut_central = o.len() as u32;
        o.extend(&central);
        o.extend(b"PK\x05\x06");
        o.extend([0, 0, 0, 0]);
        o.extend((entrees.len() as u16).to_le_bytes());
        o.extend((entrees.len() as u16).to_le_bytes());
        o.extend((central.len() as u32).to_le_bytes());
        o.extend(debut_central.to_le_bytes());
        o.extend([0, 0]);
        o
    }

    #[test]
    fn types_reconnus_par_le_contenu() {
        assert_eq!(reconnaitre(b"%PDF-1.7\n..."), Ok(TypePiece::Pdf));
        assert_eq!(reconnaitre(b"\x89PNG\r\n\x1a\n\0\0"), Ok(TypePiece::Png));
        assert_eq!(reconnaitre(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Ok(TypePiece::Jpeg));
        let odt = zip(&[
            ("mimetype", TypePiece::Odt.mime().as_bytes()),
            ("content.xml", b"<office:document-content/>"),
        ]);
        assert_eq!(reconnaitre(&odt), Ok(TypePiece::Odt));
        let ods = zip(&[("mimetype", TypePiece::Ods.mime().as_bytes())]);
        assert_eq!(reconnaitre(&ods), Ok(TypePiece::Ods));
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        assert_eq!(reconnaitre(&docx), Ok(TypePiece::Docx));
        let xlsx = zip(&[("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<x/>")]);
        assert_eq!(reconnaitre(&xlsx), Ok(TypePiece::Xlsx));
    }

    #[test]
    fn contenus_refuses_quel_que_soit_le_nom() {
        // A text file renamed to .pdf is refused: its bytes say what it is.
        let e = reconnaitre(b"Bonjour, ceci n'est pas un PDF").unwrap_err();
        assert!(e.contains("fichier texte"), "{e}");
        assert!(reconnaitre(b"").unwrap_err().contains("vide"));
        let e = reconnaitre(&zip(&[("a.txt", b"x")])).unwrap_err();
        assert!(e.contains("archive ZIP"), "{e}");
        let odp = zip(&[("mimetype", b"application/vnd.oasis.opendocument.presentation")]);
        assert!(reconnaitre(&odp).unwrap_err().contains("presentation"));
        // A truncated archive.
        assert!(
            reconnaitre(b"PK\x03\x04\0\0\0\0")
                .unwrap_err()
                .contains("illisible")
        );
        let e = reconnaitre(b"GIF89a\x01\0\x01\0\x80\xff\xfe").unwrap_err();
        assert!(e.contains("GIF"), "{e}");
    }

    #[test]
    fn limite_de_taille() {
        let mut gros = b"%PDF-1.7\n".to_vec();
        gros.resize(TAILLE_MAX, b' ');
        assert_eq!(reconnaitre(&gros), Ok(TypePiece::Pdf));
        gros.push(b' ');
        let e = reconnaitre(&gros).unwrap_err();
        assert!(e.contains("la limite est de 10 Mo"), "{e}");
        assert!(e.contains("10,0 Mo"), "{e}");
    }

    #[test]
    fn noms_surs() {
        assert_eq!(nom_sur("../../etc/passwd"), "passwd");
        assert_eq!(
            nom_sur("C:\\docs\\délibération \"finale\".pdf"),
            "délibération finale.pdf"
        );
        assert_eq!(nom_sur("a\r\nb.pdf"), "ab.pdf");
        assert_eq!(nom_sur(".."), "document");
        assert_eq!(nom_sur(&"x".repeat(500)).chars().count(), NOM_MAX);
    }
}
