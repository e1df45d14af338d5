//! One finding (journey 1 and 2): what happened, who, when, from where
//! (summary and timeline), which records prove it (the evidence table and
//! each record in full), why it matters and what to do (the check's doc).

use std::rc::Rc;

use yew::prelude::*;

use super::charts::Timeline;
use super::md::Markdown;
use super::overview::Severity;
use super::state::{Action, View};
use super::vtable::VTable;
use super::Ctx;
use crate::protocol::{fmt_count, fmt_time, Source, ToWorker};

#[derive(Properties, PartialEq)]
pub struct FindingProps {
    pub index: u32,
}

#[function_component(FindingView)]
pub fn finding_view(p: &FindingProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let index = p.index;
    {
        let ctx = ctx.clone();
        use_effect_with((index, ctx.state.generation), move |(i, _)| {
            ctx.bridge.post(&ToWorker::Detail { finding: *i }, &[]);
            super::focus_id("finding-title");
        });
    }
    let detail = ctx.state.detail.clone().filter(|d| d.index == index);
    let columns = use_memo(detail.as_ref().map(|d| d.columns.clone()), |c| Rc::new(c.clone().unwrap_or_default()));
    let Some(report) = ctx.state.report.clone() else { return html! {} };
    let Some(f) = report.findings.get(index as usize).cloned() else {
        return html! { <p>{"This finding no longer exists after the last run."}</p> };
    };
    let selected = ctx.state.record.as_ref().filter(|r| r.source == Source::Finding(index)).map(|r| r.row);

    let back = {
        let d = ctx.state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Show(View::Overview)))
    };
    let on_open = {
        let ctx = ctx.clone();
        Callback::from(move |row: u32| ctx.bridge.post(&ToWorker::Record { source: Source::Finding(index), row }, &[]))
    };
    let when = match (f.first_ms, f.last_ms) {
        (Some(a), Some(b)) => format!("{} to {} UTC", fmt_time(a), fmt_time(b)),
        _ => "no timestamps".into(),
    };

    html! {
        <article class="finding-view" data-check={f.check.clone()} data-severity={f.severity.clone()}>
            <nav class="crumbs" aria-label="Breadcrumb">
                <button type="button" class="link" onclick={back}>{"← Overview"}</button>
            </nav>
            <header class="finding-head">
                <p class="card-meta"><Severity level={f.severity.clone()} /><code class="code">{&f.check}</code>
                    { for f.guide.iter().map(|g| html! { <span class="tag">{g}</span> }) }</p>
                <h1 id="finding-title" tabindex="-1">{&f.title}</h1>
                <p class="summary big">{&f.summary}</p>
                <dl class="facts">
                    if let Some(s) = &f.subject { <div><dt>{"Subject"}</dt><dd>{s}</dd></div> }
                    <div><dt>{"When"}</dt><dd>{when}</dd></div>
                    <div><dt>{"Records"}</dt><dd>{ fmt_count(f.evidence as u64) }</dd></div>
                    <div><dt>{"Guide page"}</dt><dd>{&f.page_title}</dd></div>
                </dl>
            </header>
            <div class="finding-body">
                <div class="finding-main">
                    <section aria-labelledby="timeline-title">
                        <h2 id="timeline-title">{"Timeline"}</h2>
                        { match &detail { Some(d) => html! { <Timeline data={d.timeline.clone()} /> }, None => html! { <p class="muted">{"Loading…"}</p> } } }
                    </section>
                    <section aria-labelledby="evidence-title">
                        <h2 id="evidence-title">{"Evidence"}</h2>
                        if let Some(d) = &detail {
                            <VTable source={Source::Finding(index)} columns={(*columns).clone()} total={d.rows} {on_open} {selected} />
                        }
                    </section>
                </div>
                <aside class="finding-doc" aria-labelledby="doc-title">
                    <h2 id="doc-title">{"About this check"}</h2>
                    { match &detail {
                        Some(d) if !d.doc.is_empty() => html! { <Markdown source={AttrValue::from(d.doc.clone())} base={3} /> },
                        Some(_) => html! { <p class="muted">{"No documentation."}</p> },
                        None => html! { <p class="muted">{"Loading…"}</p> },
                    } }
                    if let Some(d) = &detail {
                        if !d.tags.is_empty() { <p class="muted small">{ format!("Tags: {}", d.tags.join(", ")) }</p> }
                    }
                </aside>
            </div>
            <RecordDrawer />
        </article>
    }
}

/// The full content of one record, as a dialog-like panel. Esc closes it.
#[function_component(RecordDrawer)]
pub fn record_drawer() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    use_effect_with(ctx.state.record.as_ref().map(|r| r.row), |row| {
        if row.is_some() {
            super::focus_id("record-title");
        }
    });
    let Some(r) = ctx.state.record.clone() else { return html! {} };
    let close = {
        let d = ctx.state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::CloseRecord))
    };
    let onkeydown = {
        let d = ctx.state.dispatcher();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                d.dispatch(Action::CloseRecord);
            }
        })
    };
    html! {
        <aside class="record-drawer" role="dialog" aria-modal="false" aria-labelledby="record-title" {onkeydown}>
            <div class="drawer-head">
                <h2 id="record-title" tabindex="-1">{&r.title}</h2>
                <button type="button" class="button small" onclick={close}>{"Close"}</button>
            </div>
            <dl class="record">
                { for r.fields.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| html! {
                    <div><dt>{k}</dt><dd>{v}</dd></div>
                }) }
            </dl>
        </aside>
    }
}
