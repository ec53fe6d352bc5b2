/**
 * A strict little XML reader for the tests of our SVG: it parses elements,
 * attributes and text, decodes the five entities, and throws on anything
 * malformed (an unclosed or mismatched tag, a raw `<` or `&` where it cannot
 * be, a duplicate attribute), so a test can both check that a picture is
 * well formed and query it like a DOM.
 *
 * @module
 */

/** One element of a parsed document. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

function decode(text: string, where: number): string {
  return text.replace(/&([^;&<\s]*);|&/g, (m, name: string | undefined) => {
    if (name === undefined) throw new SyntaxError(`Raw '&' near offset ${where}`);
    if (name in ENTITIES) return ENTITIES[name];
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(name);
    if (num) {
      return String.fromCodePoint(
        num[1][0] === "x" ? parseInt(num[1].slice(1), 16) : parseInt(num[1], 10),
      );
    }
    throw new SyntaxError(`Unknown entity ${m} near offset ${where}`);
  });
}

/** Parses `xml` (one root element) or throws a `SyntaxError` saying where it is malformed. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  let at = 0;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  while (at < xml.length) {
    const lt = xml.indexOf("<", at);
    const text = xml.slice(at, lt === -1 ? xml.length : lt);
    stack.at(-1)!.text += decode(text, at);
    if (lt === -1) break;
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt);
      if (end === -1) throw new SyntaxError(`Unclosed comment at offset ${lt}`);
      at = end + 3;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (m === null) {
      throw new SyntaxError(`Malformed tag at offset ${lt}: ${xml.slice(lt, lt + 60)}`);
    }
    const [whole, close, name, attrText, selfClose] = m;
    at = lt + whole.length;
    if (close) {
      const open = stack.pop()!;
      if (open.name !== name || stack.length === 0) {
        throw new SyntaxError(`</${name}> closes <${open.name}> at offset ${lt}`);
      }
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (a[1] in attrs) throw new SyntaxError(`Duplicate attribute ${a[1]} at offset ${lt}`);
      attrs[a[1]] = decode(a[2] ?? a[3], lt);
    }
    const el: XmlElement = { name, attrs, children: [], text: "" };
    stack.at(-1)!.children.push(el);
    if (!selfClose) stack.push(el);
  }
  if (stack.length !== 1) throw new SyntaxError(`<${stack.at(-1)!.name}> is never closed`);
  if (root.children.length !== 1 || root.text.trim() !== "") {
    throw new SyntaxError("The document must be one root element");
  }
  return root.children[0];
}

/** Every element under `el` (itself included) that `match` accepts, in document order. */
export function findAll(el: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (match(e)) found.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return found;
}

/** The elements that carry attribute `name`. */
export function withAttr(el: XmlElement, name: string): XmlElement[] {
  return findAll(el, (e) => name in e.attrs);
}

/** The text of an element's `<title>` child, or undefined. */
export function titleOf(el: XmlElement): string | undefined {
  return el.children.find((c) => c.name === "title")?.text;
}

/** All the text in `el` and its descendants, in document order. */
export function allText(el: XmlElement): string {
  return el.text + el.children.map(allText).join("");
}

/** Decodes a PNG `data:` URL of stored (uncompressed) deflate blocks, as our writer makes, into RGB rows. */
export function decodeStoredPng(url: string): { width: number; height: number; rgb: Uint8Array } {
  const bytes = Uint8Array.from(
    atob(url.replace(/^data:image\/png;base64,/, "")),
    (c) => c.charCodeAt(0),
  );
  const view = new DataView(bytes.buffer);
  let p = 8;
  let width = 0;
  let height = 0;
  const idat: number[] = [];
  while (p < bytes.length) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    const data = bytes.subarray(p + 8, p + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(p + 8);
      height = view.getUint32(p + 12);
    } else if (type === "IDAT") idat.push(...data);
    p += 12 + len;
  }
  const raw: number[] = [];
  let q = 2;
  for (;;) {
    const final = idat[q] & 1;
    const len = idat[q + 1] | (idat[q + 2] << 8);
    raw.push(...idat.slice(q + 5, q + 5 + len));
    q += 5 + len;
    if (final) break;
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    rgb.set(raw.slice(y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1)), y * width * 3);
  }
  return { width, height, rgb };
}

/**
 * The values a network tile shows: its `<image data-max>` heatmap's pixels
 * read back through the orange-grey-blue scale (to within about 0.3% of
 * `data-max`), row-major from the top row.
 */
export function tileValues(image: XmlElement): { size: number; values: number[] } {
  const max = Number(image.attrs["data-max"]);
  const { width, rgb } = decodeStoredPng(image.attrs.href);
  const values: number[] = [];
  for (let i = 0; i < rgb.length; i += 3) {
    const [r, , b] = [rgb[i], rgb[i + 1], rgb[i + 2]];
    // Grey e8eaeb to blue 0877bd above 0; to orange f59322 below.
    values.push(
      r < 0xe8 ? (0xe8 - r) / (0xe8 - 0x08) * max : -(0xeb - b) / (0xeb - 0x22) * max,
    );
  }
  return { size: width, values };
}
