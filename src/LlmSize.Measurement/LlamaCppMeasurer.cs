using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using LlmSize.Core;

namespace LlmSize.Measurement;

/// <summary>How to run a model for <see cref="LlamaCppMeasurer.Measure"/>; the shape of llama-bench's run
/// (<c>-p 512 -n 128</c>, random prompt tokens, one warm-up).</summary>
public sealed record LlamaCppRunOptions
{
    /// <summary>Context length, tokens (llama.cpp <c>n_ctx</c>, ≥ <see cref="PromptTokens"/> + <see cref="GenTokens"/>).</summary>
    public required int ContextTokens { get; init; }

    /// <summary>CPU threads for generation and prompt processing (llama.cpp <c>-t</c>, ≥ 1).</summary>
    public required int Threads { get; init; }

    /// <summary>Prompt tokens to prefill (≥ 1; llama-bench pp512's 512 by default).</summary>
    public int PromptTokens { get; init; } = 512;

    /// <summary>Tokens to decode one at a time after the prompt (≥ 1; llama-bench tg128's 128 by default).</summary>
    public int GenTokens { get; init; } = 128;

    /// <summary>Prompt tokens per <c>llama_decode</c> call and per micro-batch (llama.cpp <c>n_batch</c> =
    /// <c>n_ubatch</c>); 512, llama.cpp's default <c>n_ubatch</c>, which sizes the compute buffer.</summary>
    public int BatchTokens { get; init; } = 512;

    /// <summary>Seed for the random prompt and generated token ids (llama-bench feeds random ids, not text).</summary>
    public int Seed { get; init; } = 1234;
}

/// <summary>What one llama.cpp run measured.</summary>
public sealed record LlamaCppMeasurement
{
    /// <summary>Seconds for <c>llama_model_load_from_file</c> plus <c>llama_init_from_model</c> (weights mapped,
    /// KV cache and compute buffers allocated), wall clock.</summary>
    public required double LoadSeconds { get; init; }

    /// <summary>Resident set just before loading, bytes (this process: the .NET runtime and llmsize itself).</summary>
    public required long BaselineResidentBytes { get; init; }

    /// <summary>Peak resident set of the process over load, prefill and decode, bytes (Linux <c>VmHWM</c>, reset just
    /// before loading when <see cref="PeakWasReset"/>).</summary>
    public required long PeakResidentBytes { get; init; }

    /// <summary>True when the peak was reset before loading (Linux <c>/proc/self/clear_refs</c>), so it is the peak of
    /// the run; false when it counts from process start.</summary>
    public required bool PeakWasReset { get; init; }

    /// <summary>Where the memory numbers come from.</summary>
    public required string MemorySource { get; init; }

    /// <summary>Peak over the baseline, bytes: what loading and running the model added to the process.</summary>
    public long PeakGrowthBytes => PeakResidentBytes - BaselineResidentBytes;

    /// <summary>Buffer sizes llama.cpp logged.</summary>
    public required LlamaCppBufferReport Buffers { get; init; }

    /// <summary>The context llama.cpp created (<c>llama_n_ctx</c>; it may round the request up).</summary>
    public required long ContextTokens { get; init; }

    /// <summary>Threads used.</summary>
    public required int Threads { get; init; }

    /// <summary>Prompt tokens prefilled.</summary>
    public required int PromptTokens { get; init; }

    /// <summary>Tokens decoded.</summary>
    public required int GenTokens { get; init; }

    /// <summary>Seconds the prefill took (every <c>llama_decode</c> of the prompt, synchronized).</summary>
    public required double PrefillSeconds { get; init; }

    /// <summary>Seconds the decode took (one <c>llama_decode</c> per token, synchronized).</summary>
    public required double DecodeSeconds { get; init; }

    /// <summary>Prompt tokens per second: <see cref="PromptTokens"/> ÷ <see cref="PrefillSeconds"/>.</summary>
    public double PrefillTokensPerSecond => PromptTokens / Math.Max(PrefillSeconds, 1e-9);

