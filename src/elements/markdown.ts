import DOMPurify, { type Config } from 'dompurify';
import { Marked, type Tokens } from 'marked';

/**
 * Model output as markdown, made safe for a page that does not trust it. Two independent defences: marked renders raw
 * HTML in the answer as text (as ChatGPT does), and DOMPurify then keeps only the handful of tags and attributes
 * markdown produces. No `<style>`, `style` attributes, classes, ids, images, forms or event handlers survive, so an
 * answer can neither run script nor restyle (or fetch from) anything; links go to http(s) and mailto only, in a new tab
 * without an opener.
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const markdown = new Marked({
  gfm: true,
  // A chat answer's single line breaks are meant as line breaks, as in the plain-text replies before markdown.
  breaks: true,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
  },
});

const SANITIZE: Config = {
  ALLOWED_TAGS: [
    'p',
    'br',
    'hr',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'strong',
    'em',
    'del',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  ALLOWED_ATTR: ['href', 'title', 'start', 'align'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
};

let purifier: ReturnType<typeof DOMPurify> | undefined;

function sanitizer(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  // An instance of its own: the link hook must not reach a page's other DOMPurify users.
  purifier = DOMPurify(window);
  purifier.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName !== 'A') return;
    if (node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
  return purifier;
}

/** The sanitised HTML for a markdown answer (a string for tests and for callers that render it themselves). */
export function markdownToSafeHtml(text: string): string {
  // The hook adds target and rel after the allow-list check, so an answer cannot set them itself.
  return sanitizer().sanitize(markdown.parse(text, { async: false }), SANITIZE);
}

/**
 * A markdown answer as a detached element: every code block in monospace with a Copy button beside it. `copy` writes
 * a block's text to the clipboard (injected for tests; the default is the Clipboard API).
 */
export function renderMarkdown(
  text: string,
  copy: (text: string) => Promise<void> = (value) => navigator.clipboard.writeText(value),
): HTMLElement {
  const container = document.createElement('div');
  container.className = 'markdown';
  container.innerHTML = markdownToSafeHtml(text);
  for (const pre of Array.from(container.querySelectorAll('pre'))) {
    const block = document.createElement('div');
    block.className = 'code-block';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.setAttribute('part', 'copy');
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy this code');
    button.addEventListener('click', () => {
      copy(pre.textContent ?? '').then(
        () => (button.textContent = 'Copied'),
        () => (button.textContent = 'Copy failed'),
      );
    });
    pre.replaceWith(block);
    block.append(button, pre);
  }
  return container;
}
