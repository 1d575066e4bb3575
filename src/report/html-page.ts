/**
 * The report as one self-contained HTML page: the style sheet, the data (JSON in a
 * `<script type="application/json">` element), the charting library and the page's script,
 * all inline. The page loads nothing: its Content-Security-Policy allows no source at all
 * besides its own two scripts (by their SHA-256) and inline styles, so neither a key name nor
 * anything else in the data can make it run code or reach the network.
 */
import { createHash } from 'node:crypto';
import type { ReportData } from './report-data.js';
import type { ChartLibrary } from './chart-library.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import { checkInlineScript, escapeHtml, jsonForScriptElement } from './html-text.js';

/** The CSP source of an inline script: its SHA-256, base64. */
function scriptHash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

/** The page for `data`, drawing its charts with `lib`. */
export function renderReportHtml(data: ReportData, lib: ChartLibrary): string {
  const library = checkInlineScript(lib.code, `${lib.name} ${lib.version}`);
  const script = checkInlineScript(PAGE_SCRIPT, "the report page's script");
  const csp = `default-src 'none'; script-src ${scriptHash(library)} ${scriptHash(script)}; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'`;
  const title = escapeHtml(`rdbtool report: ${data.input.name}`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    `<meta name="generator" content="${escapeHtml(data.tool)}">`,
    `<title>${title}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1 id="title">${escapeHtml(data.input.name)}</h1><div id="meta" class="meta"></div></header>`,
    '<main id="content"><noscript><p>This report draws its tables and charts with JavaScript: open it in a browser with scripts enabled.</p></noscript></main>',
    `<footer>Made by ${escapeHtml(data.tool)}. Charts drawn by ${escapeHtml(lib.name)} ${escapeHtml(lib.version)} (Apache License 2.0), included in this file.</footer>`,
    `<script type="application/json" id="report-data">${jsonForScriptElement(data)}</script>`,
    `<script>${library}</script>`,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
