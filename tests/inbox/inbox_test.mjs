// The approvers' inbox page checked as an approver uses it: a real `redline
// serve`, a real headless Chromium driven over the Chrome DevTools Protocol
// (through --remote-debugging-pipe, with Node's own modules only). An
// application's request opens a case; the lawyer signs in with their token,
// sees the case in the inbox (its requester, a hostile string, shown as text),
// opens it, approves it with a comment, and sees it leave the inbox; the API
// then shows the case decided `allow` with that approval. A wrong token is
// refused on the page. Then a case on a rule that demands signed approvals:
// the page refuses to send it unsigned, and signs it in the browser with
// WebCrypto Ed25519 from the approver's key (never sent), which the service
// verifies. Screenshots are kept as test artifacts.
//
// usage: node tests/inbox/inbox_test.mjs path/to/redline ARTIFACT_DIR
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [redline, artifacts] = process.argv.slice(2);
if (!redline || !artifacts) {
  console.error('usage: node inbox_test.mjs REDLINE ARTIFACT_DIR');
  process.exit(2);
}
fs.mkdirSync(artifacts, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'redline-inbox-'));
const children = [];
function cleanup() {
  // Each child leads a process group of its own (Chromium's helpers included).
  for (const c of children) { try { process.kill(-c.pid, 'SIGKILL'); } catch (e) { /* gone */ } }
  try { fs.rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); } catch (e) { /* a leftover temp folder is not a failure */ }
}
function fail(why) {
  console.error('inbox test FAILED: ' + why);
  cleanup();
  process.exit(1);
}
process.on('uncaughtException', (e) => fail(e.stack || String(e)));
const timer = setTimeout(() => fail('timed out'), 90_000);

const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync('sh', ['-c', 'command -v ' + c]).status === 0);
if (!chromium) fail('needs `chromium` (scripts/install-deps.sh installs it)');

// ---- the service ----
const lawyerToken = 'lawyer-token-0123456789abcdef';
const appToken = 'app-token-0123456789abcdef';
fs.writeFileSync(path.join(work, 'inbox.pol'),
  'purposes {\n  intel { bulk export }\n  chat\n}\n' +
  'context {\n  actor.id: string\n  actor.role: enum { analyst, lawyer }\n}\n' +
  'policy "inbox" {\n  default allow\n' +
  '  rule bulk_review: require approval intel.bulk by lawyer within 1h\n' +
  '    because "Bulk analysis needs a lawyer\'s sign-off." cite "Contract §7(b)";\n' +
  '  rule export_signed: require approval intel.export by lawyer within 1h signed because "Exports need a signed sign-off.";\n}\n');
// The lawyer's key pair: the private key stays with the test (the approver), the server gets the keys file.
const keygen = spawnSync(redline, ['keygen', '--out', path.join(work, 'l1'), '--id', 'l1', '--role', 'lawyer'], { encoding: 'utf8' });
if (keygen.status !== 0) fail('keygen: ' + keygen.stderr);
fs.writeFileSync(path.join(work, 'keys.json'), keygen.stdout);
const lawyerKey = fs.readFileSync(path.join(work, 'l1.key'), 'utf8').trim();
fs.writeFileSync(path.join(work, 'config.json'), JSON.stringify({
  tokens: [{ token: appToken, actor: 'gateway', roles: [] }, { token: lawyerToken, actor: 'l1', roles: ['lawyer'] }],
}));
const serve = spawn(redline, ['serve', '--listen', '127.0.0.1:0', '--state', path.join(work, 'state'), '--config', path.join(work, 'config.json'),
  '--keys', path.join(work, 'keys.json'), path.join(work, 'inbox.pol')], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
children.push(serve);
const port = await new Promise((resolve) => {
  let out = '';
  serve.stdout.on('data', (b) => {
    out += b;
    const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
    if (m) resolve(Number(m[1]));
  });
  serve.on('exit', (code) => fail('serve exited with ' + code));
});
const base = 'http://127.0.0.1:' + port;

async function api(method, p, token, body) {
  const r = await fetch(base + p, {
    method, headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, headers: r.headers, json: await r.json().catch(() => null) };
}

const hostile = '<img src=x onerror="window.pwned=1">';
const opened = await api('POST', '/v1/decide', appToken, {
  purpose: 'intel.bulk', actor: { id: hostile, role: 'analyst' }, request: { id: 'inbox-1', time: new Date().toISOString() },
});
if (opened.json?.decision !== 'require_approval' || !opened.json?.case?.id) fail('the request did not open a case: ' + JSON.stringify(opened.json));
const caseId = opened.json.case.id;

// The page's own headers: this origin's script only, no framing, no caching.
const page = await fetch(base + '/inbox');
const csp = page.headers.get('content-security-policy') || '';
if (page.status !== 200 || !csp.includes("script-src 'self'") || !csp.includes("frame-ancestors 'none'")) fail('the inbox page headers: ' + page.status + ' ' + csp);

// ---- the browser, over the DevTools protocol on fds 3 (to it) and 4 (from it) ----
const browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--remote-debugging-pipe', '--user-data-dir=' + path.join(work, 'profile'),
  '--window-size=1200,900', 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true });
