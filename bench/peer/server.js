// The comparison peer for BENCHMARKS.md: what a team would otherwise build —
// a minimal Node.js server with the `ws` package that keeps a meeting in memory
// and broadcasts the same JSON messages as Babahui, for the subset of the
// protocol the load generator uses (create, join, hello/resume, opinions,
// seconds, hands, the floor). It does not persist anything, and it checks only
// what keeps the script's commands meaningful. Not part of the product.
//
//   node server.js --port 7200
'use strict';

const http = require('http');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[process.argv.indexOf('--port') + 1] || 7200);
const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const code = (n) => Array.from(crypto.randomBytes(n), (b) => ALPHABET[b % ALPHABET.length]).join('');
const meetings = new Map();

function newMeeting(body) {
  const id = code(8);
  const m = {
    id, seq: 0, events: [], sockets: new Set(), done: new Map(), tokens: new Map(),
    invite: code(10),
    state: {
      id, seq: 0, title: body.title || '', place: body.place || '', phase: 'not_started',
      agenda: (body.agenda || []).map((t, i) => ({ id: i + 1, title: t.title, minutes: t.minutes, status: 'pending' })),
      current_topic: null, participants: [], opinions: [], queue: [], floor: null,
    },
  };
  const mod = code(24), proj = code(24);
  m.tokens.set(mod, 'moderator');
  m.tokens.set(proj, 'projector');
  meetings.set(id, m);
  append(m, 'system', { type: 'meeting_created', data: { meeting: id, title: m.state.title, place: m.state.place } });
  return { m, mod, proj };
}

// Stamps an event, keeps it, and sends it to every connection: one
// JSON.stringify, then ws frames it for each socket.
function append(m, by, event) {
  const e = { seq: ++m.seq, at: Date.now(), by, event };
  m.state.seq = m.seq;
  m.events.push(e);
  const text = JSON.stringify({ type: 'events', data: [e] });
  for (const ws of m.sockets) ws.send(text);
  return e;
}

function decide(m, actor, cmd) {
  const s = m.state;
  const d = cmd.data || {};
  const p = actor.participant;
  switch (cmd.type) {
    case 'start_meeting':
      if (actor !== 'moderator') return ['forbidden'];
      s.phase = 'running';
      return [null, { type: 'meeting_started' }];
    case 'open_topic':
      if (actor !== 'moderator') return ['forbidden'];
      s.current_topic = d.topic;
      return [null, { type: 'topic_opened', data: { topic: d.topic } }];
    case 'submit_opinion': {
      if (!p) return ['forbidden'];
      const o = { id: s.opinions.length + 1, topic: s.current_topic, author: p, text: String(d.text || ''), seconds: [] };
      s.opinions.push(o);
      return [null, { type: 'opinion_submitted', data: { opinion: o.id, topic: o.topic, author: p, recorded_by: null, text: o.text, category: null, stance: null } }, o.id];
    }
    case 'second': {
      const o = s.opinions[d.opinion - 1];
      if (!p || !o) return ['not_found'];
      if (o.author === p || o.seconds.includes(p)) return ['conflict'];
      o.seconds.push(p);
      return [null, { type: 'seconded', data: { opinion: o.id, participant: p } }];
    }
    case 'raise_hand':
      if (!p || s.queue.includes(p)) return ['conflict'];
      s.queue.push(p);
      return [null, { type: 'hand_raised', data: { participant: p } }];
    case 'lower_hand':
      if (!p || !s.queue.includes(p)) return ['conflict'];
      s.queue = s.queue.filter((q) => q !== p);
      return [null, { type: 'hand_lowered', data: { participant: p } }];
    case 'call_next': {
      if (actor !== 'moderator') return ['forbidden'];
      const next = s.queue.shift();
      if (!next) return ['conflict'];
      s.floor = { participant: next, kind: 'speak', limit_secs: 180 };
      return [null, { type: 'floor_given', data: s.floor }];
    }
    case 'end_floor':
      if (actor !== 'moderator' || !s.floor) return ['conflict'];
      s.floor = null;
      return [null, { type: 'floor_ended' }];
    default:
      return ['invalid'];
  }
}

