import type { ModelProto, NodeProto, TensorProto } from '../onnx-proto.ts';
import { InvalidInputError, ModelLoadError } from '../../../core/index.ts';

/** Nodes and initializers of one graph, ready to be placed inside another. */
export interface GraphPart {
  readonly node: NodeProto[];
  readonly initializer: TensorProto[];
}

/**
 * Places a whole model inside a larger graph: every value it names (initializers, node outputs) is renamed to
 * `<namespace>/<name>`, except its graph inputs and outputs, which are wired to the names `connections` gives
 * them. Outputs missing from `connections` are dropped, with every node that only they needed, so a part
 * contributes just what the larger graph uses.
 */
export function embedModel(
  model: ModelProto,
  namespace: string,
  connections: Readonly<Record<string, string>>,
): GraphPart {
  const { graph } = model;
  for (const input of graph.input) {
    if (!Object.hasOwn(connections, input.name))
      throw new InvalidInputError(`embedModel: graph input ${input.name} is not connected`);
  }
  const kept = graph.output.map((output) => output.name).filter((name) => Object.hasOwn(connections, name));
  if (kept.length === 0) throw new InvalidInputError('embedModel: no graph output is connected');
  const node = liveNodes(graph.node, kept);
  const rename = (name: string) =>
    name === '' ? name : Object.hasOwn(connections, name) ? connections[name]! : `${namespace}/${name}`;
  const used = new Set(node.flatMap((entry) => entry.input));
  return {
    node: node.map((entry) => ({ ...entry, input: entry.input.map(rename), output: entry.output.map(rename) })),
    initializer: graph.initializer
      .filter((tensor) => used.has(tensor.name))
      .map((tensor) => ({ ...tensor, name: rename(tensor.name) })),
  };
}

/**
 * Orders nodes so that each comes after the nodes producing its inputs (ONNX requires a topological order), keeping
 * the given order wherever it already holds, so the result is deterministic. `available` are the graph inputs and
 * initializers.
 */
export function topologicalOrder(nodes: readonly NodeProto[], available: Iterable<string>): NodeProto[] {
  const ready = new Set(['', ...available]);
  const pending = [...nodes];
  const ordered: NodeProto[] = [];
  while (pending.length > 0) {
    const next = pending.findIndex((node) => node.input.every((name) => ready.has(name)));
    if (next < 0)
      throw new ModelLoadError(
        `topologicalOrder: no producer for an input of ${pending[0]!.op_type} (${pending[0]!.input.filter((name) => !ready.has(name)).join(', ')})`,
      );
    const [node] = pending.splice(next, 1);
    ordered.push(node!);
    for (const output of node!.output) ready.add(output);
  }
  return ordered;
}

/** The nodes that contribute to `outputs`, in their original (topological) order. */
function liveNodes(nodes: readonly NodeProto[], outputs: readonly string[]): NodeProto[] {
  const needed = new Set(outputs);
  const live = new Array<boolean>(nodes.length).fill(false);
  for (let index = nodes.length - 1; index >= 0; index--) {
    const node = nodes[index]!;
    if (!node.output.some((name) => needed.has(name))) continue;
    live[index] = true;
    for (const input of node.input) needed.add(input);
  }
  return nodes.filter((_, index) => live[index]);
}
