/**
 * The report page in a real browser: Debian's chromium, driven by playwright-core (no browser
 * download). One browser for the file; each page is a report written by `writeReport` from a
 * fixture (an RDB, an AOF with `#TS` annotations) or from a dump a live redis-server SAVEd
 * with hostile key names. Each page must load without a console error, a page error or a
 * request, draw every chart (pixels on its canvas), narrow the prefix map when a prefix is
 * clicked, and sort the biggest-keys table when a header is clicked. Screenshots go to
 * test-artifacts/report/ (git-ignored).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReport } from '../../src/report/write-report.js';
import { loadChartLibrary } from '../../src/report/chart-library.js';
import { parseMemoryTarget } from '../../src/analyze/memory/target.js';
import type { ReportData } from '../../src/report/report-data.js';
import { FIXTURES, PROJECT_ROOT } from '../helpers/files.js';
import { asText, findExecutable, startRedis, type RedisHandle } from '../helpers/redis.js';

const CHROMIUM = process.env.RDBTOOL_CHROMIUM ?? findExecutable('chromium') ?? findExecutable('chromium-browser');
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', 'report');
const TARGET = parseMemoryTarget(undefined, undefined);

/** A key that would run code if the page put it into HTML. */
const INJECTION = '</script><img src=x onerror=alert(1)>';
/** A file name that would, too (the page's title shows it). */
const HOSTILE_NAME = 'dump<img src=x onerror=alert(2)>.rdb';
const BINARY_KEY = Buffer.from([0x62, 0x00, 0xff, 0x0a, 0x3a, 0x01]);

let browser: Browser;
let tmp: string;
let redis: RedisHandle | null = null;
const pages: Record<'rdb' | 'aof' | 'hostile', string> = { rdb: '', aof: '', hostile: '' };
let keyspace = '';

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('chromium was not found on PATH: install it (Debian: apt-get install -y chromium) or point RDBTOOL_CHROMIUM at the binary');
  mkdirSync(ARTIFACTS, { recursive: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-report-browser-'));
  const launched = chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // A dump with hostile names, SAVEd by a live server.
  redis = await startRedis({ startTimeoutMs: 20_000 });
  const c = redis.client;
  await c.call('SET', INJECTION, 'x'.repeat(500));
  await c.call('HSET', `${INJECTION}:hash`, 'f', 'v');
  await c.call('SET', BINARY_KEY, 'binary');
  for (let i = 0; i < 30; i++) await c.call('SET', `user:${i % 3}:name:${i}`, 'n'.repeat(i * 20));
  await c.call('SET', 'session:a', 'v', 'EX', '600');
  await c.call('SET', 'session:b', 'v', 'EX', '7200');
  await c.call('SELECT', '2');
  await c.call('RPUSH', 'queue:jobs', 'a', 'b', 'c');
  await c.call('SAVE');
  keyspace = asText(await c.call('INFO', 'keyspace'));
  const hostile = path.join(tmp, HOSTILE_NAME);
  copyFileSync(redis.dumpPath, hostile);
  const write = async (input: string, name: string) => {
    const out = path.join(tmp, `${name}.html`);
    await writeReport(input, out, { tool: 'rdbtool test', target: TARGET, top: 50 });
    return out;
  };
  pages.rdb = await write(path.join(FIXTURES, 'rdb', 'all-types.rdb'), 'all-types');
  pages.aof = await write(path.join(FIXTURES, 'aof', 'plain.aof'), 'plain-aof');
  pages.hostile = await write(hostile, 'hostile');
  browser = await launched;
  // Load the pages side by side; the tests share them.
  await Promise.all(Object.values(pages).map((p) => open(p)));
});

