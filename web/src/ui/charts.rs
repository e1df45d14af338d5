//! Small SVG charts drawn with presentation attributes only (no inline
//! styles, so the CSP needs no `unsafe-inline`). Colours come from CSS
//! classes, so both themes apply.

use yew::prelude::*;

use crate::protocol::{fmt_count, fmt_date, fmt_time, Timeline as TimelineData, TopItem};

const W: f64 = 800.0;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub data: TimelineData,
}

/// The events of one finding over time: bars of counts, dots when few.
#[function_component(Timeline)]
pub fn timeline(p: &TimelineProps) -> Html {
    let d = &p.data;
    if d.bins.is_empty() {
        return html! { <p class="muted">{"The evidence has no timestamps."}</p> };
    }
    let h = 110.0;
    let base = 90.0;
    let max = d.bins.iter().copied().max().unwrap_or(1).max(1) as f64;
    let n = d.bins.len() as f64;
    let bw = W / n;
    let span = (d.end_ms - d.start_ms).max(1) as f64;
    let x_of = |t: i64| ((t - d.start_ms) as f64 / span * W).clamp(0.0, W);
    let label = |t: i64| if d.end_ms - d.start_ms < 2 * 86_400_000 { fmt_time(t) } else { fmt_date(t) };
    html! {
        <figure class="chart timeline">
            <svg viewBox={format!("0 0 {W} {h}")} role="img" preserveAspectRatio="none"
                aria-label={format!("{} events from {} to {} UTC", fmt_count(d.bins.iter().map(|b| *b as u64).sum()), label(d.start_ms), label(d.end_ms))}>
                <line class="axis" x1="0" x2={W.to_string()} y1={base.to_string()} y2={base.to_string()} />
                { for d.bins.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| {
                    let bh = (*c as f64 / max * (base - 8.0)).max(2.0);
                    html! {
                        <rect class="bar" x={format!("{:.2}", i as f64 * bw + bw * 0.1)} y={format!("{:.2}", base - bh)}
                            width={format!("{:.2}", (bw * 0.8).max(1.0))} height={format!("{bh:.2}")}>
                            <title>{ format!("{}: {}", fmt_time(d.start_ms + i as i64 * d.bin_ms), c) }</title>
                        </rect>
                    }
                }) }
                { for d.points.iter().map(|t| html! {
                    <circle class="dot" cx={format!("{:.2}", x_of(*t))} cy={(base + 8.0).to_string()} r="2.5"><title>{ fmt_time(*t) }</title></circle>
                }) }
            </svg>
            <figcaption class="axis-labels">
                <span>{ format!("{} UTC", label(d.start_ms)) }</span>
                <span>{ format!("max {} per {}", max as u64, duration(d.bin_ms)) }</span>
                <span>{ format!("{} UTC", label(d.end_ms)) }</span>
            </figcaption>
        </figure>
    }
}

pub fn duration(ms: i64) -> String {
    let m = ms / 60_000;
    if m < 60 {
        format!("{} min", m.max(1))
    } else if m < 60 * 48 {
        format!("{} h", m / 60)
    } else {
        format!("{} days", m / 1440)
    }
}

#[derive(Properties, PartialEq)]
pub struct OverTimeProps {
    /// (bucket start, success, failure, interrupted)
    pub series: Vec<(i64, u32, u32, u32)>,
    pub bucket_ms: i64,
}

