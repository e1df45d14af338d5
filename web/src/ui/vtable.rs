//! A virtualized evidence table: the worker sorts, filters and searches;
//! the UI asks for the rows around the visible window and renders only
//! those, between two spacer rows whose heights stand for the rest. Smooth
//! at 100,000 rows because the DOM never holds more than ~120.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::Ctx;
use crate::protocol::{fmt_count, EvidenceQuery, Source, ToWorker};

/// Must match `.vtable tbody tr.data` height in style.css.
pub const ROW_H: f64 = 30.0;
/// Rows fetched beyond the visible window, on each side.
const OVERSCAN: u32 = 40;
/// Visible rows (the scroll box is 18 rows tall in style.css).
const VISIBLE: u32 = 18;

#[derive(Properties, PartialEq)]
pub struct VTableProps {
    pub source: Source,
    pub columns: Rc<Vec<String>>,
    pub total: u32,
    /// Opens the record behind a row.
    pub on_open: Callback<u32>,
    /// The row whose record is open.
    pub selected: Option<u32>,
}

#[derive(Clone, PartialEq, Default)]
struct Query {
    sort: Option<usize>,
    descending: bool,
    search: String,
    filters: Vec<(usize, String)>,
}

fn set_height(node: &NodeRef, px: f64) {
    if let Some(el) = node.cast::<HtmlElement>() {
        // CSSOM, not a style attribute: allowed by the CSP's style-src 'self'.
        let _ = el.style().set_property("height", &format!("{px}px"));
    }
}

