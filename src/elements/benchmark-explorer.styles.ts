import { css } from 'lit';

/** <benchmark-explorer>'s look, the chart's SVG classes included; themed by the `--explorer-*` custom properties. */
export const benchmarkExplorerStyles = css`
  :host {
    --_fg: var(--explorer-fg, #1c2024);
    --_muted: var(--explorer-muted, #5c6670);
    --_border: var(--explorer-border, #d9dee3);
    --_accent: var(--explorer-accent, #2f5bd3);
    --_strong: var(--explorer-strong, #8a3ffc);
    --_weak: var(--explorer-weak, #0f8a5f);
    --_surface: var(--explorer-surface, #f7f8fa);
    --_good: #0f8a5f;
    --_bad: #b42318;
    display: block;
    color: var(--_fg);
    font: var(--explorer-font, 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_fg: var(--explorer-fg, #e6e9ec);
      --_muted: var(--explorer-muted, #9aa4ae);
      --_border: var(--explorer-border, #2c3238);
      --_accent: var(--explorer-accent, #7c9cf5);
      --_strong: var(--explorer-strong, #b88cff);
      --_weak: var(--explorer-weak, #4cc38a);
      --_surface: var(--explorer-surface, #1d2126);
      --_good: #4cc38a;
      --_bad: #ff8a80;
    }
  }
  [part~='intro'] > p {
    color: var(--_muted);
    margin: 0 0 14px;
    max-width: 62em;
  }
  [part~='intro'] strong {
    color: var(--_fg);
  }
  .badge-legend {
    display: grid;
    gap: 4px;
    margin: 0 0 12px;
  }
  .badge-legend div {
    display: flex;
    gap: 8px;
    flex-wrap: wrap;
    align-items: baseline;
  }
  .badge-legend dd {
    margin: 0;
    color: var(--_muted);
  }
  [role='tablist'] {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    border-bottom: 1px solid var(--_border);
  }
  [role='tab'] {
    font: inherit;
    color: var(--_muted);
    background: none;
    border: none;
    border-bottom: 3px solid transparent;
    padding: 8px 12px;
    cursor: pointer;
  }
  [role='tab'][aria-selected='true'] {
    color: var(--_fg);
    border-bottom-color: var(--_accent);
    font-weight: 600;
  }
  [role='tab']:focus-visible,
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  summary:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .count {
    font-size: 0.8em;
    color: var(--_muted);
    font-weight: 400;
  }
  .description {
    color: var(--_muted);
    margin: 12px 0;
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr);
    gap: 20px;
    align-items: start;
  }
  @media (max-width: 860px) {
    .layout {
      grid-template-columns: 1fr;
    }
  }
  figure {
    margin: 0;
  }
  svg {
    width: 100%;
    height: auto;
    touch-action: none;
    cursor: ew-resize;
    user-select: none;
  }
  .grid line {
    stroke: var(--_border);
    stroke-width: 1;
  }
  .tick,
  .axis-label,
  .reference {
    fill: var(--_muted);
    font-size: calc(11px * var(--chart-text-scale, 1));
  }
  .axis-label {
    font-size: calc(12px * var(--chart-text-scale, 1));
  }
  .weak-line,
  .strong-line {
    stroke-width: 1.5;
    stroke-dasharray: 5 4;
  }
  .weak-line {
    stroke: var(--_weak);
  }
  .strong-line {
    stroke: var(--_strong);
  }
  .series {
    fill: none;
    stroke-width: 2;
    stroke-linejoin: round;
  }
  .series.selected {
    stroke-width: 3.5;
  }
  .series.router {
    opacity: 0.55;
  }
  .series.random {
    stroke-dasharray: 2 3;
  }
  .series.oracle {
    stroke-dasharray: 7 4;
    opacity: 0.7;
  }
  .marker line {
    stroke: var(--_fg);
    stroke-width: 1;
    stroke-dasharray: 3 3;
  }
  .marker circle {
    fill: var(--_accent);
    stroke: white;
    stroke-width: 2;
  }
  figcaption {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 14px;
    font-size: 0.8em;
    color: var(--_muted);
  }
  .legend i {
    display: inline-block;
    width: 14px;
    height: 3px;
    vertical-align: middle;
    margin-right: 5px;
  }
  .legend.selected {
    color: var(--_fg);
    font-weight: 600;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9em;
    font-variant-numeric: tabular-nums;
  }
  caption {
    text-align: left;
    color: var(--_muted);
    font-size: 0.85em;
    margin-bottom: 6px;
  }
  th,
  td {
    text-align: right;
    padding: 4px 6px;
    border-bottom: 1px solid var(--_border);
  }
  th[scope='row'],
  th:first-child {
    text-align: left;
    font-weight: 500;
  }
  tr.selected {
    background: var(--_surface);
  }
  [part~='threshold'] {
    margin-top: 16px;
  }
  [part~='threshold'] label {
    font-weight: 600;
  }
  [part~='threshold'] input {
    width: 100%;
    accent-color: var(--_accent);
  }
  .reading {
    margin: 6px 0;
  }
  .hint,
  .muted {
    color: var(--_muted);
    font-size: 0.85em;
  }
  [part~='prompts'] header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 8px 16px;
    margin-top: 20px;
  }
  h3 {
    font-size: 1em;
    margin: 0;
  }
  select {
    max-width: 22em;
  }
  select,
  button.more {
    font: inherit;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 4px 8px;
  }
  button.more {
    margin: 8px 0;
    cursor: pointer;
  }
  ol {
    list-style: none;
    padding: 0;
    margin: 8px 0 0;
  }
  li {
    border-bottom: 1px solid var(--_border);
  }
  summary {
    display: flex;
    align-items: baseline;
    gap: 10px;
    padding: 6px 2px;
    cursor: pointer;
    list-style: none;
  }
  summary::-webkit-details-marker {
    display: none;
  }
  .snippet {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .tier {
    flex: none;
    min-width: 5.2em;
    padding: 1px 4px;
    box-sizing: border-box;
    text-align: center;
    font-size: 0.72em;
    color: white;
  }
  .score {
    flex: none;
    font-variant-numeric: tabular-nums;
    color: var(--_muted);
    font-size: 0.85em;
  }
  .outcome {
    flex: none;
    font-size: 0.8em;
    border: 1px solid currentColor;
    border-radius: 10px;
    padding: 0 7px;
  }
  .outcome.good {
    color: var(--_good);
  }
  .outcome.bad {
    color: var(--_bad);
  }
  .outcome.costly {
    color: var(--_muted);
  }
  .body {
    padding: 4px 4px 12px;
  }
  pre {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    font: inherit;
    font-size: 0.9em;
    margin: 0;
  }
  .prompt-text {
    background: var(--_surface);
    padding: 8px;
    border-radius: 6px;
    max-height: 16em;
    overflow: auto;
  }
  .answers {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 12px;
    margin-top: 10px;
  }
  @media (max-width: 700px) {
    .answers {
      grid-template-columns: 1fr;
    }
  }
  .answer {
    border-left: 3px solid var(--_border);
    padding-left: 10px;
  }
  .answer.strong {
    border-left-color: var(--_strong);
  }
  .answer.weak {
    border-left-color: var(--_weak);
  }
  .answer pre {
    max-height: 20em;
    overflow: auto;
  }
  h4 {
    margin: 0 0 4px;
    font-size: 0.9em;
  }
  [part~='footnote'] {
    color: var(--_muted);
    font-size: 0.8em;
    margin-top: 20px;
  }
  [part~='missing'] {
    border: 1px dashed var(--_border);
    border-radius: 10px;
    padding: 4px 20px;
  }
  [part~='missing'] pre {
    background: var(--_surface);
    padding: 10px;
    border-radius: 6px;
    font-family: ui-monospace, monospace;
  }
  [part~='error'] {
    color: var(--_bad);
  }
`;
