import { project, type Scale, timeScale, valueScale } from './chart-scale';
import { escapeHtml } from './html-escape';
import { finite, seconds } from './html-format';

/**
 * Server-side SVG line charts. The report must render offline and without JS, so the charts are
 * plain markup; hover details use SVG `<title>` tooltips, which browsers show natively.
 */

export interface ChartSeries {
  /** Stable id, emitted as `data-series` so tests and tooling can find the line. */
  readonly name: string;
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
  /** Plot against the right-hand axis: a different unit (VUs next to requests/s). */
  readonly right?: boolean;
  readonly dashed?: boolean;
  /** Tint the area under the line; used for the headline series only, to keep charts calm. */
  readonly area?: boolean;
  /** Measured points: a dot at each finite value, no line (NaN: no point at that x). */
  readonly markers?: boolean;
}

export interface ChartSpec {
  /** Emitted as `data-chart`. */
  readonly id: string;
  readonly description: string;
  readonly xs: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly leftTitle: string;
  readonly formatLeft: (v: number) => string;
  readonly rightTitle?: string;
  readonly formatRight?: (v: number) => string;
  /** An x axis of plain values (concurrency) instead of seconds since the start. */
  readonly valueX?: { readonly title: string; readonly format: (v: number) => string };
}

const WIDTH = 1100;
const HEIGHT = 300;
const TOP = 44;
const BOTTOM = 36;
const LEFT = 76;
// Hover columns beyond this add markup without adding readable detail.
const MAX_HOVER_COLUMNS = 400;

const px = (v: number) => String(Math.round(finite(v) * 10) / 10);

interface Frame {
  readonly left: number;
  readonly right: number;
  readonly x: (v: number) => number;
  readonly yLeft: (v: number) => number;
  readonly yRight: (v: number) => number;
}

function gridAndAxes(spec: ChartSpec, f: Frame, xs: Scale, ys: Scale, ys2: Scale | undefined): string {
  const bottom = HEIGHT - BOTTOM;
  const out: string[] = [];
  for (const t of ys.ticks) {
    const y = px(f.yLeft(t));
    out.push(`<line class="grid" x1="${f.left}" x2="${f.right}" y1="${y}" y2="${y}"/>`);
    out.push(
      `<text class="tick" x="${f.left - 8}" y="${y}" text-anchor="end" dy="0.35em">${escapeHtml(spec.formatLeft(t))}</text>`,
    );
  }
  if (ys2 && spec.formatRight) {
    for (const t of ys2.ticks) {
      const y = px(f.yRight(t));
      out.push(
        `<text class="tick tick-right" x="${f.right + 8}" y="${y}" dy="0.35em">${escapeHtml(spec.formatRight(t))}</text>`,
      );
    }
  }
  for (const t of xs.ticks) {
    const x = px(f.x(t));
    out.push(`<line class="axis" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}"/>`);
    out.push(
      `<text class="tick" x="${x}" y="${bottom + 20}" text-anchor="middle">${escapeHtml(spec.valueX ? spec.valueX.format(t) : seconds(t))}</text>`,
    );
  }
  out.push(`<line class="axis" x1="${f.left}" x2="${f.right}" y1="${bottom}" y2="${bottom}"/>`);
  const mid = px((TOP + bottom) / 2);
  out.push(
    `<text class="axis-title" transform="translate(16 ${mid}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.leftTitle)}</text>`,
  );
  if (ys2 && spec.rightTitle) {
    out.push(
      `<text class="axis-title" transform="translate(${WIDTH - 12} ${mid}) rotate(90)" text-anchor="middle">${escapeHtml(spec.rightTitle)}</text>`,
    );
  }
  return out.join('');
}

function legend(series: readonly ChartSeries[], left: number): string {
  let x = left;
  return series
    .map((s) => {
      const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
      const item = `<g class="legend-item" data-legend="${escapeHtml(s.name)}"><line x1="${x}" x2="${x + 20}" y1="18" y2="18" stroke="${s.color}" stroke-width="3"${dash}/><text x="${x + 26}" y="18" dy="0.35em">${escapeHtml(s.label)}</text></g>`;
      // No text metrics server-side: approximate the label width from its length.
      x += 44 + s.label.length * 7.2;
      return item;
    })
    .join('');
}

