//! The tenant simulator: a seeded Contoso tenant with a background of normal
//! activity and, optionally, planted incidents with near misses, labelled.

pub mod background;
pub mod build;
pub mod directory;
pub mod incidents;

use entrascope_core::settings::{ApprovedActors, BusinessHours};
use entrascope_core::time::MS_PER_DAY;
use entrascope_core::{Settings, Timestamp};
use serde_json::{json, Value};

use crate::formats::{ExportContext, Logs};
use crate::model::{AuditEvent, SignInEvent};
use crate::rng::Rng;

pub use directory::Tenant;
pub use incidents::INCIDENTS;

/// What to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantConfig {
    pub seed: u64,
    /// Length of the window in days (at least [`TenantConfig::MIN_DAYS`] with incidents).
    pub days: u32,
    /// End of the window (exclusive), midnight UTC.
    pub end: Timestamp,
    /// Regular member accounts (besides the fixed cast of admins, role
    /// accounts and break-glass accounts).
    pub members: usize,
    pub guests: usize,
    /// Multipliers on the per-user daily activity.
    pub interactive_scale: f64,
    pub noninteractive_scale: f64,
    /// Multiplier on service principal and managed identity sign-ins.
    pub service_scale: f64,
    /// Multiplier on routine audit events.
    pub audit_scale: f64,
    pub incidents: bool,
}

impl TenantConfig {
    pub const MIN_DAYS: u32 = 21;
    pub const MIN_MEMBERS: usize = 40;

    fn default_end() -> Timestamp {
        // Monday 3 November 2025, 00:00 UTC.
        Timestamp::from_civil(2025, 11, 3, 0, 0, 0, 0).unwrap_or_default()
    }

    /// A few hundred users over 30 days (tens of thousands of sign-ins).
    pub fn standard(seed: u64) -> TenantConfig {
        TenantConfig {
            seed,
            days: 30,
            end: Self::default_end(),
            members: 300,
            guests: 12,
            interactive_scale: 1.0,
            noninteractive_scale: 1.5,
            service_scale: 1.0,
            audit_scale: 1.0,
            incidents: true,
        }
    }

    /// Small enough to bundle in the web app.
    pub fn demo(seed: u64) -> TenantConfig {
        TenantConfig {
            seed,
            days: 21,
            members: 40,
            guests: 3,
            interactive_scale: 0.3,
            noninteractive_scale: 0.15,
            service_scale: 0.08,
            audit_scale: 0.5,
            ..TenantConfig::standard(seed)
        }
    }

    /// For tests: quick to generate, every incident present.
    pub fn small(seed: u64) -> TenantConfig {
        TenantConfig {
            seed,
            days: 24,
            members: 60,
            guests: 4,
            interactive_scale: 0.8,
            noninteractive_scale: 0.8,
            service_scale: 0.25,
            audit_scale: 1.0,
            ..TenantConfig::standard(seed)
        }
    }

    pub fn start(&self) -> Timestamp {
        Timestamp(self.end.0 - self.days as i64 * MS_PER_DAY)
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.end.0.rem_euclid(MS_PER_DAY) != 0 {
            return Err("the end of the window must be midnight UTC".into());
        }
        if self.days == 0 || self.days > 366 {
            return Err(format!("days must be 1..=366, not {}", self.days));
        }
        if self.incidents && self.days < Self::MIN_DAYS {
            return Err(format!(
                "planted incidents need at least {} days (got {}); use --no-incidents for shorter windows",
                Self::MIN_DAYS,
                self.days
            ));
        }
        if self.incidents && self.end.weekday() != 0 {
            return Err("with planted incidents the window must end on a Monday 00:00 UTC (its last day a Sunday), so that near misses fall on weekdays".into());
        }
        if self.incidents && self.members < Self::MIN_MEMBERS {
            return Err(format!("planted incidents need at least {} members (got {})", Self::MIN_MEMBERS, self.members));
        }
        if self.members > 100_000 || self.guests > 10_000 {
            return Err("at most 100,000 members and 10,000 guests".into());
        }
        Ok(())
    }
}

