/**
 * A small dependency-free SVG line chart (stacked panels, each with a left axis for backlog and a right axis for
 * replicas), rasterised to PNG with @resvg/resvg-js. resvg ships its native binary inside the npm package, so
 * this works offline; chart libraries built on node-canvas download binaries at install time and do not.
 */
import { Resvg } from '@resvg/resvg-js';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly axis: 'left' | 'right';
  readonly dashed?: boolean;
  readonly step?: boolean;
  readonly points: ReadonlyArray<readonly [number, number]>; // [seconds, value]
}

export interface Panel {
  readonly title: string;
  readonly leftLabel: string;
  readonly rightLabel: string;
  readonly series: readonly Series[];
  readonly markers?: ReadonlyArray<{ x: number; label: string }>;
}

const WIDTH = 1100;
const PANEL_HEIGHT = 280;
const MARGIN = { left: 80, right: 80, top: 58, bottom: 40 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= value) return m * magnitude;
  return 10 * magnitude;
}

const tick = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1));

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function renderPanel(panel: Panel, top: number, xMax: number): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const y0 = top + MARGIN.top;
  const maxOf = (axis: 'left' | 'right'): number =>
    niceMax(
      Math.max(0, ...panel.series.filter((s) => s.axis === axis).flatMap((s) => s.points.map((p) => p[1]))),
    );
  const yMax = { left: maxOf('left'), right: maxOf('right') };
  const hasRight = panel.series.some((s) => s.axis === 'right');
  const sx = (x: number): number => MARGIN.left + (x / xMax) * plotW;
  const sy = (axis: 'left' | 'right', v: number): number => y0 + plotH - (v / yMax[axis]) * plotH;
  const parts: string[] = [];
  parts.push(
    `<text x="${MARGIN.left}" y="${top + 24}" font-size="16" font-weight="bold">${escapeXml(panel.title)}</text>`,
  );
  parts.push(
    `<rect x="${MARGIN.left}" y="${y0}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const frac = i / 4;
    const y = y0 + plotH - frac * plotH;
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${y + 4}" font-size="11" text-anchor="end">${tick(frac * yMax.left)}</text>`,
    );
    if (hasRight)
      parts.push(
        `<text x="${MARGIN.left + plotW + 6}" y="${y + 4}" font-size="11">${tick(frac * yMax.right)}</text>`,
      );
  }
  const xStep = niceMax(xMax / 8);
  for (let x = 0; x <= xMax; x += xStep) {
    parts.push(
      `<text x="${sx(x)}" y="${y0 + plotH + 16}" font-size="11" text-anchor="middle">${Math.round(x)}s</text>`,
    );
  }
  parts.push(
    `<text x="18" y="${y0 + plotH / 2}" font-size="12" transform="rotate(-90 18 ${y0 + plotH / 2})" text-anchor="middle">${escapeXml(panel.leftLabel)}</text>`,
  );
  parts.push(
    `<text x="${WIDTH - 14}" y="${y0 + plotH / 2}" font-size="12" transform="rotate(90 ${WIDTH - 14} ${y0 + plotH / 2})" text-anchor="middle">${escapeXml(panel.rightLabel)}</text>`,
  );
  for (const marker of panel.markers ?? []) {
    parts.push(
      `<line x1="${sx(marker.x)}" x2="${sx(marker.x)}" y1="${y0}" y2="${y0 + plotH}" stroke="#888" stroke-dasharray="2,3"/>`,
    );
    parts.push(
      `<text x="${sx(marker.x) + 3}" y="${y0 + 12}" font-size="11" fill="#555">${escapeXml(marker.label)}</text>`,
    );
  }
  panel.series.forEach((series, index) => {
    const coords: string[] = [];
    let prevY: number | null = null;
    for (const [x, v] of series.points) {
      const px = sx(x);
      const py = sy(series.axis, v);
      if (series.step && prevY !== null) coords.push(`${px.toFixed(1)},${prevY.toFixed(1)}`);
      coords.push(`${px.toFixed(1)},${py.toFixed(1)}`);
      prevY = py;
    }
    const dash = series.dashed ? ' stroke-dasharray="6,4"' : '';
    parts.push(
      `<polyline fill="none" stroke="${series.color}" stroke-width="2"${dash} points="${coords.join(' ')}"/>`,
    );
    const lx = MARGIN.left + index * 220;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${top + 40}" y2="${top + 40}" stroke="${series.color}" stroke-width="2"${dash}/>`,
    );
    parts.push(`<text x="${lx + 28}" y="${top + 44}" font-size="12">${escapeXml(series.label)}</text>`);
  });
  return parts.join('\n');
}

export function renderChartSvg(panels: readonly Panel[], caption: string): string {
  const xMax = Math.max(1, ...panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt[0]))));
  const height = panels.length * PANEL_HEIGHT + 40;
  const body = panels.map((panel, i) => renderPanel(panel, i * PANEL_HEIGHT, xMax)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    `<text x="${MARGIN.left}" y="${height - 12}" font-size="11" fill="#555">${escapeXml(caption)}</text>`,
    '</svg>',
  ].join('\n');
}

export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return resvg.render().asPng();
}
