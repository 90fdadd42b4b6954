//! Timestamps in the store's format (`2026-11-23T04:17:03.123Z`), as Unix seconds and back:
//! session expiries, idle timeouts, throttling windows and token expiries are computed here.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in Unix seconds.
pub fn maintenant() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Unix seconds as `2026-11-23T04:17:03.000Z` (days-to-civil, proleptic Gregorian).
pub fn iso(secs: i64) -> String {
    let jours = secs.div_euclid(86_400);
    let s = secs.rem_euclid(86_400);
    let z = jours + 719_468;
    let ere = z.div_euclid(146_097);
    let doe = z - ere * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let jour = doy - (153 * mp + 2) / 5 + 1;
    let mois = if mp < 10 { mp + 3 } else { mp - 9 };
    let annee = yoe + ere * 400 + i64::from(mois <= 2);
    format!(
        "{annee:04}-{mois:02}-{jour:02}T{:02}:{:02}:{:02}.000Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// Today's date (UTC), the default date of a decision recorded now.
pub fn aujourd_hui() -> pacte_core::Date {
    let jour = iso(maintenant());
    pacte_core::Date::parse(&jour[..10]).expect("a computed date is valid")
}

/// The Unix seconds of a stored timestamp (milliseconds dropped); `None` if it is not one.
pub fn secondes(texte: &str) -> Option<i64> {
    let nombre = |a: usize, b: usize| texte.get(a..b)?.parse::<i64>().ok();
    let (annee, mois, jour) = (nombre(0, 4)?, nombre(5, 7)?, nombre(8, 10)?);
    let (h, m, s) = (nombre(11, 13)?, nombre(14, 16)?, nombre(17, 19)?);
    // Civil-to-days, the inverse of `iso`.
    let a = if mois <= 2 { annee - 1 } else { annee };
    let ere = a.div_euclid(400);
    let yoe = a - ere * 400;
    let mp = (mois + 9) % 12;
    let doy = (153 * mp + 2) / 5 + jour - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let jours = ere * 146_097 + doe - 719_468;
    Some(jours * 86_400 + h * 3600 + m * 60 + s)
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
        assert_eq!(aujourd_hui().iso(), iso(t)[..10]);
    }
}
