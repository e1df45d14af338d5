//! The user interface (UI thread only). Components are grouped by screen:
//! [`input`] (choose files), [`overview`] (verdict, inputs, coverage),
//! [`finding`] (one finding's evidence), [`explore`] (charts and map),
//! [`settings`] (tenant context) and [`export`].

pub mod bridge;
pub mod charts;
pub mod connect;
pub mod explore;
pub mod export;
pub mod finding;
pub mod input;
pub mod md;
pub mod overview;
pub mod settings;
pub mod state;
pub mod vtable;

use entrascope_core::Settings;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::protocol::{fmt_bytes, fmt_count};
use bridge::Bridge;
use state::{Action, State, Status, View};

/// What every component can reach: the state and the worker.
#[derive(Clone, PartialEq)]
pub struct Ctx {
    pub state: UseReducerHandle<State>,
    pub bridge: Bridge,
}

/// Where settings are kept when the user ticks "remember on this device".
pub const SETTINGS_KEY: &str = "entrascope.settings";

fn saved_settings() -> Option<Settings> {
    let storage = web_sys::window()?.local_storage().ok()??;
    let text = storage.get_item(SETTINGS_KEY).ok()??;
    serde_json::from_str(&text).ok()
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let saved = saved_settings();
        let remember = saved.is_some();
        State::new(saved.unwrap_or_default(), remember)
    });
    let bridge = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| Bridge::new(dispatcher))
    };
    let ctx = Ctx { state: state.clone(), bridge: (*bridge).clone() };

    // Keep the page title meaningful for tabs and screen readers.
    {
        let title = match (&state.view, &state.report) {
            (View::Finding(i), Some(r)) => r.findings.get(*i as usize).map(|f| f.title.clone()),
            _ => None,
        };
        use_effect_with(title, |t| {
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                doc.set_title(&match t {
                    Some(t) => format!("{t} · entrascope"),
                    None => "entrascope · Entra ID log and Connect analyzer".into(),
                });
            }
        });
    }

    // "Remember on this device": the only thing ever written to storage
    // (never the demo tenant's settings: the user's own stay as they were).
    use_effect_with((state.settings.clone(), state.remember, state.own_settings.is_some()), |(s, r, demo)| {
        if !*demo {
            settings::persist(s, *r)
        }
    });

    let has_report = state.report.is_some();
    let body = match state.status {
        Status::Idle if !has_report => html! { <Home /> },
        Status::Error if !has_report => html! { <><Home /></> },
        Status::Working if !has_report => html! { <Progress /> },
        _ => match &state.view {
            View::Overview => html! { <overview::Overview /> },
            View::Finding(i) => html! { <finding::FindingView index={*i} /> },
            View::Explore => html! { <explore::Explore /> },
            View::Connect => html! { <connect::ConnectPage /> },
            View::Settings(focus) => html! { <settings::SettingsEditor focus={focus.clone()} /> },
            View::Export => html! { <export::Exports /> },
        },
    };

    html! {
        <ContextProvider<Ctx> context={ctx}>
            <div id="app" class="app" data-status={state.status.as_str()}>
                <a class="skip-link" href="#main">{"Skip to content"}</a>
                <Header />
                <main id="main" tabindex="-1">
                    <Messages />
                    if has_report && state.status == Status::Working {
                        <p class="working-banner" role="status">{"Re-running the checks with the new settings…"}</p>
                    }
                    { body }
                </main>
                <footer class="footer">
                    <p>{"entrascope runs entirely in this browser tab. Nothing is uploaded, nothing is stored unless you ask. "}
                    {"Works offline once loaded."}</p>
                </footer>
            </div>
        </ContextProvider<Ctx>>
    }
}

#[function_component(Header)]
fn header() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let has_report = ctx.state.report.is_some();
    let has_connect = ctx.state.report.as_ref().is_some_and(|r| r.connect.is_some());
    let view = ctx.state.view.clone();
    let tab = |label: &'static str, target: View, current: bool| {
        let dispatch = ctx.state.dispatcher();
        let onclick = Callback::from(move |_| dispatch.dispatch(Action::Show(target.clone())));
        html! {
            <li><button type="button" class={classes!("tab", current.then_some("current"))}
                aria-current={current.then_some("page")} {onclick}>{label}</button></li>
        }
    };
    let on_clear = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            ctx.bridge.restart();
            ctx.state.dispatch(Action::Clear);
        })
    };
    html! {
        <header class="topbar">
            <div class="brand">
                <svg class="logo" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                    <circle cx="10" cy="10" r="6.5" fill="none" stroke="currentColor" stroke-width="2.5" />
                    <line x1="15" y1="15" x2="21" y2="21" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />
                </svg>
                <span class="brand-name">{"entrascope"}</span>
            </div>
            if has_report {
                <nav aria-label="Views">
                    <ul class="tabs">
                        { tab("Overview", View::Overview, matches!(view, View::Overview | View::Finding(_))) }
                        { tab("Explore", View::Explore, view == View::Explore) }
                        if has_connect { { tab("Entra Connect", View::Connect, view == View::Connect) } }
                        { tab("Settings", View::Settings(None), matches!(view, View::Settings(_))) }
                        { tab("Export", View::Export, view == View::Export) }
                    </ul>
                </nav>
            } else {
                <nav aria-label="Views">
                    <ul class="tabs">
                        { tab("Settings", View::Settings(None), matches!(view, View::Settings(_))) }
                    </ul>
                </nav>
            }
            <div class="top-actions">
                if has_report {
                    <button type="button" class="button small" onclick={on_clear}>{"Close files"}</button>
                }
                <ThemeToggle />
            </div>
        </header>
    }
}

