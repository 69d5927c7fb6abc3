//! A browser told in a few words ("Firefox on Windows") from its User-Agent,
//! for the list of signed-in browsers and the new sign-in email. Only these
//! words are kept, never the header itself: enough for a person to
//! recognise their own device, too little to fingerprint it.

/// Longest header read: a User-Agent is a few hundred bytes; more is noise.
const MAX_READ: usize = 512;

/// "Browser on system", each part "unknown" when the header does not say.
pub fn describe(user_agent: &str) -> String {
    let ua = match user_agent.char_indices().nth(MAX_READ) {
        Some((i, _)) => &user_agent[..i],
        None => user_agent,
    };
    let browser = browser(ua);
    let system = system(ua);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => "An unknown browser".to_owned(),
    }
}

/// Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
fn browser(ua: &str) -> Option<&'static str> {
    const KNOWN: [(&str, &str); 9] = [
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    KNOWN.iter().find(|(token, _)| ua.contains(token)).map(|(_, name)| *name)
}

fn system(ua: &str) -> Option<&'static str> {
    const KNOWN: [(&str, &str); 8] = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ];
    KNOWN.iter().find(|(token, _)| ua.contains(token)).map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_browsers_are_named() {
        for (ua, expected) in [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0", "Firefox on Windows"),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            ("curl/8.5.0", "An unknown browser"),
            ("", "An unknown browser"),
        ] {
            assert_eq!(describe(ua), expected, "{ua}");
        }
    }

    #[test]
    fn only_the_summary_is_kept_whatever_is_sent() {
        let hostile = format!("<script>{}</script> Firefox/1 \u{202e}", "x".repeat(100_000));
        let d = describe(&hostile);
        assert_eq!(d, "An unknown browser", "Firefox past the first 512 characters is not read");
        assert!(describe("Firefox/1 <script>").len() < 40);
    }
}
