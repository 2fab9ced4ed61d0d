/** The page's only stylesheet, served from STYLESHEET_PATH so the CSP can forbid inline styles. */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #1c2430; --muted: #6a7380; --line: #dde2e8; --accent: #2451a6; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 8px 0 4px; display: flex; align-items: center; gap: 12px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
a { color: var(--accent); }
.lede { color: #3a4350; margin: 4px 0 16px; }
.muted, .empty { color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 14px; margin-top: 18px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
td.description { max-width: 320px; }
.nowrap { white-space: nowrap; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; text-transform: uppercase; background: #e6e9ee; }
.badge.critical { background: #fbe0e0; color: #9b1c1c; }
.badge.high { background: #fdebd6; color: #8a4b08; }
.badge.medium { background: #fdf6cf; color: #6b5a00; }
.badge.low { background: #e1f2e6; color: #1f6b35; }
dl.facts { display: grid; grid-template-columns: 170px 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
ol.timeline { list-style: none; display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; padding: 0; margin: 10px 0; }
.stage { border: 1px solid var(--line); border-top: 4px solid #c3c9d1; border-radius: 6px; padding: 8px 10px; display: flex; flex-direction: column; }
.stage.done { border-top-color: #2e8b57; }
.stage.failed { border-top-color: #c0392b; }
.stage.pending { color: var(--muted); }
.stage-name { font-weight: 600; }
.stage-time, .stage-delta, .stage-by { font-size: 13px; }
.stage-delta, .stage-by { color: var(--muted); }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.events { font-size: 13px; }
.summary { white-space: pre-line; }
.error { color: #9b1c1c; }
form { display: flex; gap: 8px; align-items: center; }
input { padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
button { padding: 6px 14px; border: 0; border-radius: 4px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
`;