    /// <summary>Generated tokens per second: <see cref="GenTokens"/> ÷ <see cref="DecodeSeconds"/>.</summary>
    public double DecodeTokensPerSecond => GenTokens / Math.Max(DecodeSeconds, 1e-9);

    /// <summary>llama.cpp's system info line (<c>llama_print_system_info</c>: the CPU features its build uses).</summary>
    public string? SystemInfo { get; init; }

    /// <summary>Everything llama.cpp logged during the run.</summary>
    public required IReadOnlyList<LlamaCppLogLine> Log { get; init; }
}

/// <summary>
/// Runs a GGUF model in llama.cpp's CPU backend (the native build inside LLamaSharp.Backend.Cpu 0.30.0) the way
/// llama-bench does: load, one warm-up token, then prefill random prompt tokens in batches and decode tokens one at a
/// time, timing each phase after <c>llama_synchronize</c>; resident memory from <see cref="ProcessMemory"/>; buffer sizes
/// from llama.cpp's own log (<see cref="LlamaCppLogParser"/>).
/// </summary>
/// <remarks>One measurement at a time per process (a lock): llama.cpp's log callback and the resident set are
/// process-wide. The model is loaded with llama.cpp's defaults (memory-mapped, no GPU layers, flash attention auto).</remarks>
public static class LlamaCppMeasurer
{
    private static readonly Lock Gate = new();
    private static LlamaCppLogCollector? _current;
    private static bool _logHooked;

    /// <summary>Measures one run.</summary>
    /// <param name="modelPath">A GGUF file.</param>
    /// <param name="options">The run.</param>
    /// <param name="cancellationToken">Checked between decode calls.</param>
    /// <returns>The measurement.</returns>
    /// <exception cref="ArgumentException">Token counts out of range (prompt + gen above the context, below 1).</exception>
    /// <exception cref="InputException">The file does not exist (<see cref="InputErrorKind.NotFound"/>), llama.cpp refuses the file (<see cref="InputErrorKind.InvalidRequest"/>; the
    /// message carries llama.cpp's own reason from its log) or its native library cannot be loaded.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static LlamaCppMeasurement Measure(string modelPath, LlamaCppRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PromptTokens, 1, nameof(options.PromptTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.GenTokens, 1, nameof(options.GenTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1, nameof(options.Threads));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchTokens, 1, nameof(options.BatchTokens));
        if ((long)options.PromptTokens + options.GenTokens > options.ContextTokens)
        {
            throw new ArgumentException(Format(MeasurementSR.TokensAboveContext, options.PromptTokens, options.GenTokens, options.ContextTokens), nameof(options));
        }

        if (!File.Exists(modelPath))
        {
            throw new InputException(InputErrorKind.NotFound, Format(MeasurementSR.ModelFileMissing, modelPath));
        }

