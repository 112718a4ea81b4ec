//! Microsoft Azure Firewall resource logs, as diagnostic settings export
//! them to storage or Event Hubs (`{"records":[...]}` or one record per
//! line), in both schemas:
//! - legacy Azure Diagnostics categories `AzureFirewallNetworkRule` and
//!   `AzureFirewallApplicationRule`, whose `properties.msg` is a sentence:
//!   `TCP request from 10.0.0.4:49910 to 13.0.0.1:443. Action: Allow. ...`,
//!   `HTTPS request from 10.1.0.4:55640 to www.example.com:443. Action: Deny. ...`,
//!   `TCP request from 198.51.100.5:55000 to 203.0.113.10:3389 was DNAT'ed to 10.0.0.4:3389`;
//! - resource-specific categories `AZFWNetworkRule`, `AZFWApplicationRule`
//!   and `AZFWNatRule` with structured properties (`SourceIp`,
//!   `DestinationPort`, `Fqdn`, `TargetUrl`, `Action`, ...), also accepted
//!   flat as Log Analytics exports them (`Type`, `TimeGenerated`).
//!
//! References: <https://learn.microsoft.com/azure/firewall/monitor-firewall-reference>,
//! <https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwnetworkrule>,
//! <https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwapplicationrule>.
//!
//! Threat intelligence and IDPS entries (which repeat a flow a rule also
//! logs), DNS proxy, flow trace, fat flow and aggregation tables are
//! ignored. DNAT entries are allowed inbound connections to the firewall's
//! public address (the destination before translation).

use super::json_de::{has, Num, Stamp, Str};
use super::squid::set_host;
use super::url::{split_host_port, split_url};
use super::{Field, Format, Framing, LineError, LineResult};
use crate::record::{text, Action, Proto, Record, Scheme};
use crate::time::TimeCtx;
use serde::Deserialize;

pub struct AzureFirewall;

/// One resource log record, or a `{"records":[...]}` batch of them.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry<'a> {
    #[serde(borrow)]
    records: Option<Vec<Entry<'a>>>,
    #[serde(borrow)]
    category: Str<'a>,
    #[serde(borrow, rename = "Category")]
    category_upper: Str<'a>,
    #[serde(borrow, rename = "Type")]
    kind: Str<'a>,
    time: Stamp,
    #[serde(rename = "TimeGenerated")]
    time_generated: Stamp,
    #[serde(borrow)]
    properties: Option<Props<'a>>,
}

/// The properties of a record (structured or legacy `msg`).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Props<'a> {
    #[serde(borrow, rename = "msg")]
    msg: Str<'a>,
    #[serde(borrow, rename = "msg_s")]
    msg_s: Str<'a>,
    #[serde(borrow)]
    source_ip: Str<'a>,
    source_port: Num,
    #[serde(borrow)]
    destination_ip: Str<'a>,
    destination_port: Num,
    #[serde(borrow)]
    protocol: Str<'a>,
    #[serde(borrow)]
    action: Str<'a>,
    #[serde(borrow)]
    fqdn: Str<'a>,
    #[serde(borrow)]
    target_url: Str<'a>,
}

/// What a category holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Legacy categories: the record is in `msg`.
    Message,
    Network,
    Application,
    Nat,
    Ignored(&'static str),
}

fn kind_of(category: &str) -> Kind {
    match category {
        "AzureFirewallNetworkRule" | "AzureFirewallApplicationRule" => Kind::Message,
        "AZFWNetworkRule" => Kind::Network,
        "AZFWApplicationRule" => Kind::Application,
        "AZFWNatRule" => Kind::Nat,
        "AZFWThreatIntel" | "AZFWIdpsSignature" | "AzureFirewallThreatIntelLog" | "AzureFirewallIDSLog" => {
            Kind::Ignored("threat intelligence or IDPS entry (its flow has a rule entry)")
        }
        "AzureFirewallDnsProxy" | "AZFWDnsQuery" | "AZFWFqdnResolveFailure" | "AZFWInternalFqdnResolutionFailure" => {
            Kind::Ignored("dns entry")
        }
        _ => Kind::Ignored("other Azure Firewall log category"),
    }
}

