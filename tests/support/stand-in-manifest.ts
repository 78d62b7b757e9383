/** A small manifest of stand-in services with one `get` endpoint each, for tests that start a stack of their own. */
export function standInManifest(services: readonly { name: string; profile?: string }[], timeout = "1s"): string {
  const entries = services.map(({ name, profile }) =>
    [
      `  - name: ${name}`,
      "    version: 1.0.0",
      `    endpoints: [{ name: get, timeout: ${timeout}, samples: [{ key: a }], responseSchema: *response }]`,
      ...(profile ? [`    profile: ${profile}`] : []),
    ].join("\n"),
  );
  return `x-response: &response { type: object }\nservices:\n${entries.join("\n")}\n`;
}