/// A machine-readable label: which records prove a planted incident, or
/// which records are a near miss that must not be reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// One of [`INCIDENTS`].
    pub incident: String,
    pub near_miss: bool,
    /// Sign-in request ids and audit event ids, in time order. A finding for
    /// the incident cites at least one of them (for the spike and spray
    /// incidents, checks may cite a subset).
    pub evidence_ids: Vec<String>,
    /// The correlation id of each evidence record, same order: what
    /// identifies an audit event in exports without an `id` (the portal CSV).
    pub correlation_ids: Vec<String>,
    pub note: String,
    /// Formats that lack the fields needed to see this incident.
    pub not_visible_in: Vec<String>,
}

impl Label {
    pub fn to_json(&self) -> Value {
        json!({
            "incident": self.incident,
            "near_miss": self.near_miss,
            "evidence_ids": self.evidence_ids,
            "correlation_ids": self.correlation_ids,
            "note": self.note,
            "not_visible_in": self.not_visible_in,
        })
    }

    pub fn from_json(v: &Value) -> Option<Label> {
        let strs =
            |k: &str| -> Option<Vec<String>> { v.get(k)?.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect() };
        Some(Label {
            incident: v.get("incident")?.as_str()?.to_string(),
            near_miss: v.get("near_miss")?.as_bool()?,
            evidence_ids: strs("evidence_ids")?,
            correlation_ids: strs("correlation_ids")?,
            note: v.get("note")?.as_str()?.to_string(),
            not_visible_in: strs("not_visible_in").unwrap_or_default(),
        })
    }
}

/// `labels.json`: a JSON array of labels.
pub fn labels_json(labels: &[Label]) -> String {
    let v = Value::Array(labels.iter().map(Label::to_json).collect());
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Everything generated for one tenant.
#[derive(Debug, Clone)]
pub struct Generated {
    pub config: TenantConfig,
    pub tenant: Tenant,
    pub logs: Logs,
    pub labels: Vec<Label>,
    pub settings: Settings,
    pub ctx: ExportContext,
}

impl Generated {
    /// `settings.json`, the contract's settings file for this tenant.
    pub fn settings_json(&self) -> String {
        serde_json::to_string_pretty(&self.settings).unwrap_or_default() + "\n"
    }

    pub fn labels_json(&self) -> String {
        labels_json(&self.labels)
    }
}

/// Simulates the tenant.
pub fn generate(cfg: &TenantConfig) -> Result<Generated, String> {
    cfg.validate()?;
    let root = Rng::new(cfg.seed);
    let mut tenant = directory::build(&mut root.fork("directory"), cfg.members, cfg.guests);
    let start = cfg.start();

    let mut signins = Vec::new();
    let mut audits = Vec::new();
    let mut labels = Vec::new();
    let mut plan = background::Plan::default();
    if cfg.incidents {
        let p = plant_into(cfg, &root, &mut tenant);
        signins = p.signins;
        audits = p.audits;
        labels = p.labels;
        plan = p.plan;
    }
    let mut bg =
        background::Background { t: &tenant, cfg, plan: &plan, start, signins: Vec::new(), audits: Vec::new(), upkeep: 0 };
    bg.run(&mut root.fork("background"));
    signins.append(&mut bg.signins);
    audits.append(&mut bg.audits);

    // Events past the window (PIM expirations late on the last day) are dropped.
    signins.retain(|s| s.time >= start && s.time < cfg.end);
    audits.retain(|a| a.time >= start && a.time < cfg.end);
    signins.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.request_id.cmp(&b.request_id)));
    audits.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.id.cmp(&b.id)));

    let settings = settings_for(&tenant);
    let ctx = ExportContext {
        tenant_id: tenant.id.clone(),
        workspace_id: tenant.workspace_id.clone(),
        from: start,
        to: Timestamp(cfg.end.0 - MS_PER_DAY),
    };
    Ok(Generated { config: cfg.clone(), tenant, logs: Logs { signins, audits }, labels, settings, ctx })
}

/// The planted incidents and near misses of a tenant, without its background.
#[derive(Debug, Clone)]
pub struct Planted {
    /// The tenant they happen in (the same directory [`generate`] builds for
    /// the same seed and head counts).
    pub tenant: Tenant,
    /// Oldest first, inside the window.
    pub signins: Vec<SignInEvent>,
    /// Oldest first, inside the window.
    pub audits: Vec<AuditEvent>,
    pub labels: Vec<Label>,
    pub settings: Settings,
}

