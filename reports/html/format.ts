export function formatMs(value: number | undefined | null): string {
  if (value === undefined || value === null) return "–";
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${Math.round(value)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function formatNumber(value: number | undefined | null, digits = 0): string {
  if (value === undefined || value === null) return "–";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatChange(pct: number | null): string {
  if (pct === null) return "";
  const sign = pct > 0 ? "+" : pct < 0 ? "−" : "±";
  return `${sign}${Math.abs(pct).toFixed(1)} %`;
}

export function formatMetric(value: number | undefined, unit: string): string {
  if (value === undefined) return "–";
  if (unit === "ms") return formatMs(value);
  if (unit === "") return formatNumber(value, 2);
  return `${formatNumber(value, 2)} ${unit}`;
}

export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A measured value at a useful precision: 0.0132, 31.45, 24,000. */
export function formatActual(value: number | null): string {
  if (value === null) return "no samples";
  if (value !== 0 && Math.abs(value) < 1) return value.toPrecision(3).replace(/0+$/, "");
  return formatNumber(value, 2);
}
