//! The simulated tenant: places and networks, applications, users, groups,
//! roles and Conditional Access policies.

use crate::rng::Rng;

/// A city the generator places sign-ins in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct City {
    pub name: &'static str,
    pub state: &'static str,
    pub country: &'static str,
    pub lat: f64,
    pub lon: f64,
}

const fn city(name: &'static str, state: &'static str, country: &'static str, lat: f64, lon: f64) -> City {
    City { name, state, country, lat, lon }
}

pub const LONDON: City = city("London", "England", "GB", 51.5072, -0.1276);
pub const MANCHESTER: City = city("Manchester", "England", "GB", 53.4808, -2.2426);
pub const BRISTOL: City = city("Bristol", "England", "GB", 51.4545, -2.5879);
pub const NEW_YORK: City = city("New York", "New York", "US", 40.7128, -74.006);
pub const BOSTON: City = city("Boston", "Massachusetts", "US", 42.3601, -71.0589);
pub const CHICAGO: City = city("Chicago", "Illinois", "US", 41.8781, -87.6298);
pub const SEATTLE: City = city("Seattle", "Washington", "US", 47.6062, -122.3321);
pub const BERLIN: City = city("Berlin", "Berlin", "DE", 52.52, 13.405);
pub const MUNICH: City = city("Munich", "Bavaria", "DE", 48.1351, 11.582);
pub const HAMBURG: City = city("Hamburg", "Hamburg", "DE", 53.5511, 9.9937);
pub const DUBLIN: City = city("Dublin", "Dublin", "IE", 53.3498, -6.2603);
// Places only attackers use (never in the background).
pub const AMSTERDAM: City = city("Amsterdam", "North Holland", "NL", 52.3676, 4.9041);
pub const LAGOS: City = city("Lagos", "Lagos", "NG", 6.5244, 3.3792);
pub const SAO_PAULO: City = city("Sao Paulo", "Sao Paulo", "BR", -23.5505, -46.6333);
pub const HO_CHI_MINH: City = city("Ho Chi Minh City", "Ho Chi Minh", "VN", 10.8231, 106.6297);
pub const SINGAPORE: City = city("Singapore", "Central Singapore", "SG", 1.3521, 103.8198);
pub const MOSCOW: City = city("Moscow", "Moscow", "RU", 55.7558, 37.6173);
pub const KYIV: City = city("Kyiv", "Kyiv City", "UA", 50.4501, 30.5234);
pub const BUCHAREST: City = city("Bucharest", "Bucuresti", "RO", 44.4268, 26.1025);
pub const JAKARTA: City = city("Jakarta", "Jakarta", "ID", -6.2088, 106.8456);
pub const MUMBAI: City = city("Mumbai", "Maharashtra", "IN", 19.076, 72.8777);
pub const SEOUL: City = city("Seoul", "Seoul", "KR", 37.5665, 126.978);

/// Great-circle distance in kilometres.
pub fn distance_km(a: &City, b: &City) -> f64 {
    let (la1, lo1, la2, lo2) = (a.lat.to_radians(), a.lon.to_radians(), b.lat.to_radians(), b.lon.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// A consumer ISP: its ASN and the /16 prefixes its customers get.
#[derive(Debug, Clone, Copy)]
pub struct Isp {
    pub country: &'static str,
    pub asn: u32,
    pub prefixes: &'static [(u8, u8)],
}

pub const ISPS: &[Isp] = &[
    Isp { country: "US", asn: 7922, prefixes: &[(73, 15), (73, 162), (98, 229)] },
    Isp { country: "US", asn: 701, prefixes: &[(108, 28), (71, 105)] },
    Isp { country: "GB", asn: 2856, prefixes: &[(86, 151), (81, 156)] },
    Isp { country: "GB", asn: 5089, prefixes: &[(82, 21), (86, 7)] },
    Isp { country: "GB", asn: 5607, prefixes: &[(90, 208), (94, 174)] },
    Isp { country: "DE", asn: 3320, prefixes: &[(91, 49), (79, 226), (87, 163)] },
    Isp { country: "DE", asn: 3209, prefixes: &[(88, 65), (92, 72)] },
];

/// A place a sign-in comes from: an address and its geolocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub ip: String,
    pub city: City,
    pub asn: u32,
    /// Named location when the address is in a trusted network.
    pub named_location: Option<&'static str>,
}

impl Place {
    pub fn new(ip: impl Into<String>, city: City, asn: u32) -> Place {
        Place { ip: ip.into(), city, asn, named_location: None }
    }
}

/// An office: its egress network (trusted) and city.
#[derive(Debug, Clone)]
pub struct Office {
    pub name: &'static str,
    pub city: City,
    /// CIDR of the egress range, listed in the settings' trusted networks.
    pub cidr: &'static str,
    /// The address most traffic leaves from.
    pub egress: &'static str,
    pub asn: u32,
}

pub const OFFICES: [Office; 3] = [
    Office { name: "London HQ", city: LONDON, cidr: "194.73.110.0/26", egress: "194.73.110.12", asn: 2856 },
    Office { name: "New York", city: NEW_YORK, cidr: "38.142.214.0/27", egress: "38.142.214.5", asn: 174 },
    Office { name: "Berlin", city: BERLIN, cidr: "62.157.140.0/26", egress: "62.157.140.20", asn: 3320 },
];

impl Office {
    pub fn place(&self) -> Place {
        Place { ip: self.egress.to_string(), city: self.city, asn: self.asn, named_location: Some(self.name) }
    }
}

/// An application users sign in to, and the resource it calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct App {
    pub name: &'static str,
    pub id: &'static str,
    pub resource: &'static str,
    pub resource_id: &'static str,
}

