import type { FaultWindow } from "../../../harness/record/index.ts";
import { faultColor, SERIES_COLORS } from "../charts.ts";
import { html, type SafeHtml, trusted } from "../html.ts";

/** A server-rendered chart with its caption and, when faults were injected, a key of the shaded windows. */
export function figure(name: string, caption: string, svg: string, windows: FaultWindow[] = []): SafeHtml {
  const kinds = [...new Set(windows.map((w) => w.fault))];
  return html`<figure data-chart="${name}" data-fault-windows="${windows.length}">
  <figcaption>${caption}${kinds.map((fault) => html`<span class="key"><i style="background:${faultColor(fault)};opacity:.35"></i>${fault}</span>`)}</figcaption>
  ${trusted(svg)}
</figure>`;
}

export const seriesKey = SERIES_COLORS;
