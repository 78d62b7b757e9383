import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { FAULT_SHADE_OPACITY } from "../../../reports/html/charts.ts";
import type { BrowserGlobals, DomElement } from "./dom.ts";

export interface ChartSeen {
  name: string;
  width: number;
  height: number;
  /** Shaded fault windows actually drawn: polygons with the shading's opacity and a visible area. */
  shadedWindows: number;
  labels: string[];
  /** Pairs of texts drawn over each other ("a / b"). */
  overlappingTexts: string[];
}

export interface ReportSeen {
  title: string;
  verdict: string;
  reasons: string[];
  sections: string[];
  charts: ChartSeen[];
  tables: Record<string, string[][]>;
  /** Column headers as shown, per table. */
  headers: Record<string, string[]>;
  /** Per table, the column labels of the cells styled as failures (`td.bad`). */
  failureCells: Record<string, string[]>;
  /** Elements that stick out of their section's card, or a page wider than the window. */
  overflowing: string[];
  consoleErrors: string[];
  requests: string[];
}

/** Opens index.html in Chromium as a user would from a CI artifact, reads what is on screen, saves a full-page screenshot. */
export async function openReport(browser: Browser, file: string, screenshot: string, width = 1280): Promise<ReportSeen> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, offline: true });
  try {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") consoleErrors.push(`${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const seen = await page.evaluate((opacity) => {
      const { document } = globalThis as unknown as BrowserGlobals;
      // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered (line breaks, uppercase badges) is what a user reads
      const text = (el: DomElement | null) => (el?.innerText ?? el?.textContent ?? "").replace(/\s+/g, " ").trim();
      const visible = (el: DomElement) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0;
      };
      return {
        title: document.title,
        verdict: text(document.querySelector("[data-verdict]")),
        reasons: [...document.querySelectorAll(".verdict ul.reasons li")].map(text),
        sections: [...document.querySelectorAll("[data-section]")].map((el) => el.getAttribute("data-section") ?? ""),
        charts: [...document.querySelectorAll("figure[data-chart]")].map((figure) => {
          // The chart drawn for this window's width (the other one is hidden).
          const svg = [...figure.querySelectorAll("svg")].find(visible) ?? null;
          const box = svg?.getBoundingClientRect();
          const shaded = [...(svg?.querySelectorAll(`polygon[fill-opacity="${opacity}"], path[fill-opacity="${opacity}"]`) ?? [])].filter(
            visible,
          );
          return {
            name: figure.getAttribute("data-chart") ?? "",
            width: Math.round(box?.width ?? 0),
            height: Math.round(box?.height ?? 0),
            shadedWindows: shaded.length,
            labels: [...(svg?.querySelectorAll("text") ?? [])].map(text),
            overlappingTexts: [...(svg?.querySelectorAll("text") ?? [])]
              .filter((el) => text(el) !== "")
              .map((el) => ({ label: text(el), box: el.getBoundingClientRect() }))
              .flatMap((a, i, all) =>
                all
                  .slice(i + 1)
                  .filter(
                    (b) =>
                      a.box.left < b.box.right - 1 &&
                      b.box.left < a.box.right - 1 &&
                      a.box.top < b.box.bottom - 1 &&
                      b.box.top < a.box.bottom - 1,
                  )
                  .map((b) => `${a.label} / ${b.label}`),
              ),
          };
        }),
        tables: Object.fromEntries(
          [...document.querySelectorAll("table[data-table]")].map((table) => [
            table.getAttribute("data-table") ?? "",
            [...table.querySelectorAll("tbody tr")].map((row) => [...row.querySelectorAll("td")].map(text)),
          ]),
        ),
        headers: Object.fromEntries(
          [...document.querySelectorAll("table[data-table]")].map((table) => [
            table.getAttribute("data-table") ?? "",
            [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? ""),
          ]),
        ),
        failureCells: Object.fromEntries(
          [...document.querySelectorAll("table[data-table]")].map((table) => {
            const labels = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? "");
            const bad = [...table.querySelectorAll("tbody tr")].flatMap((row) =>
              [...row.querySelectorAll("td")].flatMap((td, index) =>
                (td.className ?? "").split(" ").includes("bad") ? [td.getAttribute("data-label") ?? labels[index] ?? String(index)] : [],
              ),
            );
            return [table.getAttribute("data-table") ?? "", bad];
          }),
        ),
        overflowing: [
          ...[...document.querySelectorAll("section *")]
            .filter((el) => {
              const card = el.closest("section")?.getBoundingClientRect();
              const box = el.getBoundingClientRect();
              return card !== undefined && box.width > 0 && box.right > card.right + 0.5;
            })
            .map(
              (el) =>
                `${el.closest("[data-section]")?.getAttribute("data-section")}: <${el.tagName.toLowerCase()}> ${text(el).slice(0, 60)}`,
            ),
          ...((document.documentElement?.scrollWidth ?? 0) > (document.documentElement?.clientWidth ?? 0)
            ? [`the page is ${document.documentElement?.scrollWidth} px wide in a ${document.documentElement?.clientWidth} px window`]
            : []),
        ],
      };
    }, String(FAULT_SHADE_OPACITY));
    await page.screenshot({ path: screenshot, fullPage: true });
    return { ...seen, consoleErrors, requests };
  } finally {
    await context.close();
  }
}
