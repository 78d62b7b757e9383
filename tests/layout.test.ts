import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(new URL("..", import.meta.url).pathname);

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Repository paths a file imports (relative specifiers only: packages are not the layout's business). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((match) => match[1] as string);
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)));
}

/** `file → import` for every import of `folders` that lands outside `allowed`. */
function importsLeaving(folders: readonly string[], allowed: readonly string[]): string[] {
  return folders.flatMap((folder) =>
    sourceFiles(folder).flatMap((file) =>
      importsOf(file)
        .filter((target) => !allowed.some((prefix) => target.startsWith(`${prefix}/`)))
        .map((target) => `${file} → ${target}`),
    ),
  );
}

describe("layout", () => {
  it("lib/ imports nothing else in the repository", () => {
    expect(importsLeaving(["lib"], ["lib"])).toEqual([]);
  });

  it("the system under test (gateway/, services/) imports nothing from the harness", () => {
    expect(importsLeaving(["gateway", "services"], ["gateway", "services", "lib"])).toEqual([]);
  });

  it("reports/ reads a run record (harness/record) and renders it, nothing else of the harness", () => {
    expect(importsLeaving(["reports"], ["reports", "harness/record", "lib"])).toEqual([]);
  });

  it("the harness imports nothing from suites/", () => {
    expect(importsLeaving(["harness"], ["harness", "lib", "services", "gateway", "reports"])).toEqual([]);
  });
});
