namespace LlmSize.Core.Sources;

/// <summary>
/// A remote source (the Hub, an Ollama registry, an HTTP server) could not answer: not found (repo, revision or file),
/// access denied (gated or private), unreachable, no <c>Range</c> support, a truncated body, an answer over its size
/// limit. One line names the URL (never the token) and, for reads, the byte offset.
/// </summary>
public sealed class RemoteSourceException : InputException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind"><see cref="InputErrorKind.NotFound"/>, <see cref="InputErrorKind.AccessDenied"/> or
    /// <see cref="InputErrorKind.RemoteFailure"/>.</param>
    /// <param name="message">One line naming the URL and what would work.</param>
    /// <param name="url">The URL that failed (no credentials).</param>
    /// <param name="offset">The byte offset a read failed at, when it was a read.</param>
    /// <param name="statusCode">The HTTP status, when a server answered.</param>
    /// <param name="inner">The underlying exception.</param>
    public RemoteSourceException(InputErrorKind kind, string message, string url, long? offset = null, int? statusCode = null,
        Exception? inner = null)
        : base(kind, message, inner)
    {
        Url = url;
        Offset = offset;
        StatusCode = statusCode;
    }

    /// <summary>The URL that failed.</summary>
    public string Url { get; }

    /// <summary>The byte offset a read failed at, or null.</summary>
    public long? Offset { get; }

    /// <summary>The HTTP status code, or null when no server answered.</summary>
    public int? StatusCode { get; }

    /// <summary>True when the failure is the network's (unreachable, timed out, 5xx after retries), so an answer from
    /// the cache or the catalog may stand in; false for answers that are final (404, 401/403, a malformed reply).</summary>
    public bool IsTransient { get; init; }
}
