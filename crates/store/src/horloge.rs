//! Timestamps for records and the audit log: UTC, ISO 8601, millisecond precision.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, as `2026-11-23T04:17:03.123Z`.
pub fn maintenant() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    iso(d.as_secs() as i64, d.subsec_millis())
}

/// Now shifted by `secondes` (negative: in the past), in the same format.
pub fn decale(secondes: i64) -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    iso(d.as_secs() as i64 + secondes, d.subsec_millis())
}

/// Formats Unix seconds as ISO 8601 UTC (days-to-civil conversion, proleptic Gregorian).
fn iso(secs: i64, millis: u32) -> String {
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
        "{annee:04}-{mois:02}-{jour:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::iso;

    #[test]
    fn dates_connues() {
        assert_eq!(iso(0, 0), "1970-01-01T00:00:00.000Z");
        // 2024-02-29 12:34:56 UTC = 1 709 210 096 s.
        assert_eq!(iso(1_709_210_096, 7), "2024-02-29T12:34:56.007Z");
        assert_eq!(iso(1_798_761_599, 999), "2026-12-31T23:59:59.999Z");
    }
}
