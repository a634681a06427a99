using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Distillation;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Distill;

/// <summary><c>llmsize distill</c>: student configurations at a budget; no training.</summary>
public sealed class DistillCommand(IAnsiConsole console) : AsyncCommand<DistillSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, DistillSettings settings, CancellationToken cancellationToken)
    {
        var (teacher, name) = await CompressionCli.LoadArchitectureAsync(settings.Teacher, cancellationToken);
        DistillationPlan plan;
        if (settings.TargetParams is { } t)
        {
            long target = DistillSettings.ParseCount(t);
            long teacherParameters = Core.Models.Architectures.ParameterCalculator.Count(teacher).Total;
            if (target >= teacherParameters)
            {
                throw new UsageException($"--target-params {Units.FormatParameters(target)} is not below the teacher's {Units.FormatParameters(teacherParameters)} ({teacherParameters.ToString("N0", CultureInfo.InvariantCulture)}) parameters.");
            }

            plan = DistillationPlanner.Plan(teacher, name, target);
        }
        else
        {
            DeviceProfile device = settings.ResolveDevice(settings.Catalog());
            var runtime = settings.RuntimeName is { } r ? Runtimes.Find(r) : Runtimes.LlamaCpp;
            var format = FitAnalyzer.DefaultFormatFor(device, runtime);
            var teacherFit = new FitAnalyzer(teacher, name).Analyze(device, runtime, format);
            if (teacherFit.Requested.Fits)
            {
                // Nothing to distil for: say so instead of proposing students the device does not need.
                string message = $"{name} already fits {device.DisplayName} with {runtime.DisplayName} at {format.Name} "
                    + $"({Units.FormatBinary(teacherFit.Requested.Memory.TotalBytes)} needed, {Units.FormatBinary(teacherFit.Requested.Binding.AvailableBytes)} available): "
                    + "no distillation is needed for this device; use --target-params to explore smaller students";
                if (settings.Json) JsonOutput.Write(console, new DistillFitsJson("llmsize.distill/v1", name, true, message));
                else console.MarkupLine(Markup.Escape(message));
                return ExitCodes.Success;
            }

            plan = DistillationPlanner.PlanForDevice(teacher, name, device, runtime);
        }

        if (settings.Json)
        {
            JsonOutput.Write(console, DistillJson.From(plan));
            return ExitCodes.Success;
        }

        console.MarkupLine($"[bold]{Markup.Escape(plan.TeacherName)}[/] ({Units.FormatParameters(plan.TeacherParameters)}) → students of about {Units.FormatParameters(plan.TargetParameters)} ({Markup.Escape(plan.BudgetReason)})");
        var table = new FittedTable().Column("strategy", wrap: true, wrapMin: 12).Column("parameters", shortHeader: "params", right: true)
            .Column("layers", right: true).Column("hidden", right: true).Column("heads / kv", shortHeader: "heads/kv", right: true)
            .Column("head_dim", shortHeader: "hd", right: true).Column("FFN", right: true);
        foreach (var p in plan.Proposals)
        {
            table.Row(Markup.Escape(p.Strategy), p.Parameters.ToString("N0", CultureInfo.InvariantCulture), p.Layers.ToString(CultureInfo.InvariantCulture),
                p.Hidden.ToString(CultureInfo.InvariantCulture), $"{p.Architecture.AttentionHeadCount} / {p.Architecture.KeyValueHeadCount}",
                p.Architecture.HeadDim.ToString(CultureInfo.InvariantCulture), p.Architecture.IntermediateSize.ToString(CultureInfo.InvariantCulture));
        }

        table.Write(console, wide: false); // seven numeric columns: headers shorten, nothing is left out
        foreach (var p in plan.Proposals) console.MarkupLine($"[grey]• {Markup.Escape(p.Strategy)}: {Markup.Escape(p.Rationale)}[/]");
        if (plan.References.Length > 0)
            console.MarkupLine("[grey]family members: " + Markup.Escape(string.Join(", ", plan.References.Select(r => $"{r.Name} ({Units.FormatParameters(r.Parameters)}, {r.Architecture.LayerCount}×{r.Architecture.HiddenSize})"))) + "[/]");
        console.MarkupLine("[yellow]" + Markup.Escape(DistillationPlan.Disclaimer) + "[/]");
        return ExitCodes.Success;
    }
}
