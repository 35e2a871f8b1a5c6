/**
 * routellm-web's SDK: route prompts on the user's device (in a Web Worker) and call the chosen model through the
 * relay with an OpenAI-shaped client.
 *
 *   const client = createClient({ relayUrl: 'http://127.0.0.1:8787' });
 *   const stream = await client.chat.completions.create({ model: 'router-mf-0.1159', messages, stream: true });
 *   for await (const chunk of stream) ...; stream.routing   // { model, score, threshold, ... }
 */
export { createRouter } from './prompt-router.ts';
export type {
  CalibrationSource,
  LoadProgress,
  ModelTier,
  PromptRouter,
  RouteDecision,
  RouteOptions,
  RouterOptions,
  RouterStatus,
} from './prompt-router.ts';
export {
  DEFAULT_MODEL_ROUTER,
  createModelRouter,
  type DeploymentModel,
  type ModelDecision,
  type ModelPolicy,
  type ModelRouter,
  type ModelRouterOptions,
} from './model-router.ts';
export type { WorkerLoadSettings } from './worker-options.ts';
export { AUTO_ROUTER_MODEL, createClient, RouteLLMClient, type AutoModel } from './client.ts';
export type { ChatCompletions, ClientOptions, RequestOptions, RoutedChatCompletion } from './client.ts';
export { ChatCompletionStream } from './chat-stream.ts';
export { promptOf, type RouteInput } from './route-input.ts';
export { readServerSentEvents, type ServerSentEvent } from './sse.ts';
export { AdaptiveThreshold, DEFAULT_ADAPTIVE_WINDOW } from './adaptive-threshold.ts';
export { pageWorkerClient } from './page-worker.ts';
export type * from './openai-types.ts';
export { DEFAULT_ROUTER, formatRouterModel, parseRouterModel, type RouterModelString } from '../core/index.ts';
export type { ModelEstimate, SelectionPolicy } from '../core/index.ts';
export {
  AbortError,
  InvalidInputError,
  ModelLoadError,
  RelayError,
  RouteError,
  WorkerCrashedError,
  type RouteErrorCode,
} from '../core/index.ts';
export type { RouteDevice, RouterInfo } from '../worker/index.ts';
