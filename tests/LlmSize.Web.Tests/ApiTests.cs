using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Compression.Planning;
using LlmSize.Testing;
using LlmSize.Web.Features;

namespace LlmSize.Web.Tests;

/// <summary>Every endpoint against a real Kestrel on 127.0.0.1: answers equal the core's own answers (the web layer only
/// maps), bad input is an RFC 7807 problem with the core's error kind, uploads are header slices only.</summary>
public sealed class ApiTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private HttpClient Client => app.Client;

    [Fact]
    public async Task Models_lists_the_catalog_with_exact_counts()
    {
        var models = await Client.GetFromJsonAsync<List<CatalogModel>>("/api/models");
        Assert.NotNull(models);
        Assert.Equal(LlmSize.Core.Models.Catalog.ModelCatalog.Default.Entries.Count, models.Count);
        // Gemma 2B: 2,506,172,416 parameters (../shared/reference/published-parameter-counts.csv; README example).
        var gemma = Assert.Single(models, m => m.Id == "gemma-2b");
        Assert.Equal(2_506_172_416, gemma.Parameters);
        Assert.Equal("2B", gemma.SizeClass);
    }

    [Fact]
    public async Task Devices_list_and_show_follow_the_catalog()
    {
        var devices = await Client.GetFromJsonAsync<List<DeviceSummary>>("/api/devices");
        Assert.Equal(DeviceCatalog.Default.Profiles.Select(d => d.Id), devices!.Select(d => d.Id));
        var pixel = await Client.GetFromJsonAsync<DeviceSummary>("/api/devices/pixel-7a");
        Assert.Equal(DeviceCatalog.Default.Find("pixel-7a").AppMemoryLimitBytes, pixel!.AppMemoryLimitBytes);

        var unknown = await Client.GetAsync("/api/devices/pixel-7z");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var problem = await unknown.ProblemAsync();
        Assert.Equal("UnknownName", problem.Kind);
        Assert.Equal("urn:llmsize:error:UnknownName", problem.Type);
        Assert.Contains("pixel-7a", problem.Suggestions!);
    }

    [Fact]
    public async Task Inspect_by_catalog_name()
    {
        var answer = await Client.GetFromJsonAsync<InspectAnswer>("/api/inspect?model=gemma-2b");
        Assert.Equal(2_506_172_416, answer!.Parameters); // published count, as above
        Assert.Equal("2B", answer.SizeClass);
        Assert.Equal("Catalog", answer.Format);
    }

    [Fact]
    public async Task Inspect_by_hub_id_reads_the_configured_hub_header_only()
    {
        int before = app.Hub.Hits("model.gguf");
        var answer = await Client.GetFromJsonAsync<InspectAnswer>("/api/inspect?model=hf:test/tiny");
        // llama-2-tiny-random.gguf: 513,048 parameters (../shared/README.md, Ollama repository test data).
        Assert.Equal(513_048, answer!.Parameters);
        Assert.Equal(new FileInfo(WebAppFixture.TinyGguf).Length, answer.DownloadBytes);
        Assert.True(app.Hub.Hits("model.gguf") > before);
        Assert.Contains("commit", answer.Origin ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../shared/fixtures/gguf/llama-2-tiny-random.gguf")]
    [InlineData("https://example.invalid/model.gguf")]
    [InlineData("ollama:llama3")]
    public async Task Inspect_never_reads_server_paths_or_other_urls(string name)
    {
        var response = await Client.GetAsync("/api/inspect?model=" + Uri.EscapeDataString(name));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("InvalidRequest", problem.Kind);
        Assert.DoesNotContain("   at ", problem.Detail);
    }

    [Fact]
    public async Task Upload_of_the_gguf_header_slice_counts_the_whole_file()
    {
        byte[] file = await File.ReadAllBytesAsync(WebAppFixture.TinyGguf);
        int header = GgufHeaderEnd(file);
        using var content = Slices(("llama-2-tiny-random.gguf", file.Length, file.AsMemory(0, header)));
        var response = await Client.PostAsync("/api/inspect/upload", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<InspectAnswer>())!;
        Assert.Equal(513_048, answer.Parameters); // ../shared/README.md
        Assert.Equal(file.Length, answer.DownloadBytes);
        Assert.Equal(header, answer.PostedBytes);
        Assert.True(header < file.Length / 2, $"header {header} of {file.Length}");
        Assert.Equal(ModelLoader.Load(WebAppFixture.TinyGguf).DownloadBytes, answer.DownloadBytes);
    }

    [Fact]
    public async Task A_slice_too_short_asks_for_more_header()
    {
        byte[] file = await File.ReadAllBytesAsync(WebAppFixture.TinyGguf);
        using var content = Slices(("tiny.gguf", file.Length, file.AsMemory(0, 4096)));
        var response = await Client.PostAsync("/api/inspect/upload", content);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("IncompleteHeader", problem.Kind);
        Assert.Equal(4096, problem.PostedBytes);
        Assert.True(problem.NeededBytes > 4096);
    }

    [Fact]
    public async Task Upload_of_a_safetensors_header()
    {
        // overall.safetensors: 9 tensors of shape [6] (../shared/README.md) = 54 parameters.
        byte[] file = await File.ReadAllBytesAsync(RepoPaths.InShared("fixtures", "safetensors", "overall.safetensors"));
        int header = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var content = Slices(("overall.safetensors", file.Length, file.AsMemory(0, header)));
        var answer = await (await Client.PostAsync("/api/inspect/upload", content)).Content.ReadFromJsonAsync<InspectAnswer>();
        Assert.Equal(54, answer!.Parameters);
        Assert.Equal(file.Length, answer.DownloadBytes);
    }

    [Fact]
    public async Task Malformed_upload_is_a_problem_with_the_format_error_code()
    {
        byte[] junk = "GGUF\u0063\0\0\0garbage"u8.ToArray();
        using var content = Slices(("bad.gguf", junk.Length, junk));
        var response = await Client.PostAsync("/api/inspect/upload", content);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("MalformedFile", problem.Kind);
        Assert.Equal(nameof(ModelFormatError.UnsupportedVersion), problem.Code);
        Assert.Contains("upload/bad.gguf", problem.Detail);
    }

    [Fact]
    public async Task Upload_validation()
    {
        var noLength = new MultipartFormDataContent { { new ByteArrayContent([1, 2]), "file", "a.gguf" } };
        var r1 = await Client.PostAsync("/api/inspect/upload", noLength);
        Assert.Equal(HttpStatusCode.BadRequest, r1.StatusCode);
        Assert.Contains("length:a.gguf", (await r1.ProblemAsync()).Detail);

        using var climbing = Slices(("../x.gguf", 10, new byte[2]));
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/api/inspect/upload", climbing)).StatusCode);

        using var longer = Slices(("x.gguf", 1, new byte[2]));
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/api/inspect/upload", longer)).StatusCode);

        var json = await Client.PostAsync("/api/inspect/upload", JsonContent.Create(new { a = 1 }));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
    }

    [Fact]
    public async Task Fit_answers_what_the_core_pipeline_answers()
    {
        var answers = await (await Client.PostAsJsonAsync("/api/fit", new FitQuery("gemma-2b", "pixel-7a"))).Content
            .ReadFromJsonAsync<List<FitAnswer>>();
        var core = FitPipeline.Run(new FitRequest { Model = ModelLoader.Load("gemma-2b"), Devices = [DeviceCatalog.Default.Find("pixel-7a")] }).Reports[0];
        var answer = Assert.Single(answers!);
        Assert.Equal(core.Outcome.ToString(), answer.Outcome);
        Assert.Equal(core.Reason, answer.Reason);
        Assert.Equal(core.Chosen.Format.Name, (answer.Best ?? answer.Requested).Format);
        Assert.Equal(core.Requested.Memory.TotalBytes, answer.Requested.TotalBytes);
        Assert.Equal(core.DownloadBytes, answer.DownloadBytes);
    }

    [Fact]
    public async Task Fit_without_a_device_checks_every_catalog_device()
    {
        var answers = await (await Client.PostAsJsonAsync("/api/fit", new FitQuery("qwen2.5-0.5b", Runtime: "llama.cpp", Quant: "Q4_K_M"))).Content
            .ReadFromJsonAsync<List<FitAnswer>>();
        Assert.Equal(DeviceCatalog.Default.Profiles.Count, answers!.Count);
        Assert.All(answers, a => Assert.Equal("Q4_K_M", a.Requested.Format));
    }

    [Theory]
    [InlineData("""{"model":"gemma-2b","device":"pixel-7a","runtime":"llama.cp"}""", HttpStatusCode.NotFound, "UnknownName")]
    [InlineData("""{"model":"gemma-2b","device":"pixel-7a","quant":"Q9_X"}""", HttpStatusCode.NotFound, "UnknownName")]
    [InlineData("""{"model":"gemma-2b","device":"pixel-7a","context":0}""", HttpStatusCode.BadRequest, "InvalidRequest")]
    [InlineData("""{"model":"gpt-4","device":"pixel-7a"}""", HttpStatusCode.UnprocessableEntity, "NotDisclosed")]
    [InlineData("""{"model":"gemma-2b","device":"pixel-7a","network":"carrier-pigeon"}""", HttpStatusCode.NotFound, "UnknownName")]
    [InlineData("""{"model":"","device":"pixel-7a"}""", HttpStatusCode.BadRequest, "InvalidRequest")]
    [InlineData("""{"model":"gemma-2b","device":"pixel-7a",""", HttpStatusCode.BadRequest, null)]
    public async Task Fit_bad_input_is_a_problem(string body, HttpStatusCode status, string? kind)
    {
        var response = await Client.PostAsync("/api/fit", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(status, response.StatusCode);
        var problem = await response.ProblemAsync();
        if (kind is not null) Assert.Equal(kind, problem.Kind);
        Assert.DoesNotContain(" at LlmSize.", problem.Detail ?? "");
    }

    [Fact]
    public async Task Shrink_answers_what_the_planner_answers()
    {
        var answer = await (await Client.PostAsJsonAsync("/api/shrink", new ShrinkQuery("gemma-2b", "galaxy-a15"))).Content
            .ReadFromJsonAsync<ShrinkAnswer>();
        var plan = ShrinkPlanner.Plan(ModelLoader.Load("gemma-2b"), DeviceCatalog.Default.Find("galaxy-a15"));
        Assert.Equal(plan.Options.Select(o => o.Label), answer!.Options.Select(o => o.Label));
        Assert.Equal(plan.Options[0].MemoryBytes, answer.Options[0].MemoryBytes);
    }

    [Fact]
    public async Task OpenApi_document_lists_every_endpoint()
    {
        using var doc = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json"));
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (string p in new[] { "/api/models", "/api/devices", "/api/devices/{id}", "/api/inspect", "/api/inspect/upload", "/api/fit", "/api/shrink" })
        {
            Assert.Contains(p, paths);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/models")]
    [InlineData("/api/nothing-here")]
    public async Task Security_headers_on_every_response(string path)
    {
        var response = await Client.GetAsync(path);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task Unknown_api_path_is_a_problem()
    {
        var response = await Client.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NotFound", (await response.ProblemAsync()).Kind);
    }

    /// <summary>The multipart body the page posts: one part per file slice, a <c>length:path</c> field per file.</summary>
    internal static MultipartFormDataContent Slices(params (string Path, long Length, ReadOnlyMemory<byte> Head)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (path, length, head) in files)
        {
            form.Add(new ReadOnlyMemoryContent(head), "file", path);
            form.Add(new StringContent(length.ToString(System.Globalization.CultureInfo.InvariantCulture)), "length:" + path);
        }

        return form;
    }

    /// <summary>The end of a GGUF v3 header (magic, version, counts, metadata, tensor infos), aligned to
    /// general.alignment (default 32): the offset where tensor data starts. Walks the layout of ggml's gguf.cpp.</summary>
    internal static int GgufHeaderEnd(byte[] f)
    {
        int p = 8;
        long tensors = BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan(p)); p += 8;
        long kvs = BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan(p)); p += 8;
        for (long i = 0; i < kvs; i++)
        {
            p = SkipString(f, p);
            int type = BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan(p)); p += 4;
            p = SkipValue(f, p, type);
        }

        for (long i = 0; i < tensors; i++)
        {
            p = SkipString(f, p);
            int dims = BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan(p)); p += 4;
            p += 8 * dims + 4 + 8; // dims, ggml type, offset
        }

        return (p + 31) / 32 * 32;
    }

    private static int SkipString(byte[] f, int p) => p + 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan(p));

    private static int SkipValue(byte[] f, int p, int type) => type switch
    {
        0 or 1 or 7 => p + 1,
        2 or 3 => p + 2,
        4 or 5 or 6 => p + 4,
        8 => SkipString(f, p),
        9 => SkipArray(f, p),
        _ => p + 8,
    };

    private static int SkipArray(byte[] f, int p)
    {
        int type = BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan(p)); p += 4;
        long n = BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan(p)); p += 8;
        for (long i = 0; i < n; i++) p = SkipValue(f, p, type);
        return p;
    }
}
