-- SQL equivalents of six entrascope checks, over the admin center's CSV
-- columns as read_csv loads them (tables `signins` and `audits`). Shared by
-- bench/duckdb_native.py and bench/duckdb-wasm/ (same SQL, same files).
-- {BREAK_GLASS}, {OPERATING_COUNTRIES}, {CA_APPROVED} are filled from the
-- settings file the entrascope run uses. `-- check:` names the entrascope
-- check a query mirrors (bench/report.py puts its findings beside the rows).
-- Each query returns what the check would turn into findings (one row per
-- finding subject), so result counts can be compared with entrascope's
-- findings.
--
-- These are equivalents, not ports: the entrascope checks do more (sliding
-- windows, IPv6 prefixes, NAT rule, learned privileged accounts, role
-- names from modified properties). The SQL keeps each check's core rule.

-- name: legacy_auth_success
-- check: SIGN-LEGACY-AUTH
-- SIGN-LEGACY-AUTH: successful sign-ins over a legacy protocol, per account.
SELECT lower("Username") AS account, count(*) AS n, string_agg(DISTINCT "Client app", ', ') AS protocols
FROM signins
WHERE "Status" = 'Success'
  AND lower("Client app") IN ('authenticated smtp', 'autodiscover', 'exchange activesync', 'exchange online powershell',
      'exchange web services', 'imap4', 'imap', 'mapi over http', 'outlook anywhere (rpc over http)', 'outlook service',
      'pop3', 'pop', 'reporting web services', 'other clients', 'exchange online remote powershell', 'universal outlook', 'smtp')
GROUP BY 1
ORDER BY 1;

-- name: password_spray
-- check: SIGN-PASSWORD-SPRAY
-- SIGN-PASSWORD-SPRAY: one address failing for at least 5 accounts with a
-- wrong, locked, expired or empty password or an unknown name, in 20-minute bins.
SELECT "IP address" AS ip, time_bucket(INTERVAL 20 MINUTE, CAST("Date (UTC)" AS TIMESTAMP)) AS bin,
       count(DISTINCT lower("Username")) AS accounts, count(*) AS failures
FROM signins
WHERE CAST("Sign-in error code" AS VARCHAR) IN ('50126', '50053', '50055', '50034', '50056')
GROUP BY 1, 2
HAVING count(DISTINCT lower("Username")) >= 5
ORDER BY 1, 2;

-- name: break_glass_use
-- check: PA-BREAK-GLASS-SIGNIN
-- PA-BREAK-GLASS-SIGNIN: any sign-in of a break-glass account.
SELECT lower("Username") AS account, count(*) AS n, min("Date (UTC)") AS first, max("Date (UTC)") AS last
FROM signins
WHERE lower("Username") IN ({BREAK_GLASS})
GROUP BY 1
ORDER BY 1;

-- name: country_failure
-- check: SIGN-COUNTRY-FAILURE
-- SIGN-COUNTRY-FAILURE: failed or interrupted sign-ins from a country
-- outside the operating countries (the country is the last part of Location).
SELECT upper(trim(split_part("Location", ',', -1))) AS country, count(*) AS n,
       count(DISTINCT lower("Username")) AS accounts, count(DISTINCT "IP address") AS ips
FROM signins
WHERE "Status" <> 'Success'
  AND trim(split_part("Location", ',', -1)) <> ''
  AND lower(trim(split_part("Location", ',', -1))) NOT IN ({OPERATING_COUNTRIES})
GROUP BY 1
ORDER BY 1;

-- name: ca_policy_changes
-- check: AUDIT-CA-POLICY-UNAPPROVED
-- AUDIT-CA-POLICY-UNAPPROVED: Conditional Access policies added, changed or
-- deleted by anyone not approved for it.
SELECT "Activity" AS activity, coalesce(nullif("ActorUserPrincipalName", ''), "ActorDisplayName") AS actor,
       "Target1DisplayName" AS policy, "Date (UTC)" AS time
FROM audits
WHERE lower("Activity") IN ('add conditional access policy', 'update conditional access policy', 'delete conditional access policy')
  AND "Result" = 'Success'
  AND lower(coalesce("ActorUserPrincipalName", '')) NOT IN ({CA_APPROVED})
ORDER BY 4;

-- name: role_outside_pim
-- check: AUDIT-ROLE-OUTSIDE-PIM
-- AUDIT-ROLE-OUTSIDE-PIM: a directory role assigned directly in Core
-- Directory (not by PIM), per assigned account.
SELECT lower(coalesce(nullif("Target1UserPrincipalName", ''), "Target1DisplayName")) AS account, count(*) AS n,
       string_agg(DISTINCT coalesce(nullif("ActorUserPrincipalName", ''), "ActorDisplayName"), ', ') AS actors
FROM audits
WHERE "Service" = 'Core Directory'
  AND "Activity" IN ('Add member to role', 'Add scoped member to role')
  AND "Result" = 'Success'
  AND lower(coalesce("ActorDisplayName", '')) NOT LIKE 'ms-pim%'
GROUP BY 1
ORDER BY 1;
