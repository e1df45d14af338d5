//! Moving records from one [`Dataset`] into another: the strings are
//! interned again and every symbol, id and side-table range renumbered.
//! Used to join the parts of one input read in parallel
//! ([`crate::ingest::Part`]).
//!
//! Every function here destructures its type without `..`, so a field added
//! to the model does not compile until it is renumbered here too.

use crate::model::*;

/// Old symbol → new symbol.
struct SymMap(Vec<Sym>);

impl SymMap {
    #[inline]
    fn get(&self, s: Sym) -> Sym {
        self.0.get(s.0 as usize).copied().unwrap_or(Sym::EMPTY)
    }

    #[inline]
    fn id(&self, id: Id) -> Id {
        id.map_sym(|s| self.get(s))
    }
}

fn shift(r: Range, by: u32) -> Range {
    if r.len == 0 {
        Range::default()
    } else {
        Range { start: r.start + by, len: r.len }
    }
}

impl Dataset {
    /// Appends the records of `other` (sign-ins, audit events, their side
    /// tables and pending AuthDetails steps); `fix_src` renumbers each
    /// record's source (input index, line, offset). `other`'s inputs are
    /// not added: the caller says where its records belong.
    pub fn append_records(&mut self, other: Dataset, fix_src: impl Fn(Src) -> Src) {
        let Dataset {
            strings,
            signins,
            audits,
            ca_results,
            auth_steps,
            targets,
            props,
            details,
            sym_lists,
            inputs: _,
            pending_steps,
        } = other;
        let map = SymMap((0..strings.len()).map(|i| self.strings.intern(strings.resolve(Sym(i as u32)))).collect());

        let ca_base = self.ca_results.len() as u32;
        let steps_base = self.auth_steps.len() as u32;
        let targets_base = self.targets.len() as u32;
        let props_base = self.props.len() as u32;
        let details_base = self.details.len() as u32;
        let lists_base = self.sym_lists.len() as u32;

        self.ca_results.extend(ca_results.into_iter().map(|c| {
            let CaPolicyResult { id, name, result, grant_controls } = c;
            CaPolicyResult {
                id: map.get(id),
                name: map.get(name),
                result: map.get(result),
                grant_controls: map.get(grant_controls),
            }
        }));
        self.auth_steps.extend(auth_steps.into_iter().map(|a| step(&map, a)));
        self.props.extend(props.into_iter().map(|p| {
            let ModifiedProperty { name, old, new } = p;
            ModifiedProperty { name: map.get(name), old: map.get(old), new: map.get(new) }
        }));
        self.targets.extend(targets.into_iter().map(|t| {
            let Target { kind, id, display, upn, modified } = t;
            Target {
                kind: map.get(kind),
                id: map.get(id),
                display: map.get(display),
                upn: map.get(upn),
                modified: shift(modified, props_base),
            }
        }));
        self.details.extend(details.into_iter().map(|d| {
            let KeyValue { key, value } = d;
            KeyValue { key: map.get(key), value: map.get(value) }
        }));
        self.sym_lists.extend(sym_lists.into_iter().map(|s| map.get(s)));
        self.pending_steps.extend(pending_steps.into_iter().map(|(id, s)| (map.id(id), step(&map, s))));

        self.signins.reserve(signins.len());
        for s in signins {
            self.signins.push(signin(&map, s, ca_base, steps_base, lists_base, &fix_src));
        }
        self.audits.reserve(audits.len());
        for a in audits {
            self.audits.push(audit(&map, a, targets_base, details_base, &fix_src));
        }
    }
}

impl Dataset {
    /// [`Dataset::append_records`] from the byte form of records
    /// ([`crate::wire::put_dataset`]), without building the other dataset
    /// first. On damaged bytes nothing is appended (strings already
    /// interned stay, unused).
    pub(crate) fn append_encoded(&mut self, r: &mut crate::wire::Reader, fix_src: impl Fn(Src) -> Src) -> Result<(), String> {
        let lens = (
            self.signins.len(),
            self.audits.len(),
            self.ca_results.len(),
            self.auth_steps.len(),
            self.targets.len(),
            self.props.len(),
            self.details.len(),
            self.sym_lists.len(),
            self.pending_steps.len(),
        );
        let res = self.append_encoded_inner(r, &fix_src);
        if res.is_err() {
            self.signins.truncate(lens.0);
            self.audits.truncate(lens.1);
            self.ca_results.truncate(lens.2);
            self.auth_steps.truncate(lens.3);
            self.targets.truncate(lens.4);
            self.props.truncate(lens.5);
            self.details.truncate(lens.6);
            self.sym_lists.truncate(lens.7);
            self.pending_steps.truncate(lens.8);
        }
        res
    }

