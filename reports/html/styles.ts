export const STYLES = `
:root { --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f6f7f9; --card:#fff; --pass:#15803d; --pass-bg:#ecfdf3; --fail:#b91c1c; --fail-bg:#fef2f2; --warn:#b45309; --warn-bg:#fffbeb; --accent:#2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 24px 48px; }
header.run { display: flex; justify-content: space-between; align-items: baseline; gap: 16px; flex-wrap: wrap; margin-bottom: 16px; }
header.run h1 { font-size: 20px; margin: 0; font-weight: 650; letter-spacing: -0.01em; }
header.run h1 .brand { color: var(--muted); font-weight: 500; }
header.run dl { display: flex; gap: 20px; margin: 0; color: var(--muted); font-size: 13px; flex-wrap: wrap; }
header.run dt { display: inline; } header.run dt::after { content: ": "; }
header.run dd { display: inline; margin: 0; color: var(--ink); font-variant-numeric: tabular-nums; }
nav.toc { display: flex; gap: 6px; flex-wrap: wrap; margin: 0 0 20px; }
nav.toc a { color: var(--ink); text-decoration: none; padding: 4px 10px; border: 1px solid var(--line); border-radius: 999px; background: var(--card); font-size: 13px; }
nav.toc a:hover { border-color: var(--accent); color: var(--accent); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin: 0 0 20px; }
section h2 { font-size: 17px; margin: 0 0 12px; font-weight: 650; display: flex; align-items: center; gap: 10px; }
section h3 { font-size: 14px; margin: 20px 0 8px; font-weight: 650; color: #374151; }
.verdict { border-width: 1px 1px 1px 6px; }
.verdict.pass { border-left-color: var(--pass); background: linear-gradient(90deg, var(--pass-bg), var(--card) 40%); }
.verdict.fail, .verdict.error { border-left-color: var(--fail); background: linear-gradient(90deg, var(--fail-bg), var(--card) 40%); }
.verdict .headline { display: flex; align-items: center; gap: 14px; }
.verdict .word { font-size: 30px; font-weight: 750; letter-spacing: 0.02em; }
.verdict.pass .word { color: var(--pass); } .verdict.fail .word, .verdict.error .word { color: var(--fail); }
.verdict .explain { color: #374151; font-size: 15px; }
.verdict ul.reasons { margin: 12px 0 0; padding-left: 20px; }
.verdict ul.reasons li { margin: 2px 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin-top: 16px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--card); }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.tile .value { font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .sub { font-size: 12px; color: var(--muted); font-weight: 500; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tile .value small { font-size: 13px; color: var(--muted); font-weight: 500; }
.badge { display: inline-block; font-size: 11px; font-weight: 650; text-transform: uppercase; letter-spacing: 0.04em; padding: 1px 8px; border-radius: 999px; border: 1px solid transparent; white-space: nowrap; }
.badge.pass, .badge.passed, .badge.improved { color: var(--pass); background: var(--pass-bg); border-color: #bbf7d0; }
.badge.fail, .badge.failed, .badge.error, .badge.regressed { color: var(--fail); background: var(--fail-bg); border-color: #fecaca; }
.badge.skipped, .badge.unchanged, .badge.new, .badge.gone { color: var(--muted); background: #f3f4f6; border-color: var(--line); }
.badge.warn { color: var(--warn); background: var(--warn-bg); border-color: #fde68a; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; background: #fafafa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad td { background: #fff7f7; }
td.bad { color: var(--fail); font-weight: 650; }
td.good { color: var(--pass); }
td .sub { color: var(--muted); font-size: 12px; }
td .sub.coarse { color: var(--warn); font-weight: 650; }
table.stack th.num { white-space: normal; }
@media (max-width: 1000px) {
  table.stack thead { display: none; }
  table.stack, table.stack tbody { display: block; }
  table.stack tr { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); border: 1px solid var(--line); border-radius: 8px; margin: 0 0 10px; overflow: hidden; }
  table.stack td { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; border-bottom: 1px solid #f3f4f6; }
  table.stack td:first-child { grid-column: 1 / -1; display: block; font-weight: 650; background: #fafafa; }
  table.stack td:first-child .sub { font-weight: 400; }
  table.stack td[data-label]:not(:first-child)::before { content: attr(data-label); color: var(--muted); font-size: 12px; font-weight: 500; white-space: normal; text-align: left; }
}
.failure { border: 1px solid #fecaca; background: var(--fail-bg); border-radius: 8px; padding: 10px 14px; margin: 0 0 10px; }
.failure .title { font-weight: 650; }
.failure .where { color: var(--muted); font-size: 12px; }
pre { margin: 8px 0 0; padding: 10px 12px; background: #1f2937; color: #f9fafb; border-radius: 6px; overflow-x: auto; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
figure { margin: 12px 0 4px; }
figure svg { width: 100%; height: auto; display: block; }
.chart-narrow { display: none; }
@media (max-width: 1000px) { .chart-wide { display: none; } .chart-narrow { display: block; } }
figcaption { font-size: 13px; color: #374151; font-weight: 600; margin-bottom: 2px; display: flex; gap: 12px; flex-wrap: wrap; align-items: center; }
.key { display: inline-flex; align-items: center; gap: 5px; font-weight: 500; color: var(--muted); font-size: 12px; }
.key i { width: 14px; height: 10px; border-radius: 2px; display: inline-block; }
details summary { cursor: pointer; color: var(--accent); margin: 8px 0; }
.cluster-grid { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 24px; }
@media (max-width: 800px) { .cluster-grid { grid-template-columns: 1fr; } }
.badge.leader { color: #1d4ed8; background: #eff6ff; border-color: #bfdbfe; }
th[colspan] { text-align: center; border-bottom: 0; }
.muted { color: var(--muted); }
p.note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
ul.plain { margin: 4px 0; padding-left: 20px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
a { color: var(--accent); }
`;
