using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// One short job for every benchmark (ImageSharp's Config.cs habit), run in-process: on the 2-core CI-class machine
// BenchmarkDotNet's generated boilerplate project does not build within its 120 s timeout while other work runs.
// Usage: dotnet run -c Release --project benchmarks/LlmSize.Benchmarks -- --filter '*Gguf*'
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
