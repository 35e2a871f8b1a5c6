/**
 * routellm-web for the Vercel AI SDK (AI SDK 7, language model specification v4): one model that routes every
 * call between a strong and a weak model, with the decision in `providerMetadata.routellm`.
 *
 *   const model = routedModel({ router: createRouter({ router: 'mf', strongPct: 0.3 }), strong: openai('gpt-4.1'), weak: openai('gpt-4.1-mini') });
 *   const { text, providerMetadata } = await generateText({ model, prompt });   // also streamText
 *
 * In the browser the router is createRouter's (from 'routellm-web', in a Web Worker); in Node, createNodeRouter's
 * (from 'routellm-web/node').
 */
export { ROUTING_METADATA_KEY, routedModel } from './routed-model.ts';
export type { CallRouter, RoutedModelOptions, RoutingMetadata } from './routed-model.ts';
