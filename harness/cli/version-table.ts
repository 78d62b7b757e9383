import { formatChange, formatMetric } from "../../reports/html/format.ts";
import { disagreementLines } from "../../reports/index.ts";
import type { VersionFigure, VersionsSection, VersionVerdicts } from "../record/index.ts";
import { type Color, paint, renderTable } from "../ui/index.ts";

const OUTCOME_COLOR: Record<VersionVerdicts["outcomes"][number], Color> = {
  pass: "green",
  fail: "red",
  error: "red",
  skipped: "dim",
  absent: "dim",
};

function figureCells(figure: VersionFigure): string[] {
  return figure.values.map((value, index) => {
    const change = figure.changePct[index];
    const shown = formatMetric(value ?? undefined, figure.unit);
    return change === null || change === undefined ? shown : `${shown} (${formatChange(change)})`;
  });
}

/** The version matrix's comparison for the terminal: verdicts side by side, the figures that moved, the disagreements. */
export function renderVersionComparison(out: NodeJS.WriteStream, section: VersionsSection): string {
  const versions = section.runs.map((run) => run.version);
  const [baseline] = versions;
  const verdictRows = [
    ["reported by /varz", ...section.runs.map((run) => run.reported.join(", ") || "–")],
    ...section.verdicts.map((row) => [
      `${row.kind} ${row.name}`,
      ...row.outcomes.map((outcome) => paint(out, OUTCOME_COLOR[outcome], outcome)),
    ]),
  ];
  const moved = section.figures.filter((figure) => figure.moved);
  const { latencyIncreasePct, throughputDropPct } = section.tolerances;
  const lines = [
    paint(out, "bold", `nats-server versions, each a complete run (${versions.join(" vs ")})`),
    renderTable(["", ...versions], verdictRows),
    "",
    paint(
      out,
      "bold",
      `figures that moved against ${baseline} (latency beyond ±${latencyIncreasePct} %, throughput beyond ±${throughputDropPct} %, any count)`,
    ),
    moved.length > 0
      ? renderTable(
          ["figure", ...versions],
          moved.map((figure) => [paint(out, figure.worse ? "red" : "green", figure.label), ...figureCells(figure)]),
        )
      : "none",
    `${section.figures.length - moved.length} figures within tolerance (in the run record)`,
  ];
  const disagreements = disagreementLines(section);
  if (disagreements.length > 0) lines.push("", ...disagreements.map((line) => `${paint(out, "red", "✖")} ${line}`));
  return lines.join("\n");
}
