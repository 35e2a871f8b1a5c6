/** routellm-web's custom elements; importing this module defines them (`<route-chat>`, `<benchmark-explorer>`). */
export { RouteChat } from './route-chat.ts';
export type { ChatModel } from './chat-models.ts';
export type { RouteChatErrorKind, RouteDecisionDetail, RouteErrorDetail } from './chat-session.ts';
export { BenchmarkExplorer } from './benchmark-explorer.ts';
export type { DemoBenchmarkFile, DemoIndex, DemoItem, DemoRouter } from './demo-data.ts';