/// Exactly the events [`generate`] plants for `cfg` (same seed, same ids,
/// same times; `cfg.incidents` is ignored), without simulating the
/// background: what `entrascope-gen bench` mixes into its rows.
pub fn plant(cfg: &TenantConfig) -> Result<Planted, String> {
    let cfg = TenantConfig { incidents: true, ..cfg.clone() };
    cfg.validate()?;
    let root = Rng::new(cfg.seed);
    let mut tenant = directory::build(&mut root.fork("directory"), cfg.members, cfg.guests);
    let p = plant_into(&cfg, &root, &mut tenant);
    let start = cfg.start();
    let mut signins = p.signins;
    let mut audits = p.audits;
    signins.retain(|s| s.time >= start && s.time < cfg.end);
    audits.retain(|a| a.time >= start && a.time < cfg.end);
    signins.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.request_id.cmp(&b.request_id)));
    audits.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.id.cmp(&b.id)));
    let settings = settings_for(&tenant);
    Ok(Planted { tenant, signins, audits, labels: p.labels, settings })
}

struct PlantedParts {
    signins: Vec<SignInEvent>,
    audits: Vec<AuditEvent>,
    labels: Vec<Label>,
    plan: background::Plan,
}

fn plant_into(cfg: &TenantConfig, root: &Rng, tenant: &mut Tenant) -> PlantedParts {
    let cast = incidents::Cast::choose(tenant, &mut root.fork("cast"));
    let mut p = incidents::Planter {
        t: tenant,
        cast: &cast,
        start: cfg.start(),
        b: cfg.days as i64 - 21,
        rng: root.fork("incidents"),
        signins: Vec::new(),
        audits: Vec::new(),
        labels: Vec::new(),
        plan: background::Plan::default(),
    };
    p.plant_all();
    PlantedParts { signins: p.signins, audits: p.audits, labels: p.labels, plan: p.plan }
}

/// The settings file that goes with the tenant.
pub fn settings_for(t: &Tenant) -> Settings {
    use directory::Who;
    let upn = |w: Who| t.who(w).upn.clone();
    Settings {
        home_tenant_id: Some(t.id.clone()),
        organization_domains: vec![t.domain.into(), t.initial_domain.into()],
        break_glass_accounts: vec![upn(Who::BreakGlass1), upn(Who::BreakGlass2)],
        privileged_accounts: vec!["adm-*@contoso.com".into(), upn(Who::CaAdmin), upn(Who::PimAdmin), upn(Who::AppAdmin)],
        approved_actors: ApprovedActors {
            conditional_access: vec![upn(Who::CaAdmin)],
            user_management: vec![upn(Who::HrSync), "adm-*@contoso.com".into()],
            role_management: vec![upn(Who::PimAdmin), "MS-PIM".into()],
            guest_invitations: vec![upn(Who::PartnerManager)],
            application_management: vec![upn(Who::AppAdmin)],
        },
        critical_groups: vec![t.critical_group.name.into()],
        trusted_networks: directory::OFFICES.iter().map(|o| o.cidr.to_string()).collect(),
        operating_countries: build::OPERATING.iter().map(|c| c.to_string()).collect(),
        business_hours: Some(BusinessHours {
            timezone: "UTC".into(),
            days: ["Mon", "Tue", "Wed", "Thu", "Fri"].iter().map(|d| d.to_string()).collect(),
            start: "07:00".into(),
            end: "19:00".into(),
        }),
        naming_policy: Default::default(),
        sensitive_applications: vec![directory::GRAPH_ID.into(), directory::AZURE_PORTAL.id.into()],
        legacy_authentication_blocked: Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plant_gives_exactly_the_events_generate_plants() {
        let cfg = TenantConfig::small(7);
        let g = generate(&cfg).unwrap();
        let p = plant(&cfg).unwrap();
        assert_eq!(p.labels, g.labels);
        assert_eq!(p.settings, g.settings);
        assert!(p.signins.len() > 100 && p.audits.len() > 20);
        for s in &p.signins {
            assert_eq!(g.logs.signins.iter().find(|x| x.request_id == s.request_id), Some(s));
        }
        for a in &p.audits {
            assert_eq!(g.logs.audits.iter().find(|x| x.id == a.id), Some(a));
        }
        assert!(p.signins.windows(2).all(|w| w[0].time <= w[1].time));
        // `incidents: false` in the configuration does not stop `plant`.
        let off = plant(&TenantConfig { incidents: false, ..cfg }).unwrap();
        assert_eq!(off.labels, p.labels);
    }
}
