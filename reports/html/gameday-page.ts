import type { FaultWindow, GameDayJournal, JournalEvent, TimePoint } from "../../harness/record/index.ts";
import { FAULT_SHADE_OPACITY, faultColor, latencyChart, throughputChart } from "./charts.ts";
import { formatTimestamp } from "./format.ts";
import { html, type SafeHtml, trusted } from "./html.ts";
import { STYLES } from "./styles.ts";

const VERDICT_TEXT = { held: "HYPOTHESIS HELD", deviated: "DEVIATED", "could-not-run": "COULD NOT RUN", aborted: "ABORTED" } as const;
const LANE_WIDTH = 1040;
const LABEL_WIDTH = 260;
const LANE_HEIGHT = 22;

function faultWindows(journal: GameDayJournal): FaultWindow[] {
  return journal.events
    .filter((event): event is Extract<JournalEvent, { type: "fault" }> => event.type === "fault")
    .map((event) => ({
      start: event.t,
      end: event.end ?? journal.durationS,
      fault: `${event.fault} ${Object.values(event.target)
        .filter((v) => typeof v === "string")
        .join(" ")}`.trim(),
    }));
}

/** One lane per probe: each reading a green or red tick on the run's time axis, fault windows shaded behind. */
function probeLanes(journal: GameDayJournal, windows: readonly FaultWindow[]): string {
  const span = Math.max(journal.durationS, 1);
  const x = (t: number) => LABEL_WIDTH + ((LANE_WIDTH - LABEL_WIDTH - 10) * t) / span;
  const height = journal.probes.length * LANE_HEIGHT + 24;
  const shades = windows
    .map(
      (w) =>
        `<rect x="${x(w.start).toFixed(1)}" y="0" width="${Math.max(2, x(w.end) - x(w.start)).toFixed(1)}" height="${height - 20}" fill="${faultColor(w.fault)}" opacity="${FAULT_SHADE_OPACITY}"><title>${escapeXml(w.fault)}</title></rect>`,
    )
    .join("");
  const lanes = journal.probes
    .map((probe, index) => {
      const y = index * LANE_HEIGHT;
      const ticks = probe.readings
        .map(
          (reading) =>
            `<rect x="${(x(reading.t) - 2).toFixed(1)}" y="${y + 4}" width="4" height="${LANE_HEIGHT - 8}" fill="${reading.ok ? "#16a34a" : "#dc2626"}"><title>${reading.t.toFixed(1)} s ${reading.phase}: ${escapeXml(reading.detail)}</title></rect>`,
        )
        .join("");
      return `<text x="4" y="${y + LANE_HEIGHT / 2 + 4}" font-size="12">${escapeXml(probe.name)}</text>${ticks}`;
    })
    .join("");
  const axis = Array.from({ length: 6 }, (_, i) => (span * i) / 5)
    .map(
      (t) => `<text x="${x(t).toFixed(1)}" y="${height - 6}" font-size="11" fill="#6b7280" text-anchor="middle">${t.toFixed(0)} s</text>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${LANE_WIDTH}" height="${height}" role="img" aria-label="probe readings over time">${shades}${lanes}${axis}</svg>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function eventLine(event: JournalEvent): SafeHtml {
  switch (event.type) {
    case "phase":
      return html`<strong>${event.phase}</strong>`;
    case "step":
      return html`step ${event.index + 1} <strong>${event.label}</strong>: ${event.outcome}${event.detail ? ` — ${event.detail}` : ""}`;
    case "rollback":
      return html`rollback ${event.index + 1} <strong>${event.label}</strong>: ${event.outcome}${event.detail ? ` — ${event.detail}` : ""}`;
    case "fault":
      return html`fault <strong>${event.fault}</strong> ${JSON.stringify(event.target)}${event.end === undefined ? "" : ` until ${event.end.toFixed(1)} s`}`;
    case "deviation":
      return html`<span class="fail">deviation</span> <strong>${event.probe}</strong> (${event.phase}): ${event.detail} — tolerance ${event.tolerance}`;
    case "note":
      return html`📝 operator note: ${event.text}`;
    case "abort":
      return html`<span class="fail">aborted</span> by ${event.by}: ${event.reason}`;
    case "aws-call":
      return html`aws ${event.service}.${event.operation} ${event.outcome}${event.resource ? ` ${event.resource}` : ""}`;
  }
}

/** The whole load in one line: requests, failed and dropped, error rate, the worst second's p99. */
function loadSummary(seconds: GameDayJournal["load"][number]["seconds"]): string {
  const requests = seconds.reduce((sum, s) => sum + s.requests, 0);
  const failed = seconds.reduce((sum, s) => sum + s.errors, 0);
  const dropped = seconds.reduce((sum, s) => sum + s.dropped, 0);
  const rate = requests + dropped === 0 ? 0 : (failed + dropped) / (requests + dropped);
  const worst = seconds.reduce((top, s) => (s.p99 > top.p99 ? s : top), { t: 0, p99: 0 });
  return `${requests} requests, ${failed} failed, ${dropped} arrivals dropped: error rate ${(rate * 100).toFixed(2)}%; worst per-second p99 ${worst.p99.toFixed(1)} ms at ${worst.t} s`;
}

/** A game day's page: verdict and why, the timeline with fault windows, probe lanes, load charts, notes and every event. */
export function renderGameDayPage(journal: GameDayJournal): string {
  const windows = faultWindows(journal);
  const loads = journal.load.map((load) => {
    const points: TimePoint[] = load.seconds.map((s) => ({
      t: s.t,
      rate: s.requests,
      errors: s.errors + s.dropped,
      p50: s.p50,
      p99: s.p99,
    }));
    const heading = html`<h3>load ${load.name}${load.scenario ? ` (scenario ${load.scenario})` : ""}</h3><p>${loadSummary(load.seconds)}</p>`;
    return html`${heading}${points.length > 0 ? html`${trusted(throughputChart(points, windows))}${trusted(latencyChart(points, windows))}` : html`<p>no requests</p>`}`;
  });
  const notes = journal.events.filter((event) => event.type === "note");
  const verdictClass = journal.verdict === "held" ? "pass" : "fail";
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:">
<title>${VERDICT_TEXT[journal.verdict]} · game day ${journal.title}</title>
<style>${trusted(STYLES)}</style>
</head>
<body>
<main>
<h1>Game day: ${journal.title}</h1>
<p>${journal.description}</p>
<p>target ${journal.target} · file ${journal.file} · owner ${journal.owner || "—"} · started ${formatTimestamp(journal.startedAt)} · ${journal.durationS.toFixed(1)} s${journal.tags.length > 0 ? ` · tags ${journal.tags.join(", ")}` : ""}</p>
<section id="verdict" class="verdict ${verdictClass}"><h2 class="word">${VERDICT_TEXT[journal.verdict]} (exit ${journal.exitCode})</h2><p>${journal.reason}</p></section>
<section id="probes"><h2>Steady-state probes</h2>${trusted(probeLanes(journal, windows))}
<table><thead><tr><th>probe</th><th>tolerance</th><th>readings</th><th>out of tolerance</th></tr></thead><tbody>
${journal.probes.map((probe) => html`<tr><td>${probe.name}</td><td>${probe.tolerance}</td><td>${probe.readings.length}</td><td>${probe.readings.filter((r) => !r.ok).length}</td></tr>`)}
</tbody></table></section>
${loads.length > 0 ? html`<section id="load"><h2>Load</h2>${loads}</section>` : ""}
<section id="notes"><h2>Operator notes</h2>${notes.length === 0 ? html`<p>none</p>` : html`<ul>${notes.map((note) => html`<li>${note.t.toFixed(1)} s: ${note.type === "note" ? note.text : ""}</li>`)}</ul>`}</section>
<section id="timeline"><h2>Timeline</h2><table><tbody>
${journal.events.map((event) => html`<tr><td>${event.t.toFixed(1)} s</td><td>${eventLine(event)}</td></tr>`)}
</tbody></table></section>
</main>
</body>
</html>
`;
  return page.value;
}
