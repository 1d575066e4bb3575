/** The report page's style sheet (inlined: the page loads nothing). */
export const PAGE_STYLE = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #dde2ea; --bg: #f6f7f9; --card: #fff; --accent: #3b6fd8; --warn-bg: #fff4e5; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 18px 28px 10px; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 20px; font-weight: 600; word-break: break-all; }
header .meta { color: var(--muted); font-size: 12px; }
main { padding: 12px 28px 40px; max-width: 1400px; margin: 0 auto; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px 18px; margin: 16px 0; }
section h2 { margin: 0 0 10px; font-size: 16px; font-weight: 600; }
section p.hint { margin: 0 0 10px; color: var(--muted); font-size: 12px; }
.banner { background: var(--warn-bg); color: var(--warn); border: 1px solid #f0c58a; border-radius: 8px; padding: 10px 14px; margin: 16px 0 0; }
.banner strong { display: block; margin-bottom: 2px; }
.notes { color: var(--muted); font-size: 12px; margin: 8px 0 0; padding-left: 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.card dt { color: var(--muted); font-size: 12px; }
.card dd { margin: 2px 0 0; font-size: 17px; font-weight: 600; word-break: break-all; }
.card dd small { display: block; font-size: 12px; font-weight: 400; color: var(--muted); }
.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; }
.chart { width: 100%; height: 320px; }
.chart.tall { height: 460px; }
.empty { color: var(--muted); font-style: italic; padding: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: #fafbfc; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th button::after { content: " \\2195"; color: #aab; font-weight: 400; }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--accent); }
th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--accent); }
.scroll { max-height: 520px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.key { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; white-space: pre-wrap; }
.key.binary { color: #7a3e9d; }
nav.crumbs { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; margin-bottom: 8px; font-size: 13px; }
nav.crumbs button { font: inherit; border: 1px solid var(--line); background: #fafbfc; border-radius: 4px; padding: 1px 7px; cursor: pointer; }
nav.crumbs button[aria-current="true"] { background: var(--accent); color: #fff; border-color: var(--accent); cursor: default; }
nav.crumbs span.sep { color: var(--muted); }
button.drill { font: inherit; font-size: 12px; border: 1px solid var(--line); background: #fafbfc; border-radius: 4px; cursor: pointer; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 10px 0 30px; }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
`;
