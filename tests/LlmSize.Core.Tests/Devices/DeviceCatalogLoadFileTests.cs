using System.Text;
using System.Text.Json.Nodes;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;

namespace LlmSize.Core.Tests.Devices;

public sealed class DeviceCatalogLoadFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmsize-devices-" + Guid.NewGuid().ToString("N"));

    public DeviceCatalogLoadFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A valid minimal profile; tests change one field at a time.</summary>
    private static JsonObject Valid() => new()
    {
        ["id"] = "my-laptop",                 // kebab-case id
        ["displayName"] = "My laptop",
        ["category"] = "Custom",
        ["platform"] = "Linux",
        ["ram"] = "16 GiB",                   // string with a unit
        ["gpuMemory"] = 8L << 30,             // number of bytes
        ["memoryBandwidthGBps"] = 256.0,
        ["cpuCores"] = 8,
        ["freeStorage"] = "100 GB",
        ["appMemoryLimit"] = "12 GiB",
        ["network"] = "wifi6",
    };

    private string Write(string text, string name = "devices.json")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private ModelFormatException LoadFails(string json)
    {
        string path = Write(json);
        var e = Assert.Throws<ModelFormatException>(() => DeviceCatalog.LoadFile(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        return e;
    }

    private ModelFormatException FieldFails(string field, JsonNode? value, ModelFormatError expected)
    {
        JsonObject o = Valid();
        o[field] = value;
        ModelFormatException e = LoadFails(o.ToJsonString());
        Assert.Equal(expected, e.Error);
        Assert.NotNull(e.Field);
        Assert.Contains(field, e.Field, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void LoadFile_SingleProfile()
    {
        DeviceCatalog c = DeviceCatalog.LoadFile(Write(Valid().ToJsonString()));
        DeviceProfile p = Assert.Single(c.Profiles);
        Assert.Equal("my-laptop", p.Id);
        Assert.Equal(16L << 30, p.RamBytes);
        Assert.Equal(8L << 30, p.GpuMemoryBytes);
        Assert.Equal(100_000_000_000, p.FreeStorageBytes);
        Assert.Same(NetworkClass.WiFi6, p.Network);
        Assert.Empty(p.Sources); // sources optional in user files
    }

    [Fact]
    public void LoadFile_ArrayAndWrappedForms()
    {
        JsonObject a = Valid();
        JsonObject b = Valid();
        b["id"] = "second";
        b["displayName"] = "Second";
        string array = new JsonArray(a.DeepClone(), b.DeepClone()).ToJsonString();
        Assert.Equal(2, DeviceCatalog.LoadFile(Write(array, "a.json")).Profiles.Count);

        string wrapped = new JsonObject { ["schemaVersion"] = 1, ["devices"] = new JsonArray(a, b) }.ToJsonString();
        Assert.Equal(2, DeviceCatalog.LoadFile(Write(wrapped, "b.json")).Profiles.Count);
    }

    [Fact]
    public void LoadFile_WithWebGpuAndSources()
    {
        JsonObject o = Valid();
        o["webGpu"] = new JsonObject
        {
            ["browser"] = "Chrome", ["maxBufferSize"] = "4 GiB", ["maxStorageBufferBindingSize"] = "2 GiB",
            ["shaderF16"] = true, ["basis"] = "Typical",
        };
        o["sources"] = new JsonArray(new JsonObject { ["url"] = "https://example.org/spec", ["supports"] = "RAM" });
        DeviceProfile p = Assert.Single(DeviceCatalog.LoadFile(Write(o.ToJsonString())).Profiles);
        Assert.Equal(4L << 30, p.WebGpu!.MaxBufferSizeBytes);
        Assert.Single(p.Sources);
    }

    [Fact]
    public void LoadFile_UserProfileLayersOverBuiltIn()
    {
        DeviceCatalog user = DeviceCatalog.LoadFile(Write(Valid().ToJsonString()));
        DeviceCatalog merged = DeviceCatalog.Default.WithOverrides(user);
        Assert.True(merged.TryFind("my-laptop", out _));
        Assert.True(merged.TryFind("pixel-8", out _));
    }

    [Fact]
    public void LoadFile_MissingFileThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => DeviceCatalog.LoadFile(Path.Combine(_dir, "nope.json")));
    }

    [Fact]
    public void LoadFile_NotJson() => Assert.Equal(ModelFormatError.InvalidJson, LoadFails("{ this is not json").Error);

    [Fact]
    public void LoadFile_EmptyFile() => Assert.Equal(ModelFormatError.InvalidJson, LoadFails("").Error);

    [Fact]
    public void LoadFile_RootIsANumber() => Assert.Equal(ModelFormatError.InvalidJson, LoadFails("42").Error);

    [Fact]
    public void LoadFile_UnknownPropertyIsRejected() =>
        FieldFails("ramm", "8 GiB", ModelFormatError.InvalidJson); // typo of 'ram'

    [Fact]
    public void LoadFile_WrongJsonType() =>
        FieldFails("cpuCores", "eight", ModelFormatError.InvalidJson);

    [Fact]
    public void LoadFile_MissingRequiredField()
    {
        JsonObject o = Valid();
        o.Remove("memoryBandwidthGBps");
        ModelFormatException e = LoadFails(o.ToJsonString());
        Assert.Equal(ModelFormatError.MissingField, e.Error);
        Assert.Equal("(profile) 'my-laptop'.memoryBandwidthGBps", e.Field);
    }

    [Fact]
    public void LoadFile_NegativeRam() => FieldFails("ram", -1, ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_ZeroRam() => FieldFails("ram", "0 GiB", ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_NegativeRamText() => FieldFails("ram", "-8 GiB", ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_AbsurdRam() => FieldFails("ram", "1 PiB", ModelFormatError.InvalidValue); // above 64 TiB

    [Fact]
    public void LoadFile_RamWithoutUnit() => FieldFails("ram", "16", ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_FractionalByteCount() => FieldFails("ram", 1.5, ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_ZeroBandwidth()
    {
        ModelFormatException e = FieldFails("memoryBandwidthGBps", 0.0, ModelFormatError.InvalidValue);
        Assert.Contains("bandwidth", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_AbsurdBandwidth() => FieldFails("memoryBandwidthGBps", 1e9, ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_NegativeTflops() => FieldFails("gpuFp16Tflops", -3.0, ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_ZeroCores() => FieldFails("cpuCores", 0, ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_BigCoresAboveCores() => FieldFails("cpuBigCores", 99, ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_AppLimitAboveRam() => FieldFails("appMemoryLimit", "32 GiB", ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_UnknownNetwork() => FieldFails("network", "carrier-pigeon", ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_UnknownCategoryName() => FieldFails("category", "Toaster", ModelFormatError.InvalidJson);

    [Fact]
    public void LoadFile_UndefinedCategoryNumber() => FieldFails("category", 99, ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_BadId() => FieldFails("id", "My Laptop!", ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_VramWithUnifiedMemory() => FieldFails("unifiedMemory", true, ModelFormatError.InvalidValue);

    [Fact]
    public void LoadFile_WebGpuBelowSpecMinimum()
    {
        JsonObject o = Valid();
        o["webGpu"] = new JsonObject
        {
            ["browser"] = "Chrome", ["maxBufferSize"] = "1 MiB", // below the spec's guaranteed 256 MiB
            ["maxStorageBufferBindingSize"] = "128 MiB", ["shaderF16"] = false, ["basis"] = "Reported",
        };
        ModelFormatException e = LoadFails(o.ToJsonString());
        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.EndsWith(".webGpu", e.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_SourceWithoutHttpUrl()
    {
        JsonObject o = Valid();
        o["sources"] = new JsonArray(new JsonObject { ["url"] = "file:///etc/passwd", ["supports"] = "RAM" });
        Assert.Equal(ModelFormatError.InvalidValue, LoadFails(o.ToJsonString()).Error);
    }

    [Fact]
    public void LoadFile_DuplicateIds()
    {
        string json = new JsonArray(Valid(), Valid()).ToJsonString();
        ModelFormatException e = LoadFails(json);
        Assert.Equal(ModelFormatError.DuplicateKey, e.Error);
        Assert.Equal("[1].id", e.Field);
    }

    [Fact]
    public void LoadFile_ErrorNamesTheArrayIndex()
    {
        JsonObject bad = Valid();
        bad["id"] = "bad-one";
        bad["memoryBandwidthGBps"] = 0.0;
        ModelFormatException e = LoadFails(new JsonObject { ["devices"] = new JsonArray(bad) }.ToJsonString());
        Assert.Equal("devices[0] 'bad-one'.memoryBandwidthGBps", e.Field);
    }

    [Fact]
    public void LoadFile_UnsupportedSchemaVersion()
    {
        ModelFormatException e = LoadFails(new JsonObject { ["schemaVersion"] = 2, ["devices"] = new JsonArray() }.ToJsonString());
        Assert.Equal(ModelFormatError.UnsupportedVersion, e.Error);
    }

    [Fact]
    public void LoadFile_DevicesNotAnArray() =>
        Assert.Equal(ModelFormatError.InvalidJson, LoadFails("{\"devices\": {}}").Error);

    [Fact]
    public void LoadFile_ArrayOfNonObjects() =>
        Assert.Equal(ModelFormatError.InvalidJson, LoadFails("[1, 2]").Error);

    [Fact]
    public void LoadFile_TooManyProfiles()
    {
        // 3 profiles against a cap of 2.
        string path = Write(new JsonArray(Valid(), Valid(), Valid()).ToJsonString());
        var e = Assert.Throws<ModelFormatException>(() => DeviceCatalog.LoadFile(path, new DeviceCatalogOptions { MaxProfiles = 2 }));
        Assert.Equal(ModelFormatError.CountTooLarge, e.Error);
    }

    [Fact]
    public void LoadFile_FileLargerThanCap()
    {
        string path = Write(Valid().ToJsonString() + new string(' ', 2000));
        var e = Assert.Throws<ModelFormatException>(() => DeviceCatalog.LoadFile(path, new DeviceCatalogOptions { MaxFileBytes = 1000 }));
        Assert.Equal(ModelFormatError.HeaderTooLarge, e.Error);
    }

    [Fact]
    public void Load_StreamLargerThanCapStopsReading()
    {
        using var stream = new MemoryStream(new byte[5000]);
        var e = Assert.Throws<ModelFormatException>(() => DeviceCatalog.Load(stream, "s", new DeviceCatalogOptions { MaxFileBytes = 1000 }));
        Assert.Equal(ModelFormatError.HeaderTooLarge, e.Error);
    }

    [Fact]
    public void LoadFile_DeepNestingRejected()
    {
        string json = new string('[', 100) + new string(']', 100);
        Assert.Equal(ModelFormatError.InvalidJson, LoadFails(json).Error);
    }

    [Fact]
    public void Load_RequireSourcesRejectsUnsourcedProfile()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Valid().ToJsonString()));
        var e = Assert.Throws<ModelFormatException>(() => DeviceCatalog.Load(stream, "x.json", new DeviceCatalogOptions { RequireSources = true }));
        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.EndsWith(".sources", e.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasClashIsDuplicateKey()
    {
        JsonObject a = Valid();
        JsonObject b = Valid();
        b["id"] = "other";
        b["aliases"] = new JsonArray("my-laptop");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(new JsonArray(a, b).ToJsonString()));
        Assert.Equal(ModelFormatError.DuplicateKey, Assert.Throws<ModelFormatException>(() => DeviceCatalog.Load(stream)).Error);
    }
}

public sealed class DeviceCatalogLoadAsyncTests
{
    private const string OneProfile =
        "{\"id\":\"box\",\"displayName\":\"Box\",\"category\":\"Custom\",\"platform\":\"Linux\",\"ram\":\"8 GiB\"," +
        "\"memoryBandwidthGBps\":50,\"cpuCores\":4,\"freeStorage\":\"10 GB\",\"appMemoryLimit\":\"6 GiB\",\"network\":\"4g\"}";

    [Fact]
    public async Task LoadAsync_MatchesLoad()
    {
        using var a = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(OneProfile));
        using var b = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(OneProfile));
        DeviceCatalog sync = DeviceCatalog.Load(a, "x.json");
        DeviceCatalog async = await DeviceCatalog.LoadAsync(b, "x.json");
        Assert.Equal(sync.Profiles.Single().RamBytes, async.Profiles.Single().RamBytes);
    }

    [Fact]
    public async Task LoadFileAsync_ReadsFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "llmsize-dev-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, OneProfile);
        try
        {
            DeviceCatalog c = await DeviceCatalog.LoadFileAsync(path);
            Assert.Equal("box", c.Profiles.Single().Id);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task LoadAsync_HonoursCancellation()
    {
        using var s = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(OneProfile));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DeviceCatalog.LoadAsync(s, null, null, cts.Token));
    }

    [Fact]
    public async Task LoadAsync_BadValueIsModelFormatException()
    {
        using var s = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(OneProfile.Replace("\"8 GiB\"", "-1", StringComparison.Ordinal)));
        var e = await Assert.ThrowsAsync<ModelFormatException>(() => DeviceCatalog.LoadAsync(s, "x.json"));
        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("(profile) 'box'.ram", e.Field);
    }
}