impl Format for AzureFirewall {
    fn name(&self) -> &'static str {
        "azure-firewall"
    }

    fn title(&self) -> &'static str {
        "Azure Firewall network, application and NAT rule logs (legacy msg and resource-specific AZFW JSON)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, Url]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"AzureFirewall") || has(line, b"\"AZFW") || has(line, b"AZUREFIREWALLS/")
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let mut first = None;
        self.parse_multi(line, ctx, &mut |r| {
            if first.is_none() {
                first = Some(r);
            }
        })?;
        first.ok_or(LineError::Skipped("no record in the batch"))
    }

    fn parse_multi<'a>(&self, line: &'a [u8], _ctx: &TimeCtx, out: &mut dyn FnMut(Record<'a>)) -> Result<usize, LineError> {
        let e: Entry<'a> = serde_json::from_slice(line).map_err(|_| LineError::Skipped("invalid JSON"))?;
        let Some(records) = e.records else {
            return entry(e, line).map(|r| {
                out(r);
                1
            });
        };
        let (mut n, mut first_err) = (0, None);
        for e in records {
            match entry(e, line) {
                Ok(r) => {
                    out(r);
                    n += 1;
                }
                Err(err) => {
                    // A skipped record outweighs an ignored one in the summary.
                    if first_err.is_none() || matches!(err, LineError::Skipped(_)) {
                        first_err = Some(err);
                    }
                }
            }
        }
        match (n, first_err) {
            (0, Some(err)) => Err(err),
            (0, None) => Err(LineError::Ignored("empty batch")),
            _ => Ok(n),
        }
    }
}

/// One record (not a batch). `line` is the whole input, re-read as flat
/// properties when the record has no `properties` object.
fn entry<'a>(e: Entry<'a>, line: &'a [u8]) -> LineResult<'a> {
    let category = e.category.get().or(e.category_upper.get()).or(e.kind.get()).unwrap_or_default();
    let mut kind = kind_of(category);
    let props = match e.properties {
        Some(p) => p,
        None => serde_json::from_slice::<Props<'a>>(line).map_err(|_| LineError::Skipped("invalid JSON"))?,
    };
    if category == "AzureDiagnostics" || category.is_empty() {
        // A flat Azure Diagnostics export keeps the category in `Category`
        // and names the table in `Type`; a record may also carry only `msg`.
        kind = if props.msg.get().or(props.msg_s.get()).is_some() {
            Kind::Message
        } else {
            kind_of(e.category_upper.get().unwrap_or_default())
        };
    }
    let time_ms = e.time.0.or(e.time_generated.0);
    let rec = match kind {
        Kind::Ignored(why) => return Err(LineError::Ignored(why)),
        Kind::Message => match props.msg.take().or(props.msg_s.take()) {
            Some(std::borrow::Cow::Borrowed(m)) => message(m)?,
            Some(std::borrow::Cow::Owned(m)) => owned(message(&m)?),
            None => return Err(LineError::Skipped("no msg")),
        },
        Kind::Network | Kind::Application | Kind::Nat => structured(props, kind)?,
    };
    let time_ms = time_ms.ok_or(LineError::Skipped("bad or missing time"))?;
    Ok(Record { time_ms, ..rec })
}

