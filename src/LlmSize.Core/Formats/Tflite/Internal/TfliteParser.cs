using System.Buffers.Binary;
using System.Collections.Immutable;
using C = LlmSize.Core.Formats.Tflite.TfliteConstants;

namespace LlmSize.Core.Formats.Tflite.Internal;

/// <summary>
/// Decodes the TFLite <c>Model</c> table (schema.fbs) from a flatbuffer span into <see cref="TfliteModelInfo"/>.
/// Only tables and small vectors are touched; buffer <c>data</c> vectors are measured, never read.
/// </summary>
internal static class TfliteParser
{
    /// <summary>Parses a TFLite flatbuffer.</summary>
    /// <param name="bytes">The flatbuffer (the whole file, or its first <see cref="TfliteReaderOptions.MaxFlatbufferBytes"/>).</param>
    /// <param name="fileLength">Bytes of the whole file; external buffers must lie inside it.</param>
    /// <param name="filePath">Path for messages and results.</param>
    /// <param name="baseOffset">Offset of <paramref name="bytes"/> inside the file (0 for a plain file).</param>
    /// <param name="options">Limits.</param>
    public static TfliteModelInfo Parse(ReadOnlySpan<byte> bytes, long fileLength, string? filePath, long baseOffset,
        TfliteReaderOptions options)
    {
        CheckIdentifier(bytes, filePath, baseOffset);
        var fb = new FlatBufferView(bytes, filePath, baseOffset);
        FbTable root = fb.Root();

        // Aliased vectors (many tables pointing at one vector) could make a small file materialize huge arrays;
        // bound the elements copied out to a budget proportional to the buffer.
        long budget = (long)bytes.Length + 1_000_000;

        uint version = fb.U32(root, C.Model.Version, 0, "Model.version");
        string? description = fb.String(root, C.Model.Description, options.MaxStringBytes, "Model.description");

        ImmutableArray<TfliteOperatorCode> opcodes = ReadOperatorCodes(fb, root, options, filePath, baseOffset, ref budget);
        ImmutableArray<TfliteBuffer> buffers = ReadBuffers(fb, root, fileLength, baseOffset, filePath, options, ref budget);

        FbVector sgv = fb.Vector(root, C.Model.Subgraphs, 4, options.MaxSubgraphs, "Model.subgraphs");
        Spend(ref budget, sgv.Count, fb, filePath, baseOffset, "Model.subgraphs");
        var subgraphs = ImmutableArray.CreateBuilder<TfliteSubgraph>(sgv.Count);
        var counted = new HashSet<uint>();
        long parameters = 0, weightBytes = 0, quantBytes = 0;
        for (int s = 0; s < sgv.Count; s++)
        {
            FbTable sg = fb.TableAt(sgv, s, "SubGraph");
            subgraphs.Add(ReadSubgraph(fb, sg, opcodes.Length, buffers, counted, options, filePath, baseOffset,
                ref budget, ref parameters, ref weightBytes, ref quantBytes));
        }

        FbVector mv = fb.Vector(root, C.Model.Metadata, 4, options.MaxMetadataEntries, "Model.metadata");
        Spend(ref budget, mv.Count, fb, filePath, baseOffset, "Model.metadata");
        var metadata = ImmutableArray.CreateBuilder<TfliteMetadataEntry>(mv.Count);
        for (int i = 0; i < mv.Count; i++)
        {
            FbTable m = fb.TableAt(mv, i, "Metadata");
            string name = fb.String(m, C.Metadata.Name, options.MaxStringBytes, "Metadata.name") ?? string.Empty;
            uint bi = fb.U32(m, C.Metadata.Buffer, 0, "Metadata.buffer");
            if (bi >= buffers.Length)
            {
                TfliteThrowHelper.Throw(ModelFormatError.InvalidValue,
                    $"TFLite metadata '{name}' refers to buffer {bi}, but the model has {buffers.Length} buffers",
                    filePath, baseOffset + m.Position, "Metadata.buffer");
            }

            metadata.Add(new TfliteMetadataEntry(name, bi));
        }

        FbVector sigs = fb.Vector(root, C.Model.SignatureDefs, 4, options.MaxSubgraphs, "Model.signature_defs");

        long external = 0;
        foreach (TfliteBuffer b in buffers)
        {
            if (b.IsExternal) external = CheckedAdd(external, b.ByteLength, filePath, "Model.buffers");
        }

        return new TfliteModelInfo
        {
            FilePath = filePath,
            FileLength = fileLength,
            SchemaVersion = version,
            Description = description,
            OperatorCodes = opcodes,
            Subgraphs = subgraphs.MoveToImmutable(),
            Buffers = buffers,
            Metadata = metadata.MoveToImmutable(),
            SignatureCount = sigs.Count,
            ParameterCount = parameters,
            WeightBytes = weightBytes,
            QuantizationParameterBytes = quantBytes,
            ExternalBufferBytes = external,
        };
    }

