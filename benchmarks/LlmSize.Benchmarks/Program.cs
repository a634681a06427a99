using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// One short job for every benchmark (ImageSharp's Config.cs habit), run in-process: on the 2-core CI-class machine
// BenchmarkDotNet's generated boilerplate project does not build within its 120 s timeout while other work runs.
// Usage: dotnet run -c Release --project benchmarks/LlmSize.Benchmarks -- --filter '*Gguf*'
// Remote reads are counted, not timed by BenchmarkDotNet: -- remote-reads [--rtt-ms 50] prints the README table.
if (args.Length > 0 && args[0] == "remote-reads") return await LlmSize.Benchmarks.Sources.RemoteReadReport.RunAsync(args[1..]);
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
return 0;