const fn app(name: &'static str, id: &'static str, resource: &'static str, resource_id: &'static str) -> App {
    App { name, id, resource, resource_id }
}

const EXO: &str = "00000002-0000-0ff1-ce00-000000000000";
const SPO: &str = "00000003-0000-0ff1-ce00-000000000000";
pub const GRAPH_ID: &str = "00000003-0000-0000-c000-000000000000";
const AZURE_MGMT: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
const AAD_GRAPH: &str = "00000002-0000-0000-c000-000000000000";

pub const OFFICE_HOME: App = app("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", "Office 365 SharePoint Online", SPO);
pub const OUTLOOK_WEB: App = app("Office 365 Exchange Online", EXO, "Office 365 Exchange Online", EXO);
pub const TEAMS: App = app(
    "Microsoft Teams",
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
    "Microsoft Teams Services",
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
);
pub const OFFICE_DESKTOP: App = app("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Graph", GRAPH_ID);
pub const OUTLOOK_MOBILE: App = app("Outlook Mobile", "27922004-5251-4030-b22d-91ecd9a37ea4", "Office 365 Exchange Online", EXO);
pub const SHAREPOINT: App = app("Office 365 SharePoint Online", SPO, "Office 365 SharePoint Online", SPO);
pub const ONEDRIVE_SYNC: App =
    app("OneDrive SyncEngine", "ab9b8c07-8f02-4f72-87fa-80105867a763", "Office 365 SharePoint Online", SPO);
pub const WINDOWS_SIGN_IN: App =
    app("Windows Sign In", "38aa3b87-a06d-4817-b275-7a316988d93b", "Windows Azure Active Directory", AAD_GRAPH);
pub const AZURE_PORTAL: App =
    app("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Windows Azure Service Management API", AZURE_MGMT);
pub const ADMIN_CENTER: App =
    app("Microsoft Office 365 Portal", "00000006-0000-0ff1-ce00-000000000000", "Microsoft Graph", GRAPH_ID);
pub const GRAPH_EXPLORER: App = app("Graph Explorer", "de8bc8b5-d9f9-48b1-a8ad-b748da725064", "Microsoft Graph", GRAPH_ID);
pub const MY_SIGNINS: App = app("My Signins", "19db86c3-b2b9-44cc-b339-36da233a3be2", "Microsoft Graph", GRAPH_ID);
// Used only in planted incidents.
pub const AAD_POWERSHELL: App =
    app("Azure Active Directory PowerShell", "1b730954-1685-4b74-9bfd-dac224a7b894", "Windows Azure Active Directory", AAD_GRAPH);
pub const AZURE_CLI: App =
    app("Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Windows Azure Service Management API", AZURE_MGMT);
pub const KEY_VAULT_ID: &str = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093";
pub const STORAGE_ID: &str = "e406a681-f3d4-42a8-90b6-c2b029497af1";

