#!/usr/bin/env node
// Thin launcher in front of telegram-test-api 4.2.1 for xabot's end-to-end tests.
//
//   node launcher.js --port P          (or PORT=P; P=0 picks a free port)
//
// Starts the emulator on an internal loopback port and a front HTTP server on
// 127.0.0.1:P that proxies to it, adding what the bare emulator lacks: real
// long-polling getUpdates with offset confirmation, Telegram-shaped updates,
// messages and errors, stubs for the methods a bot calls at start-up, sendPhoto
// (and other media) as stored bot messages, 400s instead of crashes on bad client
// bodies, and a control API under /_control/ (forced failures, rate limits, call
// log). Prints "READY <port>" on stdout once listening; exits 0 on SIGTERM/SIGINT
// (and, with --exit-with-stdin, when stdin closes: the harness's way to never
// outlive a killed test binary).
// Diagnostics go to stderr (one line per bot call with --verbose or TGPEER_VERBOSE=1).
'use strict';

const http = require('http');
const net = require('net');
const TelegramServer = require('telegram-test-api');

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const opts = {
    port: process.env.PORT !== undefined && process.env.PORT !== '' ? Number(process.env.PORT) : 9000,
    storeTimeout: 3600, // seconds; the emulator silently drops stored messages older than this
    verbose: process.env.TGPEER_VERBOSE === '1',
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const take = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      i++;
      if (i >= argv.length) usage(`missing value for ${a}`);
      return argv[i];
    };
    if (a === '--port' || a.startsWith('--port=')) opts.port = Number(take());
    else if (a === '--store-timeout' || a.startsWith('--store-timeout=')) opts.storeTimeout = Number(take());
    else if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--exit-with-stdin') opts.exitWithStdin = true;
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('bad --port');
  if (!(opts.storeTimeout > 0)) usage('bad --store-timeout');
  return opts;
}

function usage(err) {
  if (err) process.stderr.write(`launcher: ${err}\n`);
  process.stderr.write('usage: node launcher.js [--port P] [--store-timeout SECONDS] [--verbose] [--exit-with-stdin]\n');
  process.exit(err ? 2 : 0);
}

const opts = parseArgs(process.argv);
const log = (...a) => process.stderr.write(`[tgpeer ${new Date().toISOString()}] ${a.join(' ')}\n`);

// The emulator's client routes fire-and-forget promises that reject on bad input
// (missing botToken, missing entities, failing webhook); node 20 would exit.
process.on('unhandledRejection', (e) => log('unhandled rejection (kept running):', e && e.stack ? e.stack : e));
process.on('uncaughtException', (e) => log('uncaught exception (kept running):', e && e.stack ? e.stack : e));

// ---------------------------------------------------------------- helpers

const BOT_ID_FALLBACK = 666;
const POLL_MS = 30;
const MAX_CALLS_PER_TOKEN = 200000;
const TOKEN_RE = /^\d+:[A-Za-z0-9_-]+$/;
const COMMAND_RE = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/;
const JSON_FIELDS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'allowed_updates', 'commands', 'menu_button',
  'media', 'scope', 'reply_parameters', 'link_preview_options',
]);

function nowSec() { return Math.floor(Date.now() / 1000); }

function botIdOf(token) {
  const n = Number(String(token).split(':')[0]);
  return Number.isSafeInteger(n) && n > 0 ? n : BOT_ID_FALLBACK;
}

function botUser(token) {
  return { id: botIdOf(token), is_bot: true, first_name: 'Test First name', username: 'TestNameBot' };
}

function tgError(code, description, parameters) {
  const body = { ok: false, error_code: code, description };
  if (parameters) body.parameters = parameters;
  return { status: code, body };
}

function tgOk(result) { return { status: 200, body: { ok: true, result } }; }

function send(res, status, body) {
  if (res.writableEnded || res.destroyed) return;
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

class BadRequest extends Error {}

// Multipart/form-data without dependencies: fields become strings, files become
// {filename, contentType, size, width, height}.
function parseMultipart(buf, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new BadRequest('multipart body without boundary');
  const delim = Buffer.from(`--${m[1] || m[2]}`);
  const out = {};
  let pos = buf.indexOf(delim);
  if (pos < 0) throw new BadRequest('malformed multipart body');
  for (;;) {
    pos += delim.length;
    if (buf.slice(pos, pos + 2).toString() === '--') break; // closing delimiter
    if (buf.slice(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headEnd = buf.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new BadRequest('malformed multipart part');
    const head = buf.slice(pos, headEnd).toString('utf8');
    const next = buf.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new BadRequest('unterminated multipart part');
    const content = buf.slice(headEnd + 4, next);
    const name = /name="([^"]*)"/i.exec(head);
    const filename = /filename="([^"]*)"/i.exec(head);
    const ctype = /content-type:\s*([^\r\n]+)/i.exec(head);
    if (name) {
      if (filename) {
        out[name[1]] = {
          upload: true, filename: filename[1], contentType: ctype ? ctype[1].trim() : '',
          size: content.length, ...imageSize(content),
        };
      } else {
        out[name[1]] = content.toString('utf8');
      }
    }
    pos = next + 2;
  }
  return out;
}

