// `style=${styleProps({...})}`: sets inline style properties through the
// CSSOM (element.style.setProperty), which the page's CSP (style-src 'self')
// allows. Lit's own styleMap writes a style *attribute* on first render,
// which that CSP blocks. Every render of one binding must name the same
// properties (none is ever removed).
import { noChange } from 'lit';
import { Directive, directive, PartType, type AttributePart, type PartInfo } from 'lit/directive.js';

class StylePropsDirective extends Directive {
  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ATTRIBUTE || info.name !== 'style') throw new Error('styleProps only binds to the style attribute');
  }

  /** Never renders an attribute; update() does the work. */
  render(properties: Record<string, string>): typeof noChange {
    void properties;
    return noChange;
  }

  override update(part: AttributePart, [properties]: [Record<string, string>]): typeof noChange {
    const style = (part.element as HTMLElement | SVGElement).style;
    for (const [name, value] of Object.entries(properties)) {
      if (style.getPropertyValue(name) !== value) style.setProperty(name, value);
    }
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
