#!/usr/bin/env python3
"""Writes the reconcile test logs (squid native, combined, FortiGate).

Every address, host and account is made up: documentation ranges
(RFC 5737) and example domains. Run from this folder; the output is
deterministic.
"""
import calendar

T0 = calendar.timegm((2026, 3, 1, 0, 0, 0))  # 2026-03-01T00:00:00Z
END = T0 + 3 * 86400  # three days
UA = '"python-requests/2.31.0"'
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWFtLXRlc3QifQ.c2lnbmF0dXJlLXNlY3JldA"


def every(step, start=T0, end=END):
    t = start
    while t < end:
        yield t
        t += step


def squid(t, src, method, url, user, size=5120, hier="HIER_DIRECT/198.51.100.200", ua=UA):
    return f'{t}.000    120 {src} TCP_MISS/200 {size} {method} {url} {user} {hier} - "-" {ua}'


def clf_time(t):
    import time
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(t))


def fortigate(t, src, dst, port, host=None):
    import time
    d = time.strftime("date=%Y-%m-%d time=%H:%M:%S", time.gmtime(t))
    h = f' hostname="{host}"' if host else ""
    return (f'{d} devname="fw01" devid="FG100E0000000001" logid="0000000013" type="traffic" '
            f'subtype="forward" level="notice" vd="root" srcip={src} srcport=51000 srcintf="lan" '
            f'dstip={dst} dstport={port} proto=6 action="close" service="HTTPS"{h} sentbyte=1200 rcvdbyte=5400')


lines = []
# documented: CRM sync every 15 minutes (spans the whole window)
lines += [squid(t, "10.1.0.10", "CONNECT", "api.crm.example.com:443", "svc_crm") for t in every(900)]
# documented via *.storage.example.net and 10.1.0.0/24; the row has no owner and an old review
lines += [squid(t + 300, "10.1.0.20", "CONNECT", "files.eu.storage.example.net:443", "svc_files") for t in every(3600)]
# undocumented, cleartext, credentials in the URL (api_key, a JWT)
for i, t in enumerate(every(3600)):
    q = "api_key=SECRETKEY123&host=a" if i % 2 == 0 else f"session={JWT}"
    lines.append(squid(t + 600, "10.1.0.30", "GET", f"http://telemetry.example.org/v1/collect?{q}", "-"))
# undocumented, cleartext FTP with a password in the URL
lines += [squid(t + 700, "10.1.0.31", "GET", "ftp://mirror:Hunter2Pass@ftp.example.net/in/data.csv", "-") for t in every(3600)]
# orphaned: the row is decommissioned (end_date 2026-02-15)
lines += [squid(t + 900, "10.1.0.40", "CONNECT", "api.oldvendor.example.com:443", "svc_old") for t in every(3600)]
# orphaned: the row is active but ended on 2026-03-01
lines += [squid(t + 60, "10.1.0.50", "CONNECT", "api.partner.example.com:443", "svc_partner") for t in every(1800)]
# documented, authenticated as a leaver
lines += [squid(t + 120, "10.1.0.60", "CONNECT", "api.payroll.example.com:443", "CORP\\jdoe") for t in every(900)]
# schedule drift: every 5 minutes, the inventory says hourly
lines += [squid(t + 30, "10.1.0.70", "CONNECT", "backup.example.net:443", "svc_backup") for t in every(300)]
# schedule drift: daily at 04:30, the inventory says daily 02:00
lines += [squid(t + 4 * 3600 + 1800, "10.1.0.71", "CONNECT", "reports.partner2.example.com:443", "svc_reports") for t in every(86400)]
lines.sort(key=lambda l: float(l.split()[0]))
# a line that cannot be parsed, with a secret in it: skipped, sample redacted
lines.insert(100, 'notatime 120 10.1.0.99 TCP_MISS/200 512 GET http://x.example/?token=SKIPPEDSECRET - HIER_NONE/- -')
with open("logs/proxy-squid.log", "w") as f:
    f.write("\n".join(lines) + "\n")

fg = []
# direct IP, unexpected source and port (the row: 10.1.0.0/24 to 203.0.113.0/24:443)
fg += [fortigate(t, "10.2.0.5", "203.0.113.50", 8443) for t in every(600)]
# documented; the row names its source by host name only
fg += [fortigate(t + 45, "10.3.0.9", "198.51.100.77", 443, "sync.vendor.example.com") for t in every(1800)]
fg.sort()
with open("logs/fortigate.log", "w") as f:
    f.write("\n".join(fg) + "\n")

cb = []
# undocumented; user name and user agent are formula injections
for t in every(1200):
    cb.append(f'10.1.0.80 - =HYPERLINK("http://evil.example/x") [{clf_time(t)}] '
              f'"CONNECT collector.example.org:443 HTTP/1.1" 200 2048 "-" '
              f'"=HYPERLINK(\\"http://evil.example/\\";\\"x\\")" TCP_TUNNEL:HIER_DIRECT')
# undocumented; the destination itself starts with '+'
for t in every(1800):
    cb.append(f'10.1.0.81 - - [{clf_time(t + 5)}] "CONNECT +cmd.example.org:443 HTTP/1.1" 200 1024 "-" '
              f'"@SUM(1+1)" TCP_TUNNEL:HIER_DIRECT')
with open("logs/combined.log", "w") as f:
    f.write("\n".join(cb) + "\n")
