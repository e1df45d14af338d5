//! The overview (journey 1 and 2): the verdict line, high findings as
//! cards, the rest grouped by guide page, the inputs panel (what was read,
//! what was rejected and why) and the coverage of every guide row.

use std::collections::BTreeMap;

use yew::prelude::*;

use super::state::{Action, View};
use super::Ctx;
use crate::protocol::{fmt_bytes, fmt_count, fmt_date, fmt_time, verdict_line, CoverageView, FindingSummary, InputView};

#[function_component(Overview)]
pub fn overview() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let Some(report) = ctx.state.report.clone() else { return html! {} };
    let high: Vec<&FindingSummary> = report.findings.iter().filter(|f| f.severity == "high").collect();
    let mut groups: BTreeMap<(String, String), Vec<&FindingSummary>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.severity != "high") {
        groups.entry((f.page.clone(), f.page_title.clone())).or_default().push(f);
    }
    html! {
        <div class="overview">
            <section class="verdict-block" aria-labelledby="verdict">
                <h1 id="verdict" class="verdict">{ verdict_line(&report.verdict) }</h1>
                <p class="privacy-short">{"Read in this browser; nothing was uploaded or stored."}</p>
            </section>
            <super::input::DropZone compact=true />
            if !high.is_empty() {
                <section aria-labelledby="high-title">
                    <h2 id="high-title">{"High severity"}</h2>
                    <div class="cards">
                        { for high.iter().map(|f| html! { <FindingCard finding={(*f).clone()} /> }) }
                    </div>
                </section>
            }
            if !groups.is_empty() {
                <section aria-labelledby="other-title">
                    <h2 id="other-title">{ if high.is_empty() { "Findings by guide page" } else { "Other findings, by guide page" } }</h2>
                    { for groups.iter().map(|((page, title), items)| html! {
                        <section class="group" aria-labelledby={format!("group-{page}")}>
                            <h3 id={format!("group-{page}")}>{ title }<span class="count">{ items.len() }</span></h3>
                            <ul class="finding-list">
                                { for items.iter().map(|f| html! { <FindingRow finding={(*f).clone()} /> }) }
                            </ul>
                        </section>
                    }) }
                </section>
            }
            if report.findings.is_empty() {
                <p class="empty">{"No check found anything in these inputs. See the coverage below for what was evaluated and what was not."}</p>
            }
            <Inputs inputs={report.inputs.clone()} />
            <Coverage coverage={report.coverage.clone()} />
        </div>
    }
}

fn open(ctx: &Ctx, index: u32) -> Callback<MouseEvent> {
    let d = ctx.state.dispatcher();
    Callback::from(move |_| {
        d.dispatch(Action::Show(View::Finding(index)));
        if let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    })
}

fn when(f: &FindingSummary) -> String {
    match (f.first_ms, f.last_ms) {
        (Some(a), Some(b)) if fmt_date(a) == fmt_date(b) => format!("{} to {} UTC", fmt_time(a), &fmt_time(b)[11..]),
        (Some(a), Some(b)) => format!("{} to {} UTC", fmt_time(a), fmt_time(b)),
        (Some(a), None) | (None, Some(a)) => format!("{} UTC", fmt_time(a)),
        _ => String::new(),
    }
}

#[derive(Properties, PartialEq)]
pub struct FindingProps {
    pub finding: FindingSummary,
}

#[function_component(FindingCard)]
fn finding_card(p: &FindingProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let f = &p.finding;
    html! {
        <article class={classes!("card", "finding", f.severity.clone())} data-check={f.check.clone()} data-severity={f.severity.clone()}>
            <p class="card-meta"><Severity level={f.severity.clone()} /><code class="code">{&f.check}</code></p>
            <h3 class="card-title">{&f.title}</h3>
            <p class="summary">{&f.summary}</p>
            <p class="muted small">{ when(f) }</p>
            <button type="button" class="button small" onclick={open(&ctx, f.index)}
                aria-label={format!("Open {}: {}", f.title, f.subject.clone().unwrap_or_default())}>
                { format!("Evidence ({})", fmt_count(f.evidence as u64)) }
            </button>
        </article>
    }
}