/// Copies the text a record borrows from a `msg` that held JSON escapes
/// (the only text fields [`message`] sets are `dst_host` and `url`).
fn owned(r: Record<'_>) -> Record<'static> {
    let own = |c: Option<std::borrow::Cow<'_, str>>| c.map(|s| std::borrow::Cow::Owned(s.into_owned()));
    Record {
        time_ms: r.time_ms,
        src_ip: r.src_ip,
        src_port: r.src_port,
        dst_host: own(r.dst_host),
        dst_ip: r.dst_ip,
        dst_port: r.dst_port,
        proto: r.proto,
        action: r.action,
        scheme: r.scheme,
        url: own(r.url),
        url_query: r.url_query,
        ..Record::default()
    }
}

/// Protocol words of the rule logs: `TCP`, `UDP`, `ICMP`, `HTTP`, `HTTPS`, `MSSQL`.
fn proto_scheme(p: &str) -> (Proto, Scheme) {
    match Scheme::parse(p.as_bytes()) {
        s @ (Scheme::Http | Scheme::Https) => (Proto::Tcp, s),
        _ if p.eq_ignore_ascii_case("mssql") => (Proto::Tcp, Scheme::None),
        _ => (Proto::parse(p.as_bytes()), Scheme::None),
    }
}

/// `host:port`, `ip:port` or a bare address (ICMP), with a sentence's final `.`.
fn set_endpoint<'a>(rec: &mut Record<'a>, ep: &'a str, is_src: bool) {
    let ep = ep.strip_suffix('.').unwrap_or(ep);
    let (host, port) = split_host_port(ep.as_bytes());
    if is_src {
        rec.src_ip = super::parse_ip(host);
        rec.src_port = port;
    } else {
        set_host(rec, host);
        rec.dst_port = port;
    }
}

/// Parses a legacy `msg` sentence.
fn message(m: &str) -> LineResult<'_> {
    if m.contains("ThreatIntel:") || m.contains(" IDS: ") || m.contains("Signature:") {
        return Err(LineError::Ignored("threat intelligence or IDPS entry (its flow has a rule entry)"));
    }
    let (head, rest) = m.split_once(" request from ").ok_or(LineError::Skipped("unrecognised msg"))?;
    let (proto, scheme) = proto_scheme(head.split_whitespace().next().unwrap_or_default());
    let mut rec = Record {
        proto,
        scheme,
        ..Record::default()
    };
    let mut words = rest.split(' ').filter(|w| !w.is_empty());
    set_endpoint(&mut rec, words.next().unwrap_or_default(), true);
    if rec.src_ip.is_none() {
        return Err(LineError::Skipped("bad source address"));
    }
    if words.next() == Some("to") {
        set_endpoint(&mut rec, words.next().unwrap_or_default(), false);
    }
    if rec.dst_port.is_none() {
        rec.dst_port = scheme.default_port();
    }
    if let Some((_, after)) = rest.split_once("Url: ") {
        let url = after.split(' ').next().unwrap_or_default();
        let url = url.strip_suffix('.').unwrap_or(url);
        let parts = split_url(url.as_bytes());
        rec.url_query = parts.query;
        rec.url = Some(text(url.as_bytes()));
    }
    rec.action = if rest.contains(" was DNAT'ed to ") {
        Action::Allowed
    } else {
        match rest.split_once("Action: ") {
            Some((_, a)) => {
                let word = a.split(['.', ' ']).next().unwrap_or_default();
                Action::from_word(word.as_bytes())
            }
            None => Action::Unknown,
        }
    };
    Ok(rec)
}

