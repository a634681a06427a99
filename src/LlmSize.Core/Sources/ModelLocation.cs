using System.Text.RegularExpressions;

namespace LlmSize.Core.Sources;

/// <summary>What kind of place a model name points to.</summary>
public enum ModelLocationKind
{
    /// <summary>Not a remote name: a local path or a catalog name (the loader decides).</summary>
    LocalOrCatalog,
    /// <summary>A Hugging Face Hub repository (<c>hf:org/name</c>, a Hub URL, or a plain <c>org/name</c>).</summary>
    Hub,
    /// <summary>An Ollama registry model (<c>ollama:name[:tag]</c> or a plain <c>name:tag</c>).</summary>
    Ollama,
    /// <summary>A direct http(s) URL of one model file.</summary>
    Url,
}

/// <summary>
/// A model name parsed into where it lives. Forms: <c>hf:org/name[@revision][/path]</c>;
/// <c>https://huggingface.co/org/name</c> and its <c>/tree/rev[/folder]</c>, <c>/blob/rev/path</c> and
/// <c>/resolve/rev/path</c> forms (also on the <c>HF_ENDPOINT</c> host); <c>ollama:[namespace/]name[:tag]</c>; any
/// other <c>https://</c> URL (one file, read by range); and, when <see cref="Explicit"/> is false, a plain
/// <c>org/name</c> (a Hub id) or <c>name:tag</c> (an Ollama name) that the loader tries only after local paths and
/// the catalog.
/// </summary>
/// <param name="Kind">Where it lives.</param>
/// <param name="Text">The name as given.</param>
public sealed partial record ModelLocation(ModelLocationKind Kind, string Text)
{
    /// <summary>True when the name says where it lives (a scheme or URL); false for plain <c>org/name</c> and
    /// <c>name:tag</c>, which yield to local paths and catalog names.</summary>
    public bool Explicit { get; init; }

    /// <summary>Hub: the repository id ("org/name").</summary>
    public string? Repository { get; init; }

    /// <summary>Hub: the revision (branch, tag, commit, <c>refs/pr/N</c>), or null for "main". Ollama: the tag, or
    /// null for "latest".</summary>
    public string? Revision { get; init; }

    /// <summary>Hub: a file or folder inside the repository, or null for the whole repository.</summary>
    public string? PathInRepository { get; init; }

    /// <summary>Ollama: the namespace ("library" for official models).</summary>
    public string? Namespace { get; init; }

    /// <summary>Ollama: the model name.</summary>
    public string? Model { get; init; }

    /// <summary>Url: the URL.</summary>
    public Uri? Url { get; init; }

    /// <summary>Parses a name.</summary>
    /// <param name="text">The name as typed.</param>
    /// <param name="hubEndpoint">The Hub endpoint whose URLs name Hub repositories (besides huggingface.co).</param>
    /// <returns>The location.</returns>
    /// <exception cref="InputException">A scheme form that is malformed (<c>hf:</c> without a repository, a Hub URL
    /// of a dataset or space).</exception>
    public static ModelLocation Parse(string text, string hubEndpoint = RemoteSourceOptions.DefaultHubEndpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string t = text.Trim();
        if (t.StartsWith("hf:", StringComparison.OrdinalIgnoreCase) || t.StartsWith("hf://", StringComparison.OrdinalIgnoreCase))
        {
            return ParseHubId(t[(t.StartsWith("hf://", StringComparison.OrdinalIgnoreCase) ? 5 : 3)..], text, explicitName: true);
        }

        if (t.StartsWith("ollama:", StringComparison.OrdinalIgnoreCase))
        {
            return ParseOllama(t[7..].TrimStart('/'), text, explicitName: true)
                ?? throw new InputException(InputErrorKind.InvalidRequest, $"{text}: not an Ollama name; the form is ollama:[namespace/]name[:tag]");
        }

        if (Uri.TryCreate(t, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            var hubHosts = new[] { "huggingface.co", "hf.co", new Uri(hubEndpoint).Host };
            if (hubHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase)) return ParseHubUrl(uri, text);
            return new ModelLocation(ModelLocationKind.Url, text) { Explicit = true, Url = uri };
        }

        if (PlainHubId().IsMatch(t) && !HasModelExtension(t)) return ParseHubId(t, text, explicitName: false);
        if (PlainOllama().IsMatch(t) && ParseOllama(t, text, explicitName: false) is { } ollama) return ollama;
        return new ModelLocation(ModelLocationKind.LocalOrCatalog, text);
    }

