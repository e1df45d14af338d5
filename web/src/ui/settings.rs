//! The settings editor: every key of the contract's settings file, import
//! and export of that same JSON file, and "remember on this device"
//! (localStorage, only when ticked). Applying re-runs the checks on the data
//! already read, without reading the files again.

use entrascope_core::settings::{BusinessHours, Settings};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::state::Action;
use super::Ctx;
use crate::protocol::ToWorker;

/// The element id of a settings key's field (`approved_actors.user_management`
/// → `setting-approved_actors-user_management`).
pub fn field_id(key: &str) -> String {
    format!("setting-{}", key.replace('.', "-"))
}

fn lines(v: &[String]) -> String {
    v.join("\n")
}

fn parse_lines(s: &str) -> Vec<String> {
    s.split(['\n', ',']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub focus: Option<String>,
}

/// One list-valued key.
struct ListField {
    key: &'static str,
    label: &'static str,
    help: &'static str,
    get: fn(&Settings) -> &Vec<String>,
    set: fn(&mut Settings, Vec<String>),
}

const LISTS: &[ListField] = &[
    ListField {
        key: "organization_domains",
        label: "Organization domains",
        help: "Your verified domains, e.g. contoso.com. Tells members from outsiders.",
        get: |s| &s.organization_domains,
        set: |s, v| s.organization_domains = v,
    },
    ListField {
        key: "break_glass_accounts",
        label: "Break-glass accounts",
        help: "Emergency access accounts. Any sign-in by them is reported; they are exempt from MFA and CA gap findings.",
        get: |s| &s.break_glass_accounts,
        set: |s, v| s.break_glass_accounts = v,
    },
    ListField {
        key: "privileged_accounts",
        label: "Privileged accounts",
        help: "Admins, with * wildcards (adm-*@contoso.com). Accounts added to privileged roles in the audit log count too.",
        get: |s| &s.privileged_accounts,
        set: |s, v| s.privileged_accounts = v,
    },
    ListField {
        key: "approved_actors.conditional_access",
        label: "Approved actors: Conditional Access",
        help: "Who may change Conditional Access policies.",
        get: |s| &s.approved_actors.conditional_access,
        set: |s, v| s.approved_actors.conditional_access = v,
    },
    ListField {
        key: "approved_actors.user_management",
        label: "Approved actors: user management",
        help: "Who may create, delete and change users (HR sync accounts, admins).",
        get: |s| &s.approved_actors.user_management,
        set: |s, v| s.approved_actors.user_management = v,
    },
    ListField {
        key: "approved_actors.role_management",
        label: "Approved actors: role management",
        help: "Who may assign directory roles.",
        get: |s| &s.approved_actors.role_management,
        set: |s, v| s.approved_actors.role_management = v,
    },
    ListField {
        key: "approved_actors.guest_invitations",
        label: "Approved actors: guest invitations",
        help: "Who may invite guests.",
        get: |s| &s.approved_actors.guest_invitations,
        set: |s, v| s.approved_actors.guest_invitations = v,
    },
    ListField {
        key: "approved_actors.application_management",
        label: "Approved actors: application management",
        help: "Who may add applications, credentials and consents.",
        get: |s| &s.approved_actors.application_management,
        set: |s, v| s.approved_actors.application_management = v,
    },
    ListField {
        key: "critical_groups",
        label: "Critical groups",
        help: "Groups whose membership changes matter (CA exclusion groups, admin groups).",
        get: |s| &s.critical_groups,
        set: |s, v| s.critical_groups = v,
    },
    ListField {
        key: "trusted_networks",
        label: "Trusted networks",
        help: "Your egress ranges, IPv4 or IPv6 CIDR (203.0.113.0/24).",
        get: |s| &s.trusted_networks,
        set: |s, v| s.trusted_networks = v,
    },
    ListField {
        key: "operating_countries",
        label: "Operating countries",
        help: "Two-letter codes of the countries you work from (US, GB).",
        get: |s| &s.operating_countries,
        set: |s, v| s.operating_countries = v,
    },
    ListField {
        key: "sensitive_applications",
        label: "Sensitive applications",
        help: "Application ids whose sign-ins deserve more attention.",
        get: |s| &s.sensitive_applications,
        set: |s, v| s.sensitive_applications = v,
    },
];

#[function_component(SettingsEditor)]
pub fn settings_editor(p: &SettingsProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let form = use_state(|| ctx.state.settings.clone());
    {
        let form = form.clone();
        use_effect_with(ctx.state.settings.clone(), move |s| form.set(s.clone()));
    }
    {
        let focus = p.focus.clone();
        use_effect_with(focus, |f| {
            if let Some(key) = f {
                // business_hours is a group: focus its first control.
                let id = if key == "business_hours" { "setting-business_hours-enabled".to_string() } else { field_id(key) };
                super::focus_id(&id);
            }
        });
    }

    let apply = {
        let ctx = ctx.clone();
        let form = form.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = serde_json::to_string(&*form).unwrap_or_default();
            ctx.bridge.post(&ToWorker::ParseSettings { text }, &[]);
        })
    };
    let on_import = {
        let ctx = ctx.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
            input.set_value("");
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match JsFuture::from(file.text()).await {
                    Ok(t) => ctx.bridge.post(&ToWorker::ParseSettings { text: t.as_string().unwrap_or_default() }, &[]),
                    Err(_) => ctx.state.dispatch(Action::Notice(Some("That file could not be read.".into()))),
                }
            });
        })
    };
    let on_export = {
        let form = form.clone();
        Callback::from(move |_| {
            let text = serde_json::to_string_pretty(&*form).unwrap_or_default();
            let parts = js_sys::Array::of1(&text.into());
            let opts = web_sys::BlobPropertyBag::new();
            opts.set_type("application/json");
            if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) {
                super::bridge::download(&blob, "entrascope-settings.json");
            }
        })
    };
    let on_remember = {
        let d = ctx.state.dispatcher();
        Callback::from(move |e: Event| d.dispatch(Action::Remember(e.target_unchecked_into::<HtmlInputElement>().checked())))
    };

    let text_field = |key: &'static str,
                      label: &'static str,
                      help: &'static str,
                      value: String,
                      set: fn(&mut Settings, Option<String>)| {
        let id = field_id(key);
        let oninput = {
            let form = form.clone();
            Callback::from(move |e: InputEvent| {
                let v = e.target_unchecked_into::<HtmlInputElement>().value();
                let mut s = (*form).clone();
                set(&mut s, Some(v.trim().to_string()).filter(|v| !v.is_empty()));
                form.set(s);
            })
        };
        let focused = p.focus.as_deref() == Some(key);
        html! {
            <div class={classes!("field", focused.then_some("focused"))}>
                <label for={id.clone()}>{label}<code class="key">{key}</code></label>
                <p class="help" id={format!("{id}-help")}>{help}</p>
                <input type="text" id={id.clone()} aria-describedby={format!("{id}-help")} {value} {oninput} spellcheck="false" />
            </div>
        }
    };

    let bh = form.business_hours.clone();
    let bh_enabled = bh.is_some();
    let bh_val = bh.clone().unwrap_or(BusinessHours {
        timezone: "UTC".into(),
        days: DAYS[..5].iter().map(|d| d.to_string()).collect(),
        start: "07:00".into(),
        end: "19:00".into(),
    });
    let set_bh = {
        let form = form.clone();
        move |f: Box<dyn Fn(&mut BusinessHours)>| {
            let mut s = (*form).clone();
            if let Some(b) = s.business_hours.as_mut() {
                f(b);
            }
            form.set(s);
        }
    };
    let on_bh_toggle = {
        let form = form.clone();
        let bh_val = bh_val.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            let mut s = (*form).clone();
            s.business_hours = on.then(|| bh_val.clone());
            form.set(s);
        })
    };
    let legacy = match form.legacy_authentication_blocked {
        None => "unset",
        Some(true) => "yes",
        Some(false) => "no",
    };
    let on_legacy = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            let mut s = (*form).clone();
            s.legacy_authentication_blocked = match v.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
            form.set(s);
        })
    };

    let parsed = ctx.state.parsed_settings.clone();
    let has_data = ctx.state.report.is_some();
    html! {
        <section class="settings" aria-labelledby="settings-title">
            <h1 id="settings-title">{"Settings: your tenant's context"}</h1>
            <p class="lead">{"Checks that need context (who is approved, which accounts are break-glass, where you operate) stay in \u{201c}needs settings\u{201d} until it is given; nothing is guessed. "}
                {"This is the same JSON file the command line takes with --settings."}</p>
            <div class="settings-tools">
                <label class="button">{"Import settings file"}
                    <input type="file" class="visually-hidden" accept=".json,application/json" onchange={on_import} id="settings-import" />
                </label>
                <button type="button" class="button" onclick={on_export}>{"Export settings file"}</button>
                <label class="check">
                    <input type="checkbox" checked={ctx.state.remember} onchange={on_remember} id="remember" />
                    {" Remember on this device (saved in this browser's local storage; untick to forget)"}
                </label>
            </div>
            if ctx.state.own_settings.is_some() {
                <p class="message notice" id="demo-settings-note">{"These are the demo tenant's settings (its settings.json). Your own come back when you close the demo's files; nothing is remembered on this device meanwhile."}</p>
            }
            if let Some(r) = &parsed {
                { match r {
                    Ok(p) if !p.warnings.is_empty() => html! { <div class="message notice">{ for p.warnings.iter().map(|w| html!{ <p>{w}</p> }) }</div> },
                    Ok(_) => html! { <div class="message ok" role="status">{ if has_data { "Settings applied; the checks ran again." } else { "Settings applied." } }</div> },
                    Err(e) => html! { <div class="message error" role="alert"><strong>{"Not applied: "}</strong>{e}</div> },
                } }
            }
            <form onsubmit={apply} class="settings-form" novalidate=true>
                <fieldset>
                    <legend>{"Tenant"}</legend>
                    { text_field("home_tenant_id", "Home tenant id", "Your tenant's GUID; sign-ins into other tenants and cross-tenant access are told apart with it.",
                        form.home_tenant_id.clone().unwrap_or_default(), |s, v| s.home_tenant_id = v) }
                    { for (0..3).map(|i| render_list(i, &form, p.focus.as_deref())) }
                </fieldset>
                <fieldset>
                    <legend>{"Approved actors and critical objects"}</legend>
                    { for (3..9).map(|i| render_list(i, &form, p.focus.as_deref())) }
                </fieldset>
                <fieldset>
                    <legend>{"Networks, places and applications"}</legend>
                    { for (9..LISTS.len()).map(|i| render_list(i, &form, p.focus.as_deref())) }
                    <div class={classes!("field", (p.focus.as_deref() == Some("legacy_authentication_blocked")).then_some("focused"))}>
                        <label for="setting-legacy_authentication_blocked">{"Legacy authentication blocked"}<code class="key">{"legacy_authentication_blocked"}</code></label>
                        <p class="help">{"Whether Conditional Access blocks legacy protocols (IMAP, POP, SMTP AUTH, EAS basic). A legacy success is then an incident, not a gap."}</p>
                        <select id="setting-legacy_authentication_blocked" onchange={on_legacy}>
                            <option value="unset" selected={legacy == "unset"}>{"Not set"}</option>
                            <option value="yes" selected={legacy == "yes"}>{"Yes, blocked"}</option>
                            <option value="no" selected={legacy == "no"}>{"No, allowed"}</option>
                        </select>
                    </div>
                </fieldset>
                <fieldset class={classes!((p.focus.as_deref() == Some("business_hours")).then_some("focused"))}>
                    <legend>{"Business hours"}<code class="key">{"business_hours"}</code></legend>
                    <label class="check"><input type="checkbox" id="setting-business_hours-enabled" checked={bh_enabled} onchange={on_bh_toggle} />{" Set business hours"}</label>
                    if bh_enabled {
                        <div class="row-fields">
                            <div class="field">
                                <label for="setting-business_hours-timezone">{"Time zone (IANA)"}</label>
                                <input type="text" id="setting-business_hours-timezone" value={bh_val.timezone.clone()} oninput={{
                                    let set_bh = set_bh.clone();
                                    Callback::from(move |e: InputEvent| { let v = e.target_unchecked_into::<HtmlInputElement>().value(); set_bh(Box::new(move |b| b.timezone = v.clone())) })
                                }} />
                            </div>
                            <div class="field">
                                <label for="setting-business_hours-start">{"Start"}</label>
                                <input type="time" id="setting-business_hours-start" value={bh_val.start.clone()} oninput={{
                                    let set_bh = set_bh.clone();
                                    Callback::from(move |e: InputEvent| { let v = e.target_unchecked_into::<HtmlInputElement>().value(); set_bh(Box::new(move |b| b.start = v.clone())) })
                                }} />
                            </div>
                            <div class="field">
                                <label for="setting-business_hours-end">{"End"}</label>
                                <input type="time" id="setting-business_hours-end" value={bh_val.end.clone()} oninput={{
                                    let set_bh = set_bh.clone();
                                    Callback::from(move |e: InputEvent| { let v = e.target_unchecked_into::<HtmlInputElement>().value(); set_bh(Box::new(move |b| b.end = v.clone())) })
                                }} />
                            </div>
                        </div>
                        <div class="days" role="group" aria-label="Working days">
                            { for DAYS.iter().map(|d| {
                                let on = bh_val.days.iter().any(|x| x.eq_ignore_ascii_case(d));
                                let set_bh = set_bh.clone();
                                let day = d.to_string();
                                let onchange = Callback::from(move |e: Event| {
                                    let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
                                    let day = day.clone();
                                    set_bh(Box::new(move |b| {
                                        b.days.retain(|x| !x.eq_ignore_ascii_case(&day));
                                        if checked { b.days.push(day.clone()); }
                                        b.days.sort_by_key(|x| DAYS.iter().position(|d| d.eq_ignore_ascii_case(x)));
                                    }))
                                });
                                html! { <label class="check"><input type="checkbox" checked={on} {onchange} />{format!(" {d}")}</label> }
                            }) }
                        </div>
                    }
                </fieldset>
                <fieldset>
                    <legend>{"Naming policy"}<code class="key">{"naming_policy"}</code></legend>
                    { text_field("naming_policy.user", "User accounts (regular expression)", "e.g. ^[a-z]+\\.[a-z]+@contoso\\.com$",
                        form.naming_policy.user.clone().unwrap_or_default(), |s, v| s.naming_policy.user = v) }
                    { text_field("naming_policy.admin", "Admin accounts (regular expression)", "e.g. ^adm-[a-z]+@contoso\\.com$",
                        form.naming_policy.admin.clone().unwrap_or_default(), |s, v| s.naming_policy.admin = v) }
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="button primary" id="apply-settings">
                        { if has_data { "Apply and re-run checks" } else { "Apply" } }
                    </button>
                </div>
            </form>
        </section>
    }
}

fn render_list(i: usize, form: &UseStateHandle<Settings>, focus: Option<&str>) -> Html {
    let f = &LISTS[i];
    let id = field_id(f.key);
    let oninput = {
        let form = form.clone();
        let set = f.set;
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            let mut s: Settings = (*form).clone();
            set(&mut s, parse_lines(&v));
            form.set(s);
        })
    };
    let focused = focus == Some(f.key);
    html! {
        <div class={classes!("field", focused.then_some("focused"))}>
            <label for={id.clone()}>{f.label}<code class="key">{f.key}</code></label>
            <p class="help" id={format!("{id}-help")}>{f.help}{" One per line."}</p>
            <textarea id={id.clone()} rows="3" aria-describedby={format!("{id}-help")} value={lines((f.get)(form))} {oninput} />
        </div>
    }
}

/// Keeps localStorage in step with "remember on this device": written when
/// ticked, removed when unticked. Nothing else is ever stored.
pub fn persist(settings: &Settings, remember: bool) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else { return };
    if remember {
        if let Ok(text) = serde_json::to_string(settings) {
            let _ = storage.set_item(super::SETTINGS_KEY, &text);
        }
    } else {
        let _ = storage.remove_item(super::SETTINGS_KEY);
    }
}
