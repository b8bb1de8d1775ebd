// Grades captured HTTP responses with the scoring of Mozilla's HTTP
// Observatory (@mdn/mdn-http-observatory), offline: no scan, no network.
//
// stdin: {"hostname": "...", "url": "https://host/",
//         "auto": {"status": 200, "headers": {"name": "value"}, "body": "..."},
//         "http": {...}, "https": {...}, "cors": {...},
//         "httpRedirects": [{"url": "...", "status": 308}, ...]}
// stdout: {"score": n, "grade": "A+", "tests": {name: {result, pass, modifier}}}
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.join(here, "node_modules", "@mdn", "mdn-http-observatory");

// The preload list is normally downloaded by a postinstall script, which
// --ignore-scripts skips. An empty list means no host counts as preloaded.
const preload = path.join(pkg, "conf", "hsts-preload.json");
if (!fs.existsSync(preload)) fs.writeFileSync(preload, "{}");

const require = createRequire(path.join(pkg, "package.json"));
const { AxiosHeaders } = require("axios");
const { Requests } = await import(path.join(pkg, "src", "types.js"));
const { ALL_TESTS } = await import(path.join(pkg, "src", "constants.js"));
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await import(path.join(pkg, "src", "grader", "charts.js"));
const { getGradeForScore, getScoreModifier } = await import(path.join(pkg, "src", "grader", "grader.js"));
const { parseHttpEquivHeaders } = await import(path.join(pkg, "src", "retriever", "utils.js"));

const input = JSON.parse(fs.readFileSync(0, "utf8"));

function response(r) {
  if (!r) return null;
  const headers = new AxiosHeaders();
  for (const [k, v] of Object.entries(r.headers)) headers.set(k, v);
  return {
    headers,
    request: { headers: new AxiosHeaders() },
    status: r.status,
    statusText: "",
    verified: true,
    data: r.body ?? "",
    config: { headers: new AxiosHeaders() },
    httpEquiv: new Map(),
  };
}

const req = new Requests(input.hostname);
req.responses.auto = response(input.auto);
req.responses.http = response(input.http);
req.responses.https = response(input.https);
req.responses.cors = response(input.cors);
req.responses.httpRedirects = (input.httpRedirects ?? []).map((e) => ({ url: new URL(e.url), status: e.status }));
req.responses.httpsRedirects = [];
req.resources.path = input.auto.body ?? "";
req.session = { url: new URL(input.url) };
if ((input.auto.headers["content-type"] ?? "").startsWith("text/html")) {
  req.responses.auto.httpEquiv = parseHttpEquivHeaders(req.resources.path, input.url);
}

// The same arithmetic as src/scanner/index.js.
let withExtra = 100;
let uncurved = 100;
const tests = {};
for (const test of ALL_TESTS) {
  const out = test(req);
  const modifier = out.result ? getScoreModifier(out.result) : 0;
  withExtra += modifier;
  if (modifier < 0) uncurved += modifier;
  tests[out.constructor.name] = { result: out.result, pass: out.pass, modifier };
}
const score = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtra : uncurved;
const final = getGradeForScore(score);
process.stdout.write(JSON.stringify({ score: final.score, grade: final.grade, tests }) + "\n");
