import {
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
  OnnxAttributeType,
  OnnxDataType,
} from './onnx-proto.ts';
import type { HostTensor } from './tensor.ts';

/** Integer attributes only: every attribute of the graphs built here is an int or a list of ints. */
export type Attributes = Record<string, number | number[]>;

const DATA_TYPE_OF: Record<HostTensor['dtype'], OnnxDataType> = {
  float32: OnnxDataType.FLOAT,
  int32: OnnxDataType.INT32,
  int64: OnnxDataType.INT64,
  int8: OnnxDataType.INT8,
  uint8: OnnxDataType.UINT8,
};

/**
 * Builds an ONNX graph node by node, in the style of onnx.helper: every intermediate value gets the name
 * `<prefix>_<n>` from one counter, so the same sequence of calls always yields the same graph, byte for byte.
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private counter = 0;

  /** A fresh value name. */
  name(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Adds an initializer and returns its name. */
  constant(tensor: HostTensor): string {
    const name = this.name('c');
    const { data } = tensor;
    this.initializers.push({
      name,
      dims: tensor.shape,
      data_type: DATA_TYPE_OF[tensor.dtype],
      // ONNX raw_data is little-endian, as are the typed arrays of every platform Node and browsers run on.
      raw_data: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    });
    return name;
  }

  /** Adds a single-output node and returns the output's name. */
  op(opType: string, inputs: string[], attributes: Attributes = {}): string {
    const output = this.name(opType);
    this.node(opType, inputs, [output], attributes);
    return output;
  }

  /** Adds a node with explicitly named outputs. */
  node(opType: string, inputs: string[], outputs: string[], attributes: Attributes = {}): void {
    this.nodes.push({ op_type: opType, input: inputs, output: outputs, attribute: encodeAttributes(attributes) });
  }

  toModel(options: {
    graphName: string;
    producer: string;
    opset: number;
    irVersion: number;
    inputs: ValueInfoProto[];
    outputs: ValueInfoProto[];
  }): ModelProto {
    return {
      ir_version: options.irVersion,
      producer_name: options.producer,
      opset_import: [{ domain: '', version: options.opset }],
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: options.inputs,
        output: options.outputs,
      },
    };
  }
}

/** A graph input or output: a tensor whose dimensions are fixed sizes or symbolic names. */
export function tensorValueInfo(name: string, elemType: OnnxDataType, dims: Array<number | string>): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dim_value: dim } : { dim_param: dim })) },
      },
    },
  };
}

/** Sorted by name, as onnx.helper.make_node does, so attribute order never depends on object key order. */
function encodeAttributes(attributes: Attributes): AttributeProto[] {
  return Object.keys(attributes)
    .sort()
    .map((name) => {
      const value = attributes[name]!;
      return Array.isArray(value)
        ? { name, type: OnnxAttributeType.INTS, ints: value }
        : { name, type: OnnxAttributeType.INT, i: value };
    });
}