#[function_component(VTable)]
pub fn vtable(p: &VTableProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let query = use_state(Query::default);
    let first = use_state(|| 0u32);
    let seq = use_mut_ref(|| 0u32);
    // Pages answering queries sent before this seq have other sort/filters.
    let params_seq = use_mut_ref(|| 0u32);
    let scroller = use_node_ref();
    let top = use_node_ref();
    let bottom = use_node_ref();

    let page = ctx.state.page.clone().filter(|pg| pg.source == p.source && pg.seq >= *params_seq.borrow());

    // Ask for rows when the window is not covered by the page we have.
    {
        let ctx = ctx.clone();
        let seq = seq.clone();
        let page = page.clone();
        let generation = ctx.state.generation;
        use_effect_with((p.source, (*query).clone(), *first, generation, page.is_some()), move |(source, q, first, _, _)| {
            let need_from = first.saturating_sub(OVERSCAN / 2);
            let need_to = first + VISIBLE + OVERSCAN / 2;
            let covered = page.as_ref().is_some_and(|pg| {
                let end = pg.offset + pg.rows.len() as u32;
                pg.offset <= need_from && (end >= need_to || end >= pg.matching)
            });
            if !covered {
                *seq.borrow_mut() += 1;
                let offset = first.saturating_sub(OVERSCAN);
                ctx.bridge.post(
                    &ToWorker::Evidence(EvidenceQuery {
                        seq: *seq.borrow(),
                        source: *source,
                        sort: q.sort,
                        descending: q.descending,
                        search: q.search.clone(),
                        filters: q.filters.clone(),
                        offset,
                        limit: VISIBLE + 2 * OVERSCAN,
                    }),
                    &[],
                );
            }
        });
    }

    // Spacer heights stand in for the rows not rendered.
    {
        let (top, bottom) = (top.clone(), bottom.clone());
        let dims = page.as_ref().map(|pg| (pg.offset, pg.rows.len() as u32, pg.matching));
        use_effect_with(dims, move |dims| {
            let (offset, len, matching) = dims.unwrap_or((0, 0, 0));
            set_height(&top, offset as f64 * ROW_H);
            set_height(&bottom, matching.saturating_sub(offset + len) as f64 * ROW_H);
        });
    }

    let onscroll = {
        let first = first.clone();
        let scroller = scroller.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                let row = (el.scroll_top() as f64 / ROW_H).floor().max(0.0) as u32;
                if row != *first {
                    first.set(row);
                }
            }
        })
    };

    let reset_scroll = {
        let scroller = scroller.clone();
        let first = first.clone();
        move || {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                el.set_scroll_top(0);
            }
            first.set(0);
        }
    };
    let change = {
        let query = query.clone();
        let seq = seq.clone();
        let params_seq = params_seq.clone();
        let reset_scroll = reset_scroll.clone();
        Rc::new(move |q: Query| {
            *params_seq.borrow_mut() = *seq.borrow() + 1;
            reset_scroll();
            query.set(q);
        })
    };

    let on_search = {
        let change = change.clone();
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            change(Query { search: v, ..(*query).clone() });
        })
    };

    let header = p.columns.iter().enumerate().map(|(i, name)| {
        let sorted = query.sort == Some(i);
        let aria_sort = if sorted { if query.descending { "descending" } else { "ascending" } } else { "none" };
        let onclick = {
            let change = change.clone();
            let query = query.clone();
            Callback::from(move |_| {
                let q = (*query).clone();
                let descending = q.sort == Some(i) && !q.descending;
                change(Query { sort: Some(i), descending, ..q });
            })
        };
        html! {
            <th scope="col" aria-sort={aria_sort}>
                <button type="button" class="sort" {onclick} title={format!("Sort by {name}")}>
                    {name}<span class="arrow" aria-hidden="true">{ if sorted { if query.descending { " ▼" } else { " ▲" } } else { "" } }</span>
                </button>
            </th>
        }
    });
    let filters = p.columns.iter().enumerate().map(|(i, name)| {
        let oninput = {
            let change = change.clone();
            let query = query.clone();
            Callback::from(move |e: InputEvent| {
                let v = e.target_unchecked_into::<HtmlInputElement>().value();
                let mut q = (*query).clone();
                q.filters.retain(|(c, _)| *c != i);
                if !v.is_empty() {
                    q.filters.push((i, v));
                }
                change(q);
            })
        };
        html! { <th><input type="text" class="col-filter" aria-label={format!("Filter {name}")} placeholder="filter" {oninput} /></th> }
    });

    let ncols = p.columns.len().max(1).to_string();
    let matching = page.as_ref().map(|pg| pg.matching).unwrap_or(0);
    let rows = page.as_ref().map(|pg| {
        let offset = pg.offset;
        pg.rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let row = r.row;
                let open = {
                    let cb = p.on_open.clone();
                    Callback::from(move |_: MouseEvent| cb.emit(row))
                };
                let onkeydown = {
                    let cb = p.on_open.clone();
                    Callback::from(move |e: KeyboardEvent| {
                        if e.key() == "Enter" || e.key() == " " {
                            e.prevent_default();
                            cb.emit(row);
                        } else if e.key() == "ArrowDown" || e.key() == "ArrowUp" {
                            e.prevent_default();
                            let target: HtmlElement = e.target_unchecked_into();
                            let next = if e.key() == "ArrowDown" { target.next_element_sibling() } else { target.previous_element_sibling() };
                            if let Some(n) = next.and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
                                if n.class_list().contains("data") {
                                    let _ = n.focus();
                                }
                            }
                        }
                    })
                };
                let selected = p.selected == Some(row);
                html! {
                    <tr class={classes!("data", selected.then_some("selected"))} tabindex="0" aria-rowindex={(offset + i as u32 + 3).to_string()}
                        aria-selected={selected.to_string()} onclick={open} {onkeydown}>
                        { for r.cells.iter().map(|c| html! { <td title={c.clone()}>{c}</td> }) }
                    </tr>
                }
            })
            .collect::<Html>()
    });

    html! {
        <div class="vtable-wrap">
            <div class="vtable-tools">
                <label class="search">
                    <span class="visually-hidden">{"Search evidence"}</span>
                    <input type="search" placeholder="Search every column" oninput={on_search} id="evidence-search" />
                </label>
                <span class="muted small" aria-live="polite">
                    { if page.is_some() { format!("{} of {} records", fmt_count(matching as u64), fmt_count(p.total as u64)) } else { "Loading…".into() } }
                </span>
            </div>
            <div class="vscroll" ref={scroller} {onscroll} tabindex="-1">
                <table class="grid vtable" aria-rowcount={(matching + 2).to_string()}>
                    <thead>
                        <tr aria-rowindex="1">{ for header }</tr>
                        <tr class="filters" aria-rowindex="2">{ for filters }</tr>
                    </thead>
                    <tbody>
                        <tr class="spacer" ref={top} aria-hidden="true"><td colspan={ncols.clone()}></td></tr>
                        { rows.unwrap_or_default() }
                        <tr class="spacer" ref={bottom} aria-hidden="true"><td colspan={ncols}></td></tr>
                    </tbody>
                </table>
            </div>
            <p class="muted small">{"Select a row (click, or Enter) to see the whole record. Arrow keys move between rows."}</p>
        </div>
    }
}
