// Browser test of the generated atlas site, in Debian's chromium driven by playwright-core
// (never a downloaded browser). Usage: node site.test.mjs SITE_DIR [ARTIFACT_DIR]
//
// Checks, over a loopback static server: every page (or a large sample covering every page
// type) loads without console errors, failed requests or uncaught exceptions; every internal
// link, script and stylesheet resolves; the permission search finds a chart; the diff page
// shows an added permission; the version picker navigates. A few pages are also opened via
// file://. Screenshots of a chart version page and a rule page go to ARTIFACT_DIR.
//
// The site is the demo built by `cargo run -p rbac-lens-site --example demo-site -- DIR`.

import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const siteDir = path.resolve(process.argv[2] || process.env.RBAC_LENS_SITE_DIR || "");
const artifacts = path.resolve(process.argv[3] || "target/browser-artifacts");
const chromiumPath = process.env.RBAC_LENS_CHROMIUM || "/usr/bin/chromium";
const MAX_PAGES = 300;

// Pages of the demo site that the specific checks use.
const VERSION_PAGE = "charts/kured/kured/6.2.0/index.html";
const DIFF_PAGE = "charts/kured/kured/6.2.0/diff.html";
const RULE_PAGE = "rules/1047/index.html";
const CHART_PAGE = "charts/kured/kured/index.html";

let failures = 0;
function fail(msg) {
  failures++;
  console.error("FAIL: " + msg);
}
function ok(msg) {
  console.log("ok: " + msg);
}

if (!fs.existsSync(path.join(siteDir, "index.html"))) {
  console.error(`no site at ${siteDir} (index.html missing)`);
  process.exit(2);
}
if (!fs.existsSync(chromiumPath)) {
  console.error(`chromium not found at ${chromiumPath} (apt-get install chromium)`);
  process.exit(2);
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".csv": "text/csv", ".jsonl": "application/jsonl",
  ".svg": "image/svg+xml",
};

