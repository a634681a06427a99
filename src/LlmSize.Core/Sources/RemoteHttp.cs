using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace LlmSize.Core.Sources;

/// <summary>Bytes of one range request: the bytes (fewer than asked only at the end of the file), the file's total
/// length, and the URL that served them after redirects (reused for the file's next ranges).</summary>
internal readonly record struct RangeAnswer(byte[] Bytes, long TotalLength, Uri ServedBy, string? ETag);

/// <summary>
/// The HTTP client remote sources share: retries with exponential backoff and jitter on 408/429/5xx and connection
/// failures, honouring <c>Retry-After</c> (Microsoft.Extensions.Http.Resilience over Polly), a timeout per attempt,
/// redirects followed here (so the Hub token is sent only to the Hub's own host, never to the CDN it redirects to),
/// range reads that detect a server ignoring <c>Range</c> and truncated bodies, and JSON answers bounded in size.
/// </summary>
internal sealed class RemoteHttp : IDisposable
{
    private const int MaxRedirects = 10;

    private readonly HttpClient _client;
    private readonly RemoteSourceOptions _options;

    public RemoteHttp(RemoteSourceOptions options)
    {
        _options = options;
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(1, options.MaxRetries),
            Delay = options.RetryBaseDelay,
            MaxDelay = TimeSpan.FromSeconds(30),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldRetryAfterHeader = true,
        };
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetries > 0) builder.AddRetry(retry); // Polly refuses 0 attempts: no retries = no retry strategy
        var pipeline = builder.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.AttemptTimeout }).Build();
        HttpMessageHandler inner = options.Handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        };
        _client = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = inner }, disposeHandler: options.Handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("llmsize", typeof(RemoteHttp).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public SourceStatistics Statistics { get; } = new();

    /// <summary>Sends a GET, following redirects; the token goes only to requests whose host is <paramref name="tokenHost"/>.</summary>
    /// <param name="url">The URL.</param>
    /// <param name="token">A bearer token, or null.</param>
    /// <param name="tokenHost">The only host that may receive the token.</param>
    /// <param name="configure">Adds headers (Range, Accept, If-None-Match) to each request.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <param name="file">The file (or listing) the requests are counted under in <see cref="SourceStatistics.Files"/>; null = totals only.</param>
    /// <returns>The final response (the caller disposes it) and the URL that gave it.</returns>
    /// <exception cref="RemoteSourceException">No server answered (transient), or too many redirects.</exception>
    public async Task<(HttpResponseMessage Response, Uri Url)> GetAsync(Uri url, string? token, string? tokenHost,
        Action<HttpRequestMessage>? configure, CancellationToken cancellationToken, string? file = null)
    {
        Uri current = url;
        for (int hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            configure?.Invoke(request);
            if (token is not null && tokenHost is not null && string.Equals(current.Host, tokenHost, StringComparison.OrdinalIgnoreCase)
                && (current.Scheme == Uri.UriSchemeHttps || current.IsLoopback))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            HttpResponseMessage response;
            try
            {
                Statistics.RecordRequest(file);
                response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                                          || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                    $"{Redact(current)}: no answer from the server ({e.Message.TrimEnd('.')})", Redact(current), inner: e) { IsTransient = true };
            }

            int status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop >= MaxRedirects)
                {
                    throw new RemoteSourceException(InputErrorKind.RemoteFailure, $"{Redact(url)}: more than {MaxRedirects} redirects", Redact(url), statusCode: status);
                }

                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                continue;
            }

            return (response, current);
        }
    }

    /// <summary>Reads a JSON (or other small) answer whole, refusing more than <see cref="RemoteSourceOptions.MaxJsonBytes"/>.</summary>
    public async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken, string? file = null)
    {
        int max = _options.MaxJsonBytes;
        if (response.Content.Headers.ContentLength is { } declared && declared > max)
        {
            throw TooLarge(url, declared, max);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        while (true)
        {
            int n = await ReadBodyAsync(body, chunk, url, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            if (buffer.Length + n > max) throw TooLarge(url, buffer.Length + n, max);
            buffer.Write(chunk, 0, n);
        }

        Statistics.RecordBytes(buffer.Length, file);
        return buffer.ToArray();
    }

    /// <summary>Reads <paramref name="count"/> bytes at <paramref name="offset"/> with one range request (fewer only at
    /// the file's end).</summary>
    /// <exception cref="RemoteSourceException">The server ignores Range (unless allowed), the body is truncated, the
    /// range is not satisfiable, or a status that is not success (mapped by <paramref name="fail"/>).</exception>
    public async Task<RangeAnswer> GetRangeAsync(Uri url, long offset, int count, string? token, string? tokenHost,
        Func<HttpResponseMessage, Uri, Exception> fail, CancellationToken cancellationToken, string? file = null)
    {
        count = Math.Min(count, _options.MaxRangeBytes);
        var (response, served) = await GetAsync(url, token, tokenHost,
            r => r.Headers.Range = new RangeHeaderValue(offset, offset + count - 1), cancellationToken, file).ConfigureAwait(false);
        using (response)
        {
            int status = (int)response.StatusCode;
            if (status == 416)
            {
                long? total = response.Content.Headers.ContentRange?.Length;
                throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                    $"{Redact(served)}: the server has no bytes at offset {offset}{(total is { } t ? $" (the file has {t})" : "")}",
                    Redact(served), offset, status);
            }

            if (!response.IsSuccessStatusCode) throw fail(response, served);
            string? etag = response.Headers.ETag?.Tag;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (status == 206)
            {
                var range = response.Content.Headers.ContentRange;
                if (range is not { From: { } from, Length: { } length } || from != offset)
                {
                    throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                        $"{Redact(served)}: the server answered a range request for offset {offset} with Content-Range '{range}'", Redact(served), offset, status);
                }

                long expected = Math.Min(count, Math.Max(0, length - offset));
                byte[] bytes = new byte[expected];
                int got = await ReadFullyAsync(body, bytes, served, offset, cancellationToken).ConfigureAwait(false);
                if (got < expected)
                {
                    throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                        $"{Redact(served)}: the body ended at offset {offset + got}, {expected - got} bytes short of the range asked for", Redact(served), offset + got, status);
                }

                Statistics.RecordBytes(got, file);
                return new RangeAnswer(bytes, length, served, etag);
            }

            // 200: the server ignored Range and is sending the whole file.
            long? whole = response.Content.Headers.ContentLength;
            if (!_options.AllowFullDownload && (whole is null || whole > offset + count))
            {
                throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                    $"{Redact(served)}: the server ignores Range requests and would send the whole file ({(whole is { } w ? Units.FormatDecimal(w) : "unknown size")}); " +
                    "pass --allow-full-download to read it from the start", Redact(served), offset, status);
            }

            if (whole is null)
            {
                throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                    $"{Redact(served)}: the server ignores Range requests and does not say the file's length", Redact(served), offset, status);
            }

            // Read from the start only as far as this range needs, then drop the connection.
            long need = Math.Min(offset + count, whole.Value);
            byte[] skip = new byte[81920];
            long at = 0;
            while (at < offset)
            {
                int n = await ReadBodyAsync(body, skip.AsMemory(0, (int)Math.Min(skip.Length, offset - at)), served, at, cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                at += n;
            }

            byte[] result = new byte[Math.Max(0, need - offset)];
            int read = at < offset ? 0 : await ReadFullyAsync(body, result, served, offset, cancellationToken).ConfigureAwait(false);
            Statistics.RecordBytes(at + read, file);
            if (at < offset || read < result.Length)
            {
                throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                    $"{Redact(served)}: the body ended at offset {at + read}, before the {whole} bytes it declared", Redact(served), at + read, status);
            }

            return new RangeAnswer(result, whole.Value, served, etag);
        }
    }

    /// <summary>The URL without query string (signed CDN URLs carry credentials there) or user info.</summary>
    public static string Redact(Uri url) => url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    public void Dispose() => _client.Dispose();

    private static RemoteSourceException TooLarge(Uri url, long bytes, int max) =>
        new(InputErrorKind.RemoteFailure, $"{Redact(url)}: the answer has more than {max} bytes ({bytes}), the limit for a listing or JSON file", Redact(url));

    private static async Task<int> ReadFullyAsync(Stream body, byte[] buffer, Uri url, long offset, CancellationToken ct)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await ReadBodyAsync(body, buffer.AsMemory(total), url, offset + total, ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }

        return total;
    }

    private static async Task<int> ReadBodyAsync(Stream body, Memory<byte> buffer, Uri url, long offset, CancellationToken ct)
    {
        try
        {
            return await body.ReadAsync(buffer, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new RemoteSourceException(InputErrorKind.RemoteFailure, $"{Redact(url)}: the connection broke at offset {offset} ({e.Message.TrimEnd('.')})",
                Redact(url), offset, inner: e) { IsTransient = true };
        }
    }
}
