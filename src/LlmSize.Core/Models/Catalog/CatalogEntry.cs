using System.Text.Json;

namespace LlmSize.Core.Models.Catalog;

/// <summary>One model of the built-in catalog (<see cref="ModelCatalog"/>).</summary>
public sealed record CatalogEntry
{
    /// <summary>Unique id, lower case ("gemma-2b", "mixtral-8x7b-v0.1", "gpt-4").</summary>
    public required string Id { get; init; }

    /// <summary>Other names the entry is found by (repository ids such as "google/gemma-2b", short forms).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Human-readable name ("Gemma 2B").</summary>
    public required string DisplayName { get; init; }

    /// <summary>Model family ("Gemma", "Llama").</summary>
    public required string Family { get; init; }

    /// <summary>Who publishes the model ("Google", "Meta").</summary>
    public required string Publisher { get; init; }

    /// <summary>URL of the config.json or model card the entry's values come from (every entry has one).</summary>
    public required string Source { get; init; }

    /// <summary>False when the vendor has not disclosed the model's size (GPT-4, Gemini 1.5 Pro …).</summary>
    public bool Disclosed { get; init; } = true;

    /// <summary>What is publicly known, and caveats (rumours are not facts), when there is something to say.</summary>
    public string? Note { get; init; }

    /// <summary>The parameter count published for the model, when a source gives one.</summary>
    public long? PublishedParameters { get; init; }

    /// <summary>Where <see cref="PublishedParameters"/> comes from.</summary>
    public string? ParameterSource { get; init; }

    /// <summary>
    /// The model's Hugging Face <c>config.json</c> object: verbatim when <see cref="ConfigIsVerbatim"/>, else only the
    /// architecture keys that were verified (see <see cref="ConfigNote"/>); null for undisclosed models.
    /// </summary>
    public JsonElement? Config { get; init; }

    /// <summary>True when <see cref="Config"/> is the model's whole config.json as published; false when it holds only
    /// verified architecture keys.</summary>
    public bool ConfigIsVerbatim { get; init; } = true;

    /// <summary>How a non-verbatim <see cref="Config"/> was verified, else null.</summary>
    public string? ConfigNote { get; init; }

    /// <inheritdoc />
    public override string ToString() => Id;
}