/// Apps of a regular user's day, with weights.
pub const WORK_APPS: &[(App, u32)] = &[
    (OFFICE_HOME, 4),
    (TEAMS, 6),
    (OUTLOOK_WEB, 3),
    (OFFICE_DESKTOP, 4),
    (SHAREPOINT, 2),
    (ONEDRIVE_SYNC, 2),
    (WINDOWS_SIGN_IN, 2),
];
/// Apps of an admin account's day.
pub const ADMIN_APPS: &[(App, u32)] = &[(AZURE_PORTAL, 5), (ADMIN_CENTER, 3), (GRAPH_EXPLORER, 1), (MY_SIGNINS, 1)];

/// A device a user signs in from.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub os: &'static str,
    pub browser: &'static str,
    pub user_agent: &'static str,
    pub client_app: &'static str,
    pub compliant: Option<bool>,
    pub managed: Option<bool>,
    pub join_type: &'static str,
}

pub const UA_EDGE_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";
pub const UA_CHROME_MAC: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36";
pub const UA_SAFARI_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1";
pub const UA_OUTLOOK_IOS: &str = "Outlook-iOS/723.4027091.prod.iphone (4.2433.0)";
pub const UA_WINDOWS_AUTH: &str = "Windows-AzureAD-Authentication-Provider/1.0";
pub const UA_FIREFOX_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0";

/// A user account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub upn: String,
    pub display: String,
    /// `member` / `guest`.
    pub user_type: &'static str,
    /// Index into [`OFFICES`] (members) or `None` (guests, break-glass).
    pub office: Option<usize>,
    pub home: Place,
    pub laptop: Device,
    pub phone: Device,
    /// Admin accounts (and accounts that become privileged) sign in only on
    /// weekdays 07:30-16:30 UTC.
    pub office_hours_only: bool,
    pub admin: bool,
    /// Guests: their home tenant.
    pub home_tenant: Option<(String, &'static str)>,
    /// How active the user is (sign-ins per working day, interactive).
    pub activity: f64,
    /// Signs in at weekends sometimes.
    pub weekend_worker: bool,
    /// No background sign-ins at all (break-glass, incident-only accounts).
    pub dormant: bool,
}

impl User {
    pub fn local_part(&self) -> &str {
        self.upn.split('@').next().unwrap_or(&self.upn)
    }
}

const FIRST: &[&str] = &[
    "James", "Olivia", "Noah", "Emma", "Liam", "Amelia", "Oliver", "Sophia", "Elijah", "Isla", "Lucas", "Mia", "Mason", "Ava",
    "Ethan", "Grace", "Henry", "Chloe", "Jack", "Lily", "Leon", "Hannah", "Finn", "Lea", "Paul", "Marie", "Felix", "Laura",
    "Jonas", "Sarah", "David", "Emily", "Samuel", "Zoe", "Daniel", "Ella", "Matthew", "Ruby", "Aaron", "Nora", "Jürgen",
    "Siobhán", "Chidi", "Priya", "Mateo", "Yuki", "Aisha", "Wei", "Fatima", "Omar",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Clark",
    "Hall",
    "Allen",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Evans",
    "Turner",
    "Parker",
    "Collins",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Koch",
    "O'Brien",
    "Murphy",
    "Walsh",
    "Kelly",
    "Patel",
    "Khan",
    "Nguyen",
    "Okafor",
    "Rossi",
    "Costa",
    "Moreau",
    "Novak",
    "Ito",
    "Kowalski",
];

/// Lower-case ASCII for a UPN: umlauts spelled out, other marks dropped.
pub fn ascii_name(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'á' | 'à' | 'Á' => out.push('a'),
            'é' | 'è' | 'É' => out.push('e'),
            'ó' | 'Ó' => out.push('o'),
            'í' | 'Í' => out.push('i'),
            c if c.is_ascii_alphabetic() => out.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    out
}

fn isp_place(rng: &mut Rng, country: &str, city: City) -> Place {
    let candidates: Vec<&Isp> = ISPS.iter().filter(|i| i.country == country).collect();
    let isp = *rng.pick(&candidates);
    let (a, b) = *rng.pick(isp.prefixes);
    Place::new(format!("{a}.{b}.{}.{}", rng.range(0, 255), rng.range(1, 254)), city, isp.asn)
}

fn home_city(rng: &mut Rng, country: &str) -> City {
    match country {
        "US" => *rng.pick(&[NEW_YORK, NEW_YORK, BOSTON, CHICAGO, SEATTLE]),
        "DE" => *rng.pick(&[BERLIN, BERLIN, MUNICH, HAMBURG]),
        _ => *rng.pick(&[LONDON, LONDON, LONDON, MANCHESTER, BRISTOL]),
    }
}

