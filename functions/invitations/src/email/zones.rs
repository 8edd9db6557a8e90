//! Time zones as people say them: CLDR's generic long names ("Eastern European Time",
//! "Itä-Euroopan aika", "östeuropeisk tid"), through ICU4X and its compiled CLDR data.

use icu_datetime::NoCalendarFormatter;
use icu_datetime::fieldsets::zone::GenericLong;
use icu_datetime::input::UtcOffset;
use icu_locale_core::Locale;
use icu_time::zone::{IanaParser, ZoneNameTimestamp};
use jiff::Timestamp;

use crate::domain::{IanaTimeZone, Language};

/// `zone` as a reader of `language` calls it around the instant `at` (a zone's name can change
/// over the years, and ICU needs the offset then to confirm the name fits): CLDR's generic
/// non-location name, the one that does not change with summer time. A zone CLDR names only by
/// its offset (`Etc/GMT+5`) reads as that offset ("GMT-05:00"); a zone ICU4X does not know (a
/// newer tzdb than its data) keeps its IANA id, which is never wrong, only unfriendly.
pub fn zone_name(zone: &IanaTimeZone, at: Timestamp, language: Language) -> String {
    let id = IanaParser::new().parse(zone.name());
    let formatter = Locale::try_from_str(language.code())
        .ok()
        .and_then(|locale| NoCalendarFormatter::try_new(locale.into(), GenericLong).ok());
    match formatter {
        Some(formatter) if !id.is_unknown() => {
            let offset = zone.zone().to_offset(at);
            let info = id
                .with_offset(UtcOffset::try_from_seconds(offset.seconds()).ok())
                .with_zone_name_timestamp(ZoneNameTimestamp::from_epoch_seconds(at.as_second()));
            formatter.format(&info).to_string()
        }
        _ => zone.name().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(zone: &str, at: &str, language: Language) -> String {
        zone_name(
            &IanaTimeZone::parse(zone).unwrap(),
            at.parse().unwrap(),
            language,
        )
    }

    #[test]
    fn zones_are_named_in_the_readers_language() {
        let winter = "2026-12-10T14:03:00Z";
        let helsinki = [
            (Language::En, "Eastern European Time"),
            (Language::Fi, "Itä-Euroopan aika"),
            (Language::Sv, "östeuropeisk tid"),
        ];
        for (language, expected) in helsinki {
            assert_eq!(name("Europe/Helsinki", winter, language), expected);
        }
        assert_eq!(
            name("Europe/Stockholm", winter, Language::Fi),
            "Keski-Euroopan aika"
        );
        assert_eq!(
            name("America/New_York", winter, Language::Sv),
            "östnordamerikansk tid"
        );
        assert_eq!(name("Europe/London", winter, Language::En), "British Time");
    }

    #[test]
    fn the_generic_name_stays_the_same_in_summer() {
        assert_eq!(
            name("Europe/Helsinki", "2026-07-10T14:03:00Z", Language::Fi),
            "Itä-Euroopan aika"
        );
    }

    #[test]
    fn zones_without_a_name_read_as_their_offset() {
        assert_eq!(
            name("UTC", "2026-12-10T14:03:00Z", Language::En),
            "Coordinated Universal Time"
        );
        assert_eq!(
            name("Etc/GMT+5", "2026-12-10T14:03:00Z", Language::En),
            "GMT-05:00"
        );
    }
}
