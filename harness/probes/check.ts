export type CheckStatus = "pass" | "fail" | "warn" | "info";

/** One row of the doctor's verdict table. */
export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}
