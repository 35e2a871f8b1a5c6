import protobuf from 'protobufjs';
import { ModelLoadError } from '../../core/index.ts';

/**
 * The subset of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto, proto2) that a dense inference
 * graph needs. Field numbers are ONNX's own, so the bytes are a valid ModelProto for any ONNX reader.
 */
const ONNX_PROTO_SUBSET = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType { UNDEFINED = 0; INT = 2; INTS = 7; }
  optional string name = 1;
  optional int64 i = 3;
  repeated int64 ints = 8;
  optional AttributeType type = 20;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
}

message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}

message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`;

/** TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** AttributeProto.AttributeType values used here. */
export const OnnxAttributeType = { INT: 2, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: OnnxDataType;
  raw_data: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: (typeof OnnxAttributeType)[keyof typeof OnnxAttributeType];
  i?: number;
  ints?: number[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  op_type: string;
  attribute: AttributeProto[];
}

export interface ValueInfoProto {
  name: string;
  type: {
    tensor_type: { elem_type: OnnxDataType; shape: { dim: Array<{ dim_value: number } | { dim_param: string }> } };
  };
}

export interface ModelProto {
  ir_version: number;
  producer_name: string;
  opset_import: Array<{ domain: string; version: number }>;
  graph: {
    name: string;
    node: NodeProto[];
    initializer: TensorProto[];
    input: ValueInfoProto[];
    output: ValueInfoProto[];
  };
}

const modelType = protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');

/** Serialises a model; protobufjs writes fields in field-number order, so equal models give equal bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  const invalid = modelType.verify(model);
  if (invalid) throw new ModelLoadError(`invalid ONNX model: ${invalid}`);
  return modelType.encode(model).finish();
}

/** Parses bytes written by encodeModel (tests use it to inspect the graph). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return modelType.toObject(modelType.decode(bytes), { longs: Number }) as ModelProto;
}
