using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Lora;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Lora;

/// <summary><c>llmsize lora merge</c>: W' = W + scaling · B·A into a new safetensors file.</summary>
public sealed class LoraMergeCommand(IAnsiConsole console) : Command<LoraMergeSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, LoraMergeSettings settings, CancellationToken cancellationToken)
    {
        CompressionCli.RequireFile(settings.Base, ".safetensors");
        var r = LoraMerger.Merge(settings.Base, settings.Adapter, settings.Output, settings.Overwrite, cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Write(console, LoraMergeJson.From(r));
            return ExitCodes.Success;
        }

        console.MarkupLine($"merged {r.Modules.Length} LoRA modules into {Markup.Escape(r.Output)} ({r.TensorCount} tensors, {Units.FormatBoth(r.OutputBytes)})");
        if (r.Modules.Length > 0)
        {
            var m = r.Modules[0];
            console.MarkupLine($"  scaling {m.Scaling.ToString("0.####", CultureInfo.InvariantCulture)} (r={m.Rank}){(m.Transposed ? ", fan_in_fan_out: (B·A)ᵀ added to [[in, out]] weights" : string.Empty)}");
        }

        foreach (string t in r.ReplacedTensors) console.MarkupLine($"  replaced from modules_to_save: {Markup.Escape(t)}");
        foreach (string t in r.AddedTensors) console.MarkupLine($"  added (not in the base): {Markup.Escape(t)}");
        return ExitCodes.Success;
    }
}
