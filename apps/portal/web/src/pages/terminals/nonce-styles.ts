// xterm's DOM renderer and viewport write their dynamic CSS (cell sizes, theme colours, scrollbar) into <style>
// elements they create themselves, without a nonce; the portal's CSP (style-src 'self' 'nonce-…', no
// 'unsafe-inline') blocks those. Static rules come from xterm.css (a file, 'self').

/**
 * Runs `open` (xterm's `Terminal.open`, which creates those elements synchronously) so that every <style> element
 * created meanwhile carries the page's nonce from the start: the CSP accepts it when it is inserted.
 */
export function withStyleNonce<T>(nonce: string, open: () => T): T {
  const original = Document.prototype.createElement;
  const create = function (this: Document, ...args: Parameters<Document['createElement']>) {
    const element = original.apply(this, args);
    if (element instanceof HTMLStyleElement) element.nonce = nonce;
    return element;
  };
  Document.prototype.createElement = create as Document['createElement'];
  try {
    return open();
  } finally {
    Document.prototype.createElement = original;
  }
}

/**
 * For a <style> element xterm creates later (outside `open`): gives it the nonce as it appears and applies its
 * text again, which the CSP then accepts (its first text was refused). Returns the stop function.
 */
export function nonceStyles(root: HTMLElement, nonce: string): () => void {
  const admit = (node: Node) => {
    if (node instanceof HTMLStyleElement && node.nonce !== nonce) {
      node.nonce = nonce;
      const text = node.textContent;
      node.textContent = text;
    }
    if (node instanceof Element) node.querySelectorAll('style').forEach(admit);
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(admit);
  });
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}
