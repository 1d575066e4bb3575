/**
 * The report page's script, as the text inlined into the page (plain ES2020, run by the
 * browser after the charting library). It reads the report's data from the page's JSON
 * element and builds everything from it.
 *
 * Every text from the input (keys, prefixes, command names, file names, AUX values) reaches
 * the page through `textContent`, or through the chart library's canvas text, never as HTML;
 * the charts' tooltips, which the library takes as HTML, get their text escaped by `esc`.
 *
 * The script exposes `window.rdbtoolReport` (the data, the chart instances, the prefix path
 * shown) for people poking at the page and for the browser tests.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var charts = {};
  var api = { data: data, charts: charts, prefixPath: [] };
  window.rdbtoolReport = api;

  // ---- helpers --------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function el(tag, props, children) {
    var e = document.createElement(tag);
    if (props) for (var k in props) {
      if (k === 'text') e.textContent = props[k];
      else if (k === 'cls') e.className = props[k];
      else if (k === 'onclick') e.addEventListener('click', props[k]);
      else e.setAttribute(k, props[k]);
    }
    if (children) for (var i = 0; i < children.length; i++) if (children[i] != null) e.appendChild(children[i]);
    return e;
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }
  var UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  function fmtBytes(n) {
    if (n == null) return '-';
    var v = Math.abs(n), u = 0;
    if (v < 1024) return n + ' B';
    while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
    return (n < 0 ? '-' : '') + v.toFixed(1) + ' ' + UNITS[u];
  }
  function fmtCount(n) {
    if (n == null) return '-';
    var s = String(Math.round(n)), out = '', neg = s.charAt(0) === '-';
    if (neg) s = s.slice(1);
    for (var i = 0; i < s.length; i++) { if (i > 0 && (s.length - i) % 3 === 0) out += ','; out += s.charAt(i); }
    return (neg ? '-' : '') + out;
  }
  function pct(part, total) { return total > 0 ? ((part / total) * 100).toFixed(1) + '%' : '-'; }
  // A byte string as the export schema writes it: text, or {"b64": ...} for binary bytes.
  function bytesText(b) { return typeof b === 'string' ? b : JSON.stringify(b); }
  // Long names are cut for the table (whole in the tooltip); a character is never split.
  var KEY_SHOWN = 160;
  function keySpan(b) {
    var t = bytesText(b);
    var chars = t.length > KEY_SHOWN ? Array.from(t) : null;
    var s = el('span', { cls: typeof b === 'string' ? 'key' : 'key binary', text: chars && chars.length > KEY_SHOWN ? chars.slice(0, KEY_SHOWN).join('') + '\u2026' : t });
    if (chars && chars.length > KEY_SHOWN) s.setAttribute('title', t);
    return s;
  }
  function dateText(ms) { return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'); }
  function ttlText(at) {
    if (at == null) return 'none';
    var left = at - data.nowMs;
    if (left < 0) return 'expired';
    var s = left / 1000;
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return (s / 3600).toFixed(1) + ' h';
    return (s / 86400).toFixed(1) + ' d';
  }
  function chart(id, option) {
    var node = $(id);
    var c = echarts.init(node, null, { renderer: 'canvas' });
    option.animation = !reduceMotion;
    c.setOption(option);
    charts[id] = c;
    return c;
  }
  function tooltip(lines) { return lines.map(esc).join('<br>'); }
  function section(id, title, hint) {
    var s = el('section', { id: id }, [el('h2', { text: title })]);
    if (hint) s.appendChild(el('p', { cls: 'hint', text: hint }));
    $('content').appendChild(s);
    return s;
  }
  function empty(text) { return el('p', { cls: 'empty', text: text }); }

  // ---- header, damage banner, notes -----------------------------------------------------
  var inp = data.input;
  document.title = 'rdbtool report: ' + inp.name;
  $('title').textContent = inp.name;
  $('meta').textContent = 'Report made ' + dateText(data.generatedAtMs) + ' by ' + data.tool + '. Expiries compared with ' + dateText(data.nowMs) + '.';
  if (data.partial) {
    var p = data.partial;
    var what = p.complete ? 'Every key was read: the figures are whole.' : 'The figures cover what was read before the damage' + (p.readUpTo != null ? ' (bytes before offset ' + fmtCount(p.readUpTo) + (p.file ? ' of ' + p.file : '') + ')' : '') + '.';
    $('content').appendChild(el('div', { id: 'partial', cls: 'banner', role: 'alert' }, [
      el('strong', { text: (p.complete ? 'Damaged input (' : 'PARTIAL REPORT: damaged input (') + p.code + ')' }),
      el('span', { text: p.message + ' ' + what }),
    ]));
  }
  var notes = data.notes.slice();
  if (data.filtered) notes.unshift('key filters were given: the figures cover the selected keys only');
  if (notes.length) $('content').appendChild(el('ul', { cls: 'notes' }, notes.map(function (n) { return el('li', { text: n }); })));

  // ---- summary --------------------------------------------------------------------------
  var sm = data.summary;
  function card(label, value, small) {
    return el('div', { cls: 'card' }, [el('dt', { text: label }), el('dd', { text: value }, small ? [el('small', { text: small })] : null)]);
  }
  var forms = { rdb: 'RDB file', aof: 'AOF (replayed)', hybrid: 'hybrid AOF (RDB preamble + commands, replayed)', multipart: 'multi-part AOF (replayed)' };
  var cards = [
    card('Input', inp.name, fmtBytes(inp.bytes) + ' read' + (inp.files.length > 1 ? ' from ' + inp.files.length + ' files' : '')),
    card('Form', forms[inp.form] || inp.form, inp.rdbVersion != null ? 'RDB version ' + inp.rdbVersion + (inp.checksum ? ', checksum ' + inp.checksum : '') : null),
    card('Written by', inp.serverVersion != null ? inp.serverVersion : 'not stated', inp.createdAt ? 'at ' + inp.createdAt.replace('T', ' ').replace('.000Z', ' UTC') : null),
    card('Keys', fmtCount(sm.keys), fmtCount(sm.keysWithTtl) + ' with a TTL, ' + fmtCount(sm.expiredKeys) + ' already expired'),
    card('Estimated used_memory', fmtBytes(sm.datasetBytes), 'keys ' + fmtBytes(sm.keysBytes) + (sm.uncountedBytes < 0 ? ' \u2212 ' : ' + ') + fmtBytes(Math.abs(sm.uncountedBytes)) + ' MEMORY USAGE miscounts + key tables ' + fmtBytes(sm.overheadBytes) + ' + empty server ' + fmtBytes(sm.startupBytes) + (sm.expiredKeys ? ', less the keys already expired (a primary drops them on load)' : '') + ' (' + sm.target + ')'),
    card('used-mem in the file', sm.usedMemBytes != null ? fmtBytes(sm.usedMemBytes) : 'not stated',
      sm.usedMemBytes ? 'estimate ' + (sm.datasetBytes >= sm.usedMemBytes ? '+' : '') + (((sm.datasetBytes - sm.usedMemBytes) / sm.usedMemBytes) * 100).toFixed(1) + '% against it' : null),
  ];
  if (sm.onDiskBytes != null) cards.push(card('Keys on disk', fmtBytes(sm.onDiskBytes), fmtCount(sm.elements) + ' elements'));
  section('summary', 'Summary').appendChild(el('dl', { cls: 'cards' }, cards));
  if (inp.files.length > 1) {
    var ft = el('table', null, [el('thead', null, [el('tr', null, ['file', 'role', 'holds', 'bytes', 'status'].map(function (h, i) { return el('th', { cls: i === 3 ? 'num' : '', text: h }); }))])]);
    var fb = el('tbody');
    inp.files.forEach(function (f) {
      fb.appendChild(el('tr', null, [el('td', { cls: 'key', text: f.name }), el('td', { text: f.role }), el('td', { text: f.content || '-' }), el('td', { cls: 'num', text: f.bytes == null ? '-' : fmtCount(f.bytes) }), el('td', { text: f.status })]));
    });
    ft.appendChild(fb);
    $('summary').appendChild(el('div', { cls: 'scroll', style: 'margin-top:12px' }, [ft]));
  }

  // ---- memory by type and by database ---------------------------------------------------
  var mem = section('memory', 'Memory by type and by database', 'Estimated memory of the keys once a server (' + sm.target + ') loads the input: what MEMORY USAGE reports, summed.');
  var row = el('div', { cls: 'row' }, [el('div', { id: 'chart-types', cls: 'chart' }), el('div', { id: 'chart-dbs', cls: 'chart' })]);
  mem.appendChild(row);
  if (data.byType.length === 0) { $('chart-types').appendChild(empty('No keys.')); }
  else chart('chart-types', {
    title: { text: 'By type', textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'item', formatter: function (p) { var t = data.byType[p.dataIndex]; return tooltip([t.type, fmtBytes(t.bytes) + ' (' + pct(t.bytes, sm.keysBytes) + ')', fmtCount(t.keys) + ' keys']); } },
    series: [{ type: 'pie', radius: ['35%', '68%'], top: 20, data: data.byType.map(function (t) { return { name: t.type, value: t.bytes }; }),
      label: { lineHeight: 15, formatter: function (p) { return p.name + '\n' + fmtBytes(p.value); } } }],
  });
  if (data.byDb.length === 0) { $('chart-dbs').appendChild(empty('No keys.')); }
  else chart('chart-dbs', {
    title: { text: 'By database', textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'item', formatter: function (p) { var d = data.byDb[p.dataIndex]; return tooltip(['db ' + d.db, fmtBytes(d.bytes) + ' in ' + fmtCount(d.keys) + ' keys', 'key and expiry tables ' + fmtBytes(d.overheadBytes)]); } },
    grid: { left: 70, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: data.byDb.map(function (d) { return 'db ' + d.db; }) },
    yAxis: { type: 'value', axisLabel: { formatter: fmtBytes } },
    series: [{ type: 'bar', data: data.byDb.map(function (d) { return d.bytes; }), barMaxWidth: 48 }],
  });

  // ---- prefixes: treemap with drill-down ------------------------------------------------
  var px = data.prefixes;
  var pre = section('prefixes', 'Memory by key prefix',
    'Keys grouped by their name up to the separator ' + bytesText(px.separator) + ', ' + px.depth + ' level' + (px.depth === 1 ? '' : 's') + ' deep. Click a prefix (in the map or the table) to look inside it; the path above the map leads back.');
  var crumbs = el('nav', { id: 'prefix-path', cls: 'crumbs', 'aria-label': 'Prefix path' });
  var current = el('span', { id: 'prefix-current', cls: 'key', 'aria-live': 'polite' });
  pre.appendChild(crumbs);
  pre.appendChild(el('p', { cls: 'hint' }, [el('span', { text: 'Showing: ' }), current]));
  pre.appendChild(el('div', { id: 'chart-prefixes', cls: 'chart tall' }));
  var ptable = el('table', { id: 'prefix-table' });
  pre.appendChild(el('div', { cls: 'scroll' }, [ptable]));
  var path = [];
  function label(node, parent) {
    var t = bytesText(node.prefix);
    if (parent && typeof parent.prefix === 'string' && typeof node.prefix === 'string' && t.indexOf(parent.prefix) === 0) return t.slice(parent.prefix.length);
    return t;
  }
  // What the view shows: the children of the last prefix of the path (the roots at the top),
  // plus what they leave out (keys ending at this level, prefixes not kept, keys without the separator).
  function viewItems() {
    var parent = path.length ? path[path.length - 1] : null;
    var kids = parent ? parent.children : px.roots;
    var items = kids.map(function (n) { return { node: n, name: label(n, parent), bytes: n.bytes, keys: n.keys }; });
    var sum = 0, keys = 0;
    kids.forEach(function (n) { sum += n.bytes; keys += n.keys; });
    if (parent) {
      var rest = parent.bytes - sum;
      if (rest > 0) items.push({ node: null, name: '(other keys of ' + bytesText(parent.prefix) + ')', bytes: rest, keys: Math.max(0, parent.keys - keys) });
    } else {
      if (px.unprefixedBytes > 0 || px.unprefixedKeys > 0) items.push({ node: null, name: '(no separator)', bytes: px.unprefixedBytes, keys: px.unprefixedKeys });
      var left = px.bytes - sum - px.unprefixedBytes;
      if (left > 0) items.push({ node: null, name: '(other prefixes)', bytes: left, keys: Math.max(0, px.keys - keys - px.unprefixedKeys) });
    }
    return { parent: parent, items: items };
  }
  function drill(node) {
    if (!node || !node.children || node.children.length === 0) return;
    path.push(node);
    showPrefixes();
  }
  function showPrefixes() {
    var v = viewItems();
    api.prefixPath = path.map(function (n) { return bytesText(n.prefix); });
    crumbs.textContent = '';
    var all = el('button', { type: 'button', text: 'All keys', onclick: function () { path = []; showPrefixes(); } });
    if (path.length === 0) all.setAttribute('aria-current', 'true');
    crumbs.appendChild(all);
    path.forEach(function (n, i) {
      crumbs.appendChild(el('span', { cls: 'sep', text: '\u203a' }));
      var b = el('button', { type: 'button', cls: 'key', text: bytesText(n.prefix), onclick: function () { path = path.slice(0, i + 1); showPrefixes(); } });
      if (i === path.length - 1) b.setAttribute('aria-current', 'true');
      crumbs.appendChild(b);
    });
    current.textContent = v.parent ? bytesText(v.parent.prefix) : 'all keys';
    var total = v.parent ? v.parent.bytes : px.bytes;
    // The table of the view.
    ptable.textContent = '';
    ptable.appendChild(el('thead', null, [el('tr', null, [el('th', { text: 'prefix' }), el('th', { cls: 'num', text: 'keys' }), el('th', { cls: 'num', text: 'memory' }), el('th', { cls: 'num', text: 'share' }), el('th', { text: 'biggest key' }), el('th', { text: '' })])]));
    var tb = el('tbody');
    v.items.forEach(function (it) {
      var n = it.node;
      var big = n && n.biggest ? el('span', null, [keySpan(n.biggest.key), el('span', { text: ' (db ' + n.biggest.db + ', ' + fmtBytes(n.biggest.bytes) + ')' })]) : null;
      var go = n && n.children.length ? el('button', { type: 'button', cls: 'drill', text: 'open', onclick: function () { drill(n); } }) : null;
      tb.appendChild(el('tr', null, [
        el('td', null, [n ? keySpan(n.prefix) : el('span', { text: it.name })]),
        el('td', { cls: 'num', text: fmtCount(it.keys) + (n && n.errorBytes > 0 ? ' (at most)' : '') }),
        el('td', { cls: 'num', text: fmtBytes(it.bytes) }),
        el('td', { cls: 'num', text: pct(it.bytes, total) }),
        el('td', null, [big]),
        el('td', null, [go]),
      ]));
    });
    ptable.appendChild(tb);
    if (v.items.length === 0 || px.depth === 0) {
      if (charts['chart-prefixes']) { charts['chart-prefixes'].dispose(); delete charts['chart-prefixes']; }
      $('chart-prefixes').textContent = '';
      $('chart-prefixes').appendChild(empty(px.depth === 0 ? 'No prefix map (--depth 0).' : 'No keys.'));
      return;
    }
    var items = v.items.map(function (it, i) {
      return { name: it.name, value: it.bytes, idx: i, itemStyle: it.node ? undefined : { color: '#b9c0cc' } };
    });
    var opt = {
      tooltip: { formatter: function (p) {
        var it = p.data && p.data.idx != null ? v.items[p.data.idx] : null;
        if (!it) return esc(p.name || '');
        var lines = [it.node ? bytesText(it.node.prefix) : it.name, fmtBytes(it.bytes) + ' (' + pct(it.bytes, total) + ')', fmtCount(it.keys) + ' keys'];
        if (it.node && it.node.children.length) lines.push('click to look inside');
        return tooltip(lines);
      } },
      series: [{
        type: 'treemap', id: 'prefixes', name: current.textContent, roam: false, nodeClick: false, breadcrumb: { show: false },
        top: 4, left: 4, right: 4, bottom: 4,
        label: { show: true, lineHeight: 15, overflow: 'truncate', formatter: function (p) { return p.name + '\n' + fmtBytes(p.value); } },
        levels: [{ itemStyle: { borderColor: '#fff', borderWidth: 2, gapWidth: 2 } }],
        data: items,
      }],
    };
    var c = charts['chart-prefixes'];
    if (!c) {
      c = chart('chart-prefixes', opt);
      c.on('click', function (p) {
        if (!p.data || p.data.idx == null) return;
        var it = api.currentItems[p.data.idx];
        if (it && it.node) drill(it.node);
      });
    } else {
      opt.animation = !reduceMotion;
      c.setOption(opt, { replaceMerge: ['series'] });
    }
    api.currentItems = v.items;
  }
  showPrefixes();

  // ---- top keys: sortable table ---------------------------------------------------------
  var tk = section('top-keys', 'Biggest keys by memory', 'The ' + data.topKeys.length + ' keys with the most estimated memory. Click a column header to sort by it.');
  var cols = [
    { id: 'db', title: 'db', num: true, get: function (k) { return k.db; } },
    { id: 'key', title: 'key', num: false, get: function (k) { return bytesText(k.key); } },
    { id: 'type', title: 'type', num: false, get: function (k) { return k.type; } },
    { id: 'encoding', title: 'encoding', num: false, get: function (k) { return k.encoding; } },
    { id: 'bytes', title: 'memory', num: true, get: function (k) { return k.bytes; } },
    { id: 'elements', title: 'elements', num: true, get: function (k) { return k.elements; } },
    { id: 'ttl', title: 'expires in', num: true, get: function (k) { return k.expireAtMs == null ? Infinity : k.expireAtMs; } },
  ];
  var sort = { col: 'bytes', dir: -1 };
  var table = el('table', { id: 'top-keys-table' });
  var headRow = el('tr');
  cols.forEach(function (c) {
    var th = el('th', { cls: c.num ? 'num' : '', 'data-col': c.id, scope: 'col' }, [el('button', { type: 'button', text: c.title, onclick: function () {
      sort = { col: c.id, dir: sort.col === c.id ? -sort.dir : (c.num ? -1 : 1) };
      fillKeys();
    } })]);
    headRow.appendChild(th);
  });
  table.appendChild(el('thead', null, [headRow]));
  var body = el('tbody');
  table.appendChild(body);
  tk.appendChild(data.topKeys.length ? el('div', { cls: 'scroll' }, [table]) : empty(sm.keys ? 'No rows (--top 0).' : 'No keys.'));
  function fillKeys() {
    var col = cols.filter(function (c) { return c.id === sort.col; })[0];
    var rows = data.topKeys.slice().sort(function (a, b) {
      var x = col.get(a), y = col.get(b);
      var r = col.num ? (x === y ? 0 : x < y ? -1 : 1) : String(x).localeCompare(String(y));
      return r * sort.dir || b.bytes - a.bytes;
    });
    Array.prototype.forEach.call(headRow.children, function (th) {
      if (th.getAttribute('data-col') === sort.col) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    body.textContent = '';
    rows.forEach(function (k) {
      body.appendChild(el('tr', { 'data-bytes': String(k.bytes) }, [
        el('td', { cls: 'num', text: String(k.db) }),
        el('td', null, [keySpan(k.key)]),
        el('td', { text: k.type }),
        el('td', { text: k.encoding }),
        el('td', { cls: 'num', text: fmtBytes(k.bytes), title: fmtCount(k.bytes) + ' bytes' }),
        el('td', { cls: 'num', text: fmtCount(k.elements) }),
        el('td', { cls: 'num', text: ttlText(k.expireAtMs) }),
      ]));
    });
  }
  fillKeys();

  // ---- TTL distribution -----------------------------------------------------------------
  var ttlNames = { expired: 'already expired', hour: 'within an hour', day: 'within a day', week: 'within a week', later: 'later', never: 'no TTL' };
  var ts = section('ttl', 'When keys expire', 'Keys and their memory by how soon they expire, counted from ' + dateText(data.nowMs) + '.');
  ts.appendChild(el('div', { id: 'chart-ttl', cls: 'chart' }));
  chart('chart-ttl', {
    tooltip: { trigger: 'axis', formatter: function (ps) { var b = data.ttl[ps[0].dataIndex]; return tooltip([ttlNames[b.id], fmtCount(b.keys) + ' keys (' + pct(b.keys, sm.keys) + ')', fmtBytes(b.bytes) + ' (' + pct(b.bytes, sm.keysBytes) + ')']); } },
    legend: { data: ['keys', 'memory'], top: 0 },
    grid: { left: 70, right: 80, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: data.ttl.map(function (b) { return ttlNames[b.id]; }) },
    yAxis: [{ type: 'value', name: 'keys', minInterval: 1 }, { type: 'value', name: 'memory', axisLabel: { formatter: fmtBytes } }],
    series: [
      { name: 'keys', type: 'bar', data: data.ttl.map(function (b) { return b.keys; }), barMaxWidth: 40 },
      { name: 'memory', type: 'bar', yAxisIndex: 1, data: data.ttl.map(function (b) { return b.bytes; }), barMaxWidth: 40 },
    ],
  });

  // ---- encodings --------------------------------------------------------------------------
  var en = section('encodings', 'Encodings', 'Memory by the encoding a server gives each value once loaded' + (data.fileEncodings ? '; below, the encodings as stored in the file.' : '.'));
  en.appendChild(el('div', { id: 'chart-encodings', cls: 'chart' }));
  if (data.encodings.length === 0) $('chart-encodings').appendChild(empty('No keys.'));
  else chart('chart-encodings', {
    tooltip: { trigger: 'item', formatter: function (p) { var e = data.encodings[p.dataIndex]; return tooltip([e.type + ' / ' + e.encoding, fmtBytes(e.bytes) + ' (' + pct(e.bytes, sm.keysBytes) + ')', fmtCount(e.keys) + ' keys']); } },
    grid: { left: 150, right: 30, top: 10, bottom: 30 },
    yAxis: { type: 'category', inverse: true, data: data.encodings.map(function (e) { return e.type + ' / ' + e.encoding; }), axisLabel: { interval: 0 } },
    xAxis: { type: 'value', axisLabel: { formatter: fmtBytes } },
    series: [{ type: 'bar', data: data.encodings.map(function (e) { return e.bytes; }), barMaxWidth: 28 }],
  });
  if (data.fileEncodings && data.fileEncodings.length) {
    var et = el('table', { id: 'file-encodings' }, [el('thead', null, [el('tr', null, [el('th', { text: 'type' }), el('th', { text: 'encoding in the file' }), el('th', { cls: 'num', text: 'keys' }), el('th', { cls: 'num', text: 'bytes on disk' })])])]);
    var eb = el('tbody');
    data.fileEncodings.forEach(function (e) { eb.appendChild(el('tr', null, [el('td', { text: e.type }), el('td', { text: e.encoding }), el('td', { cls: 'num', text: fmtCount(e.keys) }), el('td', { cls: 'num', text: fmtBytes(e.onDiskBytes) })])); });
    et.appendChild(eb);
    en.appendChild(el('div', { cls: 'scroll', style: 'margin-top:12px' }, [et]));
  }

  // ---- AOF: writes over time and commands ---------------------------------------------------
  if (data.writes) {
    var w = data.writes;
    var ws = section('writes', 'Writes over time', 'Commands (MULTI, EXEC and SELECT aside) after each #TS annotation, ' + (w.bucketSec === 1 ? 'per second' : 'per ' + fmtCount(w.bucketSec) + ' seconds') + '. ' +
      fmtCount(w.untimed.commands) + ' commands came before any #TS annotation of their file (a rewritten base, or aof-timestamp-enabled off) and are not placed in time.');
    ws.appendChild(el('div', { id: 'chart-writes', cls: 'chart' }));
    if (w.buckets.length === 0) $('chart-writes').appendChild(empty('No #TS annotations with commands after them.'));
    else chart('chart-writes', {
      tooltip: { trigger: 'axis', formatter: function (ps) { var b = w.buckets[ps[0].dataIndex]; return tooltip([dateText(b.t * 1000), fmtCount(b.commands) + ' commands', fmtBytes(b.bytes)]); } },
      grid: { left: 70, right: 30, top: 20, bottom: 40 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: 'commands', minInterval: 1 },
      series: [{ type: 'bar', data: w.buckets.map(function (b) { return [b.t * 1000, b.commands]; }), barMaxWidth: 30 }],
    });
  }
  if (data.commands) {
    var cm = data.commands;
    var cs = section('commands', 'Commands by name', fmtCount(cm.commands) + ' commands, ' + fmtBytes(cm.bytes) + ', ' + fmtCount(cm.multiBlocks) + ' MULTI blocks; verdict: ' + cm.verdict + '.');
    cs.appendChild(el('div', { id: 'chart-commands', cls: 'chart' }));
    var names = cm.byName.map(function (c) { return c.name == null ? '(other)' : bytesText(c.name); });
    if (cm.byName.length === 0) $('chart-commands').appendChild(empty('No commands.'));
    else chart('chart-commands', {
      tooltip: { trigger: 'item', formatter: function (p) { var c = cm.byName[p.dataIndex]; return tooltip([names[p.dataIndex], fmtCount(c.commands) + ' commands', fmtBytes(c.bytes)]); } },
      grid: { left: 130, right: 30, top: 10, bottom: 30 },
      yAxis: { type: 'category', inverse: true, data: names, axisLabel: { interval: 0 } },
      xAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: cm.byName.map(function (c) { return c.commands; }), barMaxWidth: 24 }],
    });
  }

  window.addEventListener('resize', function () { for (var id in charts) charts[id].resize(); });
  document.body.setAttribute('data-ready', 'true');
})();
`;
