// Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) and ANSI colour codes from test output.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const INVALID_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text safe to put anywhere in an XML 1.0 document: colour codes dropped, forbidden characters shown as U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(ANSI, "").replace(INVALID_XML, "\ufffd");
}

export function escapeXmlText(text: string): string {
  return xmlSafe(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Attribute values keep their line breaks and tabs (parsers would normalise raw ones to spaces). */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;")
    .replace(/\t/g, "&#9;");
}

export type Attributes = Record<string, string | number | undefined>;

export function element(name: string, attributes: Attributes, children?: string | string[]): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join("");
  const body = Array.isArray(children) ? children.join("") : children;
  return body === undefined || body === "" ? `<${name}${attrs}/>` : `<${name}${attrs}>${body}</${name}>`;
}