        lock (Gate)
        {
            var log = new LlamaCppLogCollector();
            _current = log;
            try
            {
                HookLog();
                return Run(modelPath, options, log, cancellationToken);
            }
            finally
            {
                _current = null;
            }
        }
    }

    private static void HookLog()
    {
        if (_logHooked) return;
        try
        {
            NativeLogConfig.llama_log_set((level, message) => _current?.OnLog(level, message));
            _logHooked = true;
        }
        catch (Exception e) when (e is RuntimeError or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new InputException(InputErrorKind.InvalidRequest, Format(MeasurementSR.NativeLibraryMissing, e.GetBaseException().Message), e);
        }
    }

    private static LlamaCppMeasurement Run(string modelPath, LlamaCppRunOptions o, LlamaCppLogCollector log, CancellationToken ct)
    {
        var parameters = new ModelParams(modelPath)
        {
            ContextSize = (uint)o.ContextTokens,
            GpuLayerCount = 0,
            Threads = o.Threads,
            BatchThreads = o.Threads,
            BatchSize = (uint)o.BatchTokens,
            UBatchSize = (uint)o.BatchTokens,
        };

        GC.Collect();
        GC.WaitForPendingFinalizers();
        bool reset = ProcessMemory.TryResetPeak();
        var before = ProcessMemory.Read();
        var clock = Stopwatch.StartNew();
        LLamaWeights weights;
        try
        {
            weights = LLamaWeights.LoadFromFile(parameters);
        }
        catch (LoadWeightsFailedException e)
        {
            throw Refused(modelPath, log, e);
        }

        using (weights)
        {
            LLamaContext context;
            try
            {
                context = weights.CreateContext(parameters);
            }
            catch (RuntimeError e)
            {
                throw Refused(modelPath, log, e);
            }

            using (context)
            {
                double loadSeconds = clock.Elapsed.TotalSeconds;
                var handle = context.NativeHandle;
                int vocab = weights.Vocab.Count;
                var rng = new Random(o.Seed);
                var batch = new LLamaBatch();

                // Warm-up (llama-bench runs one before timing): one token, then an empty cache again.
                batch.Add((LLamaToken)rng.Next(vocab), 0, LLamaSeqId.Zero, true);
                Decode(handle, batch, modelPath, log);
                handle.MemoryClear(true);

                clock.Restart();
                int pos = 0;
                while (pos < o.PromptTokens)
                {
                    ct.ThrowIfCancellationRequested();
                    batch.Clear();
                    int n = Math.Min(o.BatchTokens, o.PromptTokens - pos);
                    for (int i = 0; i < n; i++) batch.Add((LLamaToken)rng.Next(vocab), pos + i, LLamaSeqId.Zero, pos + i == o.PromptTokens - 1);
                    Decode(handle, batch, modelPath, log);
                    pos += n;
                }

                double prefill = clock.Elapsed.TotalSeconds;
                clock.Restart();
                for (int g = 0; g < o.GenTokens; g++)
                {
                    ct.ThrowIfCancellationRequested();
                    batch.Clear();
                    batch.Add((LLamaToken)rng.Next(vocab), pos++, LLamaSeqId.Zero, true);
                    Decode(handle, batch, modelPath, log);
                }

                double decode = clock.Elapsed.TotalSeconds;
                var after = ProcessMemory.Read();
                var lines = log.Lines();
                return new LlamaCppMeasurement
                {
                    LoadSeconds = loadSeconds,
                    BaselineResidentBytes = before.ResidentBytes,
                    PeakResidentBytes = reset ? after.PeakResidentBytes : Math.Max(after.PeakResidentBytes, before.ResidentBytes),
                    PeakWasReset = reset,
                    MemorySource = after.Source,
                    Buffers = LlamaCppLogParser.Parse(lines.Select(l => l.Text)),
                    ContextTokens = context.ContextSize,
                    Threads = o.Threads,
                    PromptTokens = o.PromptTokens,
                    GenTokens = o.GenTokens,
                    PrefillSeconds = prefill,
                    DecodeSeconds = decode,
                    SystemInfo = SystemInfoLine(),
                    Log = lines,
                };
            }
        }
    }

    private static void Decode(SafeLLamaContextHandle handle, LLamaBatch batch, string modelPath, LlamaCppLogCollector log)
    {
        var rc = handle.Decode(batch);
        if (rc != DecodeResult.Ok)
        {
            throw new InputException(InputErrorKind.InvalidRequest, Format(MeasurementSR.DecodeFailed, modelPath, rc,
                LlamaCppLogParser.FailureReason(log.Lines()) ?? "no reason logged"));
        }

        handle.Synchronize();
    }

    private static InputException Refused(string modelPath, LlamaCppLogCollector log, Exception e) =>
        new(InputErrorKind.InvalidRequest, Format(MeasurementSR.LlamaCppRefused, modelPath,
            LlamaCppLogParser.FailureReason(log.Lines()) ?? e.Message), e);

    private static string? SystemInfoLine()
    {
        try
        {
            return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeApi.llama_print_system_info())?.Trim();
        }
        catch (Exception e) when (e is EntryPointNotFoundException or RuntimeError)
        {
            return null;
        }
    }

    internal static string Format(string format, params object?[] args) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
}