/// A resource-specific (AZFW*) record.
fn structured(p: Props<'_>, kind: Kind) -> LineResult<'_> {
    let (proto, scheme) = proto_scheme(p.protocol.get().unwrap_or_default());
    let src_ip = super::parse_ip(p.source_ip.bytes()).ok_or(LineError::Skipped("bad or missing SourceIp"))?;
    let mut rec = Record {
        src_ip: Some(src_ip),
        src_port: p.source_port.u16(),
        dst_ip: super::parse_ip(p.destination_ip.bytes()),
        dst_port: p.destination_port.u16(),
        proto,
        scheme,
        action: Action::from_word(p.action.bytes()),
        ..Record::default()
    };
    if kind == Kind::Nat && rec.action == Action::Unknown {
        rec.action = Action::Allowed;
    }
    if kind == Kind::Application {
        if rec.proto == Proto::Unknown {
            rec.proto = Proto::Tcp;
        }
        let target = p.target_url.take();
        match p.fqdn.take() {
            Some(std::borrow::Cow::Borrowed(h)) => set_host(&mut rec, h.as_bytes()),
            Some(std::borrow::Cow::Owned(h)) => rec.dst_host = Some(std::borrow::Cow::Owned(h)),
            None => {}
        }
        if let Some(url) = target {
            let parts = split_url(url.as_bytes());
            rec.url_query = parts.query;
            if rec.dst_host.is_none() && url.contains("://") && !parts.host.is_empty() {
                rec.dst_host = Some(text(parts.host).into_owned().into());
            }
            rec.url = Some(url);
        }
        if rec.dst_port.is_none() {
            rec.dst_port = scheme.default_port();
        }
    }
    if rec.dst_ip.is_none() && rec.dst_host.is_none() {
        return Err(LineError::Skipped("no destination"));
    }
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(l: &str) -> LineResult<'_> {
        AzureFirewall.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn legacy_network_rule_message() {
        let r = p(r#"{"category":"AzureFirewallNetworkRule","time":"2026-01-01T00:00:00.1234567Z","resourceId":"/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/FW","operationName":"AzureFirewallNetworkRuleLog","properties":{"msg":"TCP request from 10.0.0.4:49910 to 203.0.113.7:443. Action: Allow. Policy: fw-policy. Rule Collection Group: DefaultNetworkRuleCollectionGroup. Rule Collection: allow-out. Rule: https-out"}}"#).unwrap();
        assert_eq!(r.time_ms, 1_767_225_600_123);
        assert_eq!((r.src_ip, r.src_port), ("10.0.0.4".parse().ok(), Some(49910)));
        assert_eq!((r.dst_ip, r.dst_port), ("203.0.113.7".parse().ok(), Some(443)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
    }

    #[test]
    fn legacy_application_rule_deny_with_host() {
        let r = p(r#"{"category":"AzureFirewallApplicationRule","time":"2026-01-01T00:00:01Z","properties":{"msg":"HTTPS request from 10.1.0.4:55640 to api.example.com:443. Action: Deny. No rule matched. Proceeding with default action"}}"#).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.dst_port, r.scheme, r.action), (Some(443), Scheme::Https, Action::Denied));
    }

    #[test]
    fn legacy_url_dnat_icmp_and_threat_intel() {
        let url = p(r#"{"category":"AzureFirewallApplicationRule","time":"2026-01-01T00:00:02Z","properties":{"msg":"HTTP request from 10.1.0.5:55641 to www.example.com:80. Url: www.example.com/search?q=x. Action: Allow. Rule Collection: web. Rule: allow-example"}}"#).unwrap();
        assert!(url.url_query);
        assert_eq!(url.url.as_deref(), Some("www.example.com/search?q=x"));
        let dnat = p(r#"{"category":"AzureFirewallNetworkRule","time":"2026-01-01T00:00:03Z","properties":{"msg":"TCP request from 198.51.100.5:55000 to 203.0.113.10:3389 was DNAT'ed to 10.0.0.4:3389"}}"#).unwrap();
        assert_eq!((dnat.dst_ip, dnat.action), ("203.0.113.10".parse().ok(), Action::Allowed));
        let icmp = p(r#"{"category":"AzureFirewallNetworkRule","time":"2026-01-01T00:00:04Z","properties":{"msg":"ICMP Type=8 request from 10.0.2.4 to 10.0.3.4. Action: Allow"}}"#).unwrap();
        assert_eq!(
            (icmp.proto, icmp.dst_ip, icmp.dst_port),
            (Proto::Icmp, "10.0.3.4".parse().ok(), None)
        );
        assert!(matches!(
            p(
                r#"{"category":"AzureFirewallNetworkRule","time":"2026-01-01T00:00:05Z","properties":{"msg":"TCP request from 10.0.0.4:1 to 192.0.2.66:80. Action: Alert. ThreatIntel: Bot Networks"}}"#
            ),
            Err(LineError::Ignored(_))
        ));
    }

    #[test]
    fn structured_network_and_application_rules() {
        let n = p(r#"{"category":"AZFWNetworkRule","time":"2026-01-01T00:00:06.0000000Z","properties":{"Action":"Deny","ActionReason":"","DestinationIp":"192.0.2.10","DestinationPort":8443,"Policy":"p","Protocol":"TCP","Rule":"r","RuleCollection":"rc","RuleCollectionGroup":"rcg","SourceIp":"10.0.0.4","SourcePort":50000}}"#).unwrap();
        assert_eq!((n.action, n.dst_port, n.proto), (Action::Denied, Some(8443), Proto::Tcp));
        let a = p(r#"{"category":"AZFWApplicationRule","time":"2026-01-01T00:00:07Z","properties":{"Action":"Allow","DestinationPort":443,"Fqdn":"files.example.com","IsTlsInspected":true,"Protocol":"HTTPS","SourceIp":"10.0.0.5","SourcePort":50001,"TargetUrl":"https://files.example.com/upload?sig=abc","WebCategory":"Business"}}"#).unwrap();
        assert_eq!(a.dst_host.as_deref(), Some("files.example.com"));
        assert_eq!((a.scheme, a.url_query), (Scheme::Https, true));
        // No Fqdn: the host comes from an absolute TargetUrl, or the IP stays.
        let ip = p(r#"{"category":"AZFWApplicationRule","time":"2026-01-01T00:00:08Z","properties":{"Action":"Allow","DestinationIp":"192.0.2.20","DestinationPort":123,"Fqdn":"","Protocol":"HTTP","SourceIp":"10.0.0.5","SourcePort":1234,"TargetUrl":"url"}}"#).unwrap();
        assert_eq!((ip.dst_host, ip.dst_ip), (None, "192.0.2.20".parse().ok()));
    }

    #[test]
    fn batches_flat_exports_and_ignored_categories() {
        let batch = r#"{"records":[{"category":"AZFWNetworkRule","time":"2026-01-01T00:00:09Z","properties":{"SourceIp":"10.0.0.4","SourcePort":1,"DestinationIp":"192.0.2.1","DestinationPort":53,"Protocol":"UDP","Action":"Allow"}},{"category":"AZFWDnsQuery","time":"2026-01-01T00:00:09Z","properties":{}},{"category":"AZFWNatRule","time":"2026-01-01T00:00:10Z","properties":{"SourceIp":"198.51.100.8","SourcePort":2,"DestinationIp":"203.0.113.10","DestinationPort":443,"Protocol":"TCP","TranslatedIp":"10.0.0.9","TranslatedPort":443}}]}"#;
        let mut v = Vec::new();
        let n = AzureFirewall
            .parse_multi(batch.as_bytes(), &TimeCtx::default(), &mut |r| v.push(r))
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(v[1].action, Action::Allowed);
        let flat = p(r#"{"TimeGenerated":"2026-01-01T00:00:11Z","Type":"AZFWNetworkRule","SourceIp":"10.0.0.4","SourcePort":1,"DestinationIp":"192.0.2.1","DestinationPort":443,"Protocol":"TCP","Action":"Allow"}"#).unwrap();
        assert_eq!(flat.dst_port, Some(443));
        let diag = p(r#"{"TimeGenerated":"2026-01-01T00:00:12Z","Type":"AzureDiagnostics","Category":"AzureFirewallNetworkRule","msg_s":"UDP request from 10.0.0.4:5000 to 192.0.2.1:123. Action: Allow."}"#).unwrap();
        assert_eq!((diag.proto, diag.dst_port), (Proto::Udp, Some(123)));
        assert_eq!(
            p(r#"{"category":"AzureFirewallDnsProxy","time":"2026-01-01T00:00:13Z","properties":{"msg":"DNS Request: ..."}}"#),
            Err(LineError::Ignored("dns entry"))
        );
    }

    #[test]
    fn malformed_records_are_skipped() {
        assert_eq!(p("{"), Err(LineError::Skipped("invalid JSON")));
        assert_eq!(
            p(r#"{"category":"AzureFirewallNetworkRule","time":"2026-01-01T00:00:00Z","properties":{"msg":"garbage"}}"#),
            Err(LineError::Skipped("unrecognised msg"))
        );
        assert_eq!(
            p(r#"{"category":"AZFWNetworkRule","properties":{"SourceIp":"10.0.0.4","DestinationIp":"192.0.2.1"}}"#),
            Err(LineError::Skipped("bad or missing time"))
        );
        assert_eq!(
            p(r#"{"category":"AZFWNetworkRule","time":"2026-01-01T00:00:00Z","properties":{"SourceIp":"x"}}"#),
            Err(LineError::Skipped("bad or missing SourceIp"))
        );
    }
}
