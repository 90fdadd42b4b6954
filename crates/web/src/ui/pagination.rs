//! The DSFR pagination of a list paged in SQL (`templates/pagination.html`), shared by every
//! list page.

use crate::ErreurWeb;

/// The page number of a list's query string: empty → 1; anything but an integer from 1 is a
/// 400 with a French message.
pub fn lire_page(texte: &str) -> Result<i64, ErreurWeb> {
    let t = texte.trim();
    if t.is_empty() {
        return Ok(1);
    }
    match t.parse::<i64>() {
        Ok(n) if (1..=1_000_000_000).contains(&n) => Ok(n),
        _ => Err(ErreurWeb::requete(format!(
            "Le numéro de page « {} » n'est pas valide : un nombre entier à partir de 1 est attendu.",
            t.chars().take(40).collect::<String>()
        ))),
    }
}

/// One numbered link of the pagination.
pub struct LienPage {
    pub numero: i64,
    pub lien: String,
}

/// What `pagination.html` shows: links to the first, previous, next and last pages (none: the
/// current page, shown disabled) and up to five numbered pages around the current one.
pub struct Pagination {
    /// The navigation's accessible name: « Pagination du journal ».
    pub libelle: &'static str,
    pub page: i64,
    pub pages: i64,
    pub premiere: Option<String>,
    pub precedente: Option<String>,
    pub suivante: Option<String>,
    pub derniere: Option<String>,
    pub numeros: Vec<LienPage>,
}

impl Pagination {
    /// Page `page` of `total` items shown `par_page` at a time; `lien(n)` is the address of
    /// page `n` (with the list's filters).
    pub fn new(
        libelle: &'static str,
        page: i64,
        total: i64,
        par_page: i64,
        lien: impl Fn(i64) -> String,
    ) -> Pagination {
        let pages = ((total + par_page - 1) / par_page).max(1);
        Pagination {
            libelle,
            page,
            pages,
            premiere: (page > 1).then(|| lien(1)),
            precedente: (page > 1).then(|| lien((page - 1).min(pages))),
            suivante: (page < pages).then(|| lien(page + 1)),
            derniere: (page != pages).then(|| lien(pages)),
            numeros: ((page - 2).max(1)..=(page + 2).min(pages))
                .map(|n| LienPage {
                    numero: n,
                    lien: lien(n),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liens_autour_de_la_page() {
        // 125 items, 50 a page: 3 pages; page 2 links to 1 and 3.
        let p = Pagination::new("Pagination", 2, 125, 50, |n| format!("?page={n}"));
        assert_eq!(p.pages, 3);
        assert_eq!(p.precedente.as_deref(), Some("?page=1"));
        assert_eq!(p.suivante.as_deref(), Some("?page=3"));
        assert_eq!(p.numeros.iter().map(|l| l.numero).collect::<Vec<_>>(), [1, 2, 3]);
        // Nothing: one page, no link.
        let p = Pagination::new("Pagination", 1, 0, 50, |n| format!("?page={n}"));
        assert_eq!(
            (p.pages, p.premiere, p.suivante, p.derniere),
            (1, None, None, None)
        );
    }
}
