//! The app's state as one reducer (Yew's `function_todomvc` pattern): every
//! change is an [`Action`]; components read [`State`] from the context.

use std::rc::Rc;

use entrascope_core::Settings;
use yew::prelude::*;

use crate::protocol::{EvidencePage, FileProgress, FindingDetail, FromWorker, ParsedSettings, RecordView, ReportView};

/// One input chosen by the user: its relative path (folders keep their
/// structure, a Connect export is a folder) and the browser's handle to it.
#[derive(Clone, PartialEq)]
pub struct Input {
    pub path: String,
    pub blob: web_sys::Blob,
    pub size: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Idle,
    Working,
    Done,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Working => "working",
            Status::Done => "done",
            Status::Error => "error",
        }
    }
}

#[derive(Clone, PartialEq, Debug)]
pub enum View {
    Overview,
    Finding(u32),
    Explore,
    Connect,
    /// The settings editor, optionally scrolled to one key's field.
    Settings(Option<String>),
    Export,
}

#[derive(Clone, PartialEq)]
pub struct State {
    pub status: Status,
    pub inputs: Vec<Input>,
    pub progress: Vec<FileProgress>,
    pub report: Option<Rc<ReportView>>,
    pub view: View,
    pub settings: Settings,
    pub remember: bool,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub detail: Option<Rc<FindingDetail>>,
    pub page: Option<Rc<EvidencePage>>,
    pub record: Option<Rc<RecordView>>,
    pub parsed_settings: Option<Result<ParsedSettings, String>>,
    /// The user's own settings, put aside while the demo tenant's are in
    /// force (restored when the files are closed, or other files are read);
    /// nothing is remembered on the device meanwhile.
    pub own_settings: Option<Settings>,
    /// Bumped on every analysis, so views re-request what they show.
    pub generation: u32,
}

impl State {
    pub fn new(settings: Settings, remember: bool) -> State {
        State {
            status: Status::Idle,
            inputs: Vec::new(),
            progress: Vec::new(),
            report: None,
            view: View::Overview,
            settings,
            remember,
            error: None,
            notice: None,
            detail: None,
            page: None,
            record: None,
            parsed_settings: None,
            own_settings: None,
            generation: 0,
        }
    }
}

pub enum Action {
    /// New inputs were chosen; the worker is reading them.
    Reading(Vec<Input>),
    /// The settings changed; the worker is re-running the checks.
    Reanalyzing(Settings),
    /// The demo tenant's settings replace the user's own, which are put
    /// aside (`demo`), or the user's own settings come back (`!demo`).
    UseSettings {
        settings: Settings,
        demo: bool,
    },
    Cancelled,
    Clear,
    Show(View),
    Remember(bool),
    Notice(Option<String>),
    Failed(String),
    Worker(FromWorker),
    CloseRecord,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Reading(inputs) => {
                s.progress = inputs
                    .iter()
                    .enumerate()
                    .map(|(i, f)| FileProgress {
                        index: i as u32,
                        path: f.path.clone(),
                        bytes_done: 0,
                        bytes_total: f.size,
                        records: 0,
                        rejected: 0,
                        done: false,
                    })
                    .collect();
                s.inputs = inputs;
                s.status = Status::Working;
                s.error = None;
                s.notice = None;
                s.report = None;
                s.detail = None;
                s.page = None;
                s.record = None;
                s.view = View::Overview;
            }
            Action::Reanalyzing(settings) => {
                s.settings = settings;
                if s.report.is_some() {
                    s.status = Status::Working;
                }
            }
            Action::UseSettings { settings, demo } => {
                if demo {
                    if s.own_settings.is_none() {
                        s.own_settings = Some(s.settings.clone());
                    }
                } else {
                    s.own_settings = None;
                }
                s.settings = settings;
            }
            Action::Cancelled => {
                if let Some(own) = s.own_settings.take() {
                    s.settings = own;
                }
                s.status = Status::Idle;
                s.inputs.clear();
                s.progress.clear();
                s.report = None;
                s.notice = Some("Reading was cancelled. Nothing was kept.".into());
            }
            Action::Clear => {
                let settings = s.own_settings.take().unwrap_or_else(|| s.settings.clone());
                let remember = s.remember;
                s = State::new(settings, remember);
                s.generation = self.generation + 1;
            }
            Action::Show(view) => {
                if !matches!(view, View::Settings(_)) {
                    s.parsed_settings = None;
                }
                if view != s.view {
                    s.record = None;
                    s.page = None;
                    if let View::Finding(i) = view {
                        if s.detail.as_ref().is_some_and(|d| d.index != i) {
                            s.detail = None;
                        }
                    }
                }
                s.view = view;
            }
            Action::Remember(r) => s.remember = r,
            Action::Notice(n) => s.notice = n,
            Action::Failed(e) => {
                s.status = Status::Error;
                // Keep the first, most precise message (a worker's own
                // report comes before the browser's generic error event).
                if self.status != Status::Error || s.error.is_none() {
                    s.error = Some(e);
                }
            }
            Action::CloseRecord => s.record = None,
            Action::Worker(msg) => match msg {
                FromWorker::Ready => {}
                FromWorker::Progress(p) => {
                    if let Some(slot) = s.progress.get_mut(p.index as usize) {
                        *slot = p;
                    } else {
                        s.progress.push(p);
                    }
                }
                FromWorker::Analyzed(report) => {
                    s.status = Status::Done;
                    s.generation = self.generation + 1;
                    s.detail = None;
                    s.page = None;
                    s.record = None;
                    // A finding index from the last run may no longer exist.
                    if let View::Finding(i) = s.view {
                        if i as usize >= report.findings.len() {
                            s.view = View::Overview;
                        }
                    }
                    s.report = Some(Rc::new(*report));
                }
                FromWorker::Detail(d) => s.detail = Some(Rc::new(*d)),
                FromWorker::Evidence(p) => s.page = Some(Rc::new(p)),
                FromWorker::Record(r) => s.record = Some(Rc::new(r)),
                FromWorker::Export { filename, bytes } => {
                    s.notice = Some(format!("Saved {filename} ({}).", crate::protocol::fmt_bytes(bytes)));
                }
                FromWorker::Settings(r) => {
                    if let Ok(p) = &r {
                        s.settings = p.settings.clone();
                        // The worker re-runs the checks when it holds data.
                        if s.report.is_some() {
                            s.status = Status::Working;
                        }
                    }
                    s.parsed_settings = Some(r);
                }
                FromWorker::Error(e) => {
                    s.status = Status::Error;
                    s.error = Some(e);
                }
            },
        }
        Rc::new(s)
    }
}
