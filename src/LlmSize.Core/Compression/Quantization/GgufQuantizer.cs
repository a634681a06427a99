using LlmSize.Core.Models;
using LlmSize.Core.Formats;
using LlmSize.Core.Sources;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Precision;
using Microsoft.Win32.SafeHandles;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// Quantizes a model (GGUF, or a LLaMA-layout safetensors checkpoint with its config.json) into a GGUF of a
/// llama.cpp file type, the way <c>llama-quantize</c> does: same tensor order, same per-tensor types, same bytes.
/// </summary>
/// <remarks>
/// <para>Follows llama.cpp <c>src/llama-quant.cpp</c> (<c>llama_model_quantize_impl</c>): metadata copied with
/// <c>general.file_type</c> and <c>general.quantization_version</c> = 2 set; tensors in the model loader's order
/// (<c>weight_name_comparer</c>: layer number from "blk.N.", then name); which tensors are quantized and to what from
/// <see cref="LlamaCppTensorTypePolicy"/>; a tensor already of the chosen type is copied; an already-quantized
/// input is refused unless <see cref="GgufQuantizerOptions.AllowRequantize"/>.</para>
/// <para>Streaming: each tensor is processed in chunks of rows (<see cref="GgufQuantizerOptions.ChunkBytes"/>), the
/// rows of a chunk in parallel; memory does not grow with the model. The output is written through
/// <see cref="GgufWriter"/> (temporary file, renamed at the end; deleted on any failure).</para>
/// </remarks>
public static class GgufQuantizer
{
    /// <summary>GGML_QNT_VERSION written as <c>general.quantization_version</c> (ggml.h).</summary>
    public const uint QuantizationVersion = 2;

    /// <summary>Longest row (innermost dimension) converted, in elements: 2^26 (256 MiB of F32 per row buffer).</summary>
    public const long MaxRowLength = 1L << 26;