afterAll(async () => {
  await Promise.all([...opened.values()].map(async (o) => (await o).page.context().close()));
  await browser?.close();
  await redis?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A treemap's data as the chart library holds it (what the tests read of it). */
interface TreemapData {
  count(): number;
  getName(i: number): string;
  getItemLayout(i: number): { x: number; y: number; width: number; height: number };
  tree: { getNodeByDataIndex(i: number): { depth: number } };
}

/** An element, as the in-page callbacks use it. */
interface InPageElement {
  textContent: string | null;
  getBoundingClientRect(): { x: number; y: number };
}

/**
 * The browser's globals the in-page callbacks use (`globalThis` in the page). The project is
 * typed without the DOM library, so they are declared here.
 */
interface InPage {
  document: {
    getElementById(id: string): InPageElement | null;
    querySelector(selector: string): { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } } | null;
    querySelectorAll(selector: string): { length: number };
    images: { length: number };
  };
  rdbtoolReport: {
    data: ReportData;
    prefixPath: string[];
    charts: Record<string, { getModel(): { getSeriesByIndex(i: number): { getData(): TreemapData } } }>;
  };
}

/** An open report, and what went wrong while it loaded and ran. */
interface Opened {
  page: Page;
  problems: string[];
  dialogs: string[];
  requests: string[];
}

const opened = new Map<string, Promise<Opened>>();

/** The page of report `file`, opened once and shared by the tests (each leaves it as it found it). */
function open(file: string): Promise<Opened> {
  let o = opened.get(file);
  if (o === undefined) opened.set(file, (o = load(file)));
  return o;
}

async function load(file: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const o: Opened = { page, problems: [], dialogs: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') o.problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => o.problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    o.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) o.requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  return o;
}

/** The page's data, as its script read it. */
const dataOf = (page: Page): Promise<ReportData> => page.evaluate(() => (globalThis as unknown as InPage).rdbtoolReport.data);

/** Waits until the chart in element `id` has drawn pixels on its canvas; returns how many. */
async function drawn(page: Page, id: string): Promise<number> {
  const count = () =>
    page.evaluate((id) => {
      const canvas = (globalThis as unknown as InPage).document.querySelector(`#${id} canvas`);
      if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    }, id);
  await page.waitForFunction(
    (id) => {
      const canvas = (globalThis as unknown as InPage).document.querySelector(`#${id} canvas`);
      if (!canvas || canvas.width === 0) return false;
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) return true;
      return false;
    },
    id,
    { timeout: 5000 },
  );
  return count();
}

/** The names the prefix treemap shows now (its first level). */
const treemapNames = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const chart = (globalThis as unknown as InPage).rdbtoolReport.charts['chart-prefixes'];
    const d = chart.getModel().getSeriesByIndex(0).getData();
    const out: string[] = [];
    for (let i = 0; i < d.count(); i++) if (d.tree.getNodeByDataIndex(i).depth === 1) out.push(d.getName(i));
    return out;
  });

/** Where the treemap's rectangle named `name` is drawn (its centre, in the viewport). */
async function treemapPoint(page: Page, name: string): Promise<{ x: number; y: number }> {
  await page.locator('#chart-prefixes').scrollIntoViewIfNeeded();
  const at = await page.evaluate((name) => {
    const g = globalThis as unknown as InPage;
    const d = g.rdbtoolReport.charts['chart-prefixes'].getModel().getSeriesByIndex(0).getData();
    const box = g.document.getElementById('chart-prefixes')!.getBoundingClientRect();
    for (let i = 0; i < d.count(); i++) {
      if (d.tree.getNodeByDataIndex(i).depth !== 1 || d.getName(i) !== name) continue;
      const l = d.getItemLayout(i);
      // The series is laid out 4 px in from the chart's edges (the page's treemap option).
      return { x: box.x + 4 + l.x + l.width / 2, y: box.y + 4 + l.y + l.height / 2 };
    }
    return null;
  }, name);
  expect(at, `a rectangle named ${name}`).not.toBeNull();
  return at!;
}

/** Clicks the treemap's rectangle named `name` with the mouse. */
async function clickTreemap(page: Page, name: string): Promise<void> {
  const at = await treemapPoint(page, name);
  await page.mouse.click(at.x, at.y);
}

/** The texts of one column of a table's body rows. */
const column = (page: Page, table: string, index: number): Promise<string[]> =>
  page.$$eval(`#${table} tbody tr`, (rows, index) => rows.map((r) => r.children[index].textContent ?? ''), index);

