/**
 * `routellm-web relay [--config FILE] [--port N] [--host ADDRESS]` (`npm run relay` here): the relay as
 * `routellm-relay` runs it, plus the config's opt-in `verify`. The relay imports nothing outside src/relay (it is
 * published alone, without an inference stack), so the router that verifies requests is loaded from this layer, and
 * only when the config asks for one: without `verify` this command loads exactly what routellm-relay does.
 */
import { errorMessage } from '../core/index.ts';
import { toParsedRelayConfig } from '../relay/index.ts';
import {
  DEFAULT_CONFIG_PATH,
  loadRelayConfig,
  runRelayCommand,
  startNodeRelay,
  type NodeRelay,
  type NodeRelayOptions,
} from '../relay/node.ts';
import { isEntryPoint } from './command.ts';

/** startNodeRelay, with the verifier the config's `verify` names loaded first (and released when the relay closes). */
export async function startVerifyingRelay(options: NodeRelayOptions = {}): Promise<NodeRelay> {
  const config = options.config
    ? toParsedRelayConfig(options.config)
    : await loadRelayConfig(options.configPath ?? DEFAULT_CONFIG_PATH);
  if (!config.verify || options.verifyRoute) return startNodeRelay({ ...options, config });
  const { createRouteVerifier } = await import('../relay-verify/index.ts');
  let verifier: Awaited<ReturnType<typeof createRouteVerifier>>;
  try {
    verifier = await createRouteVerifier(config.verify);
  } catch (error) {
    throw new Error(`verify: the ${config.verify.router} router could not be loaded: ${errorMessage(error)}`);
  }
  try {
    const relay = await startNodeRelay({ ...options, config, verifyRoute: verifier.verifyRoute });
    return {
      ...relay,
      close: async () => {
        await relay.close();
        await verifier.close();
      },
    };
  } catch (error) {
    await verifier.close();
    throw error;
  }
}

export function relayCommand(argv: readonly string[]): Promise<void> {
  return runRelayCommand(argv, { start: startVerifyingRelay, command: 'routellm-web relay' });
}

if (isEntryPoint(import.meta.url)) void relayCommand(process.argv.slice(2));
