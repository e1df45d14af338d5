use super::*;

#[test]
fn bundled_rules_load_or_say_why_not() {
    let set = bundled();
    assert_eq!(set.rules.len() + set.unmapped.len(), BUNDLED.len(), "every bundled file is a rule or reported");
    assert!(
        set.rules.len() >= 40,
        "most SigmaHQ Azure sign-in and audit rules map: {} mapped, unmapped: {:#?}",
        set.rules.len(),
        set.unmapped
    );
    for u in &set.unmapped {
        assert!(!u.reason.is_empty());
    }
    // PIM rules need an export entrascope does not read.
    assert!(set.unmapped.iter().any(|u| u.reason.contains("PIM")));
    let mut codes: Vec<String> = set.rules.iter().map(|r| r.code()).collect();
    codes.sort();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n, "rule codes are unique");
}

#[test]
fn hostile_rules_are_refused_not_run() {
    let bomb = "a: &a [\"x\",\"x\"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ntitle: t\ndetection:\n  s: {x: *c}\n  condition: s\n";
    let set = load(&[("bomb.yml".into(), bomb.into())]);
    assert!(set.rules.is_empty());
    assert!(set.unmapped[0].reason.contains("aliases"), "{:?}", set.unmapped);
    let set = load(&[("bad.yml".into(), "title: [unclosed".into())]);
    assert!(set.unmapped[0].reason.contains("YAML"));
    let agg = "title: t\nid: 1\nlogsource: {product: azure, service: signinlogs}\ndetection:\n  selection: {ResultType: 50126}\n  condition: selection | count() > 5\n";
    let set = load(&[("agg.yml".into(), agg.into())]);
    assert!(set.unmapped[0].reason.contains("aggregation"));
    let field = "title: t\nid: 1\nlogsource: {product: azure, service: signinlogs}\ndetection:\n  selection: {NoSuchField: x}\n  condition: selection\n";
    let set = load(&[("field.yml".into(), field.into())]);
    assert!(set.unmapped[0].reason.contains("NoSuchField"));
}

#[test]
fn mapping_covers_the_fields_sigmahq_azure_rules_use() {
    let set = bundled();
    let unmapped_fields: Vec<&Unmapped> = set.unmapped.iter().filter(|u| u.reason.contains("no counterpart")).collect();
    // NetworkLocationDetails (named locations) and ActivityDetails are not in
    // any export entrascope reads; everything else the rules name is mapped.
    assert!(unmapped_fields.len() <= 2, "{unmapped_fields:#?}");
}
