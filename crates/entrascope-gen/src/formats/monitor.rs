//! Azure Monitor diagnostic-setting records (Event Hub or storage account):
//! `{"records":[...]}` or one record per line. `properties` holds the Graph
//! object; its `createdDateTime` / `activityDateTime` carry a `+00:00`
//! offset, the top-level `time` a 7-digit fraction.

use crate::model::{AuditEvent, Initiator, SignInEvent};
use crate::text::{iso_7_z, iso_offset, Node, Style};

use super::graph::{audit_node, signin_node};
use super::{ExportContext, RecordWriter};

fn replace_field(node: &mut Node, key: &str, value: Node) {
    if let Node::Obj(fields) = node {
        if let Some(f) = fields.iter_mut().find(|(k, _)| *k == key) {
            f.1 = value;
        }
    }
}

fn time_str(f: fn(&mut String, entrascope_core::Timestamp), t: entrascope_core::Timestamp) -> Node {
    let mut s = String::new();
    f(&mut s, t);
    Node::Str(s)
}

/// One diagnostic record for a sign-in.
pub fn signin_record(ev: &SignInEvent, ctx: &ExportContext) -> Node {
    let mut props = signin_node(ev);
    replace_field(&mut props, "createdDateTime", time_str(iso_offset, ev.time));
    let identity = if ev.kind.is_user() { &ev.user_display } else { &ev.service_principal_name };
    Node::Obj(vec![
        ("time", time_str(iso_7_z, ev.time)),
        ("resourceId", Node::Str(format!("/tenants/{}/providers/Microsoft.aadiam", ctx.tenant_id))),
        ("operationName", Node::str("Sign-in activity")),
        ("operationVersion", Node::str("1.0")),
        ("category", Node::str(ev.kind.diagnostic_category())),
        ("tenantId", Node::str(&ctx.tenant_id)),
        ("resultType", Node::Str(ev.error_code.to_string())),
        ("resultSignature", Node::str("None")),
        ("resultDescription", Node::str(&ev.failure_reason)),
        ("durationMs", Node::Int(0)),
        ("callerIpAddress", Node::str(&ev.ip)),
        ("correlationId", Node::str(&ev.correlation_id)),
        ("identity", Node::str(identity)),
        ("Level", Node::Int(4)),
        ("location", Node::str(&ev.country)),
        ("properties", props),
    ])
}

/// One diagnostic record for an audit event.
pub fn audit_record(a: &AuditEvent, ctx: &ExportContext) -> Node {
    let mut props = audit_node(a);
    replace_field(&mut props, "activityDateTime", time_str(iso_offset, a.time));
    let caller_ip = match &a.initiator {
        Initiator::User { ip, .. } => ip.as_str(),
        Initiator::App { .. } => "",
    };
    Node::Obj(vec![
        ("time", time_str(iso_7_z, a.time)),
        ("resourceId", Node::Str(format!("/tenants/{}/providers/Microsoft.aadiam", ctx.tenant_id))),
        ("operationName", Node::str(&a.activity)),
        ("operationVersion", Node::str("1.0")),
        ("category", Node::str("AuditLogs")),
        ("tenantId", Node::str(&ctx.tenant_id)),
        ("resultSignature", Node::str("None")),
        ("durationMs", Node::Int(0)),
        ("callerIpAddress", Node::str(caller_ip)),
        ("correlationId", Node::str(&a.correlation_id)),
        ("identity", Node::str(a.initiator.display_name())),
        ("Level", Node::str("4")),
        ("properties", props),
    ])
}

/// A record with a diagnostic form.
pub trait Diagnostic {
    fn diagnostic(&self, ctx: &ExportContext) -> Node;
}

impl Diagnostic for SignInEvent {
    fn diagnostic(&self, ctx: &ExportContext) -> Node {
        signin_record(self, ctx)
    }
}

impl Diagnostic for AuditEvent {
    fn diagnostic(&self, ctx: &ExportContext) -> Node {
        audit_record(self, ctx)
    }
}

/// `{"records":[ ... ]}` with one record per line (Event Hub message body).
pub struct MonitorRecords {
    pub ctx: ExportContext,
    n: usize,
}

impl MonitorRecords {
    pub fn new(ctx: ExportContext) -> MonitorRecords {
        MonitorRecords { ctx, n: 0 }
    }
}

impl<T: Diagnostic> RecordWriter<T> for MonitorRecords {
    fn begin(&mut self, out: &mut String) {
        out.push_str("{\"records\":[");
    }

    fn record(&mut self, rec: &T, out: &mut String) {
        out.push_str(if self.n == 0 { "\n" } else { ",\n" });
        self.n += 1;
        rec.diagnostic(&self.ctx).write(out, Style::Compact);
    }

    fn end(&mut self, out: &mut String) {
        out.push_str("\n]}\n");
    }
}

/// One record per line (storage account `PT1H.json` blobs).
pub struct MonitorLines {
    pub ctx: ExportContext,
}

impl<T: Diagnostic> RecordWriter<T> for MonitorLines {
    fn record(&mut self, rec: &T, out: &mut String) {
        rec.diagnostic(&self.ctx).write(out, Style::Compact);
        out.push('\n');
    }
}
