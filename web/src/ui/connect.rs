//! Entra Connect Sync (journey 3): the sync findings first, then production
//! and staging compared (only differences, both values), then each
//! configuration's rules in plain words (custom rules highlighted, built-in
//! rules folded) and one attribute's path across every rule that sets it.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::overview::FindingRow;
use super::Ctx;
use crate::protocol::{ConnectConfigView, ConnectRuleView};

#[function_component(ConnectPage)]
pub fn connect_page() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let Some(report) = ctx.state.report.clone() else { return html! {} };
    let Some(view) = report.connect.clone() else {
        return html! { <section><h1>{"Entra Connect Sync"}</h1><p class="muted">{"No Entra Connect configuration was read. Drop the folder Get-ADSyncServerConfiguration wrote."}</p></section> };
    };
    let sync: Vec<_> = report.findings.iter().filter(|f| f.page == "entra-connect").cloned().collect();
    html! {
        <section class="connect" aria-labelledby="connect-title">
            <h1 id="connect-title">{"Entra Connect Sync"}</h1>
            <section aria-labelledby="sync-findings">
                <h2 id="sync-findings">{ format!("Sync findings ({})", sync.len()) }</h2>
                if sync.is_empty() {
                    <p class="muted">{"No sync check found anything."}</p>
                } else {
                    <ul class="finding-list">{ for sync.into_iter().map(|f| html! { <FindingRow finding={f} /> }) }</ul>
                }
            </section>
            { for view.diffs.iter().map(|d| html! {
                <section class="panel" aria-label={format!("{} compared with {}", d.a, d.b)}>
                    <h2>{ format!("{} compared with {}", d.a, d.b) }</h2>
                    if d.lines.is_empty() {
                        <p>{"No differences."}</p>
                    } else {
                        <div class="table-wrap">
                        <table class="grid diff-table">
                            <thead><tr><th scope="col">{"What"}</th><th scope="col">{"Name"}</th><th scope="col">{"Change"}</th><th scope="col">{"Field"}</th>
                                <th scope="col">{ d.a.clone() }</th><th scope="col">{ d.b.clone() }</th></tr></thead>
                            <tbody>
                            { for d.lines.iter().map(|l| html! {
                                <tr class={classes!("diff", l.change.clone())}>
                                    <td>{&l.area}</td><td>{&l.name}</td><td>{&l.change}</td><td>{&l.field}</td>
                                    <td class="val">{&l.a}</td><td class="val">{&l.b}</td>
                                </tr>
                            }) }
                            </tbody>
                        </table>
                        </div>
                    }
                    { for d.notes.iter().map(|n| html! { <p class="muted small">{n}</p> }) }
                </section>
            }) }
            { for view.configs.iter().map(|c| html! { <Config config={c.clone()} /> }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ConfigProps {
    config: ConnectConfigView,
}

#[function_component(Config)]
fn config(p: &ConfigProps) -> Html {
    let c = &p.config;
    let attr = use_state(String::new);
    let custom: Vec<&ConnectRuleView> = c.rules.iter().filter(|r| r.custom).collect();
    let builtin: Vec<&ConnectRuleView> = c.rules.iter().filter(|r| !r.custom).collect();
    let mut targets: Vec<&str> =
        c.rules.iter().flat_map(|r| r.mappings.iter().map(|m| m.0.as_str())).filter(|t| !t.is_empty()).collect();
    targets.sort_unstable_by_key(|t| t.to_lowercase());
    targets.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let list_id = format!("attrs-{}", c.label.replace(|ch: char| !ch.is_ascii_alphanumeric(), "-"));
    let oninput = {
        let attr = attr.clone();
        Callback::from(move |e: InputEvent| attr.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let wanted = attr.trim().to_lowercase();
    let path: Vec<(&ConnectRuleView, &(String, String, String))> = if wanted.is_empty() {
        Vec::new()
    } else {
        c.rules.iter().flat_map(|r| r.mappings.iter().filter(|m| m.0.to_lowercase() == wanted).map(move |m| (r, m))).collect()
    };
    html! {
        <section class="panel connect-config" aria-label={c.label.clone()}>
            <h2>{ &c.label }</h2>
            <dl class="facts">
                <div><dt>{"Server"}</dt><dd>{ if c.server.is_empty() { "–".into() } else { c.server.clone() } }</dd></div>
                <div><dt>{"Version"}</dt><dd>{ if c.version.is_empty() { "–".into() } else { c.version.clone() } }</dd></div>
                <div><dt>{"Mode"}</dt><dd>{ match c.staging { Some(true) => "staging", Some(false) => "active", None => "–" } }</dd></div>
                <div><dt>{"Rules"}</dt><dd>{ format!("{} custom, {} built-in", custom.len(), builtin.len()) }</dd></div>
            </dl>
            if !c.highlights.is_empty() {
                <table class="grid compact highlights">
                    <tbody>{ for c.highlights.iter().map(|(k, v, m)| html! { <tr><th scope="row">{k}</th><td>{v}</td><td class="muted">{m}</td></tr> }) }</tbody>
                </table>
            }
            <h3>{ format!("Custom rules ({})", custom.len()) }</h3>
            if custom.is_empty() { <p class="muted">{"None: every rule is a built-in one."}</p> }
            <ul class="rules">{ for custom.iter().map(|r| rule(r)) }</ul>
            <details>
                <summary>{ format!("Built-in rules ({})", builtin.len()) }</summary>
                <ul class="rules">{ for builtin.iter().map(|r| rule(r)) }</ul>
            </details>
            <h3>{"One attribute's path"}</h3>
            <label class="attr-pick">{"Attribute "}
                <input type="text" list={list_id.clone()} placeholder="e.g. userPrincipalName" {oninput} value={(*attr).clone()} />
            </label>
            <datalist id={list_id}>{ for targets.iter().map(|t| html! { <option value={t.to_string()} /> }) }</datalist>
            if !wanted.is_empty() {
                if path.is_empty() {
                    <p class="muted">{"No rule sets this attribute."}</p>
                } else {
                    <table class="grid compact">
                        <thead><tr><th scope="col">{"Rule"}</th><th scope="col">{"Direction"}</th><th scope="col">{"Precedence"}</th><th scope="col">{"From"}</th><th scope="col">{"Flow"}</th></tr></thead>
                        <tbody>{ for path.iter().map(|(r, m)| html! {
                            <tr class={classes!(r.custom.then_some("custom"))}>
                                <td>{&r.name}</td><td>{&r.direction}</td><td class="num">{ r.precedence.map(|p| p.to_string()).unwrap_or_default() }</td>
                                <td><code>{&m.1}</code></td><td>{&m.2}</td>
                            </tr>
                        }) }</tbody>
                    </table>
                }
            }
        </section>
    }
}

fn rule(r: &ConnectRuleView) -> Html {
    html! {
        <li class={classes!("rule", r.custom.then_some("custom"), r.disabled.then_some("disabled"))}>
            <p class="rule-head"><strong>{&r.name}</strong>
                <span class="muted small">{ format!(" {} · {} · precedence {}{}", r.direction, r.connector,
                    r.precedence.map(|p| p.to_string()).unwrap_or_else(|| "–".into()), if r.disabled { " · disabled" } else { "" }) }</span></p>
            if !r.scope.is_empty() { <p class="small">{"Applies to "}{&r.scope}</p> }
            { for r.join.iter().map(|j| html! { <p class="small">{"Joins "}{j}</p> }) }
        </li>
    }
}