    private static void CheckIdentifier(ReadOnlySpan<byte> bytes, string? filePath, long baseOffset)
    {
        if (bytes.Length >= 4 && bytes[..4].SequenceEqual("PK\x03\x04"u8))
        {
            TfliteThrowHelper.Throw(ModelFormatError.WrongFormat,
                "this is a zip archive, not a TFLite flatbuffer (a MediaPipe .task bundle? name it .task)",
                filePath, baseOffset);
        }

        if (bytes.Length < C.MinimumLength)
        {
            TfliteThrowHelper.Throw(ModelFormatError.Truncated,
                $"TFLite flatbuffer: {bytes.Length} bytes is shorter than the {C.MinimumLength}-byte header", filePath, baseOffset);
        }

        if (!bytes.Slice(4, 4).SequenceEqual(C.FileIdentifier))
        {
            TfliteThrowHelper.Throw(ModelFormatError.InvalidMagic,
                $"file identifier at bytes 4..8 is 0x{Convert.ToHexString(bytes.Slice(4, 4))}, not \"TFL3\"",
                filePath, baseOffset + 4);
        }
    }

    private static ImmutableArray<TfliteOperatorCode> ReadOperatorCodes(FlatBufferView fb, FbTable root,
        TfliteReaderOptions options, string? filePath, long baseOffset, ref long budget)
    {
        FbVector v = fb.Vector(root, C.Model.OperatorCodes, 4, options.MaxBuffers, "Model.operator_codes");
        Spend(ref budget, v.Count, fb, filePath, baseOffset, "Model.operator_codes");
        var list = ImmutableArray.CreateBuilder<TfliteOperatorCode>(v.Count);
        for (int i = 0; i < v.Count; i++)
        {
            FbTable oc = fb.TableAt(v, i, "OperatorCode");
            int deprecated = (sbyte)fb.U8(oc, C.OperatorCode.DeprecatedBuiltinCode, 0, "OperatorCode.deprecated_builtin_code");
            int builtin = fb.I32(oc, C.OperatorCode.BuiltinCode, 0, "OperatorCode.builtin_code");
            string? custom = fb.String(oc, C.OperatorCode.CustomCode, options.MaxStringBytes, "OperatorCode.custom_code");
            int version = fb.I32(oc, C.OperatorCode.Version, 1, "OperatorCode.version");
            // schema_utils.cc GetBuiltinCode: max(builtin_code, deprecated_builtin_code).
            list.Add(new TfliteOperatorCode(Math.Max(builtin, deprecated), custom, version));
        }

        return list.MoveToImmutable();
    }