fn laptop(rng: &mut Rng, prefix: &str) -> Device {
    let mac = rng.chance(0.2);
    Device {
        id: rng.guid(),
        name: format!("{prefix}-{}{:04}", if mac { "MB" } else { "LT" }, rng.range(1000, 9999)),
        os: if mac { "MacOs" } else { "Windows10" },
        browser: if mac { "Chrome 129.0.0" } else { "Edge 130.0.0" },
        user_agent: if mac { UA_CHROME_MAC } else { UA_EDGE_WIN },
        client_app: "Browser",
        compliant: Some(true),
        managed: Some(true),
        join_type: if mac {
            "Azure AD registered"
        } else if rng.chance(0.5) {
            "Hybrid Azure AD joined"
        } else {
            "Azure AD joined"
        },
    }
}

fn phone(rng: &mut Rng, display: &str) -> Device {
    Device {
        id: rng.guid(),
        name: format!("{}'s iPhone", display.split([' ', ',']).next().unwrap_or("User")),
        os: "Ios 17.6",
        browser: "Mobile Safari 17.6",
        user_agent: UA_OUTLOOK_IOS,
        client_app: "Mobile Apps and Desktop clients",
        compliant: Some(true),
        managed: Some(true),
        join_type: "Azure AD registered",
    }
}

/// A browser on a device the tenant does not manage.
pub fn unmanaged_device(ua: &'static str) -> Device {
    let (os, browser) = match ua {
        UA_SAFARI_IOS => ("Ios 17.6", "Mobile Safari 17.6"),
        UA_FIREFOX_LINUX => ("Linux", "Firefox 131.0"),
        UA_CHROME_MAC => ("MacOs", "Chrome 129.0.0"),
        _ => ("Windows10", "Chrome 130.0.0"),
    };
    Device {
        id: String::new(),
        name: String::new(),
        os,
        browser,
        user_agent: ua,
        client_app: "Browser",
        compliant: Some(false),
        managed: Some(false),
        join_type: "",
    }
}

/// A service principal that signs in with its own credential.
#[derive(Debug, Clone)]
pub struct ServicePrincipal {
    pub name: &'static str,
    pub app_id: String,
    /// Object id of the application registration (audit `Application` targets).
    pub app_object_id: String,
    pub sp_id: String,
    pub key_id: String,
    pub thumbprint: String,
    /// `clientSecret` / `certificate`.
    pub credential: &'static str,
    pub place: Place,
    pub resource: App,
    pub per_day: u32,
    /// Fails once a day with an expired secret (a fixed, daily pattern).
    pub daily_failure: bool,
}

/// A managed identity.
#[derive(Debug, Clone)]
pub struct ManagedIdentity {
    pub name: &'static str,
    pub app_id: String,
    pub sp_id: String,
    /// `systemAssigned` / `userAssigned`.
    pub msi_type: &'static str,
    pub resource_id: String,
    pub target: (&'static str, &'static str),
    pub per_day: u32,
}

/// A directory role.
#[derive(Debug, Clone, Copy)]
pub struct Role {
    pub name: &'static str,
    pub template_id: &'static str,
}

pub const GLOBAL_ADMIN: Role = Role { name: "Global Administrator", template_id: "62e90394-69f5-4237-9190-012177145e10" };
pub const PRIV_ROLE_ADMIN: Role =
    Role { name: "Privileged Role Administrator", template_id: "e8611ab8-c189-46e8-94e1-60213ab1f814" };
pub const USER_ADMIN: Role = Role { name: "User Administrator", template_id: "fe930be7-5e62-47db-91af-98c3a49a38b1" };
pub const CA_ADMIN: Role = Role { name: "Conditional Access Administrator", template_id: "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9" };
pub const APP_ADMIN: Role = Role { name: "Application Administrator", template_id: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3" };
pub const GROUPS_ADMIN: Role = Role { name: "Groups Administrator", template_id: "fdd7a751-b60b-444a-984c-02652fe8fa1c" };
pub const HELPDESK_ADMIN: Role = Role { name: "Helpdesk Administrator", template_id: "729827e3-9c14-49f7-bb1b-9608f156bbb8" };
pub const SECURITY_READER: Role = Role { name: "Security Reader", template_id: "5d6b6bb7-de71-4623-b4af-96380a352509" };
pub const EXCHANGE_ADMIN: Role = Role { name: "Exchange Administrator", template_id: "29232cdf-9323-42fd-ade2-1d097af3e4de" };

/// A Conditional Access policy of the tenant.
#[derive(Debug, Clone)]
pub struct CaPolicyDef {
    pub id: String,
    pub name: &'static str,
    pub grant: &'static str,
}

/// A group.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub name: &'static str,
}

