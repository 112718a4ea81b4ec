//! The demo's integration inventory and leavers list, derived from the
//! demo world's labels so they regenerate with it.
//!
//! The inventory documents some planted integrations (one with no owner
//! and an old review), marks one decommissioned while its traffic goes on
//! (orphaned), gives one the wrong frequency (schedule drift), lists one
//! integration that sends nothing (stale), and leaves the rest out
//! (undocumented). The leavers list names the account that a workstation
//! script still runs as.

use super::{IntegrationLabel, Labels};

/// Accounts of people who left (one per line).
pub const LEAVERS: &str = "# People who left; their accounts should not drive any traffic.\njdoe\nmsmith\n";

/// The inventory's `frequency` text for a label.
fn frequency(l: &IntegrationLabel) -> String {
    match l.period_seconds {
        None => "on demand".into(),
        Some(p) if p < 3600 => format!("every {} minutes", p / 60),
        Some(3600) => "hourly".into(),
        Some(p) if p < 86_400 => format!("every {} hours", p / 3600),
        Some(86_400) => {
            let at = l.schedule.split_whitespace().nth(1).unwrap_or("");
            format!("daily {at}")
        }
        Some(_) => "weekly".into(),
    }
}

/// One inventory row, written for the planted integration of `kind`.
struct Row {
    kind: &'static str,
    id: &'static str,
    name: &'static str,
    data: &'static str,
    owner: &'static str,
    reviewed: &'static str,
    status: &'static str,
    end: &'static str,
    /// Replaces the true frequency (to show schedule drift).
    frequency: Option<&'static str>,
    notes: &'static str,
}

const fn row(
    kind: &'static str,
    id: &'static str,
    name: &'static str,
    data: &'static str,
    owner: &'static str,
    reviewed: &'static str,
) -> Row {
    Row {
        kind,
        id,
        name,
        data,
        owner,
        reviewed,
        status: "active",
        end: "",
        frequency: None,
        notes: "",
    }
}

const ROWS: [Row; 8] = [
    row(
        "interval",
        "INV-101",
        "CRM contact sync",
        "customer contacts",
        "Alice Martin",
        "2026-01-15",
    ),
    Row {
        notes: "runs on all three app nodes",
        ..row(
            "cluster",
            "INV-102",
            "Inventory service feed",
            "stock levels",
            "Bob Chen",
            "2025-12-01",
        )
    },
    row(
        "daily-upload",
        "INV-103",
        "Nightly backup upload",
        "database backups",
        "Carol Diaz",
        "2026-02-10",
    ),
    row("weekly", "INV-104", "Weekly archive sync", "archives", "Carol Diaz", "2026-02-10"),
    Row {
        notes: "SFTP",
        ..row(
            "direct-ip",
            "INV-105",
            "Bank statement transfer",
            "payments",
            "Dan Evans",
            "2026-01-20",
        )
    },
    Row {
        notes: "owner left",
        ..row(
            "odd-interval",
            "INV-106",
            "Shipping status poller",
            "shipment status",
            "",
            "2024-05-01",
        )
    },
    Row {
        frequency: Some("daily"),
        ..row(
            "business-hours",
            "INV-107",
            "Ticket export",
            "support tickets",
            "Erin Fox",
            "2026-02-01",
        )
    },
    Row {
        status: "decommissioned",
        end: "2026-03-05",
        notes: "replaced by the new ERP API",
        ..row(
            "cleartext-credential",
            "INV-108",
            "Legacy ERP export",
            "orders",
            "Frank Gray",
            "2025-09-30",
        )
    },
];

/// The inventory CSV for the demo.
pub fn inventory(labels: &Labels) -> String {
    let mut out =
        String::from("id,name,source,destination,ports,data,frequency,auth,credential_store,owner,last_reviewed,status,end_date,notes\n");
    let find = |kind: &str| labels.integrations.iter().find(|l| l.kind == kind);
    for r in ROWS {
        let Some(l) = find(r.kind) else { continue };
        let source = if l.sources.len() > 1 {
            "10.11.1.0/24".to_string()
        } else {
            l.sources.join(";")
        };
        let freq = r.frequency.map_or_else(|| frequency(l), str::to_string);
        out.push_str(&format!(
            "{},{},{source},{},{},{},{freq},API key,Vault,{},{},{},{},{}\n",
            r.id, r.name, l.destination, l.port, r.data, r.owner, r.reviewed, r.status, r.end, r.notes
        ));
    }
    out.push_str("INV-109,Old partner feed,10.10.1.2,api.old-partner.example.com,443,orders,hourly,API key,Vault,Bob Chen,2026-01-10,active,,nothing seen since the move\n");
    out
}
