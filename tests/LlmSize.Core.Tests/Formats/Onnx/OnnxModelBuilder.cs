namespace LlmSize.Core.Tests.Formats.Onnx;

/// <summary>
/// Builds small ONNX ModelProto byte arrays. Field numbers are from onnx/onnx.proto, written out here independently
/// of the reader's constants; each call site comments the field it writes.
/// </summary>
internal static class OnnxModelBuilder
{
    // TensorProto.DataType values (onnx.proto).
    public const int Float = 1, UInt8 = 2, Int8 = 3, Int64 = 7, Float16 = 10;

    /// <summary>A ModelProto with ir_version 10, producer "llmsize-tests" 1.0, opset "" 21 and com.microsoft 1, and the
    /// given graph body.</summary>
    public static byte[] Model(Action<ProtoWriter> graph) =>
        new ProtoWriter()
            .Varint(1, 10)                                   // ModelProto.ir_version = 10
            .String(2, "llmsize-tests")                      // ModelProto.producer_name
            .String(3, "1.0")                                // ModelProto.producer_version
            .Message(8, o => o.String(1, "").Varint(2, 21))  // ModelProto.opset_import { domain "", version 21 }
            .Message(8, o => o.String(1, "com.microsoft").Varint(2, 1)) // opset_import { com.microsoft, 1 }
            .Message(7, g =>                                 // ModelProto.graph
            {
                g.String(2, "test-graph");                   // GraphProto.name
                graph(g);
            })
            .ToArray();

    /// <summary>GraphProto.initializer (5) holding a TensorProto with raw_data of <paramref name="rawBytes"/> zero bytes.</summary>
    public static void Initializer(ProtoWriter g, string name, int dataType, long[] dims, int rawBytes) =>
        g.Message(5, t =>
        {
            t.PackedVarints(1, dims);                        // TensorProto.dims (packed)
            t.Varint(2, dataType);                           // TensorProto.data_type
            t.String(8, name);                               // TensorProto.name
            t.Bytes(9, new byte[rawBytes]);                  // TensorProto.raw_data
        });

    /// <summary>GraphProto.initializer with raw_data holding little-endian int64 values (a shape vector).</summary>
    public static void Int64Initializer(ProtoWriter g, string name, params long[] values) =>
        g.Message(5, t =>
        {
            t.PackedVarints(1, values.Length);               // TensorProto.dims = [n]
            t.Varint(2, Int64);                              // TensorProto.data_type = INT64
            t.String(8, name);                               // TensorProto.name
            var raw = new byte[values.Length * 8];
            for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(i * 8), values[i]);
            t.Bytes(9, raw);                                 // TensorProto.raw_data
        });

    /// <summary>GraphProto.initializer whose data is external (data_location = EXTERNAL).</summary>
    public static void ExternalInitializer(ProtoWriter g, string name, int dataType, long[] dims, string location,
        long offset, long length) =>
        g.Message(5, t =>
        {
            t.PackedVarints(1, dims);                        // TensorProto.dims
            t.Varint(2, dataType);                           // TensorProto.data_type
            t.String(8, name);                               // TensorProto.name
            t.Message(13, e => e.String(1, "location").String(2, location)); // external_data { key, value }
            t.Message(13, e => e.String(1, "offset").String(2, offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            t.Message(13, e => e.String(1, "length").String(2, length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            t.Varint(14, 1);                                 // TensorProto.data_location = EXTERNAL
        });

    /// <summary>GraphProto.node (1).</summary>
    public static void Node(ProtoWriter g, string opType, string domain, string[] inputs, string[] outputs,
        params (string Name, long Value)[] intAttributes) =>
        g.Message(1, n =>
        {
            foreach (string i in inputs) n.String(1, i);     // NodeProto.input
            foreach (string o in outputs) n.String(2, o);    // NodeProto.output
            n.String(4, opType);                             // NodeProto.op_type
            if (domain.Length > 0) n.String(7, domain);      // NodeProto.domain
            foreach (var (name, value) in intAttributes)
            {
                n.Message(5, a => a                          // NodeProto.attribute
                    .String(1, name)                         // AttributeProto.name
                    .Varint(3, value)                        // AttributeProto.i
                    .Varint(20, 2));                         // AttributeProto.type = INT
            }
        });
}
