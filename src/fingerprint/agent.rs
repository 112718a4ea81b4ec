//! User-agent classes: who is making the requests.
//!
//! A browser user agent on the same host as a `python-requests` one
//! separates a person from a script. Classes are decided by tokens that
//! libraries, SDKs, agents and command-line tools put in their user agent;
//! a browser is a `Mozilla/` string with a browser engine token and none of
//! those. Matching is ASCII case-insensitive and looks at the first 512
//! bytes only (user agents are attacker-controlled and may be huge).

/// What kind of software sent a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgentClass {
    /// No user agent logged (firewall logs, or the client sent none).
    Missing,
    Browser,
    /// An HTTP library used by a program (`python-requests`, `okhttp`, ...).
    Library,
    /// A cloud or SaaS SDK (`aws-sdk`, `Boto3`, ...).
    Sdk,
    /// An installed agent or system component (update clients, backup agents).
    Agent,
    /// A command-line tool (`curl`, `wget`, PowerShell, `aws-cli`, `rclone`).
    Cli,
    /// A headless or automated browser.
    Headless,
    /// Something else that is not a browser.
    Other,
}

impl AgentClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentClass::Missing => "missing",
            AgentClass::Browser => "browser",
            AgentClass::Library => "library",
            AgentClass::Sdk => "SDK",
            AgentClass::Agent => "agent",
            AgentClass::Cli => "CLI tool",
            AgentClass::Headless => "headless browser",
            AgentClass::Other => "other non-browser",
        }
    }

    /// True for classes that mean a program, not a person.
    pub fn is_machine(self) -> bool {
        !matches!(self, AgentClass::Missing | AgentClass::Browser)
    }
}

const SDK: &[&str] = &[
    "aws-sdk",
    "boto3",
    "botocore",
    "azsdk",
    "azure-sdk",
    "google-api-",
    "google-cloud-sdk",
    "gcloud-",
    "stripe/",
    "twilio",
    "sfdc",
    "salesforce",
    "office365",
    "graph-sdk",
    "msgraph",
    "hubspot",
    "okta-sdk",
    "slack-sdk",
    "sdk/",
];
const CLI: &[&str] = &[
    "curl/",
    "wget/",
    "powershell",
    "aws-cli",
    "azure-cli",
    "azcopy",
    "rclone",
    "git/",
    "httpie",
    "gsutil",
    "kubectl",
    "winscp",
    "filezilla",
    "lftp",
    "restic",
    "terraform",
    "ansible",
    "helm/",
];
const AGENT: &[&str] = &[
    "windows-update-agent",
    "microsoft-cryptoapi",
    "microsoft bits",
    "microsoft-delivery-optimization",
    "msdw",
    "mpcommunication",
    "google update",
    "apt-http",
    "yum/",
    "dnf/",
    "zypper",
    "libdnf",
    "veeam",
    "datadog",
    "splunk",
    "filebeat",
    "fluent-bit",
    "telegraf",
    "zabbix",
    "nessus",
    "qualys",
    "crowdstrike",
    "sensor",
    "agent/",
    "-agent",
    "winhttp",
    "microsoft-wns",
    "microsoft office",
    "onedrive",
    "teams/",
    "ccmsetup",
    "sccm",
    "dropbox",
    "zoom",
];
const LIBRARY: &[&str] = &[
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "urllib3",
    "python/",
    "go-http-client",
    "java/",
    "okhttp",
    "apache-httpclient",
    "jakarta",
    "axios",
    "node-fetch",
    "undici",
    "got (",
    "node.js",
    "ruby",
    "faraday",
    "guzzle",
    "php/",
    "libcurl",
    "reqwest",
    "hyper/",
    "dart:",
    ".net clr",
    "restsharp",
    "httpclient",
    "cpprest",
    "perl",
    "lwp::",
    "okio",
    "ktor",
];
const HEADLESS: &[&str] = &["headlesschrome", "phantomjs", "selenium", "puppeteer", "playwright", "electron/"];
const NOT_BROWSER: &[&str] = &["bot", "crawl", "spider", "scan", "monitor", "check"];
const BROWSER_ENGINES: &[&str] = &["chrome/", "firefox/", "safari/", "edg/", "opr/", "trident/", "msie "];

/// `needle` (lower-case) in `hay` (already lower-cased).
fn contains(hay: &[u8], needle: &str) -> bool {
    crate::formats::find(hay, needle.as_bytes()).is_some()
}

/// Classifies one user agent string. The same few agents recur across
/// thousands of channels, so each thread remembers the classes it computed
/// (up to [`MEMO_CAP`] agents, then it starts over).
pub fn classify(ua: &str) -> AgentClass {
    thread_local! {
        static MEMO: std::cell::RefCell<ahash::AHashMap<Box<str>, AgentClass>> = Default::default();
    }
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(&c) = m.get(ua) {
            return c;
        }
        let c = classify_uncached(ua);
        if m.len() >= MEMO_CAP {
            m.clear();
        }
        m.insert(ua.into(), c);
        c
    })
}

