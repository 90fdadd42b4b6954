//! Timestamps as Unix seconds, for session expiries, idle timeouts, throttling windows and
//! token expiries. The calendar is `pacte_core::Horodatage`, the clock `pacte_store::horloge`;
//! stored texts keep the store's format (`2026-11-23T04:17:03.000Z`).

use pacte_core::Horodatage;
use pacte_store::horloge;

/// Now, in Unix seconds.
pub fn maintenant() -> i64 {
    horloge::instant().secondes()
}

/// Unix seconds as stored: `2026-11-23T04:17:03.000Z` (the calendar's end if out of it).
pub fn iso(secs: i64) -> String {
    Horodatage::depuis_secondes(secs)
        .unwrap_or_else(|| Horodatage::depuis_secondes(0).expect("1970").plus_secondes(secs))
        .iso()
}

/// Today's date in Paris, the default date of a decision recorded now.
pub fn aujourd_hui() -> pacte_core::Date {
    horloge::instant().jour_a_paris()
}

/// The Unix seconds of a stored timestamp (milliseconds dropped); `None` if it is not one.
pub fn secondes(texte: &str) -> Option<i64> {
    Horodatage::lire(texte).ok().map(Horodatage::secondes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aller_retour() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        // 2024-02-29 12:34:56 UTC = 1 709 210 096 s.
        assert_eq!(iso(1_709_210_096), "2024-02-29T12:34:56.000Z");
        assert_eq!(secondes("2024-02-29T12:34:56.789Z"), Some(1_709_210_096));
        assert_eq!(secondes("2026-12-31T23:59:59.999Z"), Some(1_798_761_599));
        assert_eq!(secondes("hier"), None);
        let t = maintenant();
        assert_eq!(secondes(&iso(t)), Some(t));
        assert_eq!(aujourd_hui(), horloge::instant().jour_a_paris());
    }
}
