import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Duration, DurationText, parseDuration } from "../../lib/duration/index.ts";

describe("one duration grammar", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["1m30s", 90_000],
    ["2h", 7_200_000],
    ["1.5m", 90_000],
    ["1h2m3s4ms", 3_723_004],
    [" 2s ", 2_000],
    ["0", 0],
    [250, 250],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "2", "2 s", "ten seconds", "1m 30s", "-1s", "1d", "s", "1.s"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("rejects negative and non-finite milliseconds", () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it("in a schema: text only, or text and milliseconds, with the problem in words", () => {
    expect(DurationText.parse("1m30s")).toBe(90_000);
    expect(Duration.parse(1500)).toBe(1500);
    const issue = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error?.issues[0]?.message;
    expect(issue(DurationText, "soon")).toBe('expected a duration like 500ms, 30s, 1m30s or 2h, got "soon"');
    expect(issue(DurationText, 5)).toBe("expected a duration like 500ms, 30s, 1m30s or 2h");
    expect(issue(z.object({ d: Duration }), { d: true })).toBe(
      "expected a duration like 500ms, 30s, 1m30s or 2h (or a number of milliseconds)",
    );
  });
});