#[function_component(FindingRow)]
pub fn finding_row(p: &FindingProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let f = &p.finding;
    html! {
        <li class={classes!("finding", "row", f.severity.clone())} data-check={f.check.clone()} data-severity={f.severity.clone()}>
            <Severity level={f.severity.clone()} />
            <div class="row-main">
                <button type="button" class="link title" onclick={open(&ctx, f.index)}>{&f.title}</button>
                <span class="summary">{&f.summary}</span>
            </div>
            <span class="muted small nowrap">{ format!("{} record{}", fmt_count(f.evidence as u64), if f.evidence == 1 { "" } else { "s" }) }</span>
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct SeverityProps {
    pub level: String,
}

#[function_component(Severity)]
pub fn severity(p: &SeverityProps) -> Html {
    html! { <span class={classes!("sev", p.level.clone())}>{ p.level.to_uppercase() }</span> }
}

#[derive(Properties, PartialEq)]
struct InputsProps {
    inputs: Vec<InputView>,
}

/// The inputs panel: evidence of what was read (journey 2).
#[function_component(Inputs)]
fn inputs(p: &InputsProps) -> Html {
    let rejected: u64 = p.inputs.iter().map(|i| i.rejected_total).sum();
    html! {
        <section class="panel" aria-labelledby="inputs-title" id="inputs">
            <h2 id="inputs-title">{"Inputs"}</h2>
            <p class="muted">{ format!("{} file{} read; {} row{} rejected.", p.inputs.len(), if p.inputs.len() == 1 { "" } else { "s" },
                fmt_count(rejected), if rejected == 1 { "" } else { "s" }) }</p>
            <div class="table-wrap">
            <table class="grid inputs-table">
                <thead><tr>
                    <th scope="col">{"File"}</th><th scope="col">{"Recognized as"}</th><th scope="col">{"Dates (UTC)"}</th>
                    <th scope="col" class="num">{"Records"}</th><th scope="col" class="num">{"Rejected"}</th><th scope="col">{"Notes"}</th>
                </tr></thead>
                <tbody>
                { for p.inputs.iter().map(|i| html! {
                    <tr class={classes!(i.error.is_some().then_some("input-error"))}>
                        <td class="path">{&i.path}<div class="muted small">{ fmt_bytes(i.bytes) }</div></td>
                        <td>{&i.kind}<div class="muted small">{&i.format}</div></td>
                        <td class="nowrap">{ match (i.first_ms, i.last_ms) {
                            (Some(a), Some(b)) => format!("{} to {}", fmt_date(a), fmt_date(b)),
                            _ => "–".into(),
                        } }</td>
                        <td class="num">{ fmt_count(i.records) }</td>
                        <td class="num">{ fmt_count(i.rejected_total) }</td>
                        <td>
                            if let Some(e) = &i.error { <p class="error-text">{e}</p> }
                            { for i.warnings.iter().map(|w| html! { <p class="warn-text">{w}</p> }) }
                            if !i.rejected.is_empty() {
                                <details>
                                    <summary>{ format!("Rejected rows ({})", fmt_count(i.rejected_total)) }</summary>
                                    <ul class="rejected">
                                        { for i.rejected.iter().map(|(line, why)| html! { <li>{ format!("line {line}: ") }{why}</li> }) }
                                    </ul>
                                    if (i.rejected.len() as u64) < i.rejected_total {
                                        <p class="muted small">{ format!("The first {} are listed; the exports carry them all.", i.rejected.len()) }</p>
                                    }
                                </details>
                            }
                        </td>
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CoverageProps {
    coverage: Vec<CoverageView>,
}

/// Coverage of every guide row: what ran, and what to export or configure
/// to run the rest.
#[function_component(Coverage)]
fn coverage(p: &CoverageProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let count = |s: &str| p.coverage.iter().filter(|c| c.status == s).count();
    let (evaluated, needs_data, needs_settings, na) =
        (count("evaluated"), count("needs-data"), count("needs-settings"), count("not-applicable"));

    // Settings gaps by key: one button per key, opening the editor there.
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    for c in p.coverage.iter().filter(|c| c.status == "needs-settings") {
        for key in c.needs.as_deref().unwrap_or("").split(',').map(str::trim).filter(|k| !k.is_empty()) {
            *by_key.entry(key.to_string()).or_default() += 1;
        }
    }
    // Data gaps by export, biggest first; rows no check implements yet apart.
    let mut by_data: BTreeMap<String, usize> = BTreeMap::new();
    let mut unimplemented = 0;
    for c in p.coverage.iter().filter(|c| c.status == "needs-data") {
        if c.checks.is_empty() {
            unimplemented += 1;
        } else {
            *by_data.entry(c.needs.clone().unwrap_or_default()).or_default() += 1;
        }
    }
    let show_all = use_state(|| false);
    let toggle = {
        let show_all = show_all.clone();
        Callback::from(move |_| show_all.set(!*show_all))
    };
    let mut by_data: Vec<(String, usize)> = by_data.into_iter().collect();
    by_data.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    html! {
        <section class="panel" aria-labelledby="coverage-title" id="coverage">
            <h2 id="coverage-title">{"Coverage of the guide"}</h2>
            <ul class="coverage-counts">
                <li class="cov evaluated"><strong>{evaluated}</strong>{" evaluated"}</li>
                <li class="cov needs-settings"><strong>{needs_settings}</strong>{" need settings"}</li>
                <li class="cov needs-data"><strong>{needs_data}</strong>{" need data"}</li>
                <li class="cov not-applicable"><strong>{na}</strong>{" not applicable"}</li>
            </ul>
            if !by_key.is_empty() {
                <h3>{"Settings that would enable more checks"}</h3>
                <ul class="gap-list">
                    { for by_key.iter().map(|(key, n)| {
                        let d = ctx.state.dispatcher();
                        let k = key.clone();
                        let onclick = Callback::from(move |_| d.dispatch(Action::Show(View::Settings(Some(k.clone())))));
                        html! {
                            <li>
                                <button type="button" class="button small" {onclick} data-setting={key.clone()}>{ format!("Set {key}") }</button>
                                <span>{ format!(" {n} guide row{}", if *n == 1 { "" } else { "s" }) }</span>
                            </li>
                        }
                    }) }
                </ul>
            }
            if !by_data.is_empty() {
                <h3>{"Exports that would enable more checks"}</h3>
                <ul class="gap-list data">
                    { for by_data.iter().map(|(what, n)| html! {
                        <li><strong>{ format!("{n} row{}: ", if *n == 1 { "" } else { "s" }) }</strong>{ what }</li>
                    }) }
                </ul>
            }
            if unimplemented > 0 {
                <p class="muted">{ format!("{unimplemented} guide rows need data no export from the admin center carries (risk detections, domain controller events and so on); they are listed below.") }</p>
            }
            <button type="button" class="link coverage-toggle" onclick={toggle} aria-expanded={show_all.to_string()} aria-controls="coverage-all">
                { format!("{} every guide row ({})", if *show_all { "Hide" } else { "Show" }, p.coverage.len()) }
            </button>
            // Drawn only when asked: 245 rows are not worth a slower first screen.
            if *show_all {
                <div class="table-wrap coverage-all" id="coverage-all">
                <table class="grid coverage-table">
                    <thead><tr><th scope="col">{"Row"}</th><th scope="col">{"What to monitor"}</th><th scope="col">{"Status"}</th><th scope="col">{"What it needs"}</th></tr></thead>
                    <tbody>
                    { for p.coverage.iter().map(|c| html! {
                        <tr>
                            <td class="nowrap"><code>{&c.guide}</code></td>
                            <td>{&c.what}<div class="muted small">{&c.page_title}</div></td>
                            <td><span class={classes!("cov", c.status.clone())}>{&c.status}</span></td>
                            <td>{ c.needs.clone().unwrap_or_default() }
                                if !c.checks.is_empty() { <div class="muted small">{ c.checks.join(", ") }</div> }
                            </td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
            }
        </section>
    }
}