pub const REGULAR_GROUPS: &[&str] = &[
    "All-Staff",
    "Sales-EMEA",
    "Sales-Americas",
    "Engineering",
    "Marketing",
    "Finance",
    "Project Phoenix",
    "HR-Team",
    "Helpdesk",
    "Legal",
];

/// The named accounts the scenario needs, by role in the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    BreakGlass1,
    BreakGlass2,
    CaAdmin,
    PimAdmin,
    AppAdmin,
    PartnerManager,
    HrSync,
}

/// Everything about the tenant the simulator draws from.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub name: &'static str,
    pub domain: &'static str,
    pub initial_domain: &'static str,
    pub partner_tenant_id: String,
    pub workspace_id: String,
    pub users: Vec<User>,
    /// Indices of admin (`adm-*`) accounts in `users`.
    pub admins: Vec<usize>,
    /// Indices of regular members (not admin, not special, not guests).
    pub members: Vec<usize>,
    pub guests: Vec<usize>,
    pub special: Vec<(Who, usize)>,
    pub service_principals: Vec<ServicePrincipal>,
    pub managed_identities: Vec<ManagedIdentity>,
    pub ca_policies: Vec<CaPolicyDef>,
    pub groups: Vec<Group>,
    pub critical_group: Group,
    pub critical_lookalike: Group,
    /// Resource service principal ids in this tenant, by resource app id.
    pub resource_sps: Vec<(&'static str, String)>,
    /// Object ids of role definitions (role object ids differ per tenant).
    pub role_object_ids: Vec<(&'static str, String)>,
    pub pim_sp_id: String,
    pub graph_sp_id: String,
}

impl Tenant {
    pub fn who(&self, w: Who) -> &User {
        let i = self.special.iter().find(|(k, _)| *k == w).map(|(_, i)| *i).unwrap_or(0);
        &self.users[i]
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<usize> {
        self.users.iter().position(|u| u.upn == upn)
    }

    pub fn resource_sp(&self, resource_app_id: &str) -> &str {
        self.resource_sps.iter().find(|(a, _)| *a == resource_app_id).map(|(_, s)| s.as_str()).unwrap_or("")
    }

    pub fn role_object_id(&self, role: &Role) -> &str {
        self.role_object_ids.iter().find(|(t, _)| *t == role.template_id).map(|(_, s)| s.as_str()).unwrap_or(role.template_id)
    }

    pub fn group(&self, name: &str) -> &Group {
        self.groups.iter().find(|g| g.name == name).unwrap_or(&self.critical_lookalike)
    }
}

const ADMINS: &[(&str, &str, &str, usize)] = &[
    ("adm-hbauer", "Hannah", "Bauer", 2),
    ("adm-jsmith", "John", "Smith", 0),
    ("adm-mlopez", "Maria", "Lopez", 0),
    ("adm-kchen", "Kevin", "Chen", 0),
    ("adm-rpatel", "Ravi", "Patel", 0),
    ("adm-akowalski", "Anna", "Kowalski", 2),
];

/// Builds the directory: `members` regular users and `guests` guests plus the
/// fixed cast (admins, role accounts, break-glass).
pub fn build(rng: &mut Rng, members: usize, guests: usize) -> Tenant {
    let id = rng.guid();
    let mut t = Tenant {
        id,
        name: "Contoso",
        domain: "contoso.com",
        initial_domain: "contoso.onmicrosoft.com",
        partner_tenant_id: rng.guid(),
        workspace_id: rng.guid(),
        users: Vec::new(),
        admins: Vec::new(),
        members: Vec::new(),
        guests: Vec::new(),
        special: Vec::new(),
        service_principals: Vec::new(),
        managed_identities: Vec::new(),
        ca_policies: Vec::new(),
        groups: Vec::new(),
        critical_group: Group { id: rng.guid(), name: "CA-Exclude-BreakGlass" },
        critical_lookalike: Group { id: rng.guid(), name: "CA-Exclude-BreakGlass-Review" },
        resource_sps: Vec::new(),
        role_object_ids: Vec::new(),
        pim_sp_id: rng.guid(),
        graph_sp_id: String::new(),
    };
    let mut used = std::collections::HashSet::new();
    let add = |t: &mut Tenant, rng: &mut Rng, local: String, display: String, office: Option<usize>, country: &str| -> usize {
        let office_idx = office.unwrap_or(0);
        let city = if office.is_some() && rng.chance(0.6) { OFFICES[office_idx].city } else { home_city(rng, country) };
        let home = isp_place(rng, country, city);
        let lt = laptop(rng, "CON");
        let ph = phone(rng, &display);
        t.users.push(User {
            id: rng.guid(),
            upn: format!("{local}@contoso.com"),
            display,
            user_type: "member",
            office,
            home,
            laptop: lt,
            phone: ph,
            office_hours_only: false,
            admin: false,
            home_tenant: None,
            activity: 1.0 + rng.unit() * 2.0,
            weekend_worker: rng.chance(0.15),
            dormant: false,
        });
        t.users.len() - 1
    };

    // Regular members.
    for _ in 0..members {
        let office = rng.weighted(&[45, 35, 20]);
        let country = OFFICES[office].city.country;
        let (mut first, mut last);
        let mut local;
        let mut tries = 0;
        loop {
            first = *rng.pick(FIRST);
            last = *rng.pick(LAST);
            local = format!("{}.{}", ascii_name(first), ascii_name(last));
            tries += 1;
            if !used.contains(&local) {
                break;
            }
            if tries > 20 {
                local = format!("{local}{}", used.len());
                break;
            }
        }
        used.insert(local.clone());
        // The Berlin office writes display names "Last, First".
        let display = if office == 2 { format!("{last}, {first}") } else { format!("{first} {last}") };
        let i = add(&mut t, rng, local, display, Some(office), country);
        t.members.push(i);
    }

    // Admin accounts: separate privileged identities of IT staff.
    for &(local, first, last, office) in ADMINS {
        let i =
            add(&mut t, rng, local.to_string(), format!("{first} {last} (Admin)"), Some(office), OFFICES[office].city.country);
        let u = &mut t.users[i];
        u.admin = true;
        u.office_hours_only = true;
        u.weekend_worker = false;
        u.activity = 1.5;
        t.admins.push(i);
    }
    let specials: [(Who, &str, &str); 5] = [
        (Who::CaAdmin, "ca-admin", "Priya Nair (CA Admin)"),
        (Who::PimAdmin, "pim-admin", "Tom Becker (PIM Admin)"),
        (Who::AppAdmin, "app-admin", "Lucy Grant (App Admin)"),
        (Who::PartnerManager, "partner-manager", "Oliver Hughes"),
        (Who::HrSync, "svc-hr-sync", "HR Sync Service"),
    ];
    for (who, local, display) in specials {
        let i = add(&mut t, rng, local.to_string(), display.to_string(), Some(0), "GB");
        let u = &mut t.users[i];
        u.office_hours_only = true;
        u.weekend_worker = false;
        u.admin = who != Who::PartnerManager && who != Who::HrSync;
        u.activity = 1.0;
        u.dormant = who == Who::HrSync;
        t.special.push((who, i));
    }
    for (who, local, display) in
        [(Who::BreakGlass1, "bg-01", "Emergency Access 01"), (Who::BreakGlass2, "bg-02", "Emergency Access 02")]
    {
        let i = add(&mut t, rng, local.to_string(), display.to_string(), None, "GB");
        let u = &mut t.users[i];
        u.upn = format!("{local}@contoso.onmicrosoft.com");
        u.dormant = true;
        u.office_hours_only = true;
        t.special.push((who, i));
    }

    // Guests from the partner tenant. Sign-in logs show their home UPN.
    let partner = t.partner_tenant_id.clone();
    for g in 0..guests {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let local = format!("{}.{}{}", ascii_name(first), ascii_name(last), g);
        let country = if rng.chance(0.5) { "US" } else { "GB" };
        let i = add(&mut t, rng, local.clone(), format!("{first} {last} (Fabrikam)"), None, country);
        let u = &mut t.users[i];
        u.upn = format!("{local}@fabrikam.com");
        u.user_type = "guest";
        u.home_tenant = Some((partner.clone(), "Fabrikam"));
        u.laptop = unmanaged_device(UA_CHROME_MAC);
        u.activity = 0.5;
        u.weekend_worker = false;
        t.guests.push(i);
    }

    for (app_id, _) in [
        (GRAPH_ID, 0),
        (EXO, 0),
        (SPO, 0),
        (AZURE_MGMT, 0),
        (AAD_GRAPH, 0),
        ("cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", 0),
        (KEY_VAULT_ID, 0),
        (STORAGE_ID, 0),
    ] {
        t.resource_sps.push((app_id, rng.guid()));
    }
    t.graph_sp_id = t.resource_sp(GRAPH_ID).to_string();
    for role in [
        GLOBAL_ADMIN,
        PRIV_ROLE_ADMIN,
        USER_ADMIN,
        CA_ADMIN,
        APP_ADMIN,
        GROUPS_ADMIN,
        HELPDESK_ADMIN,
        SECURITY_READER,
        EXCHANGE_ADMIN,
    ] {
        t.role_object_ids.push((role.template_id, rng.guid()));
    }
    for name in REGULAR_GROUPS {
        t.groups.push(Group { id: rng.guid(), name });
    }
    for (name, grant) in [
        ("CA001: Require MFA for all users", "Mfa"),
        ("CA002: Block legacy authentication", "Block"),
        ("CA003: Require compliant device for admins", "CompliantDevice"),
        ("CA004: Block access from outside operating countries", "Block"),
    ] {
        t.ca_policies.push(CaPolicyDef { id: rng.guid(), name, grant });
    }

    let azure_gb = |rng: &mut Rng| Place::new(format!("20.26.{}.{}", rng.range(0, 255), rng.range(1, 254)), LONDON, 8075);
    let azure_us = |rng: &mut Rng| Place::new(format!("20.42.{}.{}", rng.range(0, 255), rng.range(1, 254)), BOSTON, 8075);
    let graph = App { name: "Microsoft Graph", id: GRAPH_ID, resource: "Microsoft Graph", resource_id: GRAPH_ID };
    let sps: [(&str, &str, bool, u32, bool); 4] = [
        ("Contoso Payroll Connector", "clientSecret", true, 24, false),
        ("Backup Orchestrator", "certificate", false, 12, false),
        ("HR Provisioning Connector", "certificate", true, 48, false),
        ("Intranet Search Indexer", "clientSecret", false, 6, true),
    ];
    for (name, credential, gb, per_day, daily_failure) in sps {
        let place = if gb { azure_gb(rng) } else { azure_us(rng) };
        let thumbprint = if credential == "certificate" {
            let mut s = String::new();
            for _ in 0..40 {
                s.push(b"0123456789ABCDEF"[rng.below(16) as usize] as char);
            }
            s
        } else {
            String::new()
        };
        t.service_principals.push(ServicePrincipal {
            name,
            app_id: rng.guid(),
            app_object_id: rng.guid(),
            sp_id: rng.guid(),
            key_id: rng.guid(),
            thumbprint,
            credential,
            place,
            resource: graph,
            per_day,
            daily_failure,
        });
    }
    let sub = rng.guid();
    // (name, type, resource path, (target resource, its app id), tokens per day)
    type MiSpec = (&'static str, &'static str, &'static str, (&'static str, &'static str), u32);
    let mis: [MiSpec; 3] = [
        (
            "func-invoice-prod",
            "systemAssigned",
            "rg-finance/providers/Microsoft.Web/sites/func-invoice-prod",
            ("Azure Key Vault", KEY_VAULT_ID),
            24,
        ),
        (
            "vm-build-agent-01",
            "systemAssigned",
            "rg-build/providers/Microsoft.Compute/virtualMachines/vm-build-agent-01",
            ("Azure Storage", STORAGE_ID),
            16,
        ),
        (
            "id-aks-workload",
            "userAssigned",
            "rg-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-workload",
            ("Microsoft Graph", GRAPH_ID),
            8,
        ),
    ];
    for (name, msi_type, path, target, per_day) in mis {
        t.managed_identities.push(ManagedIdentity {
            name,
            app_id: rng.guid(),
            sp_id: rng.guid(),
            msi_type,
            resource_id: format!("/subscriptions/{sub}/resourceGroups/{path}"),
            target,
            per_day,
        });
    }
    t
}
