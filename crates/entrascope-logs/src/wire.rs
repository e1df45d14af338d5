//! A compact byte form of records, to move a [`crate::Part`] read in one
//! web worker to the worker that joins it (workers share no memory; the
//! bytes are transferred). Integers are LEB128 varints, ids a tag and their
//! value, floats their bits. Decoding checks every length and tag and
//! returns an error, never panics: the bytes come from our own worker, but
//! a reader should not trust them blindly.
//!
//! Every function destructures its type without `..`, so a field added to
//! the model does not compile until it is written and read here too.

use entrascope_core::time::DateOrder;
use entrascope_core::Timestamp;

use crate::model::*;

#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u64(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(b);
                return;
            }
            self.buf.push(b | 0x80);
        }
    }

    pub fn u32(&mut self, v: u32) {
        self.u64(v as u64);
    }

    pub fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn bool(&mut self, v: bool) {
        self.u8(v as u8);
    }

    pub fn f32(&mut self, v: f32) {
        self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
    }

    pub fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.buf.extend_from_slice(v);
    }

    pub fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }

    pub fn sym(&mut self, s: Sym) {
        self.u32(s.0);
    }

    pub fn time(&mut self, t: Timestamp) {
        self.i64(t.0);
    }

    pub fn opt_time(&mut self, t: Option<Timestamp>) {
        match t {
            None => self.u8(0),
            Some(t) => {
                self.u8(1);
                self.time(t);
            }
        }
    }

    pub fn range(&mut self, r: Range) {
        self.u32(r.start);
        self.u32(r.len);
    }
}

pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

pub type R<T> = Result<T, String>;

fn bad(what: &str) -> String {
    format!("part data: bad {what}")
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn u8(&mut self) -> R<u8> {
        let b = *self.buf.get(self.pos).ok_or_else(|| bad("end"))?;
        self.pos += 1;
        Ok(b)
    }

    pub fn u64(&mut self) -> R<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("number"))
    }

    pub fn u32(&mut self) -> R<u32> {
        u32::try_from(self.u64()?).map_err(|_| bad("number"))
    }

    pub fn i64(&mut self) -> R<i64> {
        let v = self.u64()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    pub fn bool(&mut self) -> R<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(bad("flag")),
        }
    }

    pub fn f32(&mut self) -> R<f32> {
        let b = self.buf.get(self.pos..self.pos + 4).ok_or_else(|| bad("end"))?;
        self.pos += 4;
        Ok(f32::from_bits(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    }

    pub fn bytes(&mut self) -> R<&'a [u8]> {
        let n = usize::try_from(self.u64()?).map_err(|_| bad("length"))?;
        let end = self.pos.checked_add(n).ok_or_else(|| bad("length"))?;
        let b = self.buf.get(self.pos..end).ok_or_else(|| bad("end"))?;
        self.pos = end;
        Ok(b)
    }

    pub fn str(&mut self) -> R<&'a str> {
        std::str::from_utf8(self.bytes()?).map_err(|_| bad("text"))
    }

    pub fn sym(&mut self) -> R<Sym> {
        Ok(Sym(self.u32()?))
    }

    pub fn time(&mut self) -> R<Timestamp> {
        Ok(Timestamp(self.i64()?))
    }

    pub fn opt_time(&mut self) -> R<Option<Timestamp>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.time()?)),
            _ => Err(bad("time")),
        }
    }

    pub fn range(&mut self) -> R<Range> {
        Ok(Range { start: self.u32()?, len: self.u32()? })
    }

    /// A count of items that each take at least one byte (a bound against
    /// absurd allocations from damaged data).
    pub fn count(&mut self) -> R<usize> {
        let n = usize::try_from(self.u64()?).map_err(|_| bad("count"))?;
        if n > self.buf.len() - self.pos.min(self.buf.len()) {
            return Err(bad("count"));
        }
        Ok(n)
    }
}

// --- enumerations as bytes ------------------------------------------------

macro_rules! byte_enum {
    ($put:ident, $get:ident, $t:ty, [$($v:path = $n:expr),+ $(,)?]) => {
        pub fn $put(w: &mut Writer, v: $t) {
            w.u8(match v { $($v => $n),+ });
        }
        pub fn $get(r: &mut Reader) -> R<$t> {
            match r.u8()? {
                $($n => Ok($v),)+
                _ => Err(bad(stringify!($t))),
            }
        }
    };
}