    private static ImmutableArray<TfliteBuffer> ReadBuffers(FlatBufferView fb, FbTable root, long fileLength,
        long baseOffset, string? filePath, TfliteReaderOptions options, ref long budget)
    {
        FbVector v = fb.Vector(root, C.Model.Buffers, 4, options.MaxBuffers, "Model.buffers");
        Spend(ref budget, v.Count, fb, filePath, baseOffset, "Model.buffers");
        var list = ImmutableArray.CreateBuilder<TfliteBuffer>(v.Count);
        for (int i = 0; i < v.Count; i++)
        {
            FbTable b = fb.TableAt(v, i, "Buffer");
            // data:[ubyte]: measured against the bytes left, never copied.
            FbVector data = fb.Vector(b, C.Buffer.Data, 1, int.MaxValue, "Buffer.data");
            ulong offset = fb.U64(b, C.Buffer.Offset, "Buffer.offset");
            ulong size = fb.U64(b, C.Buffer.Size, "Buffer.size");
            if (offset > C.MinExternalOffset)
            {
                // Buffer stored outside the flatbuffer (models over 2 GB): offset from the start of the file.
                if (data.Count > 0)
                {
                    TfliteThrowHelper.Throw(ModelFormatError.InvalidValue,
                        $"TFLite buffer {i} has both {data.Count} inline data bytes and an external offset {offset}",
                        filePath, baseOffset + b.Position, "Buffer.offset");
                }

                if (size > (ulong)fileLength || offset > (ulong)fileLength - size)
                {
                    TfliteThrowHelper.Throw(ModelFormatError.OffsetOutOfRange,
                        $"TFLite buffer {i}: external data at offset {offset} of {size} bytes lies outside the {fileLength}-byte file",
                        filePath, baseOffset + b.Position, "Buffer.offset");
                }

                list.Add(new TfliteBuffer((long)size, size == 0 ? null : (long)offset, IsExternal: true));
            }
            else
            {
                list.Add(new TfliteBuffer(data.Count, data.Count == 0 ? null : baseOffset + data.Start, IsExternal: false));
            }
        }

        return list.MoveToImmutable();
    }

    private static TfliteSubgraph ReadSubgraph(FlatBufferView fb, FbTable sg, int opcodeCount,
        ImmutableArray<TfliteBuffer> buffers, HashSet<uint> counted, TfliteReaderOptions options, string? filePath,
        long baseOffset, ref long budget, ref long parameters, ref long weightBytes, ref long quantBytes)
    {
        string? name = fb.String(sg, C.SubGraph.Name, options.MaxStringBytes, "SubGraph.name");
        FbVector tv = fb.Vector(sg, C.SubGraph.Tensors, 4, options.MaxTensorsPerSubgraph, "SubGraph.tensors");
        Spend(ref budget, tv.Count, fb, filePath, baseOffset, "SubGraph.tensors");
        var tensors = ImmutableArray.CreateBuilder<TfliteTensor>(tv.Count);
        for (int i = 0; i < tv.Count; i++)
        {
            FbTable t = fb.TableAt(tv, i, "Tensor");
            TfliteTensor tensor = ReadTensor(fb, t, buffers, counted, options, filePath, baseOffset, ref budget);
            if (tensor.IsCountedWeight)
            {
                parameters = CheckedAdd(parameters, tensor.ElementCount!.Value, filePath, "Tensor.shape");
                weightBytes = CheckedAdd(weightBytes, buffers[(int)tensor.BufferIndex].ByteLength, filePath, "Tensor.buffer");
            }

            if (tensor.Quantization is { } q)
            {
                quantBytes = CheckedAdd(quantBytes, 4L * q.Scale.Length + 8L * q.ZeroPoint.Length, filePath, "Tensor.quantization");
            }

            tensors.Add(tensor);
        }

        ImmutableArray<int> inputs = ReadIndices(fb, sg, C.SubGraph.Inputs, tv.Count, allowMinusOne: false, options, filePath, baseOffset, ref budget, "SubGraph.inputs");
        ImmutableArray<int> outputs = ReadIndices(fb, sg, C.SubGraph.Outputs, tv.Count, allowMinusOne: false, options, filePath, baseOffset, ref budget, "SubGraph.outputs");

        FbVector ov = fb.Vector(sg, C.SubGraph.Operators, 4, options.MaxOperatorsPerSubgraph, "SubGraph.operators");
        Spend(ref budget, ov.Count, fb, filePath, baseOffset, "SubGraph.operators");
        var ops = ImmutableArray.CreateBuilder<TfliteOperator>(ov.Count);
        for (int i = 0; i < ov.Count; i++)
        {
            FbTable o = fb.TableAt(ov, i, "Operator");
            uint opcode = fb.U32(o, C.Operator.OpcodeIndex, 0, "Operator.opcode_index");
            if (opcode >= opcodeCount)
            {
                TfliteThrowHelper.Throw(ModelFormatError.InvalidValue,
                    $"TFLite operator {i}: opcode_index {opcode} is not below the {opcodeCount} operator codes",
                    filePath, baseOffset + o.Position, "Operator.opcode_index");
            }

            // -1 marks an omitted optional input (schema.fbs, Operator.inputs).
            ImmutableArray<int> oin = ReadIndices(fb, o, C.Operator.Inputs, tv.Count, allowMinusOne: true, options, filePath, baseOffset, ref budget, "Operator.inputs");
            ImmutableArray<int> oout = ReadIndices(fb, o, C.Operator.Outputs, tv.Count, allowMinusOne: true, options, filePath, baseOffset, ref budget, "Operator.outputs");
            ops.Add(new TfliteOperator(opcode, oin, oout));
        }

        return new TfliteSubgraph(name, tensors.MoveToImmutable(), ops.MoveToImmutable(), inputs, outputs);
    }

