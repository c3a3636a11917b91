// oracle.mjs — the real Mermaid parser as a long-lived batch process for mermaid-gen's tests.
//
// Protocol: one JSON object per stdin line, {"id": any, "code": "<diagram text>"}; one answer per
// line on stdout, in input order, {"id": same, "ok": bool, "error": string|null, "type": string|null}.
// A first line {"ready": true} is printed once mermaid is loaded, so callers can tell a broken
// install (no ready line) from a slow first diagram.
//
// Why jsdom first: mermaid sets up its sanitiser (DOMPurify) at import time; without a `window`
// then, any label needing sanitising (e.g. `<br/>`) throws. So the globals are set before a
// dynamic import (a static import would be hoisted above them).
import { JSDOM } from 'jsdom';
import readline from 'node:readline';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
// Mermaid's error excerpts can cut an emoji in half; a lone surrogate is not valid JSON text.
const clean = (s) => (typeof s.toWellFormed === 'function' ? s.toWellFormed() : s);
out({ ready: true });

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    out({ id: null, ok: false, error: `oracle: bad request line: ${e.message}`, type: null });
    continue;
  }
  try {
    const r = await mermaid.parse(String(req.code));
    out({ id: req.id, ok: true, error: null, type: r && r.diagramType ? r.diagramType : null });
  } catch (e) {
    out({ id: req.id, ok: false, error: clean(String(e && e.message ? e.message : e)), type: null });
  }
}