    fn append_encoded_inner(&mut self, r: &mut crate::wire::Reader, fix_src: &impl Fn(Src) -> Src) -> Result<(), String> {
        use crate::wire::*;
        let n = r.count()?;
        let mut syms = Vec::with_capacity(n);
        for _ in 0..n {
            syms.push(self.strings.intern(r.str()?));
        }
        let map = SymMap(syms);
        let count = |r: &mut Reader| r.count();
        // A range must stay inside the table it points into.
        let check = |x: Range, table_len: usize| -> Result<Range, String> {
            if (x.start as u64 + x.len as u64) <= table_len as u64 || x.len == 0 {
                Ok(x)
            } else {
                Err("part data: bad range".to_string())
            }
        };

        let ca_base = self.ca_results.len() as u32;
        for _ in 0..count(r)? {
            let CaPolicyResult { id, name, result, grant_controls } = get_ca(r)?;
            self.ca_results.push(CaPolicyResult {
                id: map.get(id),
                name: map.get(name),
                result: map.get(result),
                grant_controls: map.get(grant_controls),
            });
        }
        let steps_base = self.auth_steps.len() as u32;
        for _ in 0..count(r)? {
            let s = get_step(r)?;
            self.auth_steps.push(step(&map, s));
        }
        let targets_base = self.targets.len() as u32;
        let n_targets = count(r)?;
        let mut target_rows = Vec::with_capacity(n_targets);
        for _ in 0..n_targets {
            target_rows.push(get_target(r)?);
        }
        let props_base = self.props.len() as u32;
        let n_props = count(r)?;
        for _ in 0..n_props {
            let ModifiedProperty { name, old, new } = get_prop(r)?;
            self.props.push(ModifiedProperty { name: map.get(name), old: map.get(old), new: map.get(new) });
        }
        for t in target_rows {
            let Target { kind, id, display, upn, modified } = t;
            let modified = shift(check(modified, n_props)?, props_base);
            self.targets.push(Target {
                kind: map.get(kind),
                id: map.get(id),
                display: map.get(display),
                upn: map.get(upn),
                modified,
            });
        }
        let details_base = self.details.len() as u32;
        let n_details = count(r)?;
        for _ in 0..n_details {
            let KeyValue { key, value } = get_kv(r)?;
            self.details.push(KeyValue { key: map.get(key), value: map.get(value) });
        }
        let lists_base = self.sym_lists.len() as u32;
        let n_lists = count(r)?;
        for _ in 0..n_lists {
            let s = r.sym()?;
            self.sym_lists.push(map.get(s));
        }
        for _ in 0..count(r)? {
            let id = get_id(r)?;
            let s = get_step(r)?;
            self.pending_steps.push((map.id(id), step(&map, s)));
        }
        let n_ca = (self.ca_results.len() as u32 - ca_base) as usize;
        let n_steps = (self.auth_steps.len() as u32 - steps_base) as usize;
        let n = count(r)?;
        self.signins.reserve(n);
        for _ in 0..n {
            let s = get_signin(r)?;
            check(s.risk_event_types, n_lists)?;
            check(s.ca_policies, n_ca)?;
            check(s.auth_steps, n_steps)?;
            self.signins.push(signin(&map, s, ca_base, steps_base, lists_base, fix_src));
        }
        let n = count(r)?;
        self.audits.reserve(n);
        for _ in 0..n {
            let a = get_audit(r)?;
            check(a.targets, n_targets)?;
            check(a.details, n_details)?;
            self.audits.push(audit(&map, a, targets_base, details_base, fix_src));
        }
        Ok(())
    }
}

fn step(map: &SymMap, a: AuthStep) -> AuthStep {
    let AuthStep { time, method, method_detail, succeeded, result_detail, requirement } = a;
    AuthStep {
        time,
        method: map.get(method),
        method_detail: map.get(method_detail),
        succeeded,
        result_detail: map.get(result_detail),
        requirement: map.get(requirement),
    }
}

