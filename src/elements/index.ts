/** routellm-web's custom elements; importing this module defines them (`<route-chat>`, `<benchmark-explorer>`). */
export { RouteChat, type RouteChatErrorKind, type RouteDecisionDetail, type RouteErrorDetail } from './route-chat.ts';
export { BenchmarkExplorer } from './benchmark-explorer.ts';
export type { DemoBenchmarkFile, DemoIndex, DemoItem, DemoRouter } from './demo-data.ts';
