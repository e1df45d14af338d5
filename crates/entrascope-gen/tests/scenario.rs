//! The simulated tenant: determinism, labels, and the same records in every format.

mod common;

use std::collections::BTreeSet;

use entrascope_core::Settings;
use entrascope_gen::formats::write_demo_bundle;
use entrascope_gen::{generate, write_format, Format, Generated, Label, MemorySink, SignInKind, TenantConfig, INCIDENTS};

fn small(seed: u64) -> Generated {
    generate(&TenantConfig::small(seed)).expect("generate")
}

/// Quicker to render in every format.
fn demo(seed: u64) -> Generated {
    generate(&TenantConfig::demo(seed)).expect("generate")
}

fn render(g: &Generated, f: Format) -> MemorySink {
    let mut sink = MemorySink::default();
    write_format(f, &g.logs, &g.ctx, &mut sink).expect("write");
    sink
}

#[test]
fn same_seed_gives_the_same_bytes_in_every_format() {
    let a = demo(11);
    let b = demo(11);
    assert_eq!(a.logs, b.logs);
    assert_eq!(a.labels, b.labels);
    assert_eq!(a.settings_json(), b.settings_json());
    for f in Format::ALL {
        assert_eq!(render(&a, f).files, render(&b, f).files, "{f:?}");
    }
    let c = demo(12);
    assert_ne!(render(&a, Format::PortalCsv).files, render(&c, Format::PortalCsv).files);
}

#[test]
fn every_incident_has_one_positive_and_one_near_miss_label() {
    let g = small(5);
    for incident in INCIDENTS {
        let pos = g.labels.iter().filter(|l| l.incident == incident && !l.near_miss).count();
        let neg = g.labels.iter().filter(|l| l.incident == incident && l.near_miss).count();
        assert_eq!((pos, neg), (1, 1), "{incident}");
    }
    assert_eq!(g.labels.len(), 2 * INCIDENTS.len());
    for l in &g.labels {
        assert!(!l.evidence_ids.is_empty(), "{}", l.incident);
        assert_eq!(l.evidence_ids.len(), l.correlation_ids.len());
        assert!(!l.note.is_empty());
    }
}

#[test]
fn labels_round_trip_through_json() {
    let g = small(5);
    let text = g.labels_json();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let back: Vec<Label> = v.as_array().unwrap().iter().map(|x| Label::from_json(x).unwrap()).collect();
    assert_eq!(back, g.labels);
}

#[test]
fn settings_file_is_valid_for_the_contract() {
    let g = small(5);
    let (settings, warnings) = Settings::from_json(&g.settings_json()).expect("valid settings");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(settings, g.settings);
    assert_eq!(settings.home_tenant_id.as_deref(), Some(g.tenant.id.as_str()));
}

#[test]
fn every_evidence_id_is_in_every_format() {
    let g = demo(5);
    let signin_ids: BTreeSet<&str> = g.logs.signins.iter().map(|s| s.request_id.as_str()).collect();
    let audit_ids: BTreeSet<&str> = g.logs.audits.iter().map(|a| a.id.as_str()).collect();
    for l in &g.labels {
        for id in &l.evidence_ids {
            assert!(signin_ids.contains(id.as_str()) || audit_ids.contains(id.as_str()), "{}: {id} not generated", l.incident);
        }
    }
    for f in Format::ALL {
        let back = common::read_back(f.name(), &render(&g, f));
        for l in &g.labels {
            for (id, corr) in l.evidence_ids.iter().zip(&l.correlation_ids) {
                let found = back.signins.contains_key(id)
                    || back.audits.contains_key(id)
                    || (!f.carries_audit_id() && back.audits.keys().any(|k| k.starts_with(&format!("{corr}|"))));
                assert!(found, "{f:?}: evidence {id} of {} missing", l.incident);
            }
        }
    }
}

#[test]
fn every_format_carries_the_same_records() {
    let g = demo(9);
    for f in Format::ALL {
        let back = common::read_back(f.name(), &render(&g, f));
        let model = common::model_view(&g, !f.carries_audit_id());
        assert_eq!(back.signins.len(), model.signins.len(), "{f:?} sign-in count");
        for (id, key) in &model.signins {
            assert_eq!(back.signins.get(id), Some(key), "{f:?} sign-in {id}");
        }
        assert_eq!(back.audits, model.audits, "{f:?} audits");
        if f.is_portal_csv() {
            // AuthDetails carries each interactive sign-in's steps.
            for s in g.logs.signins.iter().filter(|s| s.kind == SignInKind::Interactive && !s.auth_steps.is_empty()) {
                let details: Vec<String> = s.auth_steps.iter().map(|st| st.result_detail.clone()).collect();
                assert_eq!(back.steps.get(&s.request_id), Some(&details), "{f:?} steps of {}", s.request_id);
            }
        }
    }
}