    private static ModelLocation ParseHubId(string rest, string text, bool explicitName)
    {
        // org/name[@revision][/path]; a revision of the form refs/pr/N or refs/convert/x keeps its slashes.
        string[] segments = rest.Split('/');
        if (segments.Length == 0 || segments[0].Length == 0)
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"{text}: no repository; the form is hf:org/name[@revision][/path]");
        }

        string? revision = null;
        int used;
        string repo;
        if (segments.Length >= 2 && !segments[0].Contains('@'))
        {
            string name = segments[1];
            int at = name.IndexOf('@');
            if (at >= 0)
            {
                revision = name[(at + 1)..];
                name = name[..at];
            }

            repo = segments[0] + "/" + name;
            used = 2;
        }
        else
        {
            // A legacy root-level repository ("gpt2").
            string name = segments[0];
            int at = name.IndexOf('@');
            if (at >= 0)
            {
                revision = name[(at + 1)..];
                name = name[..at];
            }

            repo = name;
            used = 1;
        }

        if (revision == "refs" && segments.Length >= used + 2)
        {
            revision = $"refs/{segments[used]}/{segments[used + 1]}";
            used += 2;
        }

        if (!RepoId().IsMatch(repo) || revision is { Length: 0 })
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"{text}: '{repo}' is not a Hub repository id (org/name)");
        }

        string? path = segments.Length > used ? string.Join('/', segments[used..]).Trim('/') : null;
        if (path is { Length: 0 }) path = null;
        if (path is not null && path.Split('/').Any(p => p is ".." or "."))
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"{text}: a path in a repository cannot hold '.' or '..'");
        }

        return new ModelLocation(ModelLocationKind.Hub, text) { Explicit = explicitName, Repository = repo, Revision = revision, PathInRepository = path };
    }

    private static ModelLocation ParseHubUrl(Uri uri, string text)
    {
        string[] parts = uri.AbsolutePath.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (parts.Length > 0 && parts[0] is "datasets" or "spaces")
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"{text}: a Hub {parts[0].TrimEnd('s')}, not a model repository");
        }

        if (parts.Length < 2 || parts[0].Length == 0)
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"{text}: no repository in the URL (https://huggingface.co/org/name)");
        }

        string repo = parts[0] + "/" + parts[1];
        if (!RepoId().IsMatch(repo)) throw new InputException(InputErrorKind.InvalidRequest, $"{text}: '{repo}' is not a Hub repository id");
        string? revision = null;
        string? path = null;
        if (parts.Length >= 4 && parts[2] is "tree" or "blob" or "resolve")
        {
            int next = 4;
            revision = parts[3];
            if (revision == "refs" && parts.Length >= 6)
            {
                revision = $"refs/{parts[4]}/{parts[5]}";
                next = 6;
            }

            path = parts.Length > next ? string.Join('/', parts[next..]) : null;
        }
        else if (parts.Length > 2)
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"{text}: not a model, tree, blob or resolve URL of the Hub");
        }

        return new ModelLocation(ModelLocationKind.Hub, text) { Explicit = true, Repository = repo, Revision = revision, PathInRepository = path };
    }

    private static ModelLocation? ParseOllama(string rest, string text, bool explicitName)
    {
        string tag = "latest";
        int colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }

        string[] parts = rest.Split('/');
        (string ns, string model) = parts.Length switch
        {
            1 => ("library", parts[0]),
            2 => (parts[0], parts[1]),
            _ => ("", ""),
        };
        if (!OllamaPart().IsMatch(ns) || !OllamaPart().IsMatch(model) || !OllamaTag().IsMatch(tag)) return null;
        return new ModelLocation(ModelLocationKind.Ollama, text) { Explicit = explicitName, Namespace = ns, Model = model, Revision = tag };
    }

    private static bool HasModelExtension(string text) =>
        Path.GetExtension(text).ToLowerInvariant() is ".gguf" or ".safetensors" or ".onnx" or ".tflite" or ".task" or ".bin" or ".pt" or ".pth"
            or ".json" or ".litertlm";

    // Hub ids: "org/name", letters, digits, '-', '_', '.', not starting with '.' or '-', at most 96 characters each.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$")]
    private static partial Regex RepoId();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")]
    private static partial Regex PlainHubId();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)?:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex PlainOllama();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,79}$")]
    private static partial Regex OllamaPart();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex OllamaTag();
}
