// Fixture exports built in code, so each test says what it plants.
// The sign-in header is the admin center's verbatim 2025 header
// (../shared/formats/headers/portal_InteractiveSignIns_header_2025-01_onward.csv).

import zlib from 'node:zlib';

export const SIGNIN_HEADER = ["Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username", "User type", "Cross tenant access type", "Incoming token type", "Authentication Protocol", "Unique token identifier", "Original transfer method", "Client credential type", "Token Protection - Sign In Session", "Token Protection - Sign In Session StatusCode", "Application", "Application ID ", "App owner tenant ID", "Resource", "Resource ID ", "Resource tenant ID", "Resource owner tenant ID", "Home tenant ID", "Home tenant name", "IP address", "Location", "Status", "Sign-in error code", "Failure reason", "Client app", "Device ID", "Browser", "Operating System", "Compliant", "Managed", "Join Type", "Multifactor authentication result", "Multifactor authentication auth method", "Multifactor authentication auth detail", "Authentication requirement", "Sign-in identifier", "Session ID", "IP address (seen by resource)", "Through Global Secure Access", "Global Secure Access IP address", "Autonomous system  number", "Flagged for review", "Token issuer type", "Incoming token type", "Token issuer name", "Latency", "Conditional Access", "Managed Identity type", "Associated Resource Id", "Federated Token Id", "Federated Token Issuer"];

const q = (v) => `"${String(v ?? '').replace(/"/g, '""')}"`;

let counter = 0;
/** A deterministic GUID-shaped id. */
export function guid(n = ++counter) {
  const h = n.toString(16).padStart(12, '0');
  return `5b1c0000-aaaa-4bbb-8ccc-${h}`;
}

/** One portal CSV sign-in row; `f` maps header names to values. */
export function signinRow(f) {
  return SIGNIN_HEADER.map((h) => q(f[h] ?? '')).join(',');
}

export function signin({ time, user, ip = '198.51.100.20', client = 'Browser', status = 'Success', code = '', app = 'Office 365 Exchange Online', location = 'Seattle, Washington, US', agent = 'Mozilla/5.0', extra = {} }) {
  return signinRow({
    'Date (UTC)': time,
    'Request ID': guid(),
    'Correlation ID': guid(),
    'User agent': agent,
    'User ID': guid(),
    'User': user.split('@')[0],
    'Username': user,
    'User type': 'Member',
    'Application': app,
    'Application ID ': '00000002-0000-0ff1-ce00-000000000000',
    'Resource': app,
    'IP address': ip,
    'Location': location,
    'Status': status,
    'Sign-in error code': code,
    'Failure reason': status === 'Success' ? '' : 'Invalid username or password or Invalid on-premise username or password.',
    'Client app': client,
    'Authentication requirement': 'Single-factor authentication',
    'Conditional Access': 'Not Applied',
    ...extra,
  });
}

export function csv(rows) {
  return [SIGNIN_HEADER.map(q).join(','), ...rows].join('\r\n') + '\r\n';
}

/** A file for Playwright's setInputFiles. */
export function file(name, text, mimeType = 'text/csv') {
  return { name, mimeType, buffer: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8') };
}

/**
 * Interactive sign-ins with planted values: markup in log values (must show
 * as text, never run), a formula as a user name (must be neutralized in CSV
 * exports), three
 * IMAP successes by bob.smith (SIGN-LEGACY-AUTH), and one row with an
 * unreadable date (must be rejected with its line and reason).
 */
export function hostileSignins() {
  const rows = [];
  for (let d = 1; d <= 9; d++) {
    rows.push(signin({ time: `2026-10-0${d}T09:1${d}:00Z`, user: 'alice.jones@contoso.com' }));
  }
  rows.push(signin({
    time: '2026-10-05T10:00:00Z',
    user: 'mallory@contoso.com',
    agent: '<img src=x onerror="window.__xss=1">',
    app: '<script>window.__xss=2</script>',
    location: '<b>Bold</b>, <i>City</i>, US',
  }));
  // A user name that is a spreadsheet formula: lands in findings and evidence.
  rows.push(signin({ time: '2026-10-06T10:00:00Z', user: '=HYPERLINK("http://evil.example","x")@contoso.com', client: 'IMAP4' }));
  for (const [i, t] of ['2026-10-21T03:10:00Z', '2026-10-21T03:17:00Z', '2026-10-21T03:24:00Z'].entries()) {
    rows.push(signin({
      time: t, user: 'bob.smith@contoso.com', client: 'IMAP4', ip: '198.51.100.7', location: 'Amsterdam, Noord-Holland, NL',
      agent: i === 0 ? '<img src=x onerror="window.__xss=3">' : 'Microsoft Office/16.0',
    }));
  }
  rows.push(signin({ time: 'not a date', user: 'broken@contoso.com' }));
  return csv(rows);
}

/**
 * Interactive sign-ins as the admin center's JSON download (a bare array of
 * Graph objects), which carries coordinates: 4 successes in Seattle, 2 in
 * London, and 1 failure in Lagos (3 places on the map, one mostly failed).
 */
export function jsonSignins() {
  const places = [
    ['Seattle', 'Washington', 'US', 47.61, -122.33, '198.51.100.20', 4, 0],
    ['London', 'England', 'GB', 51.51, -0.13, '192.0.2.10', 2, 0],
    ['Lagos', 'Lagos', 'NG', 6.52, 3.38, '203.0.113.45', 1, 50126],
  ];
  const rows = [];
  let n = 0;
  for (const [city, state, cc, latitude, longitude, ip, count, code] of places) {
    for (let i = 0; i < count; i++) {
      n++;
      rows.push({
        id: guid(), createdDateTime: `2026-10-0${n}T10:00:00Z`, userDisplayName: 'Alice Jones', userPrincipalName: 'alice.jones@contoso.com',
        userId: guid(), appId: '00000002-0000-0ff1-ce00-000000000000', appDisplayName: 'Office 365 Exchange Online', ipAddress: ip,
        clientAppUsed: 'Browser', correlationId: guid(), conditionalAccessStatus: 'success', isInteractive: true,
        status: { errorCode: code, failureReason: code ? 'Invalid username or password or Invalid on-premise username or password.' : 'Other.' },
        location: { city, state, countryOrRegion: cc, geoCoordinates: { altitude: null, latitude, longitude } },
        authenticationRequirement: 'multiFactorAuthentication', signInEventTypes: ['interactiveUser'],
      });
    }
  }
  return `[${rows.map((r) => JSON.stringify(r)).join(',\n')}]`;
}

/** `n` successful IMAP sign-ins by one user: one finding with `n` evidence rows. */
export function manyLegacySignins(n) {
  const rows = new Array(n);
  const start = Date.UTC(2026, 9, 1);
  for (let i = 0; i < n; i++) {
    const t = new Date(start + i * 20_000).toISOString().replace('.000Z', 'Z');
    rows[i] = signin({ time: t, user: 'printer@contoso.com', client: 'IMAP4', ip: `198.51.${(i >> 8) & 255}.${i & 255}`, agent: `scanner ${i}` });
  }
  return csv(rows);
}

/** A zip archive (stored, no compression) of `entries` {name, text}. */
export function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, text } of entries) {
    const data = Buffer.from(text, 'utf8');
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 6); local.writeUInt16LE(0, 8);
    local.writeUInt32LE(0, 10); local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26); local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10); central.writeUInt32LE(0, 12); central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24); central.writeUInt16LE(nameBuf.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
