import { css } from 'lit';

/** <route-chat>'s look: every colour and size comes from a `--route-chat-*` custom property with a light and a dark default. */
export const routeChatStyles = css`
  :host {
    --_bg: var(--route-chat-bg, #ffffff);
    --_fg: var(--route-chat-fg, #1c2024);
    --_muted: var(--route-chat-muted, #5c6670);
    --_border: var(--route-chat-border, #d9dee3);
    --_accent: var(--route-chat-accent, #2f5bd3);
    --_strong: var(--route-chat-strong, #8a3ffc);
    --_weak: var(--route-chat-weak, #0f8a5f);
    --_user-bg: var(--route-chat-user-bg, #eef2fb);
    --_assistant-bg: var(--route-chat-assistant-bg, #f7f8fa);
    --_error: var(--route-chat-error, #b42318);
    --_radius: var(--route-chat-radius, 12px);
    display: block;
    color: var(--_fg);
    font: var(--route-chat-font, 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif);
    max-width: 100%;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--route-chat-bg, #16191d);
      --_fg: var(--route-chat-fg, #e6e9ec);
      --_muted: var(--route-chat-muted, #9aa4ae);
      --_border: var(--route-chat-border, #2c3238);
      --_accent: var(--route-chat-accent, #7c9cf5);
      --_strong: var(--route-chat-strong, #b88cff);
      --_weak: var(--route-chat-weak, #4cc38a);
      --_user-bg: var(--route-chat-user-bg, #1f2a44);
      --_assistant-bg: var(--route-chat-assistant-bg, #1d2126);
      --_error: var(--route-chat-error, #ff8a80);
    }
  }
  [part~='container'] {
    display: flex;
    flex-direction: column;
    gap: 10px;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 14px;
    height: var(--route-chat-height, 560px);
    box-sizing: border-box;
  }
  [part~='header'] {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 12px;
  }
  h2 {
    margin: 0;
    font-size: 1.05em;
    font-weight: 650;
  }
  [part~='status'] {
    margin: 0;
    color: var(--_muted);
    font-size: 0.85em;
  }
  [part~='progress'] {
    height: 4px;
    border-radius: 2px;
    background: var(--_border);
    overflow: hidden;
  }
  [part~='progress'] span {
    display: block;
    height: 100%;
    background: var(--_accent);
    transition: width 120ms linear;
  }
  [part~='log'] {
    flex: 1;
    overflow-y: auto;
    display: flex;
    flex-direction: column;
    gap: 10px;
    padding: 2px;
    min-height: 0;
  }
  [part~='log']:focus-visible,
  textarea:focus-visible,
  button:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .empty {
    color: var(--_muted);
    margin: auto;
    text-align: center;
    max-width: 32em;
  }
  [part~='message'] {
    border-radius: var(--_radius);
    padding: 8px 12px;
    max-width: 85%;
  }
  [part~='message'] p {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .markdown > :first-child {
    margin-top: 0;
  }
  .markdown > :last-child {
    margin-bottom: 0;
  }
  .markdown p,
  .markdown ul,
  .markdown ol,
  .markdown blockquote,
  .markdown table,
  .markdown h1,
  .markdown h2,
  .markdown h3,
  .markdown h4 {
    margin: 0.5em 0;
    white-space: normal;
  }
  .markdown h1,
  .markdown h2,
  .markdown h3,
  .markdown h4 {
    font-size: 1.05em;
  }
  .markdown ul,
  .markdown ol {
    padding-left: 1.4em;
  }
  .markdown blockquote {
    border-left: 3px solid var(--_border);
    padding-left: 10px;
    color: var(--_muted);
  }
  .markdown table {
    border-collapse: collapse;
    display: block;
    overflow-x: auto;
  }
  .markdown th,
  .markdown td {
    border: 1px solid var(--_border);
    padding: 3px 8px;
  }
  .markdown a {
    color: var(--_accent);
  }
  .markdown code {
    font-family: var(--route-chat-mono, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
    font-size: 0.9em;
  }
  .code-block {
    position: relative;
    margin: 0.5em 0;
  }
  .code-block pre {
    margin: 0;
    padding: 10px 12px;
    padding-right: 64px;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 8px;
    overflow-x: auto;
    white-space: pre;
  }
  .code-block .copy {
    position: absolute;
    top: 6px;
    right: 6px;
    font: inherit;
    font-size: 0.75em;
    padding: 2px 8px;
    border: 1px solid var(--_border);
    border-radius: 6px;
    background: var(--_assistant-bg);
    color: var(--_fg);
    cursor: pointer;
  }
  [part~='why'] {
    white-space: normal !important;
    font-size: 0.8em;
    color: var(--_muted);
    margin: -2px 0 6px !important;
  }
  [part~='routing'] {
    align-self: flex-start;
    color: var(--_muted);
    font-size: 0.9em;
    margin: 0;
    display: flex;
    gap: 8px;
    align-items: center;
  }
  .spinner {
    width: 0.9em;
    height: 0.9em;
    border: 2px solid var(--_border);
    border-top-color: var(--_accent);
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
    }
  }
  .collapsed {
    max-height: 9em;
    overflow: hidden;
    mask-image: linear-gradient(to bottom, black 60%, transparent);
  }
  button.link {
    font: inherit;
    font-size: 0.85em;
    background: none;
    border: none;
    padding: 2px 0;
    color: var(--_accent);
    cursor: pointer;
  }
  .ended {
    font-size: 0.8em;
    color: var(--_muted);
    margin-top: 4px !important;
    font-style: italic;
  }
  [part~='user'] {
    align-self: flex-end;
    background: var(--_user-bg);
  }
  [part~='assistant'] {
    align-self: flex-start;
    background: var(--_assistant-bg);
    border-left: 3px solid var(--_border);
  }
  [part~='assistant'][part~='strong'] {
    border-left-color: var(--_strong);
  }
  [part~='assistant'][part~='weak'] {
    border-left-color: var(--_weak);
  }
  [part~='decision'] {
    white-space: normal !important;
    font-size: 0.8em;
    color: var(--_muted);
    margin-bottom: 4px !important;
  }
  .tier {
    display: inline-block;
    font-size: 0.85em;
    padding: 0 6px;
    color: var(--_bg);
  }
  .cursor {
    display: inline-block;
    width: 0.5em;
    height: 1em;
    vertical-align: text-bottom;
    background: currentColor;
    opacity: 0.4;
    animation: blink 1s steps(1) infinite;
  }
  @keyframes blink {
    50% {
      opacity: 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .cursor {
      animation: none;
    }
  }
  .failed {
    color: var(--_muted);
    font-style: italic;
  }
  [part~='notice'],
  [part~='error'] {
    margin: 0;
    padding: 8px 12px;
    border-radius: 8px;
    font-size: 0.9em;
  }
  [part~='notice'] {
    background: color-mix(in srgb, var(--_strong) 12%, transparent);
  }
  [part~='error'] {
    color: var(--_error);
    background: color-mix(in srgb, var(--_error) 10%, transparent);
  }
  [part~='controls'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px 20px;
    font-size: 0.85em;
    border-top: 1px solid var(--_border);
    padding-top: 10px;
  }
  [part~='slider'] {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  [part~='slider'] input {
    width: 160px;
    accent-color: var(--_accent);
  }
  output {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  [part~='meter'] {
    margin: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    font-variant-numeric: tabular-nums;
  }
  .saved {
    color: var(--_weak);
    font-weight: 600;
  }
  .muted {
    color: var(--_muted);
  }
  [part~='composer'] {
    display: flex;
    gap: 8px;
    align-items: flex-end;
  }
  textarea {
    flex: 1;
    resize: vertical;
    min-height: 2.6em;
    max-height: 12em;
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 8px;
    padding: 8px 10px;
  }
  button {
    font: inherit;
    font-weight: 600;
    border: none;
    border-radius: 8px;
    padding: 9px 16px;
    cursor: pointer;
    color: #fff;
    background: var(--_accent);
  }
  button[part~='stop'] {
    background: var(--_muted);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
