/**
 * The style sheet of the pages the CLI writes: the report, the live page and
 * the playground.
 *
 * @module
 */

/** The page's style sheet (the report's, the live page's and the playground's). */
export const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: #f6f8fa; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 0 0 8px; display: flex; align-items: baseline; gap: 12px; }
header p { margin: 4px 0; }
.status { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600;
  background: #ddf4ff; color: #0969da; }
.status.completed { background: #dafbe1; color: #116329; }
.status.cancelled { background: #fff8c5; color: #7d4e00; }
.status.failed { background: #ffebe9; color: #a40e26; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 16px; }
.grid.top { grid-template-columns: minmax(0, 520px) minmax(0, 1fr); }
.grid.charts { grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); }
@media (max-width: 900px) { .grid, .grid.top { grid-template-columns: 1fr; } }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px;
  min-width: 0; }
.card.timeline { display: flex; align-items: center; gap: 12px; margin-top: 14px; padding: 10px 14px; }
.card.timeline input { flex: 1; }
.card.timeline button { font: inherit; padding: 3px 14px; border-radius: 6px; border: 1px solid var(--line);
  background: #f6f8fa; cursor: pointer; min-width: 72px; }
#timeline-step { min-width: 190px; text-align: right; font-variant-numeric: tabular-nums; }
.chart { position: relative; height: 260px; }
.chart.tall { height: 420px; }
.toggle { font-weight: 400; font-size: 13px; margin-left: auto; }
#boundary { display: block; cursor: crosshair; }
.readout { font-size: 12px; color: var(--muted); min-height: 2.9em; margin-top: 4px;
  font-variant-numeric: tabular-nums; }
.network { overflow-x: auto; }
.network svg { display: block; max-width: 100%; height: auto; }
.legend { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px;
  vertical-align: -1px; border: 1px solid #0006; }
table.summary { border-collapse: collapse; width: 100%; }
table.summary th { text-align: left; color: var(--muted); font-weight: 500; padding: 4px 12px 4px 0;
  vertical-align: top; white-space: nowrap; }
table.summary td { padding: 4px 0; overflow-wrap: anywhere; }
table.confusion { border-collapse: collapse; margin: 0 0 14px; font-variant-numeric: tabular-nums; }
table.confusion caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
table.confusion th, table.confusion td { border: 1px solid var(--line); padding: 4px 10px; }
table.confusion td { text-align: right; min-width: 48px; }
table.confusion th { font-weight: 500; max-width: 160px; overflow-wrap: anywhere; }
table.confusion th.corner { color: var(--muted); font-size: 12px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa;
  padding: 2px 4px; border-radius: 4px; }
.note { color: var(--muted); }
.controls label { color: var(--fg); }
code.command span { white-space: nowrap; }
`;