#[test]
fn times_are_whole_seconds_and_inside_the_window() {
    let g = small(5);
    let start = g.config.start();
    for s in &g.logs.signins {
        assert_eq!(s.time.0 % 1000, 0);
        assert!(s.time >= start && s.time < g.config.end);
        assert!(s.auth_steps.iter().all(|st| st.time.0 % 1000 == 0));
    }
    for a in &g.logs.audits {
        assert_eq!(a.time.0 % 1000, 0);
        assert!(a.time >= start && a.time < g.config.end);
    }
    assert!(g.logs.signins.windows(2).all(|w| w[0].time <= w[1].time));
}

#[test]
fn ids_are_unique() {
    let g = small(5);
    let mut seen = BTreeSet::new();
    for s in &g.logs.signins {
        assert!(seen.insert(s.request_id.clone()), "duplicate request id");
    }
    let mut corr = BTreeSet::new();
    for a in &g.logs.audits {
        assert!(seen.insert(a.id.clone()), "duplicate audit id");
        assert!(
            corr.insert(common::portal_audit_key(&a.correlation_id, &a.activity)),
            "correlation id and activity do not identify an audit event"
        );
        assert!(a.id.contains(&a.correlation_id), "{} embeds its correlation id", a.id);
    }
    // One consent flow shares a correlation id across its three events.
    let consent = g.logs.audits.iter().find(|a| a.activity == "Consent to application").unwrap();
    let flow: Vec<&str> =
        g.logs.audits.iter().filter(|a| a.correlation_id == consent.correlation_id).map(|a| a.activity.as_str()).collect();
    assert_eq!(flow, ["Add service principal", "Add delegated permission grant", "Consent to application"]);
}

#[test]
fn the_tenant_looks_like_a_tenant() {
    let g = small(5);
    let kinds: Vec<usize> = SignInKind::ALL.iter().map(|&k| g.logs.count(k)).collect();
    assert!(kinds.iter().all(|&n| n > 0), "{kinds:?}");
    assert!(kinds[0] > 1000 && kinds[1] > 1000, "{kinds:?}");
    let mut quiet = TenantConfig::small(5);
    quiet.incidents = false;
    let bg = generate(&quiet).unwrap();
    let total = bg.logs.signins.len();
    let nonzero = bg.logs.signins.iter().filter(|s| s.error_code != 0).count();
    let failed = bg.logs.signins.iter().filter(|s| s.status == entrascope_gen::Status::Failure).count();
    assert!(nonzero * 100 < total * 15, "interrupts and failures: {nonzero} of {total}");
    assert!(failed * 100 < total * 6, "failures: {failed} of {total}");
    let countries: BTreeSet<&str> = g.logs.signins.iter().filter(|s| s.kind.is_user()).map(|s| s.country.as_str()).collect();
    for c in ["US", "GB", "DE"] {
        assert!(countries.contains(c));
    }
    let activities: BTreeSet<&str> = g.logs.audits.iter().map(|a| a.activity.as_str()).collect();
    for a in [
        "Update user",
        "Add member to group",
        "Add member to role",
        "Add member to role completed (PIM activation)",
        "Update application",
    ] {
        assert!(activities.contains(a), "{a}");
    }
}

#[test]
fn demo_bundle_is_small_and_complete() {
    let g = generate(&TenantConfig::demo(1)).unwrap();
    let mut sink = MemorySink::default();
    write_demo_bundle(&g.logs, &g.ctx, &mut sink).unwrap();
    let total = sink.total_bytes();
    assert!(total <= 2_300_000, "demo bundle is {total} bytes");
    assert!(
        g.logs.signins.len() >= 1000 && g.logs.audits.len() >= 150,
        "{} sign-ins, {} audits",
        g.logs.signins.len(),
        g.logs.audits.len()
    );
    assert_eq!(g.labels.len(), 2 * INCIDENTS.len());
    assert_eq!(sink.files.len(), 6);
    assert!(sink.files.iter().any(|(n, _)| n.ends_with(".json")) && sink.files.iter().any(|(n, _)| n.ends_with(".csv")));
}

#[test]
fn config_is_validated() {
    let mut c = TenantConfig::small(1);
    c.days = 10;
    assert!(generate(&c).unwrap_err().contains("21 days"));
    c.incidents = false;
    assert!(generate(&c).is_ok());
    let mut c = TenantConfig::small(1);
    c.members = 10;
    assert!(generate(&c).is_err());
}