fn signin(map: &SymMap, s: SignIn, ca_base: u32, steps_base: u32, lists_base: u32, fix_src: &impl Fn(Src) -> Src) -> SignIn {
    let SignIn {
        time,
        kind,
        outcome,
        error_code,
        auth_requirement,
        ca_status,
        compliant,
        managed,
        flagged_for_review,
        asn,
        latitude,
        longitude,
        request_id,
        correlation_id,
        session_id,
        unique_token_id,
        user_id,
        user_display,
        upn,
        user_type,
        sign_in_identifier,
        app_display,
        app_id,
        resource_display,
        resource_id,
        service_principal_id,
        service_principal_name,
        managed_identity_type,
        ip,
        ip_seen_by_resource,
        city,
        state,
        country,
        failure_reason,
        status_detail,
        client_app,
        auth_protocol,
        user_agent,
        incoming_token_type,
        token_issuer_type,
        token_issuer_name,
        cross_tenant_access_type,
        home_tenant_id,
        home_tenant_name,
        resource_tenant_id,
        device_id,
        device_name,
        os,
        browser,
        trust_type,
        mfa_result,
        mfa_method,
        mfa_detail,
        risk_level_during,
        risk_level_aggregated,
        risk_state,
        risk_detail,
        risk_event_types,
        ca_policies,
        auth_steps,
        src,
    } = s;
    let m = |x: Sym| map.get(x);
    SignIn {
        time,
        kind,
        outcome,
        error_code,
        auth_requirement,
        ca_status,
        compliant,
        managed,
        flagged_for_review,
        asn,
        latitude,
        longitude,
        request_id: map.id(request_id),
        correlation_id: map.id(correlation_id),
        session_id: map.id(session_id),
        unique_token_id: map.id(unique_token_id),
        user_id: m(user_id),
        user_display: m(user_display),
        upn: m(upn),
        user_type: m(user_type),
        sign_in_identifier: m(sign_in_identifier),
        app_display: m(app_display),
        app_id: m(app_id),
        resource_display: m(resource_display),
        resource_id: m(resource_id),
        service_principal_id: m(service_principal_id),
        service_principal_name: m(service_principal_name),
        managed_identity_type: m(managed_identity_type),
        ip: m(ip),
        ip_seen_by_resource: m(ip_seen_by_resource),
        city: m(city),
        state: m(state),
        country: m(country),
        failure_reason: m(failure_reason),
        status_detail: m(status_detail),
        client_app: m(client_app),
        auth_protocol: m(auth_protocol),
        user_agent: m(user_agent),
        incoming_token_type: m(incoming_token_type),
        token_issuer_type: m(token_issuer_type),
        token_issuer_name: m(token_issuer_name),
        cross_tenant_access_type: m(cross_tenant_access_type),
        home_tenant_id: m(home_tenant_id),
        home_tenant_name: m(home_tenant_name),
        resource_tenant_id: m(resource_tenant_id),
        device_id: m(device_id),
        device_name: m(device_name),
        os: m(os),
        browser: m(browser),
        trust_type: m(trust_type),
        mfa_result: m(mfa_result),
        mfa_method: m(mfa_method),
        mfa_detail: m(mfa_detail),
        risk_level_during: m(risk_level_during),
        risk_level_aggregated: m(risk_level_aggregated),
        risk_state: m(risk_state),
        risk_detail: m(risk_detail),
        risk_event_types: shift(risk_event_types, lists_base),
        ca_policies: shift(ca_policies, ca_base),
        auth_steps: shift(auth_steps, steps_base),
        src: fix_src(src),
    }
}

fn audit(map: &SymMap, a: AuditEvent, targets_base: u32, details_base: u32, fix_src: &impl Fn(Src) -> Src) -> AuditEvent {
    let AuditEvent {
        time,
        id,
        correlation_id,
        service,
        category,
        activity,
        operation_type,
        result,
        result_reason,
        user_agent,
        initiator,
        targets,
        details,
        src,
    } = a;
    let Initiator { kind, user_id, upn, display, ip, app_id, app_display, service_principal_id, service_principal_name } =
        initiator;
    let m = |x: Sym| map.get(x);
    AuditEvent {
        time,
        id: map.id(id),
        correlation_id: map.id(correlation_id),
        service: m(service),
        category: m(category),
        activity: m(activity),
        operation_type: m(operation_type),
        result,
        result_reason: m(result_reason),
        user_agent: m(user_agent),
        initiator: Initiator {
            kind,
            user_id: m(user_id),
            upn: m(upn),
            display: m(display),
            ip: m(ip),
            app_id: m(app_id),
            app_display: m(app_display),
            service_principal_id: m(service_principal_id),
            service_principal_name: m(service_principal_name),
        },
        targets: shift(targets, targets_base),
        details: shift(details, details_base),
        src: fix_src(src),
    }
}
