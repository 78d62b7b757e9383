/**
 * The little of the DOM the browser-side callbacks use, typed here because the project's
 * tsconfig has no "dom" lib (Node code must not see browser globals).
 */
export interface DomElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly innerText?: string;
  readonly attributes: Iterable<{ name: string; value: string }> & ArrayLike<{ name: string; value: string }>;
  readonly parentElement: DomElement | null;
  readonly className?: string;
  readonly scrollWidth?: number;
  readonly clientWidth?: number;
  closest(selector: string): DomElement | null;
  readonly documentElement?: DomElement;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement> & ArrayLike<DomElement>;
  getBoundingClientRect(): { width: number; height: number; left: number; right: number; top: number; bottom: number };
}

export interface BrowserGlobals {
  readonly document: DomElement & { readonly title: string };
  readonly DOMParser: new () => { parseFromString(text: string, type: string): DomElement & { documentElement: DomElement | null } };
}