describe('the report page in chromium', () => {
  it('an RDB fixture: loads cleanly, offline, and draws every chart', async () => {
    const o = await open(pages.rdb);
    const data = await dataOf(o.page);
    for (const id of ['chart-types', 'chart-dbs', 'chart-prefixes', 'chart-ttl', 'chart-encodings']) {
      expect(await drawn(o.page, id), id).toBeGreaterThan(1000);
    }
    expect(await o.page.textContent('#summary')).toContain(`${data.summary.keys}`);
    expect(await o.page.$('#partial')).toBeNull();
    expect(await o.page.$$eval('#file-encodings tbody tr', (r) => r.length)).toBe(data.fileEncodings!.length);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'all-types.png'), fullPage: true });
    expect(o.problems).toEqual([]);
    expect(o.requests).toEqual([]);
    expect(o.dialogs).toEqual([]);
  });

  it('clicking a prefix in the treemap narrows the view to its children, and the path leads back', async () => {
    const o = await open(pages.hostile);
    const data = await dataOf(o.page);
    await drawn(o.page, 'chart-prefixes');
    const roots = data.prefixes.roots.map((p) => p.prefix);
    expect(await treemapNames(o.page)).toEqual(expect.arrayContaining(roots.filter((p): p is string => typeof p === 'string')));
    expect(await o.page.textContent('#prefix-current')).toBe('all keys');

    const user = data.prefixes.roots.find((p) => p.prefix === 'user:')!;
    expect(user.children.length).toBe(3);
    await clickTreemap(o.page, 'user:');
    await o.page.waitForFunction(() => (globalThis as unknown as InPage).document.getElementById('prefix-current')!.textContent === 'user:');
    // The map now shows user:'s children (by their own part of the name), the table their full prefixes.
    await o.page.waitForFunction(() => {
      const r = (globalThis as unknown as InPage).rdbtoolReport.prefixPath;
      return r.length === 1 && r[0] === 'user:';
    });
    await expect.poll(() => treemapNames(o.page)).toEqual(user.children.map((c) => (c.prefix as string).slice('user:'.length)));
    expect((await column(o.page, 'prefix-table', 0)).sort()).toEqual(user.children.map((c) => c.prefix as string).sort());
    expect(await o.page.$$eval('#prefix-path button', (b) => b.map((x) => x.textContent))).toEqual(['All keys', 'user:']);
    expect(await drawn(o.page, 'chart-prefixes')).toBeGreaterThan(1000);
    await o.page.locator('#prefixes').screenshot({ path: path.join(ARTIFACTS, 'prefix-drill-down.png') });

    // One level further, through the table's button, then back to the top through the path.
    const first = user.children[0];
    await o.page.locator('#prefix-table tbody tr', { hasText: first.prefix as string }).getByRole('button', { name: 'open' }).click();
    await o.page.waitForFunction((p) => (globalThis as unknown as InPage).document.getElementById('prefix-current')!.textContent === p, first.prefix as string);
    await o.page.getByRole('button', { name: 'All keys' }).click();
    await o.page.waitForFunction(() => (globalThis as unknown as InPage).document.getElementById('prefix-current')!.textContent === 'all keys');
    await expect.poll(() => treemapNames(o.page)).toEqual(expect.arrayContaining(['user:', 'session:']));
    expect(o.problems).toEqual([]);
  });

  it('clicking a header of the biggest-keys table sorts its rows', async () => {
    const o = await open(pages.rdb);
    const bytes = async () => (await o.page.$$eval('#top-keys-table tbody tr', (r) => r.map((x) => Number(x.getAttribute('data-bytes')))));
    const initial = await bytes();
    expect(initial.length).toBeGreaterThan(10);
    expect(initial).toEqual([...initial].sort((a, b) => b - a));
    const memory = o.page.locator('#top-keys-table th[data-col="bytes"]');
    expect(await memory.getAttribute('aria-sort')).toBe('descending');

    await memory.getByRole('button').click();
    expect(await bytes()).toEqual([...initial].sort((a, b) => a - b));
    expect(await memory.getAttribute('aria-sort')).toBe('ascending');

    const key = o.page.locator('#top-keys-table th[data-col="key"]');
    await key.getByRole('button').click();
    const keys = await column(o.page, 'top-keys-table', 1);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
    expect(await key.getAttribute('aria-sort')).toBe('ascending');
    expect(await memory.getAttribute('aria-sort')).toBeNull();
    await key.getByRole('button').click();
    expect(await column(o.page, 'top-keys-table', 1)).toEqual([...keys].sort((a, b) => b.localeCompare(a)));

    await o.page.locator('#top-keys-table th[data-col="elements"]').getByRole('button').click();
    const elements = (await column(o.page, 'top-keys-table', 5)).map((t) => Number(t.replace(/,/g, '')));
    expect(elements).toEqual([...elements].sort((a, b) => b - a));
    await memory.getByRole('button').click();
    expect(await bytes()).toEqual(initial);
    expect(o.problems).toEqual([]);
  });

  it('an AOF fixture with #TS annotations: writes over time and commands by name are drawn', async () => {
    const o = await open(pages.aof);
    const data = await dataOf(o.page);
    expect(data.writes!.buckets.length).toBeGreaterThan(1);
    for (const id of ['chart-types', 'chart-prefixes', 'chart-ttl', 'chart-encodings', 'chart-writes', 'chart-commands']) {
      expect(await drawn(o.page, id), id).toBeGreaterThan(1000);
    }
    expect(await o.page.textContent('#summary')).toContain('AOF (replayed)');
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'plain-aof.png'), fullPage: true });
    expect(o.problems).toEqual([]);
    expect(o.requests).toEqual([]);
  });

  it('hostile key and file names are shown as text: nothing runs, nothing loads', async () => {
    // The page's own markup, the data and its script (the chart library's code aside).
    const html = readFileSync(pages.hostile, 'utf8').replace((await loadChartLibrary()).code, '');
    expect(html).not.toMatch(/<img/i);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    const o = await open(pages.hostile);
    const data = await dataOf(o.page);
    await drawn(o.page, 'chart-prefixes');
    expect(await o.page.evaluate(() => (globalThis as unknown as InPage).document.querySelectorAll('img, iframe, object, embed, link, base').length)).toBe(0);
    expect(await o.page.title()).toBe(`rdbtool report: ${path.join(tmp, HOSTILE_NAME)}`);
    expect(await o.page.textContent('#title')).toBe(path.join(tmp, HOSTILE_NAME));
    // The keys, as the server stored them, in the table and in the data.
    const keys = await column(o.page, 'top-keys-table', 1);
    expect(keys).toContain(INJECTION);
    expect(keys).toContain(`${INJECTION}:hash`);
    expect(keys).toContain(JSON.stringify({ b64: BINARY_KEY.toString('base64') }));
    expect(await o.page.$$eval('#top-keys-table .key.binary', (e) => e.map((x) => x.textContent))).toEqual([JSON.stringify({ b64: BINARY_KEY.toString('base64') })]);
    expect(data.prefixes.roots.map((p) => p.prefix)).toContain(`${INJECTION}:`);
    expect(await column(o.page, 'prefix-table', 0)).toContain(`${INJECTION}:`);
    // Tooltips are HTML to the chart library: hovering the hostile prefix shows it as text.
    const at = await treemapPoint(o.page, `${INJECTION}:`);
    await o.page.mouse.move(at.x, at.y);
    await o.page.waitForFunction((text) => ((globalThis as unknown as InPage).document.getElementById('chart-prefixes')!.textContent ?? '').includes(text), `${INJECTION}:`);
    expect(await o.page.evaluate(() => (globalThis as unknown as InPage).document.querySelectorAll('img').length)).toBe(0);
    // The counts the server gives: keys and keys with a TTL per database.
    for (const m of keyspace.matchAll(/^db(\d+):keys=(\d+),expires=(\d+)/gm)) {
      const db = data.byDb.find((d) => d.db === Number(m[1]))!;
      expect([db.keys, db.keysWithTtl]).toEqual([Number(m[2]), Number(m[3])]);
    }
    expect(data.ttl.find((b) => b.id === 'hour')!.keys).toBe(1);
    expect(data.ttl.find((b) => b.id === 'day')!.keys).toBe(1);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'hostile-names.png'), fullPage: true });
    expect(o.dialogs).toEqual([]);
    expect(o.requests).toEqual([]);
    expect(o.problems).toEqual([]);
  });
});
