/**
 * The subset of ONNX's `onnx.proto` (github.com/onnx/onnx, `onnx/onnx.proto`) that d7y writes and inspects,
 * with the real field numbers, loaded by protobufjs. Written by hand so the plugin needs no ONNX package;
 * fields outside the subset are skipped by the decoder, as protobuf allows.
 */
import protobuf from 'protobufjs';

const ONNX_SUBSET_PROTO = `
syntax = "proto3";
package onnx;
message AttributeProto {
  string name = 1; float f = 2; int64 i = 3; bytes s = 4; TensorProto t = 5;
  repeated float floats = 7; repeated int64 ints = 8; int32 type = 20;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; string doc_string = 3; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4;
  repeated AttributeProto attribute = 5; string doc_string = 6; string domain = 7;
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto {
  int64 ir_version = 1; string producer_name = 2; string producer_version = 3; string domain = 4;
  int64 model_version = 5; string doc_string = 6; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8;
}
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; string doc_string = 10;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; repeated ValueInfoProto value_info = 13;
}
message TensorProto {
  repeated int64 dims = 1; int32 data_type = 2; repeated float float_data = 4; string name = 8; bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } string denotation = 3; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
  string denotation = 6;
}
`;

/** ONNX `TensorProto.DataType.FLOAT`. */
export const ONNX_FLOAT = 1;

let modelProto: protobuf.Type | undefined;

/** The `onnx.ModelProto` message type (parsed once). */
export function onnxModelProto(): protobuf.Type {
  modelProto ??= protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: false }).root.lookupType('onnx.ModelProto');
  return modelProto;
}
