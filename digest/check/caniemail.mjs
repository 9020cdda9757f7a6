// Email-client support of an HTML email, from caniemail.com's data (npm package `caniemail`).
// Usage: node caniemail.mjs NODE_DIR < email.html
// NODE_DIR is the folder whose node_modules holds caniemail (digest finds it: DIGEST_NODE_DIR,
// else the repository's tests/node). Prints one JSON object:
//   {"data": "<date of caniemail's data>", "clients": [...checked...],
//    "unsupported": {"outlook.windows": ["@media", ...]}, "partial": {...},
//    "failed": {"client": "why caniemail could not check it"}}
// The package is ESM with an "exports" map, so it is resolved from NODE_DIR, not from here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The clients most readers use; caniemail's names, expanded by its own glob matching.
// (Not Thunderbird: caniemail's data lacks common features for it, such as padding.)
const CLIENTS = ['gmail.*', 'outlook.*', 'apple-mail.*', 'yahoo.*', 'samsung-email.*'];

const nodeDir = resolve(process.argv[2]);
const require = createRequire(join(nodeDir, 'package.json'));
const lib = await import(pathToFileURL(require.resolve('caniemail')).href);
const data = JSON.parse(readFileSync(require.resolve('caniemail/caniemail.json'), 'utf8'));

const html = readFileSync(0, 'utf8');

const checked = new Set();
for (const feature of data.data) {
  for (const family of Object.keys(feature.stats || {})) {
    for (const platform of Object.keys(feature.stats[family])) checked.add(`${family}.${platform}`);
  }
}
const wanted = [...checked].filter((c) => CLIENTS.some((g) => c.startsWith(g.slice(0, -1))));

// Each issue repeats per place it occurs; the report needs each feature once per client.
const unsupported = {}, partial = {}, failed = {};
const collect = (map, into) => {
  for (const [client, list] of map.entries()) into[client] = [...new Set(list.map((i) => i.title))];
};
// caniemail throws when its data lacks a feature for one client (it does for Thunderbird), so
// a family that throws is checked client by client and only the failing client is reported.
const check = (globs) => {
  const { issues } = lib.caniemail({ clients: globs, html });
  collect(issues.errors, unsupported);
  collect(issues.warnings, partial);
};
for (const family of CLIENTS) {
  try {
    check([family]);
  } catch {
    for (const client of wanted.filter((c) => c.startsWith(family.slice(0, -1)))) {
      try { check([client]); } catch (err) { failed[client] = String(err.message || err); }
    }
  }
}

process.stdout.write(JSON.stringify({
  data: data.last_update_date, clients: wanted.sort(), unsupported, partial, failed,
}));