    private static TfliteTensor ReadTensor(FlatBufferView fb, FbTable t, ImmutableArray<TfliteBuffer> buffers,
        HashSet<uint> counted, TfliteReaderOptions options, string? filePath, long baseOffset, ref long budget)
    {
        string name = fb.String(t, C.Tensor.Name, options.MaxStringBytes, "Tensor.name") ?? string.Empty;
        FbVector sv = fb.Vector(t, C.Tensor.Shape, 4, options.MaxRank, "Tensor.shape");
        Spend(ref budget, sv.Count, fb, filePath, baseOffset, "Tensor.shape");
        var shape = ImmutableArray.CreateBuilder<long>(sv.Count);
        long? elements = 1;
        for (int d = 0; d < sv.Count; d++)
        {
            int dim = fb.I32At(sv, d);
            shape.Add(dim);
            if (dim < 0) elements = null;
            else if (elements is { } e)
            {
                if (dim != 0 && e > long.MaxValue / dim)
                {
                    TfliteThrowHelper.Throw(ModelFormatError.ArithmeticOverflow,
                        $"TFLite tensor '{name}': the product of its shape overflows 64 bits", filePath,
                        baseOffset + sv.Start, "Tensor.shape");
                }

                elements = e * dim;
            }
        }

        byte rawType = fb.U8(t, C.Tensor.Type, 0, "Tensor.type");
        if (rawType > TfliteTensorTypeExtensions.MaxKnown)
        {
            TfliteThrowHelper.Throw(ModelFormatError.UnknownDataType,
                $"TFLite tensor '{name}': type {(sbyte)rawType} is not a TensorType this reader knows (0..{TfliteTensorTypeExtensions.MaxKnown})",
                filePath, baseOffset + t.Position, "Tensor.type");
        }

        uint bufferIndex = fb.U32(t, C.Tensor.Buffer, 0, "Tensor.buffer");
        if (bufferIndex >= buffers.Length && (bufferIndex != 0 || buffers.Length != 0))
        {
            TfliteThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"TFLite tensor '{name}': buffer index {bufferIndex} is not below the {buffers.Length} buffers",
                filePath, baseOffset + t.Position, "Tensor.buffer");
        }

        bool isVariable = fb.U8(t, C.Tensor.IsVariable, 0, "Tensor.is_variable") != 0;
        bool isSparse = fb.SubTable(t, C.Tensor.Sparsity, "Tensor.sparsity") is not null;
        TfliteQuantization? quant = fb.SubTable(t, C.Tensor.Quantization, "Tensor.quantization") is { } qt
            ? ReadQuantization(fb, qt, options, filePath, baseOffset, ref budget)
            : null;

