using Google.FlatBuffers;

namespace LlmSize.Core.Tests.Formats.Tflite;

/// <summary>
/// Writes small TFLite models with Google.FlatBuffers' <see cref="FlatBufferBuilder"/> — an implementation of the
/// wire format independent of the reader under test. Field ids follow tensorflow/lite/schema/schema.fbs:
/// Model{version 0, operator_codes 1, subgraphs 2, description 3, buffers 4, metadata 6},
/// OperatorCode{deprecated_builtin_code 0, custom_code 1, version 2, builtin_code 3},
/// SubGraph{tensors 0, inputs 1, outputs 2, operators 3, name 4},
/// Tensor{shape 0, type 1, buffer 2, name 3, quantization 4, is_variable 5},
/// QuantizationParameters{scale 2, zero_point 3, quantized_dimension 6},
/// Operator{opcode_index 0, inputs 1, outputs 2}, Buffer{data 0, offset 1, size 2}, Metadata{name 0, buffer 1}.
/// </summary>
internal sealed class TfliteTestModelBuilder
{
    internal sealed record Buf(byte[]? Data = null, ulong Offset = 0, ulong Size = 0);

    internal sealed record Tens(string Name, int[] Shape, sbyte Type, uint Buffer, float[]? Scales = null, long[]? ZeroPoints = null);

    internal sealed record Op(uint OpcodeIndex, int[] Inputs, int[] Outputs);

    internal sealed record Code(sbyte Deprecated, int Builtin, string? Custom = null);

    public List<Buf> Buffers { get; } = [new Buf()];
    public List<Tens> Tensors { get; } = [];
    public List<Op> Operators { get; } = [];
    public List<Code> Codes { get; } = [];
    public List<(string Name, uint Buffer)> Metadata { get; } = [];
    public int[] Inputs { get; set; } = [];
    public int[] Outputs { get; set; } = [];
    public string Description { get; set; } = "test";
    public uint Version { get; set; } = 3;

    public byte[] Build()
    {
        var b = new FlatBufferBuilder(1024);

        var bufOffsets = Buffers.Select(x =>
        {
            VectorOffset? data = x.Data is null ? null : Bytes(b, x.Data);
            b.StartTable(3);
            if (x.Offset != 0) b.AddUlong(1, x.Offset, 0);
            if (x.Size != 0) b.AddUlong(2, x.Size, 0);
            if (data is { } d) b.AddOffset(0, d.Value, 0);
            return b.EndTable();
        }).ToArray();

        var tensorOffsets = Tensors.Select(t =>
        {
            StringOffset name = b.CreateString(t.Name);
            VectorOffset shape = Ints(b, t.Shape);
            int? quant = null;
            if (t.Scales is not null)
            {
                b.StartVector(4, t.Scales.Length, 4);
                for (int i = t.Scales.Length - 1; i >= 0; i--) b.AddFloat(t.Scales[i]);
                VectorOffset sc = b.EndVector();
                long[] zp = t.ZeroPoints ?? [];
                b.StartVector(8, zp.Length, 8);
                for (int i = zp.Length - 1; i >= 0; i--) b.AddLong(zp[i]);
                VectorOffset z = b.EndVector();
                b.StartTable(7);
                b.AddOffset(2, sc.Value, 0);
                b.AddOffset(3, z.Value, 0);
                quant = b.EndTable();
            }

            b.StartTable(6);
            b.AddOffset(0, shape.Value, 0);
            b.AddSbyte(1, t.Type, 0);
            b.AddUint(2, t.Buffer, 0);
            b.AddOffset(3, name.Value, 0);
            if (quant is { } q) b.AddOffset(4, q, 0);
            return b.EndTable();
        }).ToArray();

        var opOffsets = Operators.Select(o =>
        {
            VectorOffset i = Ints(b, o.Inputs), u = Ints(b, o.Outputs);
            b.StartTable(3);
            b.AddUint(0, o.OpcodeIndex, 0);
            b.AddOffset(1, i.Value, 0);
            b.AddOffset(2, u.Value, 0);
            return b.EndTable();
        }).ToArray();

        VectorOffset tv = Tables(b, tensorOffsets), ov = Tables(b, opOffsets), inputs = Ints(b, Inputs), outputs = Ints(b, Outputs);
        StringOffset sgName = b.CreateString("main");
        b.StartTable(5);
        b.AddOffset(0, tv.Value, 0);
        b.AddOffset(1, inputs.Value, 0);
        b.AddOffset(2, outputs.Value, 0);
        b.AddOffset(3, ov.Value, 0);
        b.AddOffset(4, sgName.Value, 0);
        int sg = b.EndTable();

        var codeOffsets = Codes.Select(c =>
        {
            StringOffset? custom = c.Custom is null ? null : b.CreateString(c.Custom);
            b.StartTable(4);
            b.AddSbyte(0, c.Deprecated, 0);
            if (custom is { } cs) b.AddOffset(1, cs.Value, 0);
            b.AddInt(2, 1, 0);
            b.AddInt(3, c.Builtin, 0);
            return b.EndTable();
        }).ToArray();

        var metaOffsets = Metadata.Select(m =>
        {
            StringOffset n = b.CreateString(m.Name);
            b.StartTable(2);
            b.AddOffset(0, n.Value, 0);
            b.AddUint(1, m.Buffer, 0);
            return b.EndTable();
        }).ToArray();

        VectorOffset codes = Tables(b, codeOffsets), sgs = Tables(b, [sg]), bufs = Tables(b, bufOffsets), meta = Tables(b, metaOffsets);
        StringOffset desc = b.CreateString(Description);
        b.StartTable(7);
        b.AddUint(0, Version, 0);
        b.AddOffset(1, codes.Value, 0);
        b.AddOffset(2, sgs.Value, 0);
        b.AddOffset(3, desc.Value, 0);
        b.AddOffset(4, bufs.Value, 0);
        b.AddOffset(6, meta.Value, 0);
        int root = b.EndTable();
        b.Finish(root, "TFL3");
        return b.SizedByteArray();
    }

    private static VectorOffset Bytes(FlatBufferBuilder b, byte[] data)
    {
        b.StartVector(1, data.Length, 16);
        for (int i = data.Length - 1; i >= 0; i--) b.AddByte(data[i]);
        return b.EndVector();
    }

    private static VectorOffset Ints(FlatBufferBuilder b, int[] values)
    {
        b.StartVector(4, values.Length, 4);
        for (int i = values.Length - 1; i >= 0; i--) b.AddInt(values[i]);
        return b.EndVector();
    }

    private static VectorOffset Tables(FlatBufferBuilder b, int[] tables)
    {
        b.StartVector(4, tables.Length, 4);
        for (int i = tables.Length - 1; i >= 0; i--) b.AddOffset(tables[i]);
        return b.EndVector();
    }
}