function seriesMarkup(s: ChartSeries, xs: readonly number[], f: Frame): string {
  const y = s.right ? f.yRight : f.yLeft;
  if (s.markers)
    return `<g class="markers" data-series="${escapeHtml(s.name)}">${xs
      .map((t, i) => [t, s.values[i] ?? Number.NaN] as const)
      .filter(([, v]) => Number.isFinite(v))
      .map(([t, v]) => `<circle cx="${px(f.x(t))}" cy="${px(y(v))}" r="5" fill="${s.color}"/>`)
      .join('')}</g>`;
  const pts = xs.map((t, i) => `${px(f.x(t))},${px(y(s.values[i] ?? 0))}`);
  const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
  const base = px(y(0));
  const first = pts[0] ?? '';
  const area =
    s.area && pts.length > 1
      ? `<path class="area" d="M${first.split(',')[0]},${base}L${pts.join('L')}L${pts[pts.length - 1]?.split(',')[0]},${base}Z" fill="${s.color}"/>`
      : '';
  // A lone point has no line to draw; a dot keeps it visible.
  const dot =
    pts.length === 1
      ? `<circle cx="${first.split(',')[0]}" cy="${first.split(',')[1]}" r="4" fill="${s.color}"/>`
      : '';
  return `${area}<polyline class="series" data-series="${escapeHtml(s.name)}" points="${pts.join(' ')}" fill="none" stroke="${s.color}"${dash}/>${dot}`;
}

function hoverColumns(spec: ChartSpec, f: Frame): string {
  const { xs } = spec;
  const stride = Math.max(1, Math.ceil(xs.length / MAX_HOVER_COLUMNS));
  const out: string[] = [];
  for (let i = 0; i < xs.length; i += stride) {
    const cx = f.x(xs[i] ?? 0);
    const prev = i > 0 ? (cx + f.x(xs[i - stride] ?? 0)) / 2 : f.left;
    const next = i + stride < xs.length ? (cx + f.x(xs[i + stride] ?? 0)) / 2 : f.right;
    const lines = spec.series.map((s) => {
      const fmt = s.right && spec.formatRight ? spec.formatRight : spec.formatLeft;
      const v = s.values[i] ?? 0;
      return Number.isFinite(v) ? `${s.label}: ${fmt(v)}` : undefined;
    });
    const x = xs[i] ?? 0;
    const at = spec.valueX ? `${spec.valueX.title} = ${spec.valueX.format(x)}` : `t = ${seconds(x)}`;
    const title = escapeHtml([at, ...lines.filter((l) => l !== undefined)].join('\n'));
    out.push(
      `<rect class="hit" x="${px(prev)}" y="${TOP}" width="${px(Math.max(0, next - prev))}" height="${HEIGHT - TOP - BOTTOM}"><title>${title}</title></rect>`,
    );
  }
  return out.join('');
}

/** Renders one chart as a standalone `<svg>`; empty data still draws the frame with a note. */
export function renderChart(spec: ChartSpec): string {
  const hasRight = spec.series.some((s) => s.right) && spec.formatRight !== undefined;
  const left = LEFT;
  const right = WIDTH - (hasRight ? LEFT : 28);
  const xs = spec.valueX ? valueScale(spec.xs) : timeScale(spec.xs);
  const ys = valueScale(
    spec.series.filter((s) => !s.right).flatMap((s) => s.values.filter((v) => Number.isFinite(v))),
  );
  const ys2 = hasRight ? valueScale(spec.series.filter((s) => s.right).flatMap((s) => s.values)) : undefined;
  const f: Frame = {
    left,
    right,
    x: project(xs, left, right),
    yLeft: project(ys, HEIGHT - BOTTOM, TOP),
    yRight: project(ys2 ?? ys, HEIGHT - BOTTOM, TOP),
  };
  const empty = spec.xs.length === 0;
  const body = empty
    ? `<text class="no-data" x="${px((left + right) / 2)}" y="${px((TOP + HEIGHT - BOTTOM) / 2)}" text-anchor="middle">No data: the run recorded no time windows</text>`
    : spec.series.map((s) => seriesMarkup(s, spec.xs, f)).join('') + hoverColumns(spec, f);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeHtml(spec.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(spec.description)}">`,
    gridAndAxes(spec, f, xs, ys, ys2),
    legend(spec.series, left),
    body,
    '</svg>',
  ].join('');
}
