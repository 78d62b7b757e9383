import type { Summary } from "../../harness/record/index.ts";
import type { Comparison } from "../trends/index.ts";
import type { SafeHtml } from "./html.ts";

/** One comparison the trends section shows: against the previous run, a chosen run or the baseline. */
export interface TrendView {
  readonly label: string;
  readonly comparison: Comparison;
}

/** Everything the page shows; rendering it is a pure function. */
export interface ReportModel {
  readonly summary: Summary;
  readonly trends: TrendView[];
  /** Files in the run record, relative to it, linked from the page. */
  readonly artifacts: string[];
  readonly generatedAt: string;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  /** The whole `<section>`, linked from the page's table of contents by `id`. */
  readonly body: SafeHtml;
}
