//! Recognizing Entra Connect files from their content.

use serde::Serialize;

use crate::text::head_text;

/// How much of a file [`sniff`] wants to see.
pub const SNIFF_HEAD: usize = 64 * 1024;

/// The Entra Connect inputs this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ConnectKind {
    /// `Connectors/Connector_{GUID}.xml` (`<ma-data>`).
    ExportConnector,
    /// `GlobalSettings/MV.xml` (`<saved-mv-configuration>`).
    ExportGlobalSettings,
    /// `SynchronizationRules/SynchronizationRule_{GUID}.xml` (`<synchronizationRule>`).
    ExportRule,
    /// The wizard's `Applied-SynchronizationPolicy-*.json`.
    PolicyJson,
    /// An AADConnectConfigDocumenter HTML report.
    DocumenterReport,
    /// A `Get-ADSyncRunProfileResult` CSV export.
    RunHistoryCsv,
    /// `csexport.exe` error XML (or run-step `<synchronization-errors>` XML).
    CsExportErrors,
    /// Graph users/groups/contacts with `onPremisesProvisioningErrors`.
    GraphProvisioningErrors,
}

impl ConnectKind {
    /// The kind as the CLI's `inputs[].kind` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectKind::ExportConnector => "connect.export.connector",
            ConnectKind::ExportGlobalSettings => "connect.export.global-settings",
            ConnectKind::ExportRule => "connect.export.sync-rule",
            ConnectKind::PolicyJson => "connect.policy-json",
            ConnectKind::DocumenterReport => "connect.documenter-report",
            ConnectKind::RunHistoryCsv => "connect.run-history",
            ConnectKind::CsExportErrors => "connect.errors.csexport",
            ConnectKind::GraphProvisioningErrors => "connect.errors.graph",
        }
    }

    /// Whether this is one file of a `Get-ADSyncServerConfiguration` export folder.
    pub fn is_export_part(self) -> bool {
        matches!(self, ConnectKind::ExportConnector | ConnectKind::ExportGlobalSettings | ConnectKind::ExportRule)
    }
}

/// Recognizes an Entra Connect file from `head`, its first bytes (up to
/// [`SNIFF_HEAD`]; 4 KiB is enough for everything but a Documenter report,
/// whose markers follow about 7 KB of embedded CSS and script). Detection uses
/// the content only; `path` is not consulted (export folders are grouped by
/// path later, in [`crate::Collector`]), so a renamed file is still recognized.
pub fn sniff(path: &str, head: &[u8]) -> Option<ConnectKind> {
    let _ = path;
    let text = head_text(head);
    let t = text.trim_start();
    if t.starts_with('<') {
        return sniff_markup(t);
    }
    if t.starts_with('{') || t.starts_with('[') {
        return sniff_json(t);
    }
    sniff_csv(t)
}

fn sniff_markup(t: &str) -> Option<ConnectKind> {
    let root = root_element(t)?;
    match root.to_ascii_lowercase().as_str() {
        "ma-data" => Some(ConnectKind::ExportConnector),
        "saved-mv-configuration" | "mv-data" => Some(ConnectKind::ExportGlobalSettings),
        "synchronizationrule" => Some(ConnectKind::ExportRule),
        "cs-objects" | "cs-object" | "synchronization-errors" => Some(ConnectKind::CsExportErrors),
        "html" => {
            let lower = t.to_ascii_lowercase();
            let markers = [
                "aad connect config documenter",
                "aad connect sync service configuration",
                "aadsync service configuration",
                "hidedefaultsyncrules",
                "defaultrulecanhide",
            ];
            markers.iter().any(|m| lower.contains(m)).then_some(ConnectKind::DocumenterReport)
        }
        _ => None,
    }
}

/// The name of the first element, after the XML declaration, comments,
/// processing instructions and a DOCTYPE (its internal subset is skipped,
/// never interpreted).
fn root_element(t: &str) -> Option<&str> {
    let mut rest = t;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case("<!DOCTYPE") {
            let r = &rest[9..];
            let gt = r.find('>')?;
            rest = match r.find('[') {
                Some(open) if open < gt => {
                    let close = r[open..].find("]")? + open;
                    let end = r[close..].find('>')? + close;
                    &r[end + 1..]
                }
                _ => &r[gt + 1..],
            };
        } else if let Some(r) = rest.strip_prefix('<') {
            let end = r.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(r.len());
            let name = &r[..end];
            return (!name.is_empty()).then_some(name);
        } else {
            return None;
        }
    }
}

fn sniff_json(t: &str) -> Option<ConnectKind> {
    let lower = t.to_ascii_lowercase();
    if lower.contains("\"onpremisesprovisioningerrors\"") {
        return Some(ConnectKind::GraphProvisioningErrors);
    }
    if lower.contains("\"onpremisesdirectorypolicy\"") || lower.contains("\"azuredirectorypolicy\"") {
        return Some(ConnectKind::PolicyJson);
    }
    None
}

fn sniff_csv(t: &str) -> Option<ConnectKind> {
    let mut lines = t.lines();
    let mut header = lines.next()?;
    if header.starts_with("#TYPE") {
        header = lines.next()?;
    }
    let h = header.to_ascii_lowercase();
    let has = |c: &str| h.contains(c);
    (has("connectorname") && has("runprofilename") && has("startdate")).then_some(ConnectKind::RunHistoryCsv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_each_kind() {
        let cases: &[(&str, Option<ConnectKind>)] = &[
            ("<ma-data>\n<id>", Some(ConnectKind::ExportConnector)),
            ("\u{feff}<saved-mv-configuration server='X'>", Some(ConnectKind::ExportGlobalSettings)),
            ("<?xml version=\"1.0\"?><!-- c --><synchronizationRule>", Some(ConnectKind::ExportRule)),
            ("<!DOCTYPE x [<!ENTITY a \"<ma-data>\">]><synchronizationRule>", Some(ConnectKind::ExportRule)),
            ("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<cs-objects>", Some(ConnectKind::CsExportErrors)),
            ("<html><head><title>AAD Connect Config Documenter Report</title>", Some(ConnectKind::DocumenterReport)),
            ("<html><body>hello</body></html>", None),
            ("{\"value\":[{\"id\":\"1\",\"onPremisesProvisioningErrors\":[]}]}", Some(ConnectKind::GraphProvisioningErrors)),
            ("{\"onpremisesDirectoryPolicy\":[]}", Some(ConnectKind::PolicyJson)),
            ("\"RunNumber\",\"RunHistoryId\",\"ConnectorName\",\"RunProfileName\",\"Result\",\"StartDate\",\"EndDate\"\n", Some(ConnectKind::RunHistoryCsv)),
            ("#TYPE Selected.Microsoft.IdentityManagement.PowerShell.ObjectModel.RunHistory\n\"RunNumber\";\"ConnectorName\";\"RunProfileName\";\"StartDate\"", Some(ConnectKind::RunHistoryCsv)),
            ("Request ID,Date (UTC),User\n", None),
            ("<signIns>", None),
            ("", None),
        ];
        for (head, want) in cases {
            assert_eq!(sniff("x", head.as_bytes()), *want, "{head:?}");
        }
    }
}