byte_enum!(
    put_kind,
    get_kind,
    SignInKind,
    [
        SignInKind::Interactive = 0,
        SignInKind::NonInteractive = 1,
        SignInKind::ServicePrincipal = 2,
        SignInKind::ManagedIdentity = 3
    ]
);
byte_enum!(put_outcome, get_outcome, Outcome, [Outcome::Success = 0, Outcome::Failure = 1, Outcome::Interrupted = 2]);
byte_enum!(
    put_auth_req,
    get_auth_req,
    AuthRequirement,
    [AuthRequirement::Unknown = 0, AuthRequirement::SingleFactor = 1, AuthRequirement::MultiFactor = 2]
);
byte_enum!(
    put_ca_status,
    get_ca_status,
    CaStatus,
    [CaStatus::Unknown = 0, CaStatus::Success = 1, CaStatus::Failure = 2, CaStatus::NotApplied = 3]
);
byte_enum!(put_tri, get_tri, Tri, [Tri::Unknown = 0, Tri::No = 1, Tri::Yes = 2]);
byte_enum!(put_actor_kind, get_actor_kind, ActorKind, [ActorKind::None = 0, ActorKind::User = 1, ActorKind::App = 2]);
byte_enum!(
    put_audit_result,
    get_audit_result,
    AuditResult,
    [AuditResult::Unknown = 0, AuditResult::Success = 1, AuditResult::Failure = 2, AuditResult::Timeout = 3]
);
byte_enum!(put_order, get_order, DateOrder, [DateOrder::Unknown = 0, DateOrder::MonthFirst = 1, DateOrder::DayFirst = 2]);
byte_enum!(
    put_format,
    get_format,
    Format,
    [
        Format::PortalCsv = 0,
        Format::PortalJson = 1,
        Format::GraphJson = 2,
        Format::Ndjson = 3,
        Format::LoganalyticsJson = 4,
        Format::LoganalyticsCsv = 5,
        Format::AzureMonitorJson = 6,
        Format::Unknown = 7,
    ]
);
byte_enum!(
    put_input_kind,
    get_input_kind,
    InputKind,
    [
        InputKind::SignInInteractive = 0,
        InputKind::SignInNonInteractive = 1,
        InputKind::SignInServicePrincipal = 2,
        InputKind::SignInManagedIdentity = 3,
        InputKind::SignInMixed = 4,
        InputKind::AuthDetails = 5,
        InputKind::Audit = 6,
        InputKind::Unknown = 7,
    ]
);

// --- ids and records -------------------------------------------------------

pub fn put_id(w: &mut Writer, id: Id) {
    let (hi, lo) = id.parts();
    if id.is_none() {
        w.u8(0);
    } else if let Some(sym) = id.sym() {
        w.u8(1);
        w.sym(sym);
    } else {
        w.u8(2);
        w.buf.extend_from_slice(&hi.to_le_bytes());
        w.buf.extend_from_slice(&lo.to_le_bytes());
    }
}

