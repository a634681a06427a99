using LlmSize.Core.Sources;

namespace LlmSize.Web;

/// <summary>How <c>llmsize serve</c> runs: where it listens, which Hub it may read, and its request limits.</summary>
public sealed record WebOptions
{
    /// <summary>The default address: loopback only, port 5080.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Addresses to listen on, ';'-separated (ASP.NET Core's <c>urls</c> form); default loopback only.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Remote reads: the only Hub endpoint that Hub ids are read from (<see cref="RemoteSourceOptions.HubEndpoint"/>),
    /// token, cache, offline. The server never fetches other URLs a user sends.</summary>
    public RemoteSourceOptions Remote { get; init; } = RemoteSourceOptions.FromEnvironment();

    /// <summary>The largest upload of header slices, bytes: 32 MiB (32 × 2^20), room for a GGUF header with a
    /// 256k-token vocabulary (Gemma's tokenizer in GGUF metadata is about 4–17 MB) and a safetensors header of a large
    /// sharded checkpoint; the safetensors reference caps headers at 100 MB, which no real header approaches.</summary>
    public long MaxUploadBytes { get; init; } = 32L << 20;

    /// <summary>The largest JSON request body, bytes: 64 KiB (a probe result or a fit request is under 4 KiB).</summary>
    public long MaxJsonBytes { get; init; } = 64L << 10;

    /// <summary>Requests allowed per client address per <see cref="RateLimitWindow"/> on <c>/api</c> (ASP.NET Core's
    /// fixed-window limiter); default 120.</summary>
    public int RateLimitPermits { get; init; } = 120;

    /// <summary>The rate limiter's window; default one minute.</summary>
    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromMinutes(1);
}
