// Email-client support of an HTML email, from caniemail.com's data (npm package `caniemail`).
// Usage: node caniemail.mjs NODE_DIR < email.html
// NODE_DIR is the folder whose node_modules holds caniemail (digest finds it: DIGEST_NODE_DIR,
// else the repository's tests/node). Prints one JSON object:
//   {"data": "<date of caniemail's data>", "clients": [...checked...],
//    "unsupported": {"outlook.windows": ["@media", ...]}, "partial": {...}}
// The package is ESM with an "exports" map, so it is resolved from NODE_DIR, not from here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The clients most readers use; caniemail's names, expanded by its own glob matching.
const CLIENTS = ['gmail.*', 'outlook.*', 'apple-mail.*', 'yahoo.*', 'samsung-email.*'];

const nodeDir = resolve(process.argv[2]);
const require = createRequire(join(nodeDir, 'package.json'));
const lib = await import(pathToFileURL(require.resolve('caniemail')).href);
const data = JSON.parse(readFileSync(require.resolve('caniemail/caniemail.json'), 'utf8'));

const html = readFileSync(0, 'utf8');
const { issues } = lib.caniemail({ clients: CLIENTS, html });

// Each issue repeats per place it occurs; the report needs each feature once per client.
const titles = (map) => Object.fromEntries(
  [...map.entries()].map(([client, list]) => [client, [...new Set(list.map((i) => i.title))]]));

const checked = new Set();
for (const feature of data.data) {
  for (const family of Object.keys(feature.stats || {})) {
    for (const platform of Object.keys(feature.stats[family])) checked.add(`${family}.${platform}`);
  }
}
const wanted = [...checked].filter((c) => CLIENTS.some((g) => c.startsWith(g.slice(0, -1))));

process.stdout.write(JSON.stringify({
  data: data.last_update_date,
  clients: wanted.sort(),
  unsupported: titles(issues.errors),
  partial: titles(issues.warnings),
}));
