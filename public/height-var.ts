// Publishes an element's rendered height as a CSS custom property on the root
// (e.g. --toolbar-height), so the stylesheet can budget the rest of the screen
// (the comparison chart takes what the toolbar and the presenter bar leave).
// Set through the CSSOM, which the page's CSP (style-src 'self') allows.
export function publishHeight(element: Element, property: string): () => void {
  const root = document.documentElement.style;
  const observer = new ResizeObserver(() => root.setProperty(property, `${Math.ceil(element.getBoundingClientRect().height)}px`));
  observer.observe(element);
  return () => {
    observer.disconnect();
    root.removeProperty(property);
  };
}