// Width and height of a PNG or JPEG, when recognisable.
function imageSize(b) {
  try {
    if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) {
      return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
    }
    if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
      let i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) { i++; continue; }
        const marker = b[i + 1];
        const len = b.readUInt16BE(i + 2);
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
        }
        i += 2 + len;
      }
    }
  } catch (_) { /* not an image we understand */ }
  return {};
}

// Parameters of a bot call: query string merged with a JSON, urlencoded or
// multipart body; JSON-typed fields sent as strings (form encoding) are decoded.
async function botParams(req, url) {
  const params = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const raw = await readBody(req);
  const ct = String(req.headers['content-type'] || '').toLowerCase();
  if (raw.length > 0) {
    if (ct.startsWith('application/json')) {
      let body;
      try { body = JSON.parse(raw.toString('utf8')); } catch (e) { throw new BadRequest(`can't parse JSON body: ${e.message}`); }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('JSON body must be an object');
      Object.assign(params, body);
    } else if (ct.startsWith('multipart/form-data')) {
      Object.assign(params, parseMultipart(raw, ct));
    } else {
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) params[k] = v;
    }
  }
  for (const k of Object.keys(params)) {
    if (JSON_FIELDS.has(k) && typeof params[k] === 'string') {
      try { params[k] = JSON.parse(params[k]); } catch (e) { throw new BadRequest(`can't parse ${k} JSON object`); }
    }
  }
  return params;
}

async function jsonBody(req) {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  let body;
  try { body = JSON.parse(raw.toString('utf8')); } catch (e) { throw new BadRequest(`bad JSON: ${e.message}`); }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('JSON body must be an object');
  return body;
}

function num(v, dflt) {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  return Number.isFinite(n) ? n : dflt;
}

function chatKey(v) {
  if (v === undefined || v === null || v === '') return null;
  const s = String(v);
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

function canon(v) {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

// Telegram's HTML parse mode refuses unknown or unbalanced tags ("can't parse
// entities"), a classic bug when user input is interpolated unescaped.
const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler',
  'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

function htmlError(text) {
  const stack = [];
  const re = /<(\/?)([^\s>\/]*)([^>]*)>|</g;
  let m;
  while ((m = re.exec(text)) !== null) {
    const offset = Buffer.byteLength(text.slice(0, m.index), 'utf8');
    if (m[0] === '<') return `can't parse entities: Unclosed start tag at byte offset ${offset}`;
    const name = m[2].toLowerCase();
    if (m[1]) {
      if (stack.length === 0) return `can't parse entities: Unexpected end tag at byte offset ${offset}`;
      if (stack[stack.length - 1] !== name) {
        return `can't parse entities: Unmatched end tag at byte offset ${offset}, expected "</${stack[stack.length - 1]}>", found "</${name}>"`;
      }
      stack.pop();
    } else {
      if (!HTML_TAGS.has(name)) return `can't parse entities: Unsupported start tag "${name}" at byte offset ${offset}`;
      stack.push(name);
    }
  }
  if (stack.length) return `can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`;
  return null;
}

function checkParse(text, parseMode) {
  if (!parseMode || String(parseMode).toLowerCase() !== 'html') return null;
  const e = htmlError(String(text));
  return e ? tgError(400, `Bad Request: ${e}`) : null;
}

function isInline(markup) { return !!(markup && typeof markup === 'object' && Array.isArray(markup.inline_keyboard)); }

function utf8len(s) { return Buffer.byteLength(String(s), 'utf8'); }

// ---------------------------------------------------------------- emulator

let emu = null;
let innerPort = 0;
// Idle keep-alive sockets are dropped by the agent (60 s) well before the emulator
// would close them (raised to 10 min below), and a request that still meets a
// closed reused socket is retried once, as node's docs advise.
const innerAgent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 60000 });

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function startEmulator() {
  // Port 0 is falsy to the emulator (it would take 9000): pick one, retry on a race.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const s = new TelegramServer({ port, host: '127.0.0.1', storage: 'RAM', storeTimeout: opts.storeTimeout });
    try {
      await s.start();
      s.server.keepAliveTimeout = 600000;
      s.server.headersTimeout = 610000;
      return { s, port };
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
}

function inner(method, path, body, retried) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request({
      host: '127.0.0.1', port: innerPort, method, path, agent: innerAgent,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on('error', (e) => {
      if (!retried && req.reusedSocket && e.code === 'ECONNRESET') resolve(inner(method, path, body, true));
      else reject(e);
    });
    if (data) req.write(data);
    req.end();
  });
}

// Makes any emulator answer Telegram-shaped: HTTP status = error_code.
function shapeInner(r, okResult) {
  const j = r.json;
  if (j && typeof j === 'object' && 'ok' in j) {
    if (j.ok) return tgOk(okResult ? okResult(j.result) : j.result);
    const code = Number(j.error_code) || (r.status >= 400 ? r.status : 400);
    return tgError(code, String(j.description || 'Bad Request'), j.parameters);
  }
  const status = r.status >= 400 ? r.status : 500;
  const msg = j && j.message ? j.message : r.text;
  return tgError(status, `${status === 500 ? 'Internal Server Error' : 'Error'}: ${msg}`);
}

