using System.Collections.Immutable;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;
using static LlmSize.Core.Formats.Onnx.OnnxConstants;

namespace LlmSize.Core.Formats.Onnx;

internal sealed partial class OnnxModelParser
{
    private readonly record struct RoleAssignment(OnnxTensorRole Role, string Op, long? Logical);

    /// <summary>Declares ConstantOfShape outputs, assigns roles from the consuming operators and builds the result.</summary>
    private OnnxModelInfo Build()
    {
        var byName = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < _tensors.Count; i++) Index(byName, _tensors[i].Name, i);

        DeclareConstantOfShapeOutputs(byName);

        var roles = new RoleAssignment?[_tensors.Count];
        foreach (RawNode node in _nodes)
        {
            AssignFromNode(node, byName, roles);
        }

        AssignOrtDynamicQuantizationNames(byName, roles);

        var tensors = ImmutableArray.CreateBuilder<OnnxTensor>(_tensors.Count);
        for (int i = 0; i < _tensors.Count; i++)
        {
            RawTensor t = _tensors[i];
            OnnxElementTypes.TryGetDataType(t.ElementType, out TensorDataType dt);
            RoleAssignment? r = roles[i];
            OnnxTensorRole role = r?.Role ?? DefaultRole(t);
            var info = new TensorInfo(t.Name, [.. t.Dims], dt, t.ByteLength)
            {
                DataOffset = t.Location == OnnxDataLocation.Declared ? null : t.DataOffset,
                FilePath = t.Location switch
                {
                    OnnxDataLocation.External => t.ExternalPath,
                    OnnxDataLocation.Embedded => _file,
                    _ => null,
                },
                LogicalElementCount = r?.Logical,
            };
            tensors.Add(new OnnxTensor
            {
                Info = info,
                ElementType = t.ElementType,
                Role = role,
                Source = t.Source,
                Location = t.Location,
                ExternalLocation = t.ExternalLocation,
                ConsumerOp = r?.Op,
            });
        }

