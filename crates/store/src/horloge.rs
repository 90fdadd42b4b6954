//! The clock of records, sessions and the audit log. Timestamps are `pacte_core::Horodatage`,
//! stored as ISO 8601 UTC text with milliseconds (`2026-11-23T04:17:03.123Z`).

use std::time::{SystemTime, UNIX_EPOCH};

use pacte_core::Horodatage;

/// Now.
pub fn instant() -> Horodatage {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    Horodatage::depuis_millisecondes(ms).expect("the system clock is within the calendar")
}

/// Now, as stored: `2026-11-23T04:17:03.123Z`.
pub fn maintenant() -> String {
    instant().iso()
}

/// Now shifted by `secondes` (negative: in the past), in the same format.
pub fn decale(secondes: i64) -> String {
    instant().plus_secondes(secondes).iso()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_stocke() {
        let t = maintenant();
        assert_eq!(t.len(), "2026-11-23T04:17:03.123Z".len(), "{t}");
        assert_eq!(Horodatage::lire(&t).unwrap().iso(), t);
        assert!(decale(-60) < t && t < decale(60));
    }
}
