using LlmSize.Core.Models;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Cli.Commands.Models;

/// <summary>JSON shape of one catalog model in <c>llmsize models --json</c>.</summary>
internal sealed record ModelJson(string Id, string Name, string Publisher, long? Parameters, long? ActiveParameters, string? SizeClass,
    bool Disclosed, IReadOnlyList<string> Aliases, string Source)
{
    public static ModelJson From(CatalogEntry e, ModelSizeReport r) =>
        new(e.Id, e.DisplayName, e.Publisher, r.Parameters, r.ActiveParameters, r.SizeClass?.Label, e.Disclosed, e.Aliases, e.Source);
}
