using LlmSize.Core;
using LlmSize.Core.Models;
using SharpFuzz;

namespace LlmSize.Fuzz;

/// <summary>
/// One fuzz target per reader. Each writes the input under the file name its reader expects into a private scratch
/// folder and runs the real inspect path (<see cref="ModelLoader.Load"/> then <see cref="ModelSizeReport.Create"/>).
/// The only exceptions allowed to escape are the project's documented ones: <see cref="ModelFormatException"/>,
/// <see cref="NotSupportedException"/> and <see cref="ModelNotFoundException"/>; anything else is a crash.
/// </summary>
/// <remarks>
/// Usage: <c>LlmSize.Fuzz &lt;target&gt;</c> under afl-fuzz (SharpFuzz out-of-process mode), or
/// <c>LlmSize.Fuzz &lt;target&gt; --replay &lt;file-or-folder&gt;…</c> to run inputs once (regression, smoke without AFL).
/// </remarks>
public static class Program
{
    /// <summary>Target name → the file name the input is written as (a folder target writes into a folder).</summary>
    public static readonly IReadOnlyDictionary<string, string> Targets = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["gguf"] = "model.gguf",
        ["safetensors"] = "model.safetensors",
        ["safetensors-index"] = "model.safetensors.index.json",
        ["config"] = "config.json",
        ["onnx"] = "model.onnx",
        ["tflite"] = "model.tflite",
        ["task"] = "model.task",
        ["pytorch"] = "pytorch_model.bin",
        ["peft"] = "adapter_config.json",
    };

    /// <summary>Entry point.</summary>
    /// <param name="args">The target, optionally <c>--replay</c> and paths.</param>
    /// <returns>0, or 1 when a replayed input escapes with an undocumented exception.</returns>
    public static int Main(string[] args)
    {
        if (args.Length < 1 || !Targets.ContainsKey(args[0]))
        {
            Console.Error.WriteLine($"usage: LlmSize.Fuzz <{string.Join('|', Targets.Keys)}> [--replay <file|folder>...]");
            return 2;
        }

        string target = args[0];
        string scratch = Path.Combine(Environment.GetEnvironmentVariable("LLMSIZE_FUZZ_SCRATCH") ?? Path.GetTempPath(),
            $"llmsize-fuzz-{target}-{Environment.ProcessId}");
        Directory.CreateDirectory(scratch);
        try
        {
            if (args.Length >= 2 && args[1] == "--replay")
            {
                // The instrumented LlmSize.Core.dll records branches into AFL's shared memory; outside afl-fuzz give
                // it a private map so the same build can replay inputs.
                unsafe
                {
                    SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
                }

                return Replay(target, scratch, args[2..]);
            }
            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var ms = new MemoryStream();
                stream.CopyTo(ms);
                RunOne(target, scratch, ms.ToArray());
            });
            return 0;
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
    }

    private static int Replay(string target, string scratch, string[] paths)
    {
        int failures = 0, runs = 0;
        foreach (string p in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]))
        {
            runs++;
            try
            {
                RunOne(target, scratch, File.ReadAllBytes(p));
            }
            catch (Exception e)
            {
                failures++;
                Console.Error.WriteLine($"{p}: {e.GetType().Name}: {e.Message}");
            }
        }

        Console.WriteLine($"{target}: {runs} inputs replayed, {failures} undocumented exceptions");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Runs one input; documented exceptions are swallowed, others propagate (a crash for AFL).</summary>
    /// <param name="target">Target name.</param>
    /// <param name="scratch">Private scratch folder.</param>
    /// <param name="data">The input bytes.</param>
    public static void RunOne(string target, string scratch, byte[] data)
    {
        string folder = Path.Combine(scratch, "m");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, Targets[target]);
        File.WriteAllBytes(file, data);
        string load = file;
        if (target == "peft")
        {
            // A fixed, valid minimal adapter_model.safetensors: the config is what is fuzzed.
            File.WriteAllBytes(Path.Combine(folder, "adapter_model.safetensors"), [2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}']);
            load = folder;
        }

        try
        {
            var inventory = ModelLoader.Load(load);
            _ = ModelSizeReport.Create(inventory);
        }
        catch (ModelFormatException)
        {
        }
        catch (NotSupportedException)
        {
        }
        catch (ModelNotFoundException)
        {
        }
    }
}
