// server/inbox.cc — the approvers' inbox of `redline serve`
// (docs/approvals.md "The inbox page"): one HTML page, its script and its
// style, served from the binary (no framework, no CDN, works offline). The
// page holds the approver's bearer token in the tab's sessionStorage and
// talks to the case API with it (GET /v1/whoami, GET /v1/cases, GET
// /v1/cases/ID, POST /v1/cases/ID/approve|deny): it sees and may do exactly
// what the token may. Everything from a request is rendered as text, never
// as markup, and the Content-Security-Policy allows this origin's script
// only.
#include <nlohmann/json.hpp>

#include "server/service.h"

namespace redline::server {
namespace {

const char* kSecurityHeaders =
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Cache-Control: no-store\r\n";

const char* kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>redline — approvals inbox</title>
<link rel="stylesheet" href="/inbox/style.css">
<script src="/inbox/app.js" defer></script>
</head>
<body>
<header><h1>Approvals inbox</h1><div id="who"></div></header>
<main>
  <section id="signin" hidden>
    <h2>Sign in</h2>
    <p>Paste your approver token. It stays in this tab only (session storage) and is sent to this server only.</p>
    <form id="signin-form">
      <label for="token">Bearer token</label>
      <input id="token" type="password" autocomplete="off" required>
      <button id="signin-button" type="submit">Sign in</button>
    </form>
  </section>
  <section id="list" hidden>
    <h2>Open cases awaiting your roles</h2>
    <p id="list-empty" hidden>No open case awaits your roles.</p>
    <table id="cases">
      <thead><tr><th>Case</th><th>Purpose</th><th>Requester</th><th>Awaiting</th><th>Step</th><th>Deadline</th><th>Time left</th></tr></thead>
      <tbody></tbody>
    </table>
    <p><button id="more" type="button" hidden>Next page</button> <button id="refresh" type="button">Refresh</button></p>
  </section>
  <section id="case" hidden>
    <p><button id="back" type="button">&larr; Back to the inbox</button></p>
    <h2 id="case-title"></h2>
    <dl id="case-facts"></dl>
    <h3>Why it waits</h3>
    <ul id="case-why"></ul>
    <h3>Sign-offs so far</h3>
    <ul id="case-actions"></ul>
    <h3>The request</h3>
    <pre id="case-request"></pre>
    <form id="act-form">
      <h3>Your decision</h3>
      <label for="role">Acting as</label>
      <select id="role"></select>
      <label for="comment">Comment</label>
      <textarea id="comment" maxlength="4096" rows="3"></textarea>
      <div id="signing" hidden>
        <label for="signing-key">Your approver key, to sign <span id="signing-need"></span></label>
        <input id="signing-key" type="password" autocomplete="off" placeholder="base64 private key, as redline keygen writes it">
        <p class="note">Signed in this page with WebCrypto (Ed25519); the key is never stored or sent.</p>
      </div>
      <p><button id="approve" type="button">Approve</button> <button id="deny" type="button">Deny</button></p>
    </form>
  </section>
  <p id="message" role="status"></p>
</main>
</body>
</html>
)html";

const char* kStyle = R"css(body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d232b; background: #f6f7f9; }
header { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1.2rem; background: #1d232b; color: #fff; }
header h1 { font-size: 1.15rem; margin: 0; }
main { max-width: 70rem; margin: 1rem auto; padding: 0 1.2rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #dde1e6; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: #eef3fb; }
.late { color: #a3140c; font-weight: 600; }
pre { background: #fff; border: 1px solid #dde1e6; padding: .6rem; overflow: auto; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
label { display: block; margin-top: .5rem; font-weight: 600; }
input, select, textarea { font: inherit; width: 100%; max-width: 40rem; box-sizing: border-box; }
button { font: inherit; padding: .35rem .9rem; cursor: pointer; }
#approve { background: #1a7f37; color: #fff; border: 0; }
#deny { background: #a3140c; color: #fff; border: 0; }
#message { font-weight: 600; }
#message.error { color: #a3140c; }
.note { font-size: .85rem; color: #4a5563; margin: .2rem 0; }
)css";

const char* kScript = R"js('use strict';
// The approvers' inbox: plain DOM, text only (never innerHTML with data).
const $ = (id) => document.getElementById(id);
const state = { me: null, cases: [], next: null, current: null };

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function token() { return sessionStorage.getItem('redline-token') || ''; }
function say(text, error) {
  $('message').textContent = text || '';
  $('message').className = error ? 'error' : '';
}
function show(view) {
  for (const v of ['signin', 'list', 'case']) $(v).hidden = v !== view;
}

async function api(method, path, body) {
  const headers = { 'Authorization': 'Bearer ' + token() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  if (!r.ok) {
    const err = j && j.error ? j.error.message + ' (' + j.error.code + ')' : 'the server answered ' + r.status;
    const e = new Error(err);
    e.status = r.status;
    throw e;
  }
  return j;
}

function timeLeft(deadline) {
  if (!deadline) return ['', false];
  const ms = Date.parse(deadline) - Date.now();
  if (Number.isNaN(ms)) return ['', false];
  if (ms <= 0) return ['passed', true];
  const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return [(d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (d ? '' : (s % 60) + 's'), ms < 3600 * 1000];
}
function firstDeadline(pending) {
  let best = null, step = '';
  for (const r of (pending && pending.rules) || []) {
    if (r.deadline && (!best || r.deadline < best)) { best = r.deadline; step = r.current_step || ''; }
  }
  return [best, step];
}

async function signIn(t) {
  sessionStorage.setItem('redline-token', t);
  try {
    state.me = await api('GET', '/v1/whoami');
  } catch (e) {
    sessionStorage.removeItem('redline-token');
    state.me = null;
    show('signin');
    say('Sign-in failed: ' + e.message, true);
    return;
  }
  const who = $('who');
  who.textContent = '';
  who.append(el('span', state.me.actor + ' (' + (state.me.roles.join(', ') || 'no roles') + ') '));
  const out = el('button', 'Sign out');
  out.type = 'button';
  out.id = 'signout';
  out.addEventListener('click', () => { sessionStorage.removeItem('redline-token'); location.hash = ''; location.reload(); });
  who.append(out);
  say('');
  await loadList(false);
}

async function loadList(more) {
  try {
    const q = '/v1/cases?state=open' + (more && state.next ? '&after=' + encodeURIComponent(state.next) : '');
    const j = await api('GET', q);
    state.cases = more ? state.cases.concat(j.cases) : j.cases;
    state.next = j.next;
  } catch (e) {
    say('Cannot list the cases: ' + e.message, true);
    return;
  }
  renderList();
  show('list');
}

function renderList() {
  const body = $('cases').tBodies[0];
  body.textContent = '';
  for (const c of state.cases) {
    const tr = el('tr');
    tr.dataset.case = c.id;
    const [deadline, step] = firstDeadline(c.pending);
    const [left, late] = timeLeft(deadline);
    tr.append(el('td', c.id.slice(0, 10) + '…'), el('td', c.purpose || ''), el('td', c.requester || ''), el('td', c.roles.join(', ')),
              el('td', step), el('td', deadline || ''));
    const cell = el('td', left, late ? 'late' : '');
    cell.dataset.deadline = deadline || '';
    tr.append(cell);
    tr.addEventListener('click', () => openCase(c.id));
    body.append(tr);
  }
  $('list-empty').hidden = state.cases.length > 0;
  $('cases').hidden = state.cases.length === 0;
  $('more').hidden = !state.next;
}

async function openCase(id) {
  let c;
  try {
    c = await api('GET', '/v1/cases/' + encodeURIComponent(id));
  } catch (e) {
    say('Cannot open the case: ' + e.message, true);
    return;
  }
  state.current = c;
  say('');
  const req = c.request || {};
  $('case-title').textContent = (req.purpose || 'request') + ' — ' + c.outcome;
  const facts = $('case-facts');
  facts.textContent = '';
  const fact = (k, v) => { facts.append(el('dt', k), el('dd', v)); };
  fact('Case', c.id);
  fact('State', c.state);
  fact('Requester', c.requester || '(not stated)');
  fact('Request id', c.request_id || '(none)');
  fact('Opened', c.opened_at);
  fact('Awaiting', c.roles.join(', ') || '—');
  const why = $('case-why');
  why.textContent = '';
  const d = c.decision || {};
  for (const r of d.reasons || []) {
    const li = el('li');
    li.append(el('strong', r.rule + ': '), document.createTextNode(r.because || ''));
    if (r.cite) li.append(document.createTextNode(' — ' + r.cite));
    why.append(li);
  }
  for (const p of (d.pending && d.pending.rules) || []) {
    why.append(el('li', p.rule + ' awaits ' + (p.roles || []).join(' or ') + ': ' + p.missing + ' of ' + p.quorum + ' sign-offs missing' +
                        (p.current_step ? ', step ' + p.current_step : '') + (p.deadline ? ', by ' + p.deadline : '')));
  }
  const acts = $('case-actions');
  acts.textContent = '';
  for (const a of c.actions)
    acts.append(el('li', a.verdict + ' by ' + a.by + ' as ' + a.role + ' at ' + a.at + (a.signed ? ' (signed)' : '') + (a.comment ? ': “' + a.comment + '”' : '')));
  if (!c.actions.length) acts.append(el('li', 'none yet'));
  $('case-request').textContent = JSON.stringify(req, null, 2);
  const role = $('role');
  role.textContent = '';
  const mine = (state.me ? state.me.roles : []).filter((r) => c.roles.includes(r));
  for (const r of mine) { const o = el('option', r); o.value = r; role.append(o); }
  const acted = state.me && c.actions.some((a) => a.by === state.me.actor);
  const can = c.state === 'open' && mine.length > 0 && !acted;
  $('act-form').hidden = !can;
  if (!can) say(c.state !== 'open' ? 'This case is decided: ' + c.outcome + '.' : acted ? 'You have acted on this case.' : 'None of your roles may act on this case now.');
  $('comment').value = '';
  $('signing-key').value = '';
  showSigning();
  show('case');
}

// ---- signing (docs/approvals.md "Signed approvals on a case") ----
// The rules an action in `role` applies to, as the server applies it: each
// pending rule that awaits the role, at the step of that name when it escalates.
function targets(c, role) {
  const out = [];
  for (const p of (c.decision && c.decision.pending && c.decision.pending.rules) || []) {
    if ((p.roles || []).includes(role)) out.push({ rule: p.rule, step: p.current_step ? role : '', signed: !!p.signed });
  }
  return out;
}
function needsSignature(c, role) {
  return !!(c.signing && c.signing.required) || targets(c, role).some((t) => t.signed);
}
function fromBase64(text) {
  const bin = atob(text.trim());
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}
function toBase64(bytes) {
  let bin = '';
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin);
}
// The redline-approval-v1 message: the version line, then NAME LENGTH:VALUE per field (length in UTF-8 bytes).
function approvalMessage(f) {
  const enc = new TextEncoder();
  let m = 'redline-approval-v1\n';
  for (const k of ['request', 'policy', 'rule', 'step', 'role', 'verdict', 'by', 'at']) m += k + ' ' + enc.encode(f[k]).length + ':' + f[k] + '\n';
  return enc.encode(m);
}
async function signAction(c, role, verdict, keyText) {
  if (!window.crypto || !crypto.subtle) throw new Error('this page cannot sign here: WebCrypto needs https or localhost');
  let seed;
  try { seed = fromBase64(keyText); } catch (e) { seed = null; }
  if (!seed || seed.length !== 32) throw new Error('the key is not a private key (base64 of 32 bytes, as redline keygen writes it)');
  // PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410).
  const der = new Uint8Array(48);
  der.set([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  der.set(seed, 16);
  let key;
  try {
    key = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
  } catch (e) {
    throw new Error('this browser cannot sign with Ed25519 (' + e.message + '): use redline approve --case');
  }
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const signatures = {};
  for (const t of targets(c, role)) {
    const msg = approvalMessage({ request: c.signing.request_digest, policy: c.signing.policy, rule: t.rule, step: t.step, role, verdict,
                                  by: state.me.actor, at });
    signatures[t.rule] = toBase64(await crypto.subtle.sign({ name: 'Ed25519' }, key, msg));
  }
  return { at, signatures };
}
function showSigning() {
  const c = state.current;
  const role = $('role').value;
  const can = !!(c && c.signing && c.signing.keys);
  const need = can && needsSignature(c, role);
  $('signing').hidden = !can;
  $('signing-need').textContent = need ? '(required: a rule here demands signed approvals)' : '(optional)';
}

async function act(verdict) {
  const c = state.current;
  if (!c) return;
  for (const b of ['approve', 'deny']) $(b).disabled = true;
  try {
    const role = $('role').value;
    const body = { role, comment: $('comment').value };
    const keyText = $('signing-key').value;
    if (keyText) Object.assign(body, await signAction(c, role, verdict, keyText));
    else if (needsSignature(c, role)) throw new Error('this case needs your signature: paste your approver key');
    const after = await api('POST', '/v1/cases/' + encodeURIComponent(c.id) + '/' + verdict, body);
    $('signing-key').value = '';
    say((verdict === 'approve' ? 'Approved' : 'Denied') + ' — the case is ' + after.state + (after.state === 'decided' ? ': ' + after.outcome : '') + '.');
    await loadList(false);
  } catch (e) {
    say('Not recorded: ' + e.message, true);
  } finally {
    for (const b of ['approve', 'deny']) $(b).disabled = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('signin-form').addEventListener('submit', (ev) => { ev.preventDefault(); signIn($('token').value.trim()); $('token').value = ''; });
  $('more').addEventListener('click', () => loadList(true));
  $('refresh').addEventListener('click', () => loadList(false));
  $('back').addEventListener('click', () => { say(''); loadList(false); });
  $('approve').addEventListener('click', () => act('approve'));
  $('deny').addEventListener('click', () => act('deny'));
  $('role').addEventListener('change', showSigning);
  setInterval(() => {
    for (const td of document.querySelectorAll('td[data-deadline]')) {
      const [left, late] = timeLeft(td.dataset.deadline);
      td.textContent = left;
      td.className = late ? 'late' : '';
    }
  }, 1000);
  if (token()) signIn(token()); else show('signin');
});
)js";

}  // namespace

bool Service::inbox(std::string_view path, Response& out) {
  const char* body = nullptr;
  if (path == "/inbox" || path == "/inbox/") body = kPage, out.content_type = "text/html; charset=utf-8";
  else if (path == "/inbox/app.js") body = kScript, out.content_type = "text/javascript; charset=utf-8";
  else if (path == "/inbox/style.css") body = kStyle, out.content_type = "text/css; charset=utf-8";
  if (!body) return false;
  out.body = body;
  out.headers += kSecurityHeaders;
  return true;
}

void Service::whoami(const Token& t, Response& out) {
  nlohmann::ordered_json j = {{"actor", t.actor}, {"roles", t.roles}};
  out.body = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace redline::server
