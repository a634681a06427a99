using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Measurement;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Measure;

/// <summary><c>llmsize measure</c>: runs a GGUF model in llama.cpp on this machine's CPU and sets what it measured beside
/// what <c>fit</c> predicts for the same context and threads. Maps the options to a <see cref="MeasureRequest"/> and
/// renders the core's <see cref="MeasureReport"/>.</summary>
public sealed class MeasureCommand(IAnsiConsole console) : AsyncCommand<MeasureSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, MeasureSettings settings, CancellationToken cancellationToken)
    {
        CompressionCli.RequireFile(settings.Model, ".gguf");
        var model = await ModelLoader.LoadAsync(settings.Model, cancellationToken: cancellationToken);
        int threads = settings.Threads ?? Environment.ProcessorCount;
        double? bandwidth = settings.Bandwidth is { } bw ? DeviceSpecParser.ParseBandwidthGBps(bw) : null;
        var request = new MeasureRequest
        {
            Model = model,
            ModelPath = settings.Model,
            Device = LlamaCppMeasure.ThisMachineCpu(threads, bandwidth),
            ContextTokens = settings.Context,
            Threads = threads,
            PromptTokens = settings.PromptTokens,
            GenTokens = settings.GenTokens,
        };
        MeasureReport report;
        try
        {
            report = LlamaCppMeasure.Run(request, cancellationToken);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }

        if (settings.Log is { } logPath) await File.WriteAllLinesAsync(logPath, report.Measurement.Log.Select(l => $"[{l.Level}] {l.Text}"), cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Write(console, MeasureJson.From(settings.Model, report));
            return ExitCodes.Success;
        }

        MeasureRenderer.Render(console, settings.Model, report);
        return ExitCodes.Success;
    }
}