/// Sign-ins over time, stacked by outcome (the Sentinel workbook chart).
#[function_component(OverTime)]
pub fn over_time(p: &OverTimeProps) -> Html {
    if p.series.is_empty() {
        return html! { <p class="muted">{"No sign-ins."}</p> };
    }
    let h = 220.0;
    let base = 200.0;
    let max = p.series.iter().map(|(_, s, f, i)| s + f + i).max().unwrap_or(1).max(1) as f64;
    let bw = W / p.series.len() as f64;
    let scale = |v: u32| v as f64 / max * (base - 10.0);
    let first = p.series.first().map(|s| s.0).unwrap_or(0);
    let last = p.series.last().map(|s| s.0).unwrap_or(0);
    html! {
        <figure class="chart over-time">
            <svg viewBox={format!("0 0 {W} {h}")} role="img" preserveAspectRatio="none"
                aria-label={format!("Sign-ins per {} from {} to {}", duration(p.bucket_ms), fmt_date(first), fmt_date(last))}>
                <line class="axis" x1="0" x2={W.to_string()} y1={base.to_string()} y2={base.to_string()} />
                <line class="grid-line" x1="0" x2={W.to_string()} y1="10" y2="10" />
                { for p.series.iter().enumerate().map(|(i, (t, s, f, int))| {
                    let x = i as f64 * bw + bw * 0.1;
                    let w = (bw * 0.8).max(0.8);
                    let (hs, hf, hi) = (scale(*s), scale(*f), scale(*int));
                    html! {
                        <g>
                            <title>{ format!("{}: {} success, {} failure, {} interrupted", fmt_time(*t), s, f, int) }</title>
                            <rect class="ok" x={format!("{x:.2}")} y={format!("{:.2}", base - hs)} width={format!("{w:.2}")} height={format!("{hs:.2}")} />
                            <rect class="fail" x={format!("{x:.2}")} y={format!("{:.2}", base - hs - hf)} width={format!("{w:.2}")} height={format!("{hf:.2}")} />
                            <rect class="interrupted" x={format!("{x:.2}")} y={format!("{:.2}", base - hs - hf - hi)} width={format!("{w:.2}")} height={format!("{hi:.2}")} />
                        </g>
                    }
                }) }
            </svg>
            <figcaption class="axis-labels">
                <span>{ fmt_date(first) }</span>
                <span class="legend">
                    <span class="key ok">{"success"}</span>
                    <span class="key fail">{"failure"}</span>
                    <span class="key interrupted">{"interrupted"}</span>
                    <span>{ format!("max {} per {}", max as u64, duration(p.bucket_ms)) }</span>
                </span>
                <span>{ fmt_date(last) }</span>
            </figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct TopListProps {
    pub title: AttrValue,
    pub items: Vec<TopItem>,
    pub id: AttrValue,
}

/// A ranked list with bars: sign-ins and failures per user, IP, app...
#[function_component(TopList)]
pub fn top_list(p: &TopListProps) -> Html {
    let max = p.items.iter().map(|i| i.total).max().unwrap_or(1).max(1) as f64;
    html! {
        <section class="top-list" aria-labelledby={p.id.clone()}>
            <h3 id={p.id.clone()}>{ p.title.clone() }</h3>
            if p.items.is_empty() {
                <p class="muted">{"Nothing to show."}</p>
            } else {
                <table class="grid compact">
                    <thead><tr><th scope="col">{"Value"}</th><th scope="col" class="num">{"Sign-ins"}</th><th scope="col" class="num">{"Failed"}</th><th scope="col"><span class="visually-hidden">{"Share"}</span></th></tr></thead>
                    <tbody>
                    { for p.items.iter().map(|i| {
                        let w = i.total as f64 / max * 100.0;
                        let wf = i.failures as f64 / max * 100.0;
                        html! {
                            <tr>
                                <td class="label" title={i.label.clone()}>{ if i.label.is_empty() { "(empty)".to_string() } else { i.label.clone() } }</td>
                                <td class="num">{ fmt_count(i.total as u64) }</td>
                                <td class="num">{ fmt_count(i.failures as u64) }</td>
                                <td class="barcell">
                                    <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                                        <rect class="ok" x="0" y="1" width={format!("{w:.1}")} height="8" />
                                        <rect class="fail" x="0" y="1" width={format!("{wf:.1}")} height="8" />
                                    </svg>
                                </td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
