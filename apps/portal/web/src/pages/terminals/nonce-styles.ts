// xterm's DOM renderer and viewport write their dynamic CSS (cell sizes, theme colours, scrollbar) into <style>
// elements they create themselves, without a nonce; the portal's CSP (style-src 'self' 'nonce-…', no
// 'unsafe-inline') blocks those. This gives each such element the page's nonce as it appears and has its text
// applied again, so later updates by xterm are accepted too. Static rules come from xterm.css (a file, 'self').

/** Watches `root` for <style> elements and lets them through the CSP; returns the stop function. */
export function nonceStyles(root: HTMLElement, nonce: string): () => void {
  const admit = (node: Node) => {
    if (node instanceof HTMLStyleElement && node.nonce !== nonce) {
      node.nonce = nonce;
      // The text was refused when it was first set; setting it again is checked with the nonce.
      const text = node.textContent;
      node.textContent = text;
    }
    if (node instanceof Element) node.querySelectorAll('style').forEach(admit);
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(admit);
  });
  observer.observe(root, { childList: true, subtree: true });
  admit(root);
  return () => observer.disconnect();
}
