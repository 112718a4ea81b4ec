//! Names the generated world uses: user agents, web sites, services.
//!
//! Integration and browsing destinations live under the reserved example
//! domains (RFC 2606) and the documentation address ranges (RFC 5737).
//! Background destinations are the real infrastructure names seam's
//! catalogue knows (operating-system updates, certificate checks,
//! telemetry), because recognising them is what is being tested.

/// Browser user agents (one per workstation).
pub const BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
];

/// Sites people browse (popular first).
pub const SITES: &[&str] = &[
    "www.example.com",
    "news.example.org",
    "intranet-portal.example.com",
    "mail.example.net",
    "docs.example.com",
    "wiki.example.org",
    "shop.example.net",
    "weather.example.com",
    "maps.example.org",
    "video.example.net",
    "social.example.com",
    "forum.example.org",
    "travel.example.net",
    "bank.example.com",
    "jobs.example.org",
    "sports.example.net",
    "recipes.example.com",
    "code.example.org",
    "translate.example.net",
    "learn.example.com",
    "store.example.org",
    "photos.example.net",
    "calendar.example.com",
    "status.example.org",
    "support.example.net",
    "blog.example.com",
    "market.example.org",
    "events.example.net",
    "music.example.com",
    "books.example.org",
];

/// Shared static-content hosts that pages pull from.
pub const CDNS: &[&str] = &["static.cdn.example.net", "fonts.gstatic.com", "img.cdn.example.org"];

/// Destination names for planted integrations (one each, drawn without replacement).
pub const INTEGRATION_HOSTS: &[&str] = &[
    "api.crm.example.com",
    "sync.payroll.example.net",
    "hooks.chat.example.org",
    "upload.backup.example.com",
    "api.billing.example.net",
    "feeds.partner.example.org",
    "edi.supplier.example.com",
    "api.ticketing.example.net",
    "collector.metrics.example.org",
    "export.hr.example.com",
    "api.shipping.example.net",
    "ingest.logs.example.org",
    "api.weather-data.example.com",
    "sftp-gw.bank.example.net",
    "api.maps-partner.example.org",
    "legacy-erp.example.com",
    "api.inventory.example.net",
    "webhooks.example.org",
    "beacon.cdn-check.example.com",
    "api.sms.example.net",
];

/// Script, SDK, agent and CLI user agents for integrations.
pub const SCRIPT_AGENTS: &[&str] = &[
    "python-requests/2.31.0",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "Java/17.0.10",
    "okhttp/4.12.0",
    "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.ubuntu.22",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.8",
    "axios/1.6.8",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4291",
    "Apache-HttpClient/4.5.14 (Java/11.0.22)",
    "Veeam Backup/12.1",
    "rclone/v1.66.0",
    "Python-urllib/3.10",
];

/// Weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
