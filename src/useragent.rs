//! Browser and platform detection from the user agent string, for the presence fields `browser`,
//! `browserver` and `platform`.
//!
//! Order matters: most browsers carry the tokens of the engines they descend from (Edge says
//! `Chrome/` and `Safari/`), so the most specific token is looked for first.

use glance_protocol::find;

/// The platform values of §2.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Windows.
    Win,
    /// macOS.
    Mac,
    /// Linux and ChromeOS desktops.
    Linux,
    /// iPhone, iPad, iPod.
    Ios,
    /// Android.
    Android,
    /// Anything else.
    Other,
}

impl Platform {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Win => "win",
            Self::Mac => "mac",
            Self::Linux => "linux",
            Self::Ios => "ios",
            Self::Android => "android",
            Self::Other => "other",
        }
    }
}

/// What [`detect`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// `chrome`, `firefox`, `safari`, `edge`, `opera`, `samsung`, `ie` or `other`.
    pub browser: &'static str,
    /// Major version, empty when unknown.
    pub version: String,
    /// The platform.
    pub platform: Platform,
}

/// Browser tokens, most specific first: (token, browser name).
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "edge"),
    ("EdgA/", "edge"),
    ("EdgiOS/", "edge"),
    ("Edge/", "edge"),
    ("OPR/", "opera"),
    ("SamsungBrowser/", "samsung"),
    ("Firefox/", "firefox"),
    ("FxiOS/", "firefox"),
    ("CriOS/", "chrome"),
    ("Chrome/", "chrome"),
    ("MSIE ", "ie"),
];

/// Parses a user agent string.
pub fn detect(ua: &str) -> Detected {
    let platform = platform(ua);
    for (token, name) in BROWSERS {
        if let Some(version) = version_after(ua, token) {
            return Detected {
                browser: name,
                version,
                platform,
            };
        }
    }
    if find(ua, "Trident/").is_some() {
        let version = version_after(ua, "rv:").unwrap_or_default();
        return Detected {
            browser: "ie",
            version,
            platform,
        };
    }
    if find(ua, "Safari/").is_some() {
        let version = version_after(ua, "Version/").unwrap_or_default();
        return Detected {
            browser: "safari",
            version,
            platform,
        };
    }
    Detected {
        browser: "other",
        version: String::new(),
        platform,
    }
}

/// The major version number following `token`, if the token is present.
fn version_after(ua: &str, token: &str) -> Option<String> {
    let start = find(ua, token)? + token.len();
    let mut version = String::new();
    for b in ua.bytes().skip(start).take_while(u8::is_ascii_digit) {
        version.push(char::from(b));
    }
    Some(version)
}

fn platform(ua: &str) -> Platform {
    // Most specific first: iPads also say `Mac OS X`, Android phones `Linux`.
    const TOKENS: [(&str, Platform); 10] = [
        ("iPhone", Platform::Ios),
        ("iPad", Platform::Ios),
        ("iPod", Platform::Ios),
        ("Android", Platform::Android),
        ("Windows", Platform::Win),
        ("Macintosh", Platform::Mac),
        ("Mac OS X", Platform::Mac),
        ("Linux", Platform::Linux),
        ("X11", Platform::Linux),
        ("CrOS", Platform::Linux),
    ];
    for (token, platform) in TOKENS {
        if find(ua, token).is_some() {
            return platform;
        }
    }
    Platform::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ua: &str, browser: &str, version: &str, platform: Platform) {
        let d = detect(ua);
        assert_eq!(
            (d.browser, d.version.as_str(), d.platform),
            (browser, version, platform),
            "{ua}"
        );
    }

    #[test]
    fn common_browsers() {
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "edge", "120", Platform::Win);
        check("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "chrome", "131", Platform::Linux);
        check(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0",
            "firefox",
            "121",
            Platform::Mac,
        );
        check("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "safari", "17", Platform::Ios);
        check("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "samsung", "23", Platform::Android);
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0", "opera", "106", Platform::Win);
        check(
            "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
            "ie",
            "11",
            Platform::Win,
        );
        check("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", "chrome", "120", Platform::Ios);
        check("curl/8.0", "other", "", Platform::Other);
    }
}
