/**
 * Inline stylesheet for the report. System fonts only: the file must render identically offline,
 * so nothing is fetched. Colours are defined once here and reused by the chart palette.
 */

export const PALETTE = {
  blue: '#2563eb',
  violet: '#7c3aed',
  green: '#16a34a',
  amber: '#d97706',
  orange: '#ea580c',
  red: '#dc2626',
  slate: '#64748b',
} as const;

export const REPORT_CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1200px;margin:0 auto;padding:32px 24px 48px}
h1{font-size:26px;line-height:1.25;margin:4px 0 0;word-break:break-word}
h2{font-size:17px;margin:0 0 12px}
h3{font-size:14px;margin:0;color:#334155}
section{margin-top:28px}
.num,td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.muted{color:#64748b}
.eyebrow{font-size:12px;font-weight:600;letter-spacing:.08em;text-transform:uppercase;color:#64748b}
header.hero{background:#fff;border:1px solid #e2e8f0;border-radius:12px;padding:24px 28px}
.title-row{display:flex;flex-wrap:wrap;align-items:center;gap:12px 16px}
.badge{display:inline-block;padding:3px 12px;border-radius:999px;font-size:13px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;border:1px solid}
.badge-good{background:#dcfce7;color:#166534;border-color:#86efac}
.badge-bad{background:#fee2e2;color:#991b1b;border-color:#fca5a5}
.badge-warn{background:#fef3c7;color:#92400e;border-color:#fcd34d}
.badge-neutral{background:#e0e7ff;color:#3730a3;border-color:#a5b4fc}
.meta{display:flex;flex-wrap:wrap;gap:8px 40px;margin:18px 0 0}
.meta dt{font-size:12px;color:#64748b}
.meta dd{margin:0;font-weight:500;font-variant-numeric:tabular-nums}
.alert{margin-top:16px;padding:12px 16px;border-radius:8px;border:1px solid #fca5a5;background:#fef2f2;color:#7f1d1d}
.alert code{background:#fee2e2}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.cards+.cards{margin-top:12px}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:14px 16px;min-width:0}
.card .label{font-size:12px;color:#64748b;font-weight:500}
.card .value{font-size:24px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.card .sub{font-size:12px;color:#64748b;margin-top:2px}
.card.bad .value{color:#b91c1c}
.card.warn .value{color:#b45309}
.card.good .value{color:#15803d}
.panel{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:16px 18px}
.charts{display:grid;gap:14px}
.chart-head{display:flex;justify-content:space-between;align-items:baseline;gap:12px;margin-bottom:6px}
svg.chart{display:block;width:100%;height:auto;font-family:inherit}
svg.chart .grid{stroke:#e2e8f0;stroke-width:1}
svg.chart .axis{stroke:#94a3b8;stroke-width:1}
svg.chart .tick{fill:#64748b;font-size:12px;font-variant-numeric:tabular-nums}
svg.chart .axis-title{fill:#475569;font-size:12px;font-weight:600}
svg.chart .legend-item text{fill:#334155;font-size:13px}
svg.chart .series{stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg.chart .area{opacity:.1}
svg.chart .no-data{fill:#94a3b8;font-size:15px;font-style:italic}
svg.chart .hit{fill:transparent}
svg.chart .hit:hover{fill:rgba(15,23,42,.06)}
.meta.flush{margin:0}
.table-wrap.spaced{margin-top:12px}
.table-wrap{overflow-x:auto;background:#fff;border:1px solid #e2e8f0;border-radius:10px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:8px 10px;text-align:left;border-bottom:1px solid #f1f5f9;vertical-align:top}
th{background:#f8fafc;color:#475569;font-weight:600;font-size:12px;white-space:nowrap;border-bottom:1px solid #e2e8f0}
tbody tr:last-child td{border-bottom:0}
tbody tr:hover td{background:#f8fafc}
td.wrap{min-width:90px;max-width:320px;overflow-wrap:anywhere}
td.name{min-width:150px}
.stack{display:flex;flex-direction:column;align-items:flex-start;gap:3px;min-width:140px}
.stack .chip{white-space:normal}
th.narrow{width:1%}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:#f1f5f9;padding:1px 5px;border-radius:4px}
.ok{color:#15803d;font-weight:700}
.fail{color:#b91c1c;font-weight:700}
.chip{display:inline-block;margin:1px 4px 1px 0;padding:0 6px;border-radius:4px;background:#f1f5f9;font-size:12px;white-space:nowrap}
.chip.bad{background:#fee2e2;color:#991b1b}
.empty{padding:16px 18px;color:#64748b;background:#fff;border:1px dashed #cbd5e1;border-radius:10px}
footer{margin-top:36px;font-size:12px;color:#94a3b8;text-align:center}
@media print{body{background:#fff}main{padding:0}.card,.panel,.table-wrap,header.hero{break-inside:avoid}}
`;