        return new OnnxModelInfo
        {
            FilePath = _file,
            FileLength = _r.Length,
            IrVersion = _irVersion,
            ProducerName = _producerName,
            ProducerVersion = _producerVersion,
            Domain = _domain,
            ModelVersion = _modelVersion,
            GraphName = _graphName,
            OpsetImports = [.. _opsets],
            MetadataProps = [.. _metadata],
            Tensors = tensors.MoveToImmutable(),
            NodeCount = _nodes.Count,
            ExternalDataFiles = [.. _sideFiles],
        };
    }

    private static void Index(Dictionary<string, List<int>> byName, string name, int i)
    {
        if (name.Length == 0) return;
        if (!byName.TryGetValue(name, out var list)) byName[name] = list = [];
        list.Add(i);
    }

    /// <summary>Float tensors of more than one element are weights; scalars (epsilons, scale factors), integer shape /
    /// index tensors and buffers such as <c>position_ids</c> are other constants.</summary>
    private static OnnxTensorRole DefaultRole(RawTensor t) =>
        OnnxElementTypes.IsFloat(t.ElementType) && t.ElementCount > 1 ? OnnxTensorRole.Weight : OnnxTensorRole.OtherConstant;

    /// <summary>ConstantOfShape (Operators.md, ConstantOfShape-9/20): output shape = the values of input 0, element type
    /// = that of the <c>value</c> attribute, float32 when absent. When input 0 is a constant, the output is a declared
    /// tensor: counted, 0 bytes stored.</summary>
    private void DeclareConstantOfShapeOutputs(Dictionary<string, List<int>> byName)
    {
        foreach (RawNode node in _nodes)
        {
            if (node.OpType != "ConstantOfShape" || !IsDefaultDomain(node.Domain) || node.Inputs.Count < 1 ||
                node.Outputs.Count < 1 || byName.ContainsKey(node.Outputs[0]))
            {
                continue;
            }

            if (!byName.TryGetValue(node.Inputs[0], out var shapeIdx)) continue;
            long[]? shape = Int64Values(_tensors[shapeIdx[0]]);
            if (shape is null) continue;
            var t = new RawTensor
            {
                Name = node.Outputs[0],
                DataType = node.ValueTensor?.DataType ?? (int)OnnxElementType.Float,
                Source = OnnxTensorSource.ConstantOfShape,
                Location = OnnxDataLocation.Declared,
                StartOffset = node.StartOffset,
            };
            if (shape.Length > _o.MaxDimensions)
            {
                OnnxThrowHelper.Throw(ModelFormatError.CountTooLarge,
                    $"ConstantOfShape shape has {shape.Length} dims, more than the limit of {_o.MaxDimensions}", _file,
                    node.StartOffset, t.Name);
            }

            foreach (long d in shape)
            {
                if (d < 0)
                {
                    OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                        $"ConstantOfShape '{t.Name}' has negative dimension {d}", _file, node.StartOffset, t.Name);
                }

                t.Dims.Add(d);
            }

            if (!OnnxElementTypes.TryGetDataType(t.ElementType, out _))
            {
                OnnxThrowHelper.Throw(ModelFormatError.UnknownDataType,
                    $"ConstantOfShape '{t.Name}' value has data_type {t.DataType}", _file, node.StartOffset, t.Name);
            }

            t.ElementCount = Product(t);
            if (OnnxElementTypes.TryGetDataType(t.ElementType, out var declaredType) && !declaredType.TryGetByteCount(t.ElementCount, out _))
            {
                // Declared, not stored, but every size made from it (download at each precision) must fit 64 bits.
                OnnxThrowHelper.Throw(ModelFormatError.ArithmeticOverflow,
                    $"ConstantOfShape '{t.Name}' declares {t.ElementCount:N0} {declaredType} elements, whose byte size overflows 64 bits",
                    _file, node.StartOffset, t.Name);
            }

            t.ByteLength = 0;
            AddTensor(t, null);
            Index(byName, t.Name, _tensors.Count - 1);
        }
    }

    private void AssignFromNode(RawNode node, Dictionary<string, List<int>> byName, RoleAssignment?[] roles)
    {
        bool ms = node.Domain == MicrosoftDomain;
        bool std = IsDefaultDomain(node.Domain);
        string op = (node.Domain.Length == 0 ? string.Empty : node.Domain + ".") + node.OpType;
        switch (node.OpType)
        {
            case "MatMulNBits" when ms:
            {
                // com.microsoft MatMulNBits (ORT ContribOperators.md): inputs A, B, scales, zero_points, g_idx, bias;
                // B is uint8 [N, ceil(K / block_size), block_size * bits / 8]; the logical weight is K × N.
                long k = RequiredInt(node, "K"), n = RequiredInt(node, "N"), block = RequiredInt(node, "block_size");
                long bits = node.Ints.GetValueOrDefault("bits", 4);
                if (bits is < 1 or > 8 || block < 1)
                {
                    OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                        $"MatMulNBits has bits={bits}, block_size={block}", _file, node.StartOffset, "bits");
                }

                long logical = CheckedProduct(k, n, node);
                long blocks = k / block + (k % block != 0 ? 1 : 0);
                long packed = CheckedProduct(CheckedProduct(n, blocks, node), checked(block * bits / 8), node);
                CheckPackedWeight(node, byName, packed, $"K={k}, N={n}, bits={bits}, block_size={block}");

                Set(node, 1, OnnxTensorRole.Weight, op, logical, byName, roles);
                Set(node, 2, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 3, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                Set(node, 4, OnnxTensorRole.OtherConstant, op, null, byName, roles);
                Set(node, 5, OnnxTensorRole.Weight, op, null, byName, roles);
                break;
            }
            case "MatMulBnb4" when ms:
            {
                // com.microsoft MatMulBnb4: inputs A, B (uint8 [(N × K + 1) / 2]), absmax; attributes K, N, block_size,
                // quant_type (0 FP4, 1 NF4). The logical weight is K × N.
                long k = RequiredInt(node, "K"), n = RequiredInt(node, "N");
                long logical = CheckedProduct(k, n, node);
                CheckPackedWeight(node, byName, logical / 2 + logical % 2, $"K={k}, N={n}");

                Set(node, 1, OnnxTensorRole.Weight, op, logical, byName, roles);
                Set(node, 2, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                break;
            }
            case "GatherBlockQuantized" when ms:
            {
                // com.microsoft GatherBlockQuantized: inputs data, indices, scales, zero_points; attribute bits
                // (default 4). uint8 data packs 8 / bits values per byte; int4/uint4 data holds one per element.
                long bits = node.Ints.GetValueOrDefault("bits", 4);
                long? logical = null;
                if (TryFirst(node, 0, byName, out int d) && _tensors[d].ElementType == OnnxElementType.UInt8)
                {
                    if (bits is < 1 or > 8 || 8 % bits != 0)
                    {
                        OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, $"GatherBlockQuantized has bits={bits}",
                            _file, node.StartOffset, "bits");
                    }

                    logical = CheckedProduct(_tensors[d].ElementCount, 8 / bits, node);
                }

                Set(node, 0, OnnxTensorRole.Weight, op, logical, byName, roles);
                Set(node, 2, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 3, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                break;
            }
            case "DequantizeLinear" when std || ms:
                // Operators.md DequantizeLinear: x, x_scale, x_zero_point. A constant x is a stored quantized weight.
                Set(node, 0, OnnxTensorRole.Weight, op, null, byName, roles);
                Set(node, 1, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 2, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                break;
            case "QuantizeLinear" when std || ms:
                Set(node, 1, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 2, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                break;
            case "MatMulInteger" when std:
            case "ConvInteger" when std:
                // a / x, b / w, a_zero_point, b_zero_point.
                Set(node, 1, OnnxTensorRole.Weight, op, null, byName, roles);
                Set(node, 2, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                Set(node, 3, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                break;
            case "QLinearMatMul" when std:
            case "QLinearConv" when std:
                // a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point[, bias].
                Set(node, 1, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 2, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                Set(node, 3, OnnxTensorRole.Weight, op, null, byName, roles);
                Set(node, 4, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 5, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                Set(node, 6, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 7, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                Set(node, 8, OnnxTensorRole.Weight, op, null, byName, roles);
                break;
            case "DynamicQuantizeMatMul" when ms:
                // A, B, b_scale, b_zero_point, bias.
                Set(node, 1, OnnxTensorRole.Weight, op, null, byName, roles);
                Set(node, 2, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 3, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                Set(node, 4, OnnxTensorRole.Weight, op, null, byName, roles);
                break;
            case "MatMulIntegerToFloat" when ms:
                // A, B, a_scale, b_scale, a_zero_point, b_zero_point, bias.
                Set(node, 1, OnnxTensorRole.Weight, op, null, byName, roles);
                Set(node, 2, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 3, OnnxTensorRole.QuantizationScale, op, null, byName, roles);
                Set(node, 4, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                Set(node, 5, OnnxTensorRole.ZeroPoint, op, null, byName, roles);
                Set(node, 6, OnnxTensorRole.Weight, op, null, byName, roles);
                break;
        }
    }

    /// <summary>ONNX Runtime's dynamic quantizer (the <c>_quantized</c> / q8 files) stores <c>W_quantized</c>,
    /// <c>W_scale</c> and <c>W_zero_point</c> and multiplies by the scale with a plain <c>Mul</c>; name the scale and
    /// zero point of every quantized weight found so they are not counted as parameters.</summary>
    private void AssignOrtDynamicQuantizationNames(Dictionary<string, List<int>> byName, RoleAssignment?[] roles)
    {
        const string quantized = "_quantized";
        for (int i = 0; i < _tensors.Count; i++)
        {
            string name = _tensors[i].Name;
            if (!name.EndsWith(quantized, StringComparison.Ordinal) || roles[i] is not { Role: OnnxTensorRole.Weight }) continue;
            string stem = name[..^quantized.Length];
            foreach (var (suffix, role) in new[] { ("_scale", OnnxTensorRole.QuantizationScale), ("_zero_point", OnnxTensorRole.ZeroPoint) })
            {
                if (!byName.TryGetValue(stem + suffix, out var list)) continue;
                foreach (int j in list) roles[j] ??= new RoleAssignment(role, "onnxruntime dynamic quantization", null);
            }
        }
    }

    private void Set(RawNode node, int input, OnnxTensorRole role, string op, long? logical,
        Dictionary<string, List<int>> byName, RoleAssignment?[] roles)
    {
        if (input >= node.Inputs.Count || node.Inputs[input].Length == 0) return;
        if (!byName.TryGetValue(node.Inputs[input], out var list)) return;
        foreach (int i in list)
        {
            // A quantized weight's role wins over a later generic use; the first operator to claim a tensor names it.
            if (roles[i] is null) roles[i] = new RoleAssignment(role, op, logical);
        }
    }

    /// <summary>Checks that the packed weight (input 1) of a 4-bit MatMul holds exactly <paramref name="expected"/> bytes.</summary>
    private void CheckPackedWeight(RawNode node, Dictionary<string, List<int>> byName, long expected, string attributes)
    {
        if (!TryFirst(node, 1, byName, out int b)) return;
        RawTensor bt = _tensors[b];
        if (bt.ElementCount != expected)
        {
            OnnxThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                $"{node.OpType} weight '{bt.Name}' has {bt.ElementCount} elements; {attributes} need {expected}",
                _file, bt.StartOffset, bt.Name);
        }
    }

    private static bool TryFirst(RawNode node, int input, Dictionary<string, List<int>> byName, out int index)
    {
        index = -1;
        if (input >= node.Inputs.Count || !byName.TryGetValue(node.Inputs[input], out var list)) return false;
        index = list[0];
        return true;
    }

    private long RequiredInt(RawNode node, string name)
    {
        if (!node.Ints.TryGetValue(name, out long v))
        {
            OnnxThrowHelper.Throw(ModelFormatError.MissingField, $"{node.OpType} node lacks attribute '{name}'", _file,
                node.StartOffset, name);
        }

        if (v <= 0)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, $"{node.OpType} attribute '{name}' is {v}", _file,
                node.StartOffset, name);
        }

        return v;
    }

    private long CheckedProduct(long a, long b, RawNode node)
    {
        try
        {
            return checked(a * b);
        }
        catch (OverflowException)
        {
            return OnnxThrowHelper.Throw<long>(ModelFormatError.ArithmeticOverflow, $"{node.OpType}: {a} × {b} overflows",
                _file, node.StartOffset);
        }
    }
}