children.push(browser);
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];
let nextId = 1, pending = new Map(), inbound = Buffer.alloc(0);
fromBrowser.on('data', (chunk) => {
  inbound = Buffer.concat([inbound, chunk]);
  for (let nul; (nul = inbound.indexOf(0)) >= 0;) {
    const msg = JSON.parse(inbound.subarray(0, nul).toString('utf8'));
    inbound = inbound.subarray(nul + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message)); else resolve(msg.result);
    }
  }
});
function cdp(method, params = {}, sessionId) {
  const id = nextId++;
  toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
const { targetId } = await cdp('Target.createTarget', { url: 'about:blank' });
const { sessionId } = await cdp('Target.attachToTarget', { targetId, flatten: true });
const on = (method, params) => cdp(method, params, sessionId);
await on('Page.enable');
await on('Runtime.enable');

async function evaluate(expression) {
  const r = await on('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error('in the page: ' + (r.exceptionDetails.exception?.description || r.exceptionDetails.text));
  return r.result.value;
}
async function until(what, expression, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await evaluate(expression)) return;
    if (Date.now() > end) {
      await shot('failed');
      fail('waited in vain for ' + what + '; the page says: ' + await evaluate("document.getElementById('message')?.textContent || ''"));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
async function shot(name) {
  const { data } = await on('Page.captureScreenshot', { format: 'png' });
  fs.writeFileSync(path.join(artifacts, 'inbox-' + name + '.png'), Buffer.from(data, 'base64'));
}
const visible = (id) => `(() => { const e = document.getElementById(${JSON.stringify(id)}); return !!e && !e.hidden && !e.closest('[hidden]'); })()`;
const row = `document.querySelector('tr[data-case=${JSON.stringify(caseId)}]')`;

await on('Page.navigate', { url: base + '/inbox' });
await until('the sign-in form', visible('signin'));

// A wrong token is refused on the page.
await evaluate(`document.getElementById('token').value = 'not-a-token-0123456789'; document.getElementById('signin-button').click(); true`);
await until('the refusal of a wrong token', `document.getElementById('message').textContent.includes('Sign-in failed')`);
if (!(await evaluate(visible('signin')))) fail('a wrong token got past the sign-in');

// The lawyer signs in and sees the case, its requester as text.
await evaluate(`document.getElementById('token').value = ${JSON.stringify(lawyerToken)}; document.getElementById('signin-button').click(); true`);
await until('the case in the inbox', `!!${row}`);
await shot('list');
const cells = await evaluate(`Array.from(${row}.cells).map((c) => c.textContent)`);
if (cells[1] !== 'intel.bulk' || cells[2] !== hostile || cells[3] !== 'lawyer') fail('the inbox row: ' + JSON.stringify(cells));
if (await evaluate('window.pwned === 1 || !!document.querySelector("img")')) fail('the requester was rendered as markup');
if (!(await evaluate(`document.getElementById('who').textContent.includes('l1')`))) fail('the page does not say who is signed in');

// The case page: why it waits, the request; approve with a comment.
await evaluate(`${row}.click(); true`);
await until('the case page', visible('case') + ' && ' + visible('approve'));
const why = await evaluate(`document.getElementById('case-why').textContent`);
if (!why.includes("Bulk analysis needs a lawyer's sign-off.") || !why.includes('Contract §7(b)')) fail('the case page does not say why: ' + why);
await shot('case');
await evaluate(`document.getElementById('comment').value = 'lawful under the mission order'; document.getElementById('approve').click(); true`);
await until('the approval to be recorded and the case to leave the inbox',
  `document.getElementById('message').textContent.includes('Approved') && ${visible('list')} && !${row}`);
await shot('after-approval');

// What the service recorded.
const after = await api('GET', '/v1/cases/' + caseId, lawyerToken);
if (after.json?.state !== 'decided' || after.json?.decision?.decision !== 'allow') fail('the case after the approval: ' + JSON.stringify(after.json));
const act = after.json.actions?.[0];
if (!act || act.by !== 'l1' || act.role !== 'lawyer' || act.verdict !== 'approve' || act.comment !== 'lawful under the mission order')
  fail('the recorded action: ' + JSON.stringify(after.json.actions));

// ---- a case that needs a signed approval ----
const exported = await api('POST', '/v1/decide', appToken, {
  purpose: 'intel.export', actor: { id: 'u7', role: 'analyst' }, request: { id: 'inbox-2', time: new Date().toISOString() },
});
if (exported.json?.decision !== 'require_approval' || !exported.json?.case?.id) fail('the export did not open a case: ' + JSON.stringify(exported.json));
const signedId = exported.json.case.id;
const signedRow = `document.querySelector('tr[data-case=${JSON.stringify(signedId)}]')`;
await evaluate(`document.getElementById('refresh').click(); true`);
await until('the signed case in the inbox', `!!${signedRow}`);
await evaluate(`${signedRow}.click(); true`);
await until('the signed case page with its key field', visible('case') + ' && ' + visible('signing'));
if (!(await evaluate(`document.getElementById('signing-need').textContent.includes('required')`))) fail('the page does not say a signature is required');
// Unsigned, the page does not send it, and the case is unchanged.
await evaluate(`document.getElementById('approve').click(); true`);
await until('the refusal of an unsigned approval', `document.getElementById('message').textContent.includes('needs your signature')`);
if ((await api('GET', '/v1/cases/' + signedId, lawyerToken)).json?.actions?.length !== 0) fail('an unsigned approval was recorded');
// A wrong key: signed in the page, refused by the service (RL5022).
const wrong = Buffer.alloc(32, 7).toString('base64');
await evaluate(`document.getElementById('signing-key').value = ${JSON.stringify(wrong)}; document.getElementById('approve').click(); true`);
await until('the refusal of a signature by another key', `document.getElementById('message').textContent.includes('RL5022')`);
// The approver's key: signed with WebCrypto, verified, counted.
await evaluate(`document.getElementById('signing-key').value = ${JSON.stringify(lawyerKey)};
  document.getElementById('comment').value = 'signed in the browser'; document.getElementById('approve').click(); true`);
await until('the signed approval to be recorded', `document.getElementById('message').textContent.includes('Approved') && !${signedRow}`);
await shot('after-signed-approval');
if (await evaluate(`document.getElementById('signing-key').value !== ''`)) fail('the key stayed in the page after signing');
const signedAfter = await api('GET', '/v1/cases/' + signedId, lawyerToken);
const signedAct = signedAfter.json?.actions?.[0];
if (signedAfter.json?.state !== 'decided' || signedAfter.json?.outcome !== 'allow' || !signedAct?.signed || signedAct.comment !== 'signed in the browser')
  fail('the signed case after the approval: ' + JSON.stringify(signedAfter.json));

clearTimeout(timer);
cleanup();
console.log('inbox test: ok (screenshots in ' + artifacts + ')');
process.exit(0);