pub fn get_id(r: &mut Reader) -> R<Id> {
    match r.u8()? {
        0 => Ok(Id::NONE),
        1 => Ok(Id::from_sym(r.sym()?)),
        2 => {
            let mut word = || -> R<u64> {
                let b = r.buf.get(r.pos..r.pos + 8).ok_or_else(|| bad("end"))?;
                r.pos += 8;
                Ok(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
            };
            let hi = word()?;
            let lo = word()?;
            Id::from_parts(hi, lo).ok_or_else(|| bad("id"))
        }
        _ => Err(bad("id")),
    }
}

pub fn put_src(w: &mut Writer, s: Src) {
    let Src { input, line, offset, len } = s;
    w.u32(input);
    w.u32(line);
    w.u64(offset);
    w.u32(len);
}

pub fn get_src(r: &mut Reader) -> R<Src> {
    Ok(Src { input: r.u32()?, line: r.u32()?, offset: r.u64()?, len: r.u32()? })
}

pub fn put_step(w: &mut Writer, a: &AuthStep) {
    let AuthStep { time, method, method_detail, succeeded, result_detail, requirement } = *a;
    w.opt_time(time);
    w.sym(method);
    w.sym(method_detail);
    put_tri(w, succeeded);
    w.sym(result_detail);
    w.sym(requirement);
}

pub fn get_step(r: &mut Reader) -> R<AuthStep> {
    Ok(AuthStep {
        time: r.opt_time()?,
        method: r.sym()?,
        method_detail: r.sym()?,
        succeeded: get_tri(r)?,
        result_detail: r.sym()?,
        requirement: r.sym()?,
    })
}

pub fn put_ca(w: &mut Writer, c: &CaPolicyResult) {
    let CaPolicyResult { id, name, result, grant_controls } = *c;
    w.sym(id);
    w.sym(name);
    w.sym(result);
    w.sym(grant_controls);
}

pub fn get_ca(r: &mut Reader) -> R<CaPolicyResult> {
    Ok(CaPolicyResult { id: r.sym()?, name: r.sym()?, result: r.sym()?, grant_controls: r.sym()? })
}

pub fn put_target(w: &mut Writer, t: &Target) {
    let Target { kind, id, display, upn, modified } = *t;
    w.sym(kind);
    w.sym(id);
    w.sym(display);
    w.sym(upn);
    w.range(modified);
}

pub fn get_target(r: &mut Reader) -> R<Target> {
    Ok(Target { kind: r.sym()?, id: r.sym()?, display: r.sym()?, upn: r.sym()?, modified: r.range()? })
}

pub fn put_prop(w: &mut Writer, p: &ModifiedProperty) {
    let ModifiedProperty { name, old, new } = *p;
    w.sym(name);
    w.sym(old);
    w.sym(new);
}

pub fn get_prop(r: &mut Reader) -> R<ModifiedProperty> {
    Ok(ModifiedProperty { name: r.sym()?, old: r.sym()?, new: r.sym()? })
}

pub fn put_kv(w: &mut Writer, k: &KeyValue) {
    let KeyValue { key, value } = *k;
    w.sym(key);
    w.sym(value);
}

pub fn get_kv(r: &mut Reader) -> R<KeyValue> {
    Ok(KeyValue { key: r.sym()?, value: r.sym()? })
}

pub fn put_signin(w: &mut Writer, s: &SignIn) {
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
    } = *s;
    w.time(time);
    put_kind(w, kind);
    put_outcome(w, outcome);
    w.u32(error_code);
    put_auth_req(w, auth_requirement);
    put_ca_status(w, ca_status);
    put_tri(w, compliant);
    put_tri(w, managed);
    put_tri(w, flagged_for_review);
    w.u32(asn);
    w.f32(latitude);
    w.f32(longitude);
    for id in [request_id, correlation_id, session_id, unique_token_id] {
        put_id(w, id);
    }
    for sym in [
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
    ] {
        w.sym(sym);
    }
    w.range(risk_event_types);
    w.range(ca_policies);
    w.range(auth_steps);
    put_src(w, src);
}