// ---------------------------------------------------------------- per-token state

const tokens = new Map();

function state(token) {
  let st = tokens.get(token);
  if (!st) {
    st = {
      token,
      nextUpdateId: 1,
      buffer: [], // delivered-but-unconfirmed and not-yet-delivered updates, oldest first
      allowed: null,
      waiter: null,
      callbackIds: new Set(),
      fails: [],
      limits: null,
      buckets: new Map(),
      calls: [],
      files: new Map(), // file_id -> {path, data}: users' files getFile knows (/_control/file)
      paths: new Map(), // file_path -> data
    };
    tokens.set(token, st);
  }
  return st;
}

function storedBotMessage(token, chatId, messageId) {
  return emu.storage.botMessages.find((u) => u.botToken === token
    && String(u.messageId) === String(messageId) && String(u.message.chat_id) === String(chatId));
}

function shapeUser(u) {
  const user = u && typeof u === 'object' ? { ...u } : { id: 0, first_name: '' };
  user.id = Number(user.id);
  if (user.is_bot === undefined) user.is_bot = false;
  if (user.first_name === undefined) user.first_name = '';
  return user;
}

function defaultChat(from) {
  const chat = { id: from.id, type: 'private', first_name: from.first_name };
  if (from.last_name) chat.last_name = from.last_name;
  if (from.username) chat.username = from.username;
  return chat;
}

function toSec(d) {
  const n = Number(d);
  if (!Number.isFinite(n) || n <= 0) return nowSec();
  return n > 1e11 ? Math.floor(n / 1000) : Math.floor(n);
}

function commandEntities(text) {
  const m = COMMAND_RE.exec(text);
  return m ? [{ offset: 0, length: m[0].length, type: 'bot_command' }] : undefined;
}

// A Telegram Message for a stored bot message (emulator storage entry).
function botMessageFromStore(token, entry) {
  const m = entry.message;
  const msg = {
    message_id: entry.messageId,
    from: botUser(token),
    chat: { id: chatKey(m.chat_id), type: Number(m.chat_id) < 0 ? 'group' : 'private' },
    date: Math.floor(entry.time / 1000),
  };
  if (m.media) {
    if (m.caption !== undefined && m.caption !== '') msg.caption = m.caption;
    if (m.caption_entities) msg.caption_entities = m.caption_entities;
    const file = { file_id: m.file_id, file_unique_id: m.file_unique_id };
    if (m.size) file.file_size = m.size;
    if (m.media === 'photo') {
      msg.photo = [{ ...file, width: m.width || 0, height: m.height || 0 }];
    } else {
      if (m.file_name) file.file_name = m.file_name;
      if (m.mime_type) file.mime_type = m.mime_type;
      if (m.width) { file.width = m.width; file.height = m.height; }
      msg[m.media] = file;
    }
  } else {
    msg.text = m.text;
    if (Array.isArray(m.entities)) msg.entities = m.entities;
  }
  if (isInline(m.reply_markup)) msg.reply_markup = m.reply_markup;
  if (m.edit_date) msg.edit_date = m.edit_date;
  return msg;
}

// Turns an emulator update into a Telegram Update with our own per-token update_id.
function shapeUpdate(st, raw) {
  const upd = { update_id: st.nextUpdateId++ };
  if (raw.callback_query) {
    const cq = raw.callback_query;
    const from = shapeUser(cq.from);
    const given = cq.message && typeof cq.message === 'object' ? cq.message : {};
    const chatId = given.chat && given.chat.id !== undefined ? given.chat.id : (given.chat_id !== undefined ? given.chat_id : from.id);
    const stored = given.message_id !== undefined ? storedBotMessage(st.token, chatId, given.message_id) : null;
    let message;
    if (stored) {
      message = botMessageFromStore(st.token, stored);
      if (given.chat) message.chat = { ...message.chat, ...given.chat };
    } else {
      message = { ...given };
      delete message.chat_id;
      delete message[NONCE];
      message.message_id = Number(given.message_id) || 0;
      message.from = message.from || botUser(st.token);
      message.chat = given.chat || defaultChat(from);
      message.date = toSec(given.date);
    }
    st.callbackIds.add(String(cq.id));
    upd.callback_query = {
      id: String(cq.id), from, message, chat_instance: `ci${message.chat.id}`, data: cq.data,
    };
    return upd;
  }
  const m = { ...(raw.message || {}) };
  delete m.botToken;
  delete m[NONCE];
  m.message_id = Number(m.message_id);
  m.from = shapeUser(m.from);
  m.chat = m.chat && typeof m.chat === 'object' ? { ...m.chat, id: Number(m.chat.id) } : defaultChat(m.from);
  if (!m.chat.type) m.chat.type = 'private';
  m.date = toSec(m.date);
  if (typeof m.text === 'string' && !m.entities) {
    const e = commandEntities(m.text);
    if (e) m.entities = e;
  }
  if (m.contact && m.contact.user_id !== undefined) m.contact = { ...m.contact, user_id: Number(m.contact.user_id) };
  upd.message = m;
  return upd;
}