/// Most user agents [`classify`] remembers per thread.
const MEMO_CAP: usize = 4096;

fn classify_uncached(ua: &str) -> AgentClass {
    let raw = ua.as_bytes();
    let raw = raw.get(..512).unwrap_or(raw);
    let trimmed = raw.trim_ascii();
    if trimmed.is_empty() || trimmed == b"-" {
        return AgentClass::Missing;
    }
    let mut buf = [0u8; 512];
    let b = buf.get_mut(..raw.len()).unwrap_or_default();
    b.copy_from_slice(raw);
    b.make_ascii_lowercase();
    let b = &*b;
    let any = |list: &[&str]| list.iter().any(|n| contains(b, n));
    if any(HEADLESS) {
        AgentClass::Headless
    } else if any(SDK) {
        AgentClass::Sdk
    } else if any(CLI) {
        AgentClass::Cli
    } else if any(AGENT) {
        AgentClass::Agent
    } else if any(LIBRARY) {
        AgentClass::Library
    } else if b.starts_with(b"mozilla/") && any(BROWSER_ENGINES) && !any(NOT_BROWSER) {
        AgentClass::Browser
    } else {
        AgentClass::Other
    }
}

/// The class of a channel from its distinct user agents: the most
/// machine-like class present wins (a script hiding among browser requests
/// still counts), then browser, then missing. Also returns the user agent
/// that decided it.
pub fn channel_class<'a>(agents: impl IntoIterator<Item = &'a str>) -> (AgentClass, Option<&'a str>) {
    let mut best: Option<(AgentClass, &str)> = None;
    for a in agents {
        let c = classify(a);
        let rank = |c: AgentClass| match c {
            AgentClass::Missing => 0,
            AgentClass::Browser => 1,
            _ => 2,
        };
        if best.is_none_or(|(b, _)| rank(c) > rank(b)) {
            best = Some((c, a));
        }
    }
    match best {
        Some((c, a)) => (c, Some(a)),
        None => (AgentClass::Missing, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_are_lower_case() {
        for list in [HEADLESS, SDK, CLI, AGENT, LIBRARY, BROWSER_ENGINES, NOT_BROWSER] {
            for n in list {
                assert_eq!(*n, n.to_ascii_lowercase(), "{n}");
            }
        }
    }

    #[test]
    fn remembered_and_fresh_classes_agree() {
        for ua in ["curl/8.5.0", "CURL/8.5.0", "Mozilla/5.0 (X11) Chrome/120.0 Safari/537.36", "-", ""] {
            assert_eq!(classify(ua), classify_uncached(ua));
            assert_eq!(classify(ua), classify_uncached(ua), "second call, from the memo");
        }
    }

    #[test]
    fn scripts_sdks_and_tools() {
        assert_eq!(classify("python-requests/2.31.0"), AgentClass::Library);
        assert_eq!(classify("Go-http-client/1.1"), AgentClass::Library);
        assert_eq!(classify("okhttp/4.12.0"), AgentClass::Library);
        assert_eq!(classify("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0"), AgentClass::Sdk);
        assert_eq!(classify("aws-sdk-java/2.20.0 Linux/5.15"), AgentClass::Sdk);
        assert_eq!(classify("curl/8.5.0"), AgentClass::Cli);
        assert_eq!(
            classify("Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50"),
            AgentClass::Agent
        );
        assert_eq!(classify("Veeam Backup/12.1"), AgentClass::Agent);
    }

    #[test]
    fn powershell_pretends_to_be_mozilla_but_is_a_cli() {
        let ps = "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4291";
        assert_eq!(classify(ps), AgentClass::Cli);
    }

    #[test]
    fn browsers_headless_and_bots() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
        assert_eq!(classify(chrome), AgentClass::Browser);
        assert_eq!(
            classify("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.0.0 Safari/537.36"),
            AgentClass::Headless
        );
        assert_eq!(
            classify("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/1"),
            AgentClass::Other
        );
        assert_eq!(classify("-"), AgentClass::Missing);
        assert_eq!(classify("SomethingNew/1.0"), AgentClass::Other);
    }

    #[test]
    fn channel_class_prefers_the_machine() {
        assert_eq!(channel_class(["Mozilla/5.0 (X11) Firefox/125.0", "curl/8"]).0, AgentClass::Cli);
        assert_eq!(channel_class(["Mozilla/5.0 (X11) Firefox/125.0"]).0, AgentClass::Browser);
        assert_eq!(channel_class([]).0, AgentClass::Missing);
    }

    #[test]
    fn huge_hostile_agent_is_cheap_and_safe() {
        let ua = "Mozilla/".to_string() + &"A".repeat(1_000_000) + "curl/";
        assert_eq!(classify(&ua), AgentClass::Other);
    }
}
