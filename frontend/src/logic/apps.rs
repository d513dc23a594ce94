//! The connected-apps page's plain decisions.

use super::text::Text;
use shared::{ConnectedApp, Registration};

/// A Unix time as a calendar day (UTC), `YYYY-MM-DD`: unambiguous in every
/// language, with no date library in the download.
pub fn day(unix: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// How the app came to exist, in the words of the page.
pub fn registration_label(r: Registration, t: &Text) -> &'static str {
    match r {
        Registration::Operator => t.verified_app,
        Registration::Dynamic => t.self_registered,
        Registration::MetadataDocument => t.self_described,
    }
}

/// The list without the app just removed.
pub fn without(apps: &[ConnectedApp], client_id: &str) -> Vec<ConnectedApp> {
    apps.iter()
        .filter(|a| a.client_id != client_id)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_calendar_dates_in_utc() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(1_800_000_000), "2027-01-15");
        assert_eq!(day(951_782_400), "2000-02-29");
        assert_eq!(day(1_798_761_599), "2026-12-31");
        assert_eq!(day(-1), "1969-12-31");
    }

    #[test]
    fn removing_keeps_the_others_in_order() {
        let app = |id: &str| ConnectedApp {
            client_id: id.into(),
            name: id.into(),
            logo_url: None,
            registration: Registration::Operator,
            scopes: Vec::new(),
            resources: Vec::new(),
            granted_at: 0,
            updated_at: 0,
            last_used_at: None,
        };
        let list = [app("a"), app("b"), app("c")];
        let ids: Vec<String> = without(&list, "b")
            .into_iter()
            .map(|a| a.client_id)
            .collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(
            registration_label(Registration::Dynamic, &super::super::text::EN),
            "Unverified: registered itself"
        );
    }
}