function readJson(req, cb) {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => { try { cb(JSON.parse(body || '{}')); } catch { cb(null); } });
}

function reply(res, status, obj) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
}

const server = http.createServer((req, res) => {
  const base = `http://${req.headers.host}`;
  const parts = req.url.split('?')[0].split('/').filter(Boolean); // api meetings {id} join
  if (req.method === 'POST' && parts.length === 2 && parts[1] === 'meetings') {
    return readJson(req, (body) => {
      const { m, mod, proj } = newMeeting(body || {});
      reply(res, 201, {
        id: m.id, title: m.state.title,
        join_url: `${base}/m/${m.id}?i=${m.invite}`,
        moderator_url: `${base}/m/${m.id}/moderator#k=${mod}`,
        projector_url: `${base}/m/${m.id}/projector#k=${proj}`,
        qr_svg_url: `${base}/api/meetings/${m.id}/qr.svg`,
      });
    });
  }
  const m = meetings.get(parts[2]);
  if (req.method === 'POST' && m && parts[3] === 'join') {
    return readJson(req, (body) => {
      if (!body || body.invite !== m.invite) return reply(res, 403, { code: 'invite_invalid' });
      const participant = m.state.participants.length + 1;
      const token = code(24);
      m.tokens.set(token, { participant });
      const joined = { participant, name: body.name || null, category: body.category || '', publish_name: !!body.publish_name, walk_in: false };
      m.state.participants.push({ id: participant, ...joined, joined_at: Date.now() });
      append(m, 'system', { type: 'participant_joined', data: joined });
      reply(res, 201, { participant, token });
    });
  }
  if (req.method === 'GET' && m && parts.length === 3) return reply(res, 200, m.state);
  reply(res, 404, { code: 'not_found' });
});

const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
server.on('upgrade', (req, socket, head) => {
  const m = meetings.get(req.url.split('/')[3]);
  if (!m) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => connection(ws, m));
});

function connection(ws, m) {
  let actor = null;
  ws.isAlive = true;
  ws.on('pong', () => { ws.isAlive = true; });
  ws.on('message', (raw) => {
    let msg;
    try { msg = JSON.parse(raw); } catch { return ws.send(JSON.stringify({ type: 'error', data: { id: null, code: 'malformed', message: 'not JSON' } })); }
    if (!actor) {
      if (msg.type !== 'hello') return;
      actor = m.tokens.get(msg.data.token);
      if (!actor) return ws.close(4001, 'unauthenticated');
      ws.send(JSON.stringify({ type: 'welcome', data: { meeting: m.id, you: actor, server_time: Date.now(), head: m.seq, protocol: 1 } }));
      const since = msg.data.since;
      if (since == null || since > m.seq) {
        ws.send(JSON.stringify({ type: 'snapshot', data: { state: m.state } }));
      } else if (since < m.seq) {
        ws.send(JSON.stringify({ type: 'events', data: m.events.slice(since) }));
      }
      m.sockets.add(ws);
      return;
    }
    if (msg.type === 'ping') return ws.send(JSON.stringify({ type: 'pong', data: { t: msg.data.t, server_time: Date.now() } }));
    if (msg.type !== 'command') return;
    const key = JSON.stringify([actor, msg.data.id]);
    const prior = m.done.get(key);
    if (prior) return ws.send(JSON.stringify({ type: 'ack', data: { ...prior, duplicate: true } }));
    const [err, event, created] = decide(m, actor, msg.data.command);
    if (err) return ws.send(JSON.stringify({ type: 'error', data: { id: msg.data.id, code: err, message: err } }));
    const e = append(m, actor, event);
    const ack = { id: msg.data.id, seq: e.seq, created, duplicate: false };
    m.done.set(key, ack);
    ws.send(JSON.stringify({ type: 'ack', data: ack }));
  });
  ws.on('close', () => m.sockets.delete(ws));
  ws.on('error', () => m.sockets.delete(ws));
}

// The usual heartbeat of a ws server: ping every 20 s, drop who did not answer.
setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) { ws.terminate(); continue; }
    ws.isAlive = false;
    ws.ping();
  }
}, 20000);

server.listen(port, '127.0.0.1', () => console.log(`node-ws peer on http://127.0.0.1:${port}`));