#[function_component(ThemeToggle)]
fn theme_toggle() -> Html {
    let prefers_dark = || {
        web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .map(|m| m.matches())
            .unwrap_or(false)
    };
    let dark = use_state(prefers_dark);
    let onclick = {
        let dark = dark.clone();
        Callback::from(move |_| {
            let next = !*dark;
            if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
                let _ = root.set_attribute("data-theme", if next { "dark" } else { "light" });
            }
            dark.set(next);
        })
    };
    html! {
        <button type="button" class="button small" id="theme-toggle" aria-pressed={(*dark).to_string()} {onclick}>
            { if *dark { "Light theme" } else { "Dark theme" } }
        </button>
    }
}

#[function_component(Messages)]
fn messages() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let dismiss = {
        let d = ctx.state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Notice(None)))
    };
    html! {
        <div class="messages" aria-live="polite">
            if let Some(e) = &ctx.state.error {
                <div class="message error" role="alert"><strong>{"Problem: "}</strong>{e}</div>
            }
            if let Some(n) = &ctx.state.notice {
                <div class="message notice">
                    <span>{n}</span>
                    <button type="button" class="link" onclick={dismiss}>{"Dismiss"}</button>
                </div>
            }
        </div>
    }
}

/// The first screen: what the tool does, the privacy promise, the drop zone.
#[function_component(Home)]
fn home() -> Html {
    html! {
        <div class="home">
            <section class="intro">
                <h1>{"Is anything on fire in your Entra ID tenant?"}</h1>
                <p class="lead">
                    {"entrascope reads Entra ID sign-in logs, audit logs and Entra Connect Sync configurations, "}
                    {"checks them against Microsoft's security operations guide, and shows what needs attention."}
                </p>
                <p class="privacy" id="privacy-note">
                    <svg viewBox="0 0 24 24" class="icon" aria-hidden="true" focusable="false">
                        <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5z" fill="none" stroke="currentColor" stroke-width="2" />
                        <path d="m8.5 12 2.5 2.5 4.5-5" fill="none" stroke="currentColor" stroke-width="2" />
                    </svg>
                    <span><strong>{"Nothing leaves this browser."}</strong>
                    {" Your files are read here, by code that runs in this tab; nothing is uploaded and nothing is stored unless you ask "}
                    {"(only settings, and only if you tick \u{201c}remember on this device\u{201d}). It keeps working offline."}</span>
                </p>
            </section>
            <input::DropZone />
            <section class="howto" aria-labelledby="howto-title">
                <h2 id="howto-title">{"What to export"}</h2>
                <ul>
                    <li><strong>{"Sign-in logs: "}</strong>{"Entra admin center → Monitoring & health → Sign-in logs → Download (CSV or JSON), every tab you have: interactive, non-interactive, service principal, managed identity. Keep the AuthDetails file."}</li>
                    <li><strong>{"Audit logs: "}</strong>{"Entra admin center → Monitoring & health → Audit logs → Download."}</li>
                    <li><strong>{"Entra Connect Sync: "}</strong>{"on the sync server, Get-ADSyncServerConfiguration -Path <folder>; drop the whole folder (production and staging side by side if you have both)."}</li>
                    <li>{"Graph, Log Analytics, Sentinel and Azure Monitor exports work too. A .zip of any of these is fine."}</li>
                </ul>
            </section>
        </div>
    }
}

/// Per-file reading progress, with cancel.
#[function_component(Progress)]
fn progress() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let on_cancel = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            ctx.bridge.restart();
            ctx.state.dispatch(Action::Cancelled);
        })
    };
    let total: u64 = ctx.state.progress.iter().map(|p| p.bytes_total).sum();
    let done: u64 = ctx.state.progress.iter().map(|p| p.bytes_done).sum();
    let all_read = !ctx.state.progress.is_empty() && ctx.state.progress.iter().all(|p| p.done);
    html! {
        <section class="progress-panel" aria-labelledby="progress-title">
            <h1 id="progress-title">{ if all_read { "Running the checks…" } else { "Reading your files…" } }</h1>
            <p class="muted">{format!("{} of {} read, in this browser.", fmt_bytes(done), fmt_bytes(total))}</p>
            <progress max={total.max(1).to_string()} value={done.to_string()} aria-label="Bytes read" />
            <table class="grid progress-table">
                <thead><tr><th scope="col">{"File"}</th><th scope="col">{"Read"}</th><th scope="col" class="num">{"Records"}</th><th scope="col" class="num">{"Rejected rows"}</th></tr></thead>
                <tbody>
                    { for ctx.state.progress.iter().map(|p| html! {
                        <tr>
                            <td class="path">{&p.path}</td>
                            <td>{ if p.done { "done".to_string() } else { format!("{} / {}", fmt_bytes(p.bytes_done), fmt_bytes(p.bytes_total)) } }</td>
                            <td class="num">{fmt_count(p.records)}</td>
                            <td class="num">{fmt_count(p.rejected)}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <button type="button" class="button" id="cancel-button" onclick={on_cancel}>{"Cancel"}</button>
        </section>
    }
}

/// Focuses an element by id after render (keyboard users land where they
/// asked to go).
pub fn focus_id(id: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
            el.scroll_into_view();
        }
    }
}
