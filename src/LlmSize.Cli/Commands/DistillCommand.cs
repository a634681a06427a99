using System.ComponentModel;
using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Distillation;
using LlmSize.Core.Devices;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands;

/// <summary>Options of <c>llmsize distill</c>.</summary>
public sealed class DistillSettings : CommandSettings
{
    /// <summary>Teacher.</summary>
    [CommandArgument(0, "<TEACHER>")]
    [Description("Teacher model file, folder or catalog name.")]
    public string Teacher { get; init; } = string.Empty;

    /// <summary>Budget.</summary>
    [CommandOption("--target-params <COUNT>")]
    [Description("Student budget in parameters: 1B, 500M, 1.5e9 …")]
    public string? TargetParams { get; init; }

    /// <summary>Device.</summary>
    [CommandOption("-d|--device <DEVICE>")]
    [Description("Or size the student to fit this device.")]
    public string? Device { get; init; }

    /// <summary>Runtime for --device.</summary>
    [CommandOption("-r|--runtime <RUNTIME>")]
    [Description("Runtime for --device (default llama.cpp, its default format).")]
    public string RuntimeName { get; init; } = "llama.cpp";

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.distill/v1).")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        (TargetParams is null) == (Device is null) ? ValidationResult.Error("Give exactly one of --target-params and --device.")
        : TargetParams is { } t && !TryParseCount(t, out _) ? ValidationResult.Error($"--target-params '{t}' is not a parameter count like 1B or 500M.")
        : TargetParams is { } small && TryParseCount(small, out long n) && n < MinimumTarget
            ? ValidationResult.Error($"--target-params '{small}' is below {Units.FormatParameters(MinimumTarget)}: a budget that small is a typo, not a student; give e.g. 100M or 1B.")
        : ValidationResult.Success();

    /// <summary>Parses a count, or returns false.</summary>
    internal static bool TryParseCount(string text, out long count)
    {
        count = 0;
        string s = text.Trim().ToUpperInvariant();
        double factor = s.EndsWith('B') ? 1e9 : s.EndsWith('M') ? 1e6 : s.EndsWith('K') ? 1e3 : 1;
        if (factor != 1) s = s[..^1];
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v <= 0 || v * factor > 1e15)
        {
            return false;
        }

        count = (long)Math.Round(v * factor);
        return true;
    }

    /// <summary>Smallest budget accepted: 10K parameters. A budget of a few parameters ("10") is a typo for 10M or 10B,
    /// not a student; tiny test models (the shared 513K-parameter llama GGUF) still get students.</summary>
    internal const long MinimumTarget = 10_000;

    /// <summary>Parses "1B", "500M", "1.5e9", "7000000".</summary>
    internal static long ParseCount(string text) =>
        TryParseCount(text, out long count) ? count : throw new ArgumentException($"--target-params '{text}' is not a parameter count like 1B or 500M");
}

/// <summary><c>llmsize distill</c>: student configurations at a budget; no training.</summary>
public sealed class DistillCommand(IAnsiConsole console) : Command<DistillSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, DistillSettings settings, CancellationToken cancellationToken)
    {
        var (teacher, name) = CompressionCli.LoadArchitecture(settings.Teacher);
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
            DeviceProfile device = DeviceOptions.Find(DeviceOptions.Catalog(null), settings.Device!);
            var runtime = CompressionCli.Runtime(settings.RuntimeName);
            var format = FitAnalyzer.DefaultFormatFor(device, runtime);
            var teacherFit = new FitAnalyzer(teacher, name).Analyze(device, runtime, format);
            if (teacherFit.Requested.Fits)
            {
                // Nothing to distil for: say so instead of proposing students the device does not need.
                string message = $"{name} already fits {device.DisplayName} with {runtime.DisplayName} at {format.Name} "
                    + $"({Units.FormatBinary(teacherFit.Requested.Memory.TotalBytes)} needed, {Units.FormatBinary(teacherFit.Requested.Binding.AvailableBytes)} available): "
                    + "no distillation is needed for this device; use --target-params to explore smaller students";
                if (settings.Json) JsonOutput.Write(console, new { schema = "llmsize.distill/v1", teacher = name, teacherFits = true, message });
                else console.MarkupLine(Markup.Escape(message));
                return ExitCodes.Success;
            }

            plan = DistillationPlanner.PlanForDevice(teacher, name, device, runtime);
        }

        if (settings.Json)
        {
            JsonOutput.Write(console, new
            {
                schema = "llmsize.distill/v1", teacher = plan.TeacherName, teacherParameters = plan.TeacherParameters, targetParameters = plan.TargetParameters,
                budget = plan.BudgetReason, disclaimer = DistillationPlan.Disclaimer,
                proposals = plan.Proposals.Select(p => new
                {
                    strategy = p.Strategy, parameters = p.Parameters, layers = p.Layers, hidden = p.Hidden, heads = p.Architecture.AttentionHeadCount,
                    kvHeads = p.Architecture.KeyValueHeadCount, headDim = p.Architecture.HeadDim, intermediate = p.Architecture.IntermediateSize,
                    vocab = p.Architecture.VocabSize, tieWordEmbeddings = p.Architecture.TieWordEmbeddings, rationale = p.Rationale,
                }),
                references = plan.References.Select(r => new { name = r.Name, parameters = r.Parameters, layers = r.Architecture.LayerCount, hidden = r.Architecture.HiddenSize, source = r.Source }),
            });
            return ExitCodes.Success;
        }

        console.MarkupLine($"[bold]{Markup.Escape(plan.TeacherName)}[/] ({Units.FormatParameters(plan.TeacherParameters)}) → students of about {Units.FormatParameters(plan.TargetParameters)} ({Markup.Escape(plan.BudgetReason)})");
        var table = new Table().AddColumns("strategy", "parameters", "layers", "hidden", "heads / kv", "head_dim", "FFN");
        foreach (var p in plan.Proposals)
        {
            table.AddRow(Markup.Escape(p.Strategy), p.Parameters.ToString("N0", CultureInfo.InvariantCulture), p.Layers.ToString(CultureInfo.InvariantCulture),
                p.Hidden.ToString(CultureInfo.InvariantCulture), $"{p.Architecture.AttentionHeadCount} / {p.Architecture.KeyValueHeadCount}",
                p.Architecture.HeadDim.ToString(CultureInfo.InvariantCulture), p.Architecture.IntermediateSize.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        foreach (var p in plan.Proposals) console.MarkupLine($"[grey]• {Markup.Escape(p.Strategy)}: {Markup.Escape(p.Rationale)}[/]");
        if (plan.References.Length > 0)
            console.MarkupLine("[grey]family members: " + Markup.Escape(string.Join(", ", plan.References.Select(r => $"{r.Name} ({Units.FormatParameters(r.Parameters)}, {r.Architecture.LayerCount}×{r.Architecture.HiddenSize})"))) + "[/]");
        console.MarkupLine("[yellow]" + Markup.Escape(DistillationPlan.Disclaimer) + "[/]");
        return ExitCodes.Success;
    }
}