function updateType(u) { return Object.keys(u).find((k) => k !== 'update_id'); }

// Moves fresh emulator updates into the token's buffer. Returns true if any arrived.
function pull(st) {
  const fresh = emu.getUpdates(st.token);
  for (const raw of fresh) {
    const u = shapeUpdate(st, raw);
    if (st.allowed && !st.allowed.includes(updateType(u))) continue;
    st.buffer.push(u);
  }
  return fresh.length > 0;
}

// ---------------------------------------------------------------- long polling

const waiting = new Set();
let ticker = null;

function wakeAll() {
  for (const st of waiting) {
    pull(st);
    if (st.buffer.length > 0 && st.waiter) st.waiter.finish();
  }
  if (waiting.size === 0 && ticker) { clearInterval(ticker); ticker = null; }
}

function schedule() { setImmediate(wakeAll); }

function getUpdates(st, params, call, res, req) {
  if (emu.webhooks[st.token]) {
    return reply(res, call, tgError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"));
  }
  const offset = Math.trunc(num(params.offset, 0));
  const limit = Math.min(100, Math.max(1, Math.trunc(num(params.limit, 100))));
  const timeout = Math.max(0, num(params.timeout, 0));
  if (Array.isArray(params.allowed_updates) && params.allowed_updates.length > 0) st.allowed = params.allowed_updates.map(String);
  else if (Array.isArray(params.allowed_updates)) st.allowed = null;

  // A newer getUpdates terminates the older one, as on real Telegram.
  if (st.waiter) st.waiter.conflict();

  pull(st);
  if (offset > 0) st.buffer = st.buffer.filter((u) => u.update_id >= offset);
  else if (offset < 0) st.buffer = st.buffer.slice(offset);

  const answer = () => tgOk(st.buffer.slice(0, limit));
  if (st.buffer.length > 0 || timeout === 0) return reply(res, call, answer());

  let done = false;
  const w = {};
  const finish = (result) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (st.waiter === w) st.waiter = null;
    waiting.delete(st);
    if (result) reply(res, call, result);
  };
  w.finish = () => finish(answer());
  w.conflict = () => finish(tgError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
  const timer = setTimeout(() => { pull(st); finish(answer()); }, timeout * 1000);
  st.waiter = w;
  waiting.add(st);
  if (!ticker) ticker = setInterval(wakeAll, POLL_MS);
  res.on('close', () => { if (!done) { call.status = 499; finish(null); } });
  return undefined;
}

// ---------------------------------------------------------------- control: failures and limits

function defaultDescription(status, retryAfter) {
  switch (status) {
    case 429: return `Too Many Requests: retry after ${retryAfter}`;
    case 403: return 'Forbidden: bot was blocked by the user';
    case 400: return 'Bad Request';
    case 401: return 'Unauthorized';
    case 409: return 'Conflict';
    default: return 'Internal Server Error';
  }
}

function failResult(rule) {
  const params = rule.status === 429 ? { retry_after: rule.retry_after } : undefined;
  return tgError(rule.status, rule.description || defaultDescription(rule.status, rule.retry_after), params);
}

function matchFail(st, method, chat) {
  for (let i = 0; i < st.fails.length; i++) {
    const r = st.fails[i];
    if (r.method ? r.method.toLowerCase() !== method.toLowerCase() : method === 'getUpdates') continue;
    if (r.chat_id !== null && String(r.chat_id) !== String(chat)) continue;
    if (r.skip > 0) { // this call passes; the rule fails later ones
      r.skip--;
      continue;
    }
    if (r.count > 0) {
      r.count--;
      if (r.count === 0) st.fails.splice(i, 1);
    }
    return failResult(r);
  }
  return null;
}

// Methods that real Telegram throttles (sending and editing messages).
const LIMITED_RE = /^(send(?!chataction$)|edit|copy|forward)/i;

function takeToken(bucket, rate, capacity, now) {
  bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.last) / 1000) * rate);
  bucket.last = now;
  if (bucket.tokens >= 1) { bucket.tokens -= 1; return 0; }
  return Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
}

function checkLimits(st, method, chat, now) {
  const l = st.limits;
  if (!l) return null;
  if (l.methods ? !l.methods.includes(method.toLowerCase()) : !LIMITED_RE.test(method)) return null;
  // Check both buckets before taking from either, so a refused call costs nothing.
  const g = l.per_second > 0 ? (st.buckets.get('*') || { tokens: l.burst, last: now }) : null;
  const c = l.per_chat_per_second > 0 && chat !== null
    ? (st.buckets.get(`c:${chat}`) || { tokens: l.per_chat_burst, last: now }) : null;
  const probe = (b, rate, cap) => (b ? Math.min(cap, b.tokens + ((now - b.last) / 1000) * rate) : Infinity);
  const gAvail = probe(g, l.per_second, l.burst);
  const cAvail = probe(c, l.per_chat_per_second, l.per_chat_burst);
  if (gAvail < 1 || cAvail < 1) {
    const wait = Math.max(
      gAvail < 1 ? (1 - gAvail) / l.per_second : 0,
      cAvail < 1 ? (1 - cAvail) / l.per_chat_per_second : 0,
    );
    const ra = Math.max(1, Math.ceil(wait));
    return tgError(429, `Too Many Requests: retry after ${ra}`, { retry_after: ra });
  }
  if (g) { takeToken(g, l.per_second, l.burst, now); st.buckets.set('*', g); }
  if (c) { takeToken(c, l.per_chat_per_second, l.per_chat_burst, now); st.buckets.set(`c:${chat}`, c); }
  return null;
}

