//! Explore the sign-ins (the Sentinel workbook views admins expect): over
//! time by outcome, top users, applications, IPs, countries, client apps,
//! error codes, and a map of sign-in locations. The map is a bundled
//! outline: no tiles, no request.

use yew::prelude::*;

use std::rc::Rc;

use super::charts::{OverTime, TopList};
use super::finding::RecordDrawer;
use super::vtable::VTable;
use super::Ctx;
use crate::protocol::{fmt_count, Source, StatsView, ToWorker, SIGNIN_COLUMNS};

static WORLD: &str = include_str!("../../assets/world-110m.path");

#[function_component(Explore)]
pub fn explore() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let columns = use_memo((), |_| Rc::new(SIGNIN_COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()));
    let on_open = {
        let ctx = ctx.clone();
        Callback::from(move |row: u32| ctx.bridge.post(&ToWorker::Record { source: Source::SignIns, row }, &[]))
    };
    let selected = ctx.state.record.as_ref().filter(|r| r.source == Source::SignIns).map(|r| r.row);
    let Some(stats) = ctx.state.report.as_ref().and_then(|r| r.stats.clone()) else {
        return html! {
            <section class="explore">
                <h1>{"Explore sign-ins"}</h1>
                <p class="muted">{"No sign-in logs were read. Add an interactive or non-interactive sign-in export to see these views."}</p>
            </section>
        };
    };
    html! {
        <section class="explore" aria-labelledby="explore-title">
            <h1 id="explore-title">{ format!("Explore {} sign-ins", fmt_count(stats.signins)) }</h1>
            <section class="panel" aria-labelledby="over-time-title">
                <h2 id="over-time-title">{"Sign-ins over time"}</h2>
                <OverTime series={stats.over_time.clone()} bucket_ms={stats.bucket_ms} />
            </section>
            <section class="panel" aria-labelledby="map-title">
                <h2 id="map-title">{"Where sign-ins came from"}</h2>
                <WorldMap stats={stats.clone()} />
            </section>
            <div class="top-grid">
                <TopList id="top-users" title="Users" items={stats.users.clone()} />
                <TopList id="top-apps" title="Applications" items={stats.apps.clone()} />
                <TopList id="top-ips" title="IP addresses" items={stats.ips.clone()} />
                <TopList id="top-countries" title="Countries or regions" items={stats.countries.clone()} />
                <TopList id="top-clients" title="Client apps" items={stats.client_apps.clone()} />
                <TopList id="top-errors" title="Sign-in error codes" items={stats.errors.clone()} />
            </div>
            <section class="panel" aria-labelledby="signins-title">
                <h2 id="signins-title">{"Sign-in log"}</h2>
                <p class="muted small">{"Every sign-in read, with the admin center's column names. Sort, filter and search run in the worker; only the rows on screen are drawn."}</p>
                <VTable source={Source::SignIns} columns={(*columns).clone()} total={stats.signins.min(u32::MAX as u64) as u32} {on_open} {selected} />
            </section>
            <RecordDrawer />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct MapProps {
    stats: StatsView,
}

#[function_component(WorldMap)]
fn world_map(p: &MapProps) -> Html {
    let s = &p.stats;
    let max = s.locations.iter().map(|l| l.total).max().unwrap_or(1).max(1) as f64;
    let sum =
        |approximate: bool| -> u64 { s.locations.iter().filter(|l| l.approximate == approximate).map(|l| l.total as u64).sum() };
    let (exact, approx) = (sum(false), sum(true));
    let countries = s.locations.iter().filter(|l| l.approximate).count();
    // Exact places are drawn over the approximate ones.
    let mut order: Vec<&crate::protocol::Place> = s.locations.iter().collect();
    order.sort_by_key(|l| !l.approximate);
    let mut caption = Vec::new();
    if exact > 0 {
        caption.push(format!(
            "{} sign-ins at {} places from the export's coordinates",
            fmt_count(exact),
            s.locations.len() - countries
        ));
    }
    if approx > 0 {
        caption.push(format!(
            "{} at the centre of their country (dashed: the export has a country but no coordinates, as in the admin center's CSV; JSON and Graph exports have them)",
            fmt_count(approx)
        ));
    }
    if s.without_location > 0 {
        caption.push(format!("{} with no location", fmt_count(s.without_location)));
    }
    html! {
        <figure class="chart map">
            <svg viewBox="0 0 360 180" role="img"
                aria-label={format!("Map of {} sign-in locations", s.locations.len())}>
                <rect class="sea" x="0" y="0" width="360" height="180" />
                <path class="land" d={WORLD} />
                { for order.into_iter().map(|l| {
                    let r = 0.8 + (l.total as f64 / max).sqrt() * 5.0;
                    let mut class = if l.failures * 2 > l.total { "loc mostly-failed".to_string() } else { "loc".to_string() };
                    if l.approximate {
                        class.push_str(" approx");
                    }
                    let place = if l.label.is_empty() { format!("{:.1}, {:.1}", l.lat, l.lon) } else { l.label.clone() };
                    let how = if l.approximate { " (country centre)" } else { "" };
                    html! {
                        <circle class={class} cx={format!("{:.2}", l.lon as f64 + 180.0)} cy={format!("{:.2}", 90.0 - l.lat as f64)} r={format!("{r:.2}")}>
                            <title>{ format!("{place}{how}: {} sign-ins, {} failed", fmt_count(l.total as u64), fmt_count(l.failures as u64)) }</title>
                        </circle>
                    }
                }) }
            </svg>
            <figcaption class="muted small">
                { format!("{}. ", caption.join("; ")) }
                <span class="legend"><span class="key loc">{"mostly succeeded"}</span><span class="key mostly-failed">{"mostly failed"}</span><span class="key approx">{"country centre"}</span></span>
            </figcaption>
        </figure>
    }
}