        bool constant = bufferIndex != 0 && buffers[(int)bufferIndex].ByteLength > 0;
        if (constant && elements is null)
        {
            TfliteThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"TFLite tensor '{name}' holds data but its shape [{string.Join(", ", shape)}] has a negative dimension",
                filePath, baseOffset + sv.Start, "Tensor.shape");
        }

        return new TfliteTensor
        {
            Name = name,
            Shape = shape.MoveToImmutable(),
            Type = (TfliteTensorType)rawType,
            BufferIndex = bufferIndex,
            IsVariable = isVariable,
            IsSparse = isSparse,
            Quantization = quant,
            ElementCount = elements,
            IsConstant = constant,
            IsCountedWeight = constant && counted.Add(bufferIndex),
        };
    }

    private static TfliteQuantization ReadQuantization(FlatBufferView fb, FbTable q, TfliteReaderOptions options,
        string? filePath, long baseOffset, ref long budget)
    {
        int cap = options.MaxQuantizationParameters;
        FbVector min = fb.Vector(q, C.Quantization.Min, 4, cap, "QuantizationParameters.min");
        FbVector max = fb.Vector(q, C.Quantization.Max, 4, cap, "QuantizationParameters.max");
        FbVector scale = fb.Vector(q, C.Quantization.Scale, 4, cap, "QuantizationParameters.scale");
        FbVector zero = fb.Vector(q, C.Quantization.ZeroPoint, 8, cap, "QuantizationParameters.zero_point");
        Spend(ref budget, (long)scale.Count + zero.Count, fb, filePath, baseOffset, "QuantizationParameters");
        var scales = new float[scale.Count];
        for (int i = 0; i < scales.Length; i++) scales[i] = fb.F32At(scale, i);
        var zeros = new long[zero.Count];
        for (int i = 0; i < zeros.Length; i++) zeros[i] = fb.I64At(zero, i);
        int dim = fb.I32(q, C.Quantization.QuantizedDimension, 0, "QuantizationParameters.quantized_dimension");
        bool custom = fb.U8(q, C.Quantization.DetailsType, 0, "QuantizationParameters.details_type") != 0;
        return new TfliteQuantization(ImmutableArray.Create(scales), ImmutableArray.Create(zeros), dim, min.Count, max.Count, custom);
    }

    private static ImmutableArray<int> ReadIndices(FlatBufferView fb, FbTable t, int id, int tensorCount,
        bool allowMinusOne, TfliteReaderOptions options, string? filePath, long baseOffset, ref long budget, string field)
    {
        FbVector v = fb.Vector(t, id, 4, options.MaxIndexListLength, field);
        Spend(ref budget, v.Count, fb, filePath, baseOffset, field);
        var result = new int[v.Count];
        for (int i = 0; i < v.Count; i++)
        {
            int x = fb.I32At(v, i);
            if (x >= tensorCount || x < (allowMinusOne ? -1 : 0))
            {
                TfliteThrowHelper.Throw(ModelFormatError.InvalidValue,
                    $"TFLite tensor index {x} is outside the subgraph's {tensorCount} tensors",
                    filePath, baseOffset + v.Start + 4L * i, field);
            }

            result[i] = x;
        }

        return ImmutableArray.Create(result);
    }

    private static void Spend(ref long budget, long count, FlatBufferView fb, string? filePath, long baseOffset, string field)
    {
        budget -= count;
        if (budget < 0)
        {
            TfliteThrowHelper.Throw(ModelFormatError.CountTooLarge,
                $"TFLite flatbuffer: its tables share (alias) vectors so that more elements would be materialized than " +
                $"{fb.Length + 1_000_000L} (buffer bytes + 1,000,000)", filePath, baseOffset, field);
        }
    }

    private static long CheckedAdd(long a, long b, string? filePath, string field)
    {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0)
        {
            TfliteThrowHelper.Throw(ModelFormatError.ArithmeticOverflow, "TFLite totals overflow 64 bits", filePath, null, field);
        }

        return r;
    }
}