// ---------------------------------------------------------------- bot methods

const STUBS = {
  sendchataction: true, setmycommands: true, deletemycommands: true, setchatmenubutton: true,
  getmycommands: [], getchatmenubutton: { type: 'default' },
};

const MEDIA = {
  sendphoto: 'photo', senddocument: 'document', sendaudio: 'audio', sendvideo: 'video',
  sendanimation: 'animation', sendvoice: 'voice', sendvideonote: 'video_note', sendsticker: 'sticker',
};

const CANONICAL = {};
for (const m of ['getUpdates', 'getMe', 'sendMessage', 'answerCallbackQuery', 'deleteMessage', 'setWebhook',
  'deleteWebhook', 'getWebhookInfo', 'editMessageText', 'editMessageReplyMarkup', 'editMessageCaption',
  'sendChatAction', 'setMyCommands', 'deleteMyCommands', 'getMyCommands', 'setChatMenuButton', 'getChatMenuButton',
  'getFile', 'sendPhoto', 'sendDocument', 'sendAudio', 'sendVideo', 'sendAnimation', 'sendVoice', 'sendVideoNote', 'sendSticker']) {
  CANONICAL[m.toLowerCase()] = m;
}

let fileSeq = 1;

function checkMarkup(markup) {
  if (!isInline(markup)) return null;
  for (const row of markup.inline_keyboard) {
    if (!Array.isArray(row)) return tgError(400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    for (const b of row) {
      if (!b || typeof b.text !== 'string' || b.text === '') return tgError(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
      if (b.callback_data !== undefined && (utf8len(b.callback_data) < 1 || utf8len(b.callback_data) > 64)) {
        return tgError(400, 'Bad Request: BUTTON_DATA_INVALID');
      }
    }
  }
  return null;
}

async function sendMessage(token, params) {
  if (params.chat_id === undefined || params.chat_id === '') return tgError(400, 'Bad Request: chat_id is empty');
  const text = params.text === undefined ? '' : String(params.text);
  if (text.trim() === '') return tgError(400, 'Bad Request: message text is empty');
  if (text.length > 4096) return tgError(400, 'Bad Request: message is too long');
  const bad = checkMarkup(params.reply_markup) || checkParse(text, params.parse_mode);
  if (bad) return bad;
  const r = await inner('POST', `/bot${token}/sendMessage`, { ...params, text });
  const shaped = shapeInner(r);
  if (!shaped.body.ok) return shaped;
  const entry = storedBotMessage(token, params.chat_id, shaped.body.result.message_id);
  if (!entry) return tgError(500, 'Internal Server Error: message not stored');
  return tgOk(botMessageFromStore(token, entry));
}

function sendMedia(token, method, kind, params) {
  if (params.chat_id === undefined || params.chat_id === '') return tgError(400, 'Bad Request: chat_id is empty');
  const file = params[kind];
  if (file === undefined || file === '') return tgError(400, `Bad Request: there is no ${kind} in the request`);
  const caption = params.caption === undefined ? '' : String(params.caption);
  if (caption.length > 1024) return tgError(400, 'Bad Request: message caption is too long');
  const bad = checkMarkup(params.reply_markup) || checkParse(caption, params.parse_mode);
  if (bad) return bad;
  const n = fileSeq++;
  const stored = {
    chat_id: params.chat_id,
    text: caption,
    caption,
    media: kind,
    [kind]: true,
    size: file && file.upload ? file.size : 0,
    file_id: `${kind.toUpperCase()}_${n}`,
    file_unique_id: `U${n}`,
  };
  if (file && file.upload) {
    if (file.width) { stored.width = file.width; stored.height = file.height; }
    if (file.filename) stored.file_name = file.filename;
    if (file.contentType) stored.mime_type = file.contentType;
  } else {
    stored.file_ref = String(file); // a file_id or URL, not fetched
  }
  if (params.parse_mode) stored.parse_mode = params.parse_mode;
  if (params.caption_entities) stored.caption_entities = params.caption_entities;
  if (params.reply_markup) stored.reply_markup = params.reply_markup;
  const result = emu.addBotMessage(stored, token);
  const entry = storedBotMessage(token, params.chat_id, result.message_id);
  return tgOk(botMessageFromStore(token, entry));
}

// Edits in place like the emulator, but as Telegram does it: the message must exist,
// an identical edit is refused, an omitted inline keyboard is removed, and the
// result is the edited Message. The edit also makes the message unread again, so
// the client's /getUpdates returns it once more (with edited: true).
function editMessage(token, method, params) {
  if (params.inline_message_id) return tgError(400, 'Bad Request: message to edit not found');
  const entry = storedBotMessage(token, params.chat_id, params.message_id);
  if (!entry) return tgError(400, 'Bad Request: message to edit not found');
  const m = entry.message;
  const bad = checkMarkup(params.reply_markup);
  if (bad) return bad;
  const newMarkup = isInline(params.reply_markup) ? params.reply_markup : undefined;
  const oldMarkup = isInline(m.reply_markup) ? m.reply_markup : undefined;
  const next = { ...m };
  if (method === 'editMessageText') {
    if (m.media) return tgError(400, 'Bad Request: there is no text in the message to edit');
    const text = params.text === undefined ? '' : String(params.text);
    if (text.trim() === '') return tgError(400, 'Bad Request: message text is empty');
    if (text.length > 4096) return tgError(400, 'Bad Request: MESSAGE_TOO_LONG');
    const unparsable = checkParse(text, params.parse_mode);
    if (unparsable) return unparsable;
    next.text = text;
    if (params.parse_mode !== undefined) next.parse_mode = params.parse_mode; else delete next.parse_mode;
    if (params.entities !== undefined) next.entities = params.entities; else delete next.entities;
  } else if (method === 'editMessageCaption') {
    if (!m.media) return tgError(400, 'Bad Request: there is no caption in the message to edit');
    next.caption = params.caption === undefined ? '' : String(params.caption);
    const unparsable = checkParse(next.caption, params.parse_mode);
    if (unparsable) return unparsable;
    next.text = next.caption;
    if (params.parse_mode !== undefined) next.parse_mode = params.parse_mode; else delete next.parse_mode;
  }
  if (newMarkup) next.reply_markup = newMarkup;
  else if (oldMarkup) delete next.reply_markup;
  const same = canon(next.text) === canon(m.text) && canon(newMarkup) === canon(oldMarkup);
  if (same) {
    return tgError(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message');
  }
  next.edited = true;
  next.edit_date = nowSec();
  entry.message = next;
  entry.isRead = false;
  emu.emit('EditedMessageText');
  return tgOk(botMessageFromStore(token, entry));
}

async function botCall(token, method, params, res, req, call) {
  const lower = method.toLowerCase();
  const st = state(token);
  switch (lower) {
    case 'getupdates': return getUpdates(st, params, call, res, req);
    case 'getme': return reply(res, call, tgOk({ ...botUser(token), can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }));
    case 'getwebhookinfo': {
      const hook = emu.webhooks[token];
      if (!hook) pull(st);
      return reply(res, call, tgOk({ url: hook ? String(hook.url) : '', has_custom_certificate: false, pending_update_count: hook ? 0 : st.buffer.length }));
    }
    case 'sendmessage': return reply(res, call, await sendMessage(token, params));
    case 'editmessagetext': case 'editmessagereplymarkup': case 'editmessagecaption':
      return reply(res, call, editMessage(token, CANONICAL[lower], params));
    case 'answercallbackquery': {
      const id = params.callback_query_id === undefined ? '' : String(params.callback_query_id);
      if (!st.callbackIds.has(id)) return reply(res, call, tgError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid'));
      if (params.text !== undefined && String(params.text).length > 200) return reply(res, call, tgError(400, 'Bad Request: MESSAGE_TOO_LONG'));
      return reply(res, call, shapeInner(await inner('POST', `/bot${token}/answerCallbackQuery`, params), () => true));
    }
    case 'deletemessage': {
      const r = shapeInner(await inner('POST', `/bot${token}/deleteMessage`, params), () => true);
      if (!r.body.ok && r.status === 400 && /wasn't found/.test(r.body.description)) {
        return reply(res, call, tgError(400, 'Bad Request: message to delete not found'));
      }
      return reply(res, call, r);
    }
    case 'deletewebhook':
      return reply(res, call, shapeInner(await inner('POST', `/bot${token}/deleteWebhook`, params), () => true));
    case 'setwebhook': {
      if (!params.url) return reply(res, call, shapeInner(await inner('POST', `/bot${token}/deleteWebhook`, {}), () => true));
      return reply(res, call, shapeInner(await inner('POST', `/bot${token}/setWebhook`, params), () => true));
    }
    default:
      if (Object.prototype.hasOwnProperty.call(STUBS, lower)) return reply(res, call, tgOk(STUBS[lower]));
      if (MEDIA[lower]) return reply(res, call, sendMedia(token, CANONICAL[lower], MEDIA[lower], params));
      return reply(res, call, tgError(404, 'Not Found: method not found'));
  }
}

function reply(res, call, result) {
  if (call) {
    call.status = result.status;
    call.ok = !!result.body.ok;
    call.ms = Date.now() - call.time;
    if (!result.body.ok) {
      call.error_code = result.body.error_code;
      call.description = result.body.description;
      if (result.body.parameters && result.body.parameters.retry_after !== undefined) call.retry_after = result.body.parameters.retry_after;
    }
    if (opts.verbose) {
      log(`bot ${call.method} chat=${call.chat_id === null ? '-' : call.chat_id} -> ${call.status}${call.ok ? '' : ` ${call.description}`}`);
    }
  }
  send(res, result.status, result.body);
}

async function handleBot(req, res, url, token, rawMethod) {
  if (!TOKEN_RE.test(token)) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
  if (req.method !== 'GET' && req.method !== 'POST') {
    return send(res, 405, { ok: false, error_code: 405, description: 'Method Not Allowed' });
  }
  const method = CANONICAL[rawMethod.toLowerCase()] || rawMethod;
  const st = state(token);
  const call = { method, chat_id: null, time: Date.now(), status: 0 };
  if (st.calls.length >= MAX_CALLS_PER_TOKEN) st.calls.shift();
  st.calls.push(call);
  let params;
  try {
    params = await botParams(req, url);
  } catch (e) {
    if (e instanceof BadRequest) return reply(res, call, tgError(400, `Bad Request: ${e.message}`));
    throw e;
  }
  const chat = chatKey(params.chat_id);
  call.chat_id = chat;
  if (params.callback_query_id !== undefined) call.callback_query_id = String(params.callback_query_id);
  const forced = matchFail(st, method, chat);
  if (forced) return reply(res, call, forced);
  const limited = checkLimits(st, method, chat, call.time);
  if (limited) return reply(res, call, limited);
  if (method === 'getFile') {
    const f = st.files.get(String(params.file_id || ''));
    if (!f) return reply(res, call, tgError(400, 'Bad Request: invalid file_id'));
    return reply(res, call, tgOk({ file_id: String(params.file_id), file_unique_id: `F${f.path}`, file_size: f.data.length, file_path: f.path }));
  }
  return botCall(token, method, params, res, req, call);
}

// ---------------------------------------------------------------- client routes (the citizen's side)

function requireFrom(body) {
  if (!body.botToken || typeof body.botToken !== 'string') throw new BadRequest('botToken is required');
  if (!body.from || typeof body.from !== 'object' || body.from.id === undefined) throw new BadRequest('from.id is required');
  body.from = shapeUser(body.from);
}

const NONCE = '_tgpeer_nonce';
let nonceSeq = 1;

async function handleClient(req, res, path) {
  if (req.method !== 'POST') return send(res, 405, { ok: false, error_code: 405, description: 'client routes take POST' });
  const body = await jsonBody(req);
  switch (path) {
    case '/sendMessage':
    case '/sendCommand': {
      requireFrom(body);
      if (!body.chat || typeof body.chat !== 'object') body.chat = defaultChat(body.from);
      else if (body.chat.id === undefined) throw new BadRequest('chat.id is required');
      if (!body.chat.type) body.chat.type = 'private';
      body.date = toSec(body.date);
      if (typeof body.text === 'string' && !Array.isArray(body.entities)) {
        const e = commandEntities(body.text);
        if (e) body.entities = e;
      }
      if (path === '/sendCommand' && !Array.isArray(body.entities)) {
        throw new BadRequest('a command must start with "/" (or carry entities)');
      }
      const keys = Object.keys(body).filter((k) => !['botToken', 'from', 'chat', 'date', 'entities', 'message_id', NONCE].includes(k));
      if (keys.length === 0) throw new BadRequest('the message has no content (text, contact, sticker, photo, ...)');
      break;
    }
    case '/sendCallback': {
      requireFrom(body);
      if (!body.message || typeof body.message !== 'object' || body.message.message_id === undefined) {
        throw new BadRequest('message.message_id is required');
      }
      if (!body.message.chat || typeof body.message.chat !== 'object') body.message.chat = defaultChat(body.from);
      if (body.data === undefined) throw new BadRequest('data is required');
      body.data = String(body.data);
      break;
    }
    case '/getUpdates':
      if (!body.token) throw new BadRequest('token is required');
      if (body.chatId === undefined) throw new BadRequest('chatId is required');
      break;
    case '/getUpdatesHistory':
      if (!body.token) throw new BadRequest('token is required');
      break;
    default:
      return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
  }
  const sending = path !== '/getUpdates' && path !== '/getUpdatesHistory';
  const nonce = `n${nonceSeq++}`;
  if (sending) body[NONCE] = nonce;
  const r = await inner('POST', path, body);
  if (r.status >= 400 || !r.json) return send(res, r.status >= 400 ? r.status : 500, { ok: false, error_code: r.status, description: (r.json && r.json.message) || r.text });
  if (!sending) return send(res, 200, r.json);
  schedule();
  // Tell the citizen which message_id / callback_query_id the update got.
  let result = null;
  for (let i = emu.storage.userMessages.length - 1; i >= 0; i--) {
    const u = emu.storage.userMessages[i];
    if (u.callbackQuery && u.callbackQuery[NONCE] === nonce) { result = { callback_query_id: String(u.callbackId) }; break; }
    if (u.message && u.message[NONCE] === nonce) { result = { message_id: u.messageId }; break; }
  }
  return send(res, 200, { ok: true, result });
}

// ---------------------------------------------------------------- control API

async function handleControl(req, res, path) {
  if (path === '/_control/health') return send(res, 200, { ok: true, result: { inner_port: innerPort } });
  if (req.method !== 'POST') return send(res, 405, { ok: false, error_code: 405, description: 'control routes take POST' });
  const body = await jsonBody(req);
  const token = body.token;
  if (!token || typeof token !== 'string') throw new BadRequest('token is required');
  const st = state(token);
  switch (path) {
    case '/_control/fail': {
      const status = Math.trunc(num(body.status, 429));
      if (!(status >= 400 && status <= 599)) throw new BadRequest('status must be 4xx or 5xx');
      const count = Math.trunc(num(body.count, 1));
      if (count === 0 || count < -1) throw new BadRequest('count must be >= 1, or -1 for "until reset"');
      const rule = {
        method: body.method ? String(body.method) : null,
        chat_id: body.chat_id === undefined || body.chat_id === null ? null : chatKey(body.chat_id),
        count,
        skip: Math.max(0, Math.trunc(num(body.skip, 0))),
        status,
        retry_after: Math.max(1, Math.trunc(num(body.retry_after, 1))),
        description: body.description ? String(body.description) : null,
      };
      st.fails.push(rule);
      return send(res, 200, { ok: true, result: st.fails });
    }
    case '/_control/limits': {
      const ps = num(body.per_second, 0);
      const pc = num(body.per_chat_per_second, 0);
      if (ps < 0 || pc < 0) throw new BadRequest('rates must be >= 0');
      st.buckets = new Map();
      st.limits = ps > 0 || pc > 0 ? {
        per_second: ps,
        per_chat_per_second: pc,
        burst: Math.max(1, num(body.burst, ps)),
        per_chat_burst: Math.max(1, num(body.per_chat_burst, pc)),
        methods: Array.isArray(body.methods) ? body.methods.map((m) => String(m).toLowerCase()) : null,
      } : null;
      return send(res, 200, { ok: true, result: st.limits });
    }
    case '/_control/calls': {
      let calls = st.calls;
      if (body.method) calls = calls.filter((c) => c.method.toLowerCase() === String(body.method).toLowerCase());
      if (body.since !== undefined) calls = calls.filter((c) => c.time >= num(body.since, 0));
      return send(res, 200, { ok: true, result: calls });
    }
    case '/_control/pending': {
      pull(st);
      return send(res, 200, { ok: true, result: st.buffer });
    }
    case '/_control/file': {
      // A user's file the bot may download: getFile answers its file_path,
      // GET /file/bot<token>/<file_path> its bytes.
      if (!body.file_id || typeof body.data !== 'string') throw new BadRequest('file_id and data (base64) are required');
      const data = Buffer.from(body.data, 'base64');
      const path = `photos/file_${fileSeq++}.jpg`;
      st.files.set(String(body.file_id), { path, data });
      st.paths.set(path, data);
      return send(res, 200, { ok: true, result: { file_path: path, file_size: data.length } });
    }
    case '/_control/reset': {
      st.fails = [];
      st.limits = null;
      st.buckets = new Map();
      st.calls = [];
      return send(res, 200, { ok: true, result: true });
    }
    default:
      return send(res, 404, { ok: false, error_code: 404, description: 'Not Found: unknown control route' });
  }
}

// ---------------------------------------------------------------- front server

async function route(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const path = url.pathname;
  try {
    const bm = /^\/bot([^/]*)\/([^/]+)\/?$/.exec(path);
    if (bm) return await handleBot(req, res, url, decodeURIComponent(bm[1]), decodeURIComponent(bm[2]));
    const fm = /^\/file\/bot([^/]*)\/(.+)$/.exec(path);
    if (fm && req.method === 'GET') {
      const data = state(decodeURIComponent(fm[1])).paths.get(decodeURIComponent(fm[2]));
      if (data) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length });
        return res.end(data);
      }
    }
    if (path.startsWith('/bot') || path.startsWith('/file/')) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (path.startsWith('/_control/')) return await handleControl(req, res, path);
    return await handleClient(req, res, path);
  } catch (e) {
    if (e instanceof BadRequest) return send(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${e.message}` });
    log('internal error:', e && e.stack ? e.stack : e);
    return send(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${e && e.message}` });
  }
}

async function main() {
  const started = await startEmulator();
  emu = started.s;
  innerPort = started.port;
  for (const ev of ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery']) emu.on(ev, schedule);

  const front = http.createServer((req, res) => { route(req, res); });
  // Longer than Go's idle-connection timeout (90 s), so the bot never reuses a
  // connection the server is closing (Go does not retry a failed POST).
  front.keepAliveTimeout = 120000;
  front.headersTimeout = 125000;
  front.requestTimeout = 0; // long polls may last longer than node's default
  await new Promise((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port, '127.0.0.1', resolve);
  });
  front.on('error', (e) => log('front server error:', e.message));
  process.stdout.write(`READY ${front.address().port}\n`);
  log(`front 127.0.0.1:${front.address().port} -> telegram-test-api 127.0.0.1:${innerPort}`);

  let stopping = false;
  const stop = (sig) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: shutting down`);
    if (ticker) clearInterval(ticker);
    front.close();
    if (front.closeAllConnections) front.closeAllConnections();
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    emu.stop().catch(() => {}).finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (opts.exitWithStdin) { // the parent (a test binary) died: don't outlive it
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
  log('failed to start:', e && e.stack ? e.stack : e);
  process.exit(1);
});