// A static file server on loopback: no directory listings, no escaping the root.
function serve(root) {
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.join(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// Every page type at least once, then the rest in a fixed order up to MAX_PAGES.
function choosePages(all) {
  if (all.length <= MAX_PAGES) return all;
  const kind = (p) => {
    if (p.startsWith("charts/") && p.endsWith("/diff.html")) return "diff";
    if (p.startsWith("charts/") && p.split("/").length === 5) return "version";
    if (p.startsWith("charts/") && p.split("/").length === 4) return "chart";
    return p.split("/")[0] + (p.split("/").length > 2 ? "/*" : "");
  };
  const chosen = new Set([VERSION_PAGE, DIFF_PAGE, RULE_PAGE, CHART_PAGE].filter((p) => all.includes(p)));
  const seen = new Set();
  for (const p of all) {
    if (!seen.has(kind(p))) {
      seen.add(kind(p));
      chosen.add(p);
    }
  }
  const step = Math.max(1, Math.floor(all.length / MAX_PAGES));
  for (let i = 0; i < all.length && chosen.size < MAX_PAGES; i += step) chosen.add(all[i]);
  return [...chosen].sort();
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const files = walk(siteDir).map((f) => path.relative(siteDir, f).split(path.sep).join("/"));
  const fileSet = new Set(files);
  const htmlPages = files.filter((f) => f.endsWith(".html")).sort();
  const pages = choosePages(htmlPages);
  console.log(`site: ${htmlPages.length} pages, visiting ${pages.length}`);

  const server = await serve(siteDir);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rbac-lens-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-quic",
    ],
  });
  // Nothing may leave the machine: block every request that is not to our server or a file.
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(base) || u.startsWith("file:") || u.startsWith("data:")) return route.continue();
    fail(`request to an outside address: ${u}`);
    return route.abort();
  });

  const page = context.pages()[0] || (await context.newPage());
  let current = "";
  page.on("console", (m) => {
    if (m.type() === "error") fail(`${current}: console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => fail(`${current}: uncaught exception: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A load still in flight when the test navigates on (the favicon, typically) is
    // cancelled with ERR_ABORTED: not a broken site. Missing files fail otherwise
    // (ERR_FILE_NOT_FOUND under file://, an HTTP 404 below).
    const why = (r.failure() && r.failure().errorText) || "";
    if (why === "net::ERR_ABORTED") return;
    fail(`${current}: request failed: ${r.url()} (${why})`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) fail(`${current}: HTTP ${r.status()} for ${r.url()}`);
  });

  // 1. Every (sampled) page loads cleanly and its internal links resolve.
  let links = 0;
  for (const rel of pages) {
    current = rel;
    const resp = await page.goto(base + rel, { waitUntil: "load" });
    if (!resp || resp.status() !== 200) {
      fail(`${rel}: status ${resp && resp.status()}`);
      continue;
    }
    // getAttribute, not .href: links inside SVG charts have an SVGAnimatedString there.
    const refs = await page.$$eval("a[href], link[href], script[src]", (els) =>
      els.map((e) => new URL(e.getAttribute("href") || e.getAttribute("src"), document.baseURI).href));
    for (const ref of refs) {
      if (!ref.startsWith(base)) continue;
      const target = decodeURIComponent(new URL(ref).pathname.slice(1));
      links++;
      if (!fileSet.has(target)) fail(`${rel}: broken link ${ref}`);
    }
  }
  ok(`${pages.length} pages loaded, ${links} internal links resolve`);

  // 2. Search by permission: who can create serviceaccounts/token?
  current = "charts/index.html (search)";
  await page.goto(base + "charts/index.html", { waitUntil: "load" });
  await page.fill("#f-verb", "create");
  await page.fill("#f-resource", "serviceaccounts/token");
  await page.waitForSelector("#perm-results:not([hidden])");
  const results = await page.textContent("#perm-results");
  await page.screenshot({ path: path.join(artifacts, "chart-index-search.png"), fullPage: true });
  if (results.includes("kured/kured") && results.includes("6.10.0")) ok("search by permission finds kured");
  else fail(`search by permission: kured not in results: ${results.slice(0, 500)}`);
  const visible = await page.$$eval("table.charts tbody tr:not(.hidden)", (rs) => rs.length);
  if (visible < 1) fail("search left no chart in the list");
  // Wildcards count: kured grants `*` verbs on `*` resources of group batch, nothing named.
  await page.fill("#f-verb", "delete");
  await page.fill("#f-resource", "cronjobs");
  await page.fill("#f-group", "batch");
  await page.waitForFunction(() => document.querySelector("#perm-results h2").textContent.includes(": "));
  const wild = await page.textContent("#perm-results");
  if (wild.includes("kured/kured") && wild.includes("batch/*")) ok("search honours RBAC wildcards");
  else fail(`wildcard search: ${wild.slice(0, 300)}`);
  await page.fill("#f-group", "apps");
  const other = await page.textContent("#perm-results");
  if (other.includes("kured/kured") && other.includes("batch/*")) fail("group batch wildcard answered for group apps");
  await page.fill("#f-group", "");
  // Query string form (the home page's "Who can" form submits this way).
  await page.goto(base + "charts/index.html?verb=create&resource=serviceaccounts%2Ftoken", { waitUntil: "load" });
  await page.waitForSelector("#perm-results:not([hidden])");
  if (!(await page.textContent("#perm-results")).includes("kured/kured")) fail("search from the query string");
  else ok("search from the query string");
  // Filters: risk level and rule.
  await page.goto(base + "charts/index.html", { waitUntil: "load" });
  await page.selectOption("#f-rule", "1047");
  const byRule = await page.$$eval("table.charts tbody tr:not(.hidden)", (rs) => rs.map((r) => r.textContent));
  if (byRule.length === 1 && byRule[0].includes("kured")) ok("rule filter");
  else fail(`rule filter shows ${byRule.length} charts`);

  // 3. The diff page shows the added permission.
  current = DIFF_PAGE;
  await page.goto(base + DIFF_PAGE, { waitUntil: "load" });
  const added = await page.textContent("#added-permissions");
  await page.screenshot({ path: path.join(artifacts, "diff-page.png"), fullPage: true });
  if (added.includes("serviceaccounts/token") && added.includes("create")) ok("diff shows the added permission");
  else fail(`diff page: added permission missing: ${added.slice(0, 300)}`);

  // 4. The version picker lists every version and navigates.
  current = VERSION_PAGE;
  await page.goto(base + VERSION_PAGE, { waitUntil: "load" });
  const options = await page.$$eval("select.version-picker option", (os) => os.map((o) => o.value));
  if (options.length >= 4) ok(`version picker lists ${options.length} versions`);
  else fail(`version picker: ${options.length} options`);
  await Promise.all([page.waitForURL(/6\.1\.0\/index\.html$/), page.selectOption("select.version-picker", "6.1.0")]);
  ok("version picker navigates");

  // 5. Screenshots.
  await page.goto(base + VERSION_PAGE, { waitUntil: "load" });
  await page.screenshot({ path: path.join(artifacts, "chart-version-page.png"), fullPage: true });
  await page.goto(base + CHART_PAGE, { waitUntil: "load" });
  await page.screenshot({ path: path.join(artifacts, "chart-page.png"), fullPage: true });
  await page.goto(base + "stats/index.html", { waitUntil: "load" });
  await page.screenshot({ path: path.join(artifacts, "stats-page.png"), fullPage: true });
  await page.goto(base + RULE_PAGE, { waitUntil: "load" });
  await page.screenshot({ path: path.join(artifacts, "rule-page.png"), fullPage: true });
  ok(`screenshots in ${artifacts}`);

  // 6. The same site from file://: pages, scripts and search work without a server.
  for (const rel of ["index.html", VERSION_PAGE, RULE_PAGE, "stats/index.html"]) {
    current = "file://" + rel;
    await page.goto(pathToFileURL(path.join(siteDir, rel)).href, { waitUntil: "load" });
  }
  current = "file://" + VERSION_PAGE;
  await page.goto(pathToFileURL(path.join(siteDir, VERSION_PAGE)).href, { waitUntil: "load" });
  const fileOptions = await page.$$eval("select.version-picker option", (os) => os.length);
  if (fileOptions < 4) fail(`file://: version picker has ${fileOptions} options`);
  const ruleHref = await page.$eval(`a[href$="rules/1047/index.html"]`, (a) => a.href);
  await page.goto(ruleHref, { waitUntil: "load" });
  if (!(await page.title()).includes("1047")) fail("file://: rule link from the version page");
  current = "file://charts/index.html";
  await page.goto(pathToFileURL(path.join(siteDir, "charts/index.html")).href + "?verb=create&resource=serviceaccounts/token", { waitUntil: "load" });
  await page.waitForSelector("#perm-results:not([hidden])");
  if ((await page.textContent("#perm-results")).includes("kured/kured")) ok("file://: pages, picker, links and search work");
  else fail("file://: search");

  await context.close();
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
  if (failures) {
    console.error(`${failures} failure(s)`);
    process.exit(1);
  }
  console.log("browser test passed");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
