import type { FaultWindow } from "../../../harness/record/index.ts";
import { CHART_WIDTH, faultColor, NARROW_CHART_WIDTH, SERIES_COLORS } from "../charts.ts";
import { html, type SafeHtml, trusted } from "../html.ts";

/**
 * A server-rendered chart with its caption and, when faults were injected, a key of the shaded
 * windows. `draw` renders it at a given width: once wide, once narrow for small windows (CSS
 * shows one), so its text is never scaled down to unreadable.
 */
export function figure(name: string, caption: string, draw: (width: number) => string, windows: FaultWindow[] = []): SafeHtml {
  const kinds = [...new Set(windows.map((w) => w.fault))];
  return html`<figure data-chart="${name}" data-fault-windows="${windows.length}">
  <figcaption>${caption}${kinds.map((fault) => html`<span class="key"><i style="background:${faultColor(fault)};opacity:.35"></i>${fault}</span>`)}</figcaption>
  <div class="chart-wide">${trusted(draw(CHART_WIDTH))}</div><div class="chart-narrow">${trusted(draw(NARROW_CHART_WIDTH))}</div>
</figure>`;
}

export const seriesKey = SERIES_COLORS;