pub fn get_signin(r: &mut Reader) -> R<SignIn> {
    // Fields in the order put_signin writes them.
    let time = r.time()?;
    let kind = get_kind(r)?;
    let outcome = get_outcome(r)?;
    let error_code = r.u32()?;
    let auth_requirement = get_auth_req(r)?;
    let ca_status = get_ca_status(r)?;
    let compliant = get_tri(r)?;
    let managed = get_tri(r)?;
    let flagged_for_review = get_tri(r)?;
    let asn = r.u32()?;
    let latitude = r.f32()?;
    let longitude = r.f32()?;
    let request_id = get_id(r)?;
    let correlation_id = get_id(r)?;
    let session_id = get_id(r)?;
    let unique_token_id = get_id(r)?;
    Ok(SignIn {
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
        user_id: r.sym()?,
        user_display: r.sym()?,
        upn: r.sym()?,
        user_type: r.sym()?,
        sign_in_identifier: r.sym()?,
        app_display: r.sym()?,
        app_id: r.sym()?,
        resource_display: r.sym()?,
        resource_id: r.sym()?,
        service_principal_id: r.sym()?,
        service_principal_name: r.sym()?,
        managed_identity_type: r.sym()?,
        ip: r.sym()?,
        ip_seen_by_resource: r.sym()?,
        city: r.sym()?,
        state: r.sym()?,
        country: r.sym()?,
        failure_reason: r.sym()?,
        status_detail: r.sym()?,
        client_app: r.sym()?,
        auth_protocol: r.sym()?,
        user_agent: r.sym()?,
        incoming_token_type: r.sym()?,
        token_issuer_type: r.sym()?,
        token_issuer_name: r.sym()?,
        cross_tenant_access_type: r.sym()?,
        home_tenant_id: r.sym()?,
        home_tenant_name: r.sym()?,
        resource_tenant_id: r.sym()?,
        device_id: r.sym()?,
        device_name: r.sym()?,
        os: r.sym()?,
        browser: r.sym()?,
        trust_type: r.sym()?,
        mfa_result: r.sym()?,
        mfa_method: r.sym()?,
        mfa_detail: r.sym()?,
        risk_level_during: r.sym()?,
        risk_level_aggregated: r.sym()?,
        risk_state: r.sym()?,
        risk_detail: r.sym()?,
        risk_event_types: r.range()?,
        ca_policies: r.range()?,
        auth_steps: r.range()?,
        src: get_src(r)?,
    })
}

pub fn put_audit(w: &mut Writer, a: &AuditEvent) {
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
    } = *a;
    let Initiator { kind, user_id, upn, display, ip, app_id, app_display, service_principal_id, service_principal_name } =
        initiator;
    w.time(time);
    put_id(w, id);
    put_id(w, correlation_id);
    for sym in [service, category, activity, operation_type] {
        w.sym(sym);
    }
    put_audit_result(w, result);
    w.sym(result_reason);
    w.sym(user_agent);
    put_actor_kind(w, kind);
    for sym in [user_id, upn, display, ip, app_id, app_display, service_principal_id, service_principal_name] {
        w.sym(sym);
    }
    w.range(targets);
    w.range(details);
    put_src(w, src);
}

pub fn get_audit(r: &mut Reader) -> R<AuditEvent> {
    let time = r.time()?;
    let id = get_id(r)?;
    let correlation_id = get_id(r)?;
    let service = r.sym()?;
    let category = r.sym()?;
    let activity = r.sym()?;
    let operation_type = r.sym()?;
    let result = get_audit_result(r)?;
    let result_reason = r.sym()?;
    let user_agent = r.sym()?;
    let initiator = Initiator {
        kind: get_actor_kind(r)?,
        user_id: r.sym()?,
        upn: r.sym()?,
        display: r.sym()?,
        ip: r.sym()?,
        app_id: r.sym()?,
        app_display: r.sym()?,
        service_principal_id: r.sym()?,
        service_principal_name: r.sym()?,
    };
    Ok(AuditEvent {
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
        targets: r.range()?,
        details: r.range()?,
        src: get_src(r)?,
    })
}

/// The records of a dataset (not its inputs), in the order
/// [`read_dataset`] reads them.
pub fn put_dataset(w: &mut Writer, ds: &Dataset) {
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
    } = ds;
    w.u64(strings.len() as u64);
    for i in 0..strings.len() {
        w.str(strings.resolve(Sym(i as u32)));
    }
    w.u64(ca_results.len() as u64);
    ca_results.iter().for_each(|c| put_ca(w, c));
    w.u64(auth_steps.len() as u64);
    auth_steps.iter().for_each(|s| put_step(w, s));
    w.u64(targets.len() as u64);
    targets.iter().for_each(|t| put_target(w, t));
    w.u64(props.len() as u64);
    props.iter().for_each(|p| put_prop(w, p));
    w.u64(details.len() as u64);
    details.iter().for_each(|d| put_kv(w, d));
    w.u64(sym_lists.len() as u64);
    sym_lists.iter().for_each(|s| w.sym(*s));
    w.u64(pending_steps.len() as u64);
    for (id, s) in pending_steps {
        put_id(w, *id);
        put_step(w, s);
    }
    w.u64(signins.len() as u64);
    signins.iter().for_each(|s| put_signin(w, s));
    w.u64(audits.len() as u64);
    audits.iter().for_each(|a| put_audit(w, a));
}
