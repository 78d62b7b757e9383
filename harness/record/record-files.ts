/** The files of a run directory (`reports/runs/<run-id>/`) and the link to the newest run. */
export const SUMMARY_FILE = "summary.json";
export const JUNIT_FILE = "junit.xml";
export const HTML_FILE = "index.html";
export const SCREENSHOT_FILE = "screenshot.png";
export const HISTORY_FILE = "history.jsonl";
export const FAILOVER_FILE = "failover.json";
/** `evidence/<experiment>/<phase>.json`: every node's /jsz and /routez before, during and after a fault. */
export const EVIDENCE_DIR = "evidence";
export const LATENCY_LOG = "latency.jsonl";
export const LATEST_LINK = "latest";
/** A game day's journal (`harness/record/journal-schema.ts`). */
export const JOURNAL_FILE = "journal.json";