    /// <summary>Quantizes <paramref name="inputPath"/> into <paramref name="outputPath"/>.</summary>
    /// <param name="inputPath">A GGUF file, or a safetensors file with config.json in its folder (LLaMA layout).</param>
    /// <param name="outputPath">The GGUF to write; must not be the input.</param>
    /// <param name="fileType">llama.cpp file type (Q4_K_M, Q8_0 …).</param>
    /// <param name="options">Choices; <see cref="GgufQuantizerOptions.Default"/> when null.</param>
    /// <param name="progress">Receives progress after each chunk, when not null.</param>
    /// <param name="cancellationToken">Cancels the work; the partial output is deleted.</param>
    /// <returns>Per-tensor types, sizes and errors.</returns>
    /// <exception cref="ArgumentException">Bad paths, or the output is the input.</exception>
    /// <exception cref="ModelFormatException">The input is malformed.</exception>
    /// <exception cref="NotSupportedException">A tensor is already quantized (without
    /// <see cref="GgufQuantizerOptions.AllowRequantize"/>), has an input type that cannot be read as floats, needs a type
    /// with no kernel here, or has rows llama.cpp cannot quantize; or the file type needs an importance matrix
    /// (<see cref="GgufQuantizerFileTypes.RequiresImportanceMatrix"/>); or the safetensors checkpoint is not LLaMA-layout.</exception>
    /// <exception cref="InvalidDataException">A tensor holds NaN or ±Inf weights (without
    /// <see cref="GgufQuantizerOptions.AllowNonFinite"/>); the message names the tensor.</exception>
    /// <exception cref="IOException">The output exists, disk full, or another I/O failure; no partial output remains.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static QuantizationReport Quantize(string inputPath, string outputPath, LlamaFileType fileType,
        GgufQuantizerOptions? options = null, IProgress<QuantizeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        options ??= GgufQuantizerOptions.Default;
        options.Validate();
        string input = Path.GetFullPath(inputPath);
        string output = Path.GetFullPath(outputPath);
        if (SameFile(input, output))
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"The output '{outputPath}' is the input file; write to another path.");
        }

        if (!File.Exists(input)) throw new FileNotFoundException($"Input '{input}' not found.", input);
        if (GgufQuantizerFileTypes.RequiresImportanceMatrix(fileType)
            && !GgufQuantizerFileTypes.CanWrite(fileType, options.ImportanceMatrix is not null, out string? why))
        {
            throw new NotSupportedException(why);
        }

        var clock = Stopwatch.StartNew();
        var source = OpenSource(input);
        var plan = Plan(source, fileType, options);
        var metadata = BuildMetadata(source.Metadata, fileType, options.ImportanceMatrix);
        var descriptors = plan.Select(p => new GgufTensorDescriptor(p.Source.Name, p.Source.Shape, p.Target)).ToList();
        long total = plan.Sum(p => p.Source.ByteLength);
        long done = 0;
        var reports = new List<TensorQuantizationReport>(plan.Count);
        using var writer = GgufWriter.Create(output, metadata, descriptors, new GgufWriterOptions { Overwrite = options.Overwrite });
        var handles = new Dictionary<string, SafeFileHandle>(StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < plan.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var item = plan[i];
                if (!handles.TryGetValue(item.Source.FilePath, out var handle))
                {
                    handle = LocalFileGuard.OpenHandle(item.Source.FilePath);
                    handles.Add(item.Source.FilePath, handle);
                }

                long before = done;
                var chunkProgress = progress is null ? null : new Action<long>(bytes =>
                    progress.Report(new QuantizeProgress(item.Source.Name, i, plan.Count, before + bytes, total)));
                reports.Add(item.Convert
                    ? ConvertTensor(handle, item, writer, options, chunkProgress, cancellationToken)
                    : CopyTensor(handle, item, writer, chunkProgress, cancellationToken));
                done += item.Source.ByteLength;
                progress?.Report(new QuantizeProgress(item.Source.Name, i, plan.Count, done, total));
            }

            writer.Commit();
        }
        finally
        {
            foreach (var h in handles.Values) h.Dispose();
        }

        return new QuantizationReport(input, output, fileType, reports, writer.TotalLength, clock.Elapsed);
    }

    /// <summary>The type each tensor would get, without writing anything (same rules and order as
    /// <see cref="Quantize"/>; works for every file type, whether or not this build has its kernels).</summary>
    /// <param name="inputPath">A GGUF file, or a LLaMA-layout safetensors file with config.json beside it.</param>
    /// <param name="fileType">llama.cpp file type.</param>
    /// <param name="options">Choices (requantize flag); default when null.</param>
    /// <returns>(name, input type, output type) in output order.</returns>
    /// <exception cref="ModelFormatException">The input is malformed.</exception>
    /// <exception cref="NotSupportedException">As for <see cref="Quantize"/>.</exception>
    public static IReadOnlyList<(string Name, TensorDataType From, TensorDataType To)> PlanTypes(
        string inputPath, LlamaFileType fileType, GgufQuantizerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        var plan = Plan(OpenSource(Path.GetFullPath(inputPath)), fileType, options ?? GgufQuantizerOptions.Default, requireKernels: false);
        return plan.Select(p => (p.Source.Name, p.Source.Type, p.Target)).ToList();
    }

    /// <summary>One tensor of the plan.</summary>
    /// <param name="Source">The input tensor.</param>
    /// <param name="Target">Its output type.</param>
    /// <param name="Convert">Whether its rows are converted (false: bytes copied).</param>
    /// <param name="Importance">The tensor's importance weights (ne0 × ne2 values: one vector per expert), or null.</param>
    private sealed record PlanItem(QuantizationSourceTensor Source, TensorDataType Target, bool Convert, float[]? Importance = null);

    /// <summary>Opens the input through the one format registry (the same sniff as <c>inspect</c>): GGUF and
    /// safetensors are quantized, any other format LlmSize reads is refused by name.</summary>
    private static QuantizationSource OpenSource(string input)
    {
        var (source, path) = LocalModelSource.ForFile(input);
        IModelFormat? format;
        try
        {
            format = ModelFormatRegistry.Detect(source, path);
        }
        catch (NotSupportedException)
        {
            format = null;
        }

        return format?.Format switch
        {
            ModelFileFormat.Gguf => QuantizationSource.FromGguf(input),
            ModelFileFormat.Safetensors => SafetensorsLlamaSource.Open(input),
            _ => throw new ModelFormatException(ModelFormatError.WrongFormat,
                format is null
                    ? "the input is neither GGUF (magic \"GGUF\") nor a .safetensors file"
                    : $"the input is {format.Format}; quantize reads GGUF and .safetensors files",
                input, 0, null),
        };
    }

    /// <summary>llama-model-loader.h <c>weight_name_comparer</c>: layer from "blk.%d." (−1 when absent), then name.</summary>
    internal static int CompareWeightNames(string a, string b)
    {
        int la = LayerOf(a), lb = LayerOf(b);
        return la != lb ? la.CompareTo(lb) : string.CompareOrdinal(a, b);
    }

    private static int LayerOf(string name)
    {
        if (!name.StartsWith("blk.", StringComparison.Ordinal)) return -1;
        int i = 4;
        int sign = 1;
        if (i < name.Length && (name[i] == '-' || name[i] == '+')) { sign = name[i] == '-' ? -1 : 1; i++; }
        int start = i;
        long v = 0;
        while (i < name.Length && char.IsAsciiDigit(name[i]) && v < int.MaxValue) v = v * 10 + (name[i++] - '0');
        return i == start ? -1 : (int)Math.Min(v, int.MaxValue) * sign;
    }

    private static List<PlanItem> Plan(QuantizationSource source, LlamaFileType fileType, GgufQuantizerOptions options, bool requireKernels = true)
    {
        var ordered = source.Tensors.ToList();
        ordered.Sort((x, y) => CompareWeightNames(x.Name, y.Name));
        string arch = source.Architecture ?? "";
        long heads = source.GetInt(arch + ".attention.head_count", 0);
        long kvHeads = source.GetInt(arch + ".attention.head_count_kv", heads);
        long experts = source.GetInt(arch + ".expert_count", 0);
        long layers = source.GetInt(arch + ".block_count", 0);
        var policy = new LlamaCppTensorTypePolicy(arch, fileType, ordered.Select(t => t.Name), (int)Math.Clamp(heads, 0, int.MaxValue),
            (int)Math.Clamp(kvHeads, 0, int.MaxValue), (int)Math.Clamp(experts, 0, int.MaxValue),
            is70B: arch == "llama" && layers == 80 && heads != kvHeads, hasImatrix: options.ImportanceMatrix is not null,
            quantizeOutput: !options.LeaveOutputTensor)
        {
            ThrowWhenNoFallback = true,
        };
        var plan = new List<PlanItem>(ordered.Count);
        foreach (var t in ordered)
        {
            var target = policy.Choose(t.Name, t.Ne, t.Type);
            bool convert = target != t.Type || t.RowOrder is not null;
            if (convert && t.RowLength > MaxRowLength)
            {
                throw new NotSupportedException($"Tensor '{t.Name}' has rows of {t.RowLength:N0} elements; at most {MaxRowLength:N0} are supported.");
            }

            if (convert)
            {
                if (t.Type.Kind == DataTypeKind.BlockQuantized && !options.AllowRequantize)
                {
                    throw new NotSupportedException(
                        $"Tensor '{t.Name}' is already {t.Type.Name}; requantizing to {target.Name} loses quality twice (llama.cpp: \"requantizing from type {t.Type.Name.ToLowerInvariant()} is disabled\"). Use --allow-requantize to do it anyway.");
                }

                if (!requireKernels) { /* planning only: which types, not whether this build can write them */ }
                else if (!t.Type.IsPlainFloat && t.Type.Kind != DataTypeKind.BlockQuantized || t.Type == TensorDataType.F64
                    || !RowQuantizers.TryGet(t.Type, out _))
                {
                    throw new NotSupportedException($"Tensor '{t.Name}' is {t.Type.Name}; only F32, F16, BF16 (and, to requantize, types with a kernel here) can be read as floats.");
                }

                if (requireKernels && !RowQuantizers.TryGet(target, out _))
                {
                    throw new NotSupportedException(
                        $"{fileType} needs a {target.Name} kernel for tensor '{t.Name}', which this build does not have; kernels here: {string.Join(", ", RowQuantizers.All.Select(k => k.Type.Name).Order())}.");
                }
            }

            plan.Add(new PlanItem(t, target, convert, convert ? FindImportance(options.ImportanceMatrix, t, target, fileType) : null));
        }

        return plan;
    }

    /// <summary>
    /// llama-quant.cpp's per-tensor imatrix lookup: the entry of the tensor's name, which must hold ne0 × ne2 values
    /// (one vector per expert) — except for <c>token_embd.weight</c>, whose mismatch only drops the weights; a tensor
    /// whose target llama.cpp quantizes only with importance weights (<c>tensor_requires_imatrix</c>: Q2_K in a Q2_K_S
    /// file, IQ1/IQ2/IQ3_XXS; never token_embd / output) must have an entry.
    /// </summary>
    private static float[]? FindImportance(ImportanceMatrix? matrix, QuantizationSourceTensor t, TensorDataType target, LlamaFileType fileType)
    {
        bool embeddingsOrOutput = t.Name is "token_embd.weight" or "output.weight";
        bool required = !embeddingsOrOutput && (target == TensorDataType.IQ2_XXS || target == TensorDataType.IQ2_XS
            || target == TensorDataType.IQ2_S || target == TensorDataType.IQ1_S || target == TensorDataType.IQ1_M
            || target == TensorDataType.IQ3_XXS || (target == TensorDataType.Q2_K && fileType == LlamaFileType.Q2_K_S));
        float[]? found = null;
        if (matrix is not null && matrix.Entries.TryGetValue(t.Name, out var values))
        {
            long[] ne = t.Ne;
            long expected = ne[0] * (ne.Length > 2 ? ne[2] : 1);
            if (values.Length == expected)
            {
                found = values;
            }
            else if (t.Name != "token_embd.weight")
            {
                throw new InvalidDataException(
                    $"The importance matrix has {values.Length} values for tensor '{t.Name}', which needs {expected} (llama.cpp: \"imatrix size {values.Length} is different from tensor size {expected}\").");
            }
        }

        if (found is null && required)
        {
            throw new NotSupportedException(
                $"Tensor '{t.Name}' becomes {target.Name} in {fileType}, which llama.cpp quantizes only with importance weights, and the importance matrix has none for it.");
        }

        return found;
    }

    /// <summary>The output metadata as llama-quant.cpp builds it: the input pairs in their order (<c>gguf_set_kv</c>),
    /// then <c>gguf_set_val_u32</c> of <c>general.quantization_version</c> and <c>general.file_type</c>, each of which
    /// removes an existing key and appends it (gguf.cpp), so both always end the list in that order; the split keys are
    /// removed (the output is one file).</summary>
    internal static List<KeyValuePair<string, GgufValue>> BuildMetadata(IReadOnlyList<KeyValuePair<string, GgufValue>> input, LlamaFileType fileType,
        ImportanceMatrix? importance = null)
    {
        var result = new List<KeyValuePair<string, GgufValue>>(input.Count + 2);
        foreach (var kv in input)
        {
            if (kv.Key is GgufConstants.SplitNoKey or GgufConstants.SplitCountKey or GgufConstants.SplitTensorsCountKey
                or QuantizationVersionKey or FileTypeKey) continue;
            result.Add(kv);
        }

        result.Add(new(QuantizationVersionKey, GgufValue.FromUInt32(QuantizationVersion)));
        result.Add(new(FileTypeKey, GgufValue.FromUInt32((uint)fileType)));
        if (importance is not null)
        {
            // tools/quantize passes these as kv overrides, applied after the two keys above (integers as UINT32).
            Set(result, "quantize.imatrix.file", GgufValue.FromString(importance.FilePath));
            if (!string.IsNullOrEmpty(importance.Dataset)) Set(result, "quantize.imatrix.dataset", GgufValue.FromString(importance.Dataset));
            Set(result, "quantize.imatrix.entries_count", GgufValue.FromUInt32((uint)importance.Entries.Count));
            if (importance.ChunkCount > 0) Set(result, "quantize.imatrix.chunks_count", GgufValue.FromUInt32((uint)importance.ChunkCount));
        }

        return result;

        static void Set(List<KeyValuePair<string, GgufValue>> kvs, string key, GgufValue value)
        {
            kvs.RemoveAll(kv => kv.Key == key); // gguf_set_val_*: remove, then append
            kvs.Add(new(key, value));
        }
    }

    private const string QuantizationVersionKey = "general.quantization_version";
    private const string FileTypeKey = "general.file_type";

    private static TensorQuantizationReport CopyTensor(SafeFileHandle handle, PlanItem item, GgufWriter writer,
        Action<long>? progress, CancellationToken ct)
    {
        var t = item.Source;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(t.ByteLength, 1), 4 << 20));
        try
        {
            long done = 0;
            while (done < t.ByteLength)
            {
                ct.ThrowIfCancellationRequested();
                int n = (int)Math.Min(buffer.Length, t.ByteLength - done);
                ReadExactly(handle, buffer.AsSpan(0, n), t.DataOffset + done, t);
                writer.WriteTensorData(buffer.AsSpan(0, n));
                done += n;
                progress?.Invoke(done);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new TensorQuantizationReport(t.Name, t.Shape, t.Type, t.Type, t.ByteLength, t.ByteLength, false, 0, 0, null, 0);
    }

    private static TensorQuantizationReport ConvertTensor(SafeFileHandle handle, PlanItem item, GgufWriter writer,
        GgufQuantizerOptions options, Action<long>? progress, CancellationToken ct)
    {
        var t = item.Source;
        RowQuantizers.TryGet(t.Type, out var reader);
        RowQuantizers.TryGet(item.Target, out var kernel);
        long rows = t.RowCount;
        int rowLen = checked((int)t.RowLength);
        int srcRowBytes = checked((int)t.Type.GetByteCount(rowLen));
        int dstRowBytes = checked((int)item.Target.GetByteCount(rowLen));
        int chunkRows = (int)Math.Clamp(options.ChunkBytes / Math.Max(1L, rowLen * 4L), 1, Math.Max(rows, 1));
        byte[] srcBuf = ArrayPool<byte>.Shared.Rent(checked(chunkRows * srcRowBytes));
        byte[] dstBuf = ArrayPool<byte>.Shared.Rent(checked(chunkRows * dstRowBytes));
        var errSq = new double[chunkRows];
        var sigSq = new double[chunkRows];
        var maxErr = new double[chunkRows];
        var nonFinite = new long[chunkRows];
        double totalErrSq = 0, totalSigSq = 0, totalMax = 0;
        long totalNonFinite = 0;
        int threads = options.EffectiveThreads;
        // ggml_quantize_chunk ignores the weights for types without an _impl (Q8_0, F16, TQ*): so do we.
        var weighted = item.Importance is not null ? kernel as IImportanceRowQuantizer : null;
        long[] ne = t.Ne;
        long rowsPerSlice = Math.Max(1, ne.Length > 1 ? ne[1] : 1);
        try
        {
            for (long first = 0; first < rows; first += chunkRows)
            {
                ct.ThrowIfCancellationRequested();
                int n = (int)Math.Min(chunkRows, rows - first);
                ReadRows(handle, t, first, n, srcRowBytes, srcBuf);
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct };
                int rangeSize = Math.Max(1, n / (threads * 4));
                Parallel.ForEach(Partitioner.Create(0, n, rangeSize), parallel,
                    () => (ArrayPool<float>.Shared.Rent(rowLen), ArrayPool<float>.Shared.Rent(rowLen)),
                    (range, _, buffers) =>
                    {
                        var x = buffers.Item1.AsSpan(0, rowLen);
                        var y = buffers.Item2.AsSpan(0, rowLen);
                        for (int r = range.Item1; r < range.Item2; r++)
                        {
                            reader!.DequantizeRow(srcBuf.AsSpan(r * srcRowBytes, srcRowBytes), x);
                            var dst = dstBuf.AsSpan(r * dstRowBytes, dstRowBytes);
                            if (weighted is not null)
                            {
                                // Expert e of a 3-D tensor (rows e·ne1 … (e+1)·ne1 − 1) uses vector e.
                                long slice = (first + r) / rowsPerSlice;
                                weighted.QuantizeRow(x, dst, item.Importance.AsSpan(checked((int)(slice * rowLen)), rowLen));
                            }
                            else
                            {
                                kernel!.QuantizeRow(x, dst);
                            }

                            kernel.DequantizeRow(dst, y);
                            Measure(x, y, out errSq[r], out sigSq[r], out maxErr[r], out nonFinite[r]);
                        }

                        return buffers;
                    },
                    buffers =>
                    {
                        ArrayPool<float>.Shared.Return(buffers.Item1);
                        ArrayPool<float>.Shared.Return(buffers.Item2);
                    });

                for (int r = 0; r < n; r++)
                {
                    totalErrSq += errSq[r];
                    totalSigSq += sigSq[r];
                    totalMax = Math.Max(totalMax, maxErr[r]);
                    totalNonFinite += nonFinite[r];
                }

                if (totalNonFinite > 0 && !options.AllowNonFinite)
                {
                    throw new InvalidDataException(
                        $"Tensor '{t.Name}' holds {totalNonFinite} NaN/Inf weight(s) (rows {first}–{first + n - 1} of {rows}); refusing to write garbage. The input is broken; pass --allow-non-finite to write it anyway.");
                }

                writer.WriteTensorData(dstBuf.AsSpan(0, n * dstRowBytes));
                progress?.Invoke((first + n) * (long)srcRowBytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(srcBuf);
            ArrayPool<byte>.Shared.Return(dstBuf);
        }

        long elements = rows * rowLen;
        double rmse = elements == 0 ? 0 : Math.Sqrt(totalErrSq / elements);
        double? snr = totalErrSq > 0 ? 10 * Math.Log10(totalSigSq / totalErrSq) : null;
        return new TensorQuantizationReport(t.Name, t.Shape, t.Type, item.Target, t.ByteLength,
            item.Target.GetByteCount(elements), true, rmse, totalMax, snr, totalNonFinite);
    }

    private static void Measure(ReadOnlySpan<float> x, ReadOnlySpan<float> y, out double errSq, out double sigSq, out double maxErr, out long nonFinite)
    {
        double e2 = 0, s2 = 0, m = 0;
        long bad = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (!float.IsFinite(v))
            {
                bad++;
                continue;
            }

            double d = (double)v - y[i];
            e2 += d * d;
            s2 += (double)v * v;
            double a = Math.Abs(d);
            if (a > m || double.IsNaN(a)) m = a;
        }

        errSq = e2;
        sigSq = s2;
        maxErr = m;
        nonFinite = bad;
    }

    private static void ReadRows(SafeFileHandle handle, QuantizationSourceTensor t, long firstRow, int count, int rowBytes, byte[] buffer)
    {
        if (t.RowOrder is null)
        {
            ReadExactly(handle, buffer.AsSpan(0, count * rowBytes), t.DataOffset + firstRow * rowBytes, t);
            return;
        }

        for (int r = 0; r < count; r++)
        {
            long srcRow = t.RowOrder[firstRow + r];
            ReadExactly(handle, buffer.AsSpan(r * rowBytes, rowBytes), t.DataOffset + srcRow * rowBytes, t);
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, QuantizationSourceTensor t)
    {
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0)
            {
                throw new ModelFormatException(ModelFormatError.Truncated,
                    $"the data of tensor '{t.Name}' ends past the end of the file", t.FilePath, offset, t.Name);
            }

            buffer = buffer[n..];
            offset += n;
        }
    }

    private static bool SameFile(string a, string b)
    {
        if (string.Equals(a, b, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)) return true;
        // Device + inode after resolving symbolic links (folders included) and '..': a symlinked folder or a hard link
        // cannot make the output path reach the input unnoticed.
        return LocalFileGuard.IsSameFile(a, b);
    }
}
