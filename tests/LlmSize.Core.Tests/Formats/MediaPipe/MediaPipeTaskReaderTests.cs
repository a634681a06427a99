using System.IO.Compression;
using LlmSize.Core.Formats.MediaPipe;
using LlmSize.Core.Formats.Tflite;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.MediaPipe;

/// <summary>MediaPipe <c>.task</c> bundles built in code around the real tflite-micro models.</summary>
public class MediaPipeTaskReaderTests : IDisposable
{
    private readonly List<string> _files = [];

    private static byte[] Fixture(string name) => File.ReadAllBytes(TestPaths.Fixture("tflite", name));

    /// <summary>Writes a zip with the given entries (name, bytes, compression level) to a temp file.</summary>
    private string Bundle(params (string Name, byte[] Data, CompressionLevel Level)[] entries)
    {
        string path = Path.Combine(Path.GetTempPath(), "llmsize-" + Guid.NewGuid().ToString("N") + ".task");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, data, level) in entries)
            {
                using Stream s = zip.CreateEntry(name, level).Open();
                s.Write(data);
            }
        }

        _files.Add(path);
        return path;
    }

    private string Raw(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), "llmsize-" + Guid.NewGuid().ToString("N") + ".task");
        File.WriteAllBytes(path, bytes);
        _files.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (string f in _files) File.Delete(f);
        GC.SuppressFinalize(this);
    }

    private static ModelFormatException Fails(string path, ModelFormatError expected, MediaPipeTaskReaderOptions? options = null)
    {
        var e = Assert.Throws<ModelFormatException>(() => MediaPipeTaskReader.Read(path, options));
        Assert.Equal(expected, e.Error);
        Assert.Contains(Path.GetFileName(path), e.Message);
        return e;
    }

    [Fact]
    public async Task Llm_style_bundle_lists_entries_and_reads_stored_and_deflated_models()
    {
        byte[] int8 = Fixture("hello_world_int8.tflite");
        byte[] f32 = Fixture("hello_world_float.tflite");
        byte[] tokenizer = "\n\u0005<unk>fake sentencepiece"u8.ToArray();
        string path = Bundle(
            ("TF_LITE_PREFILL_DECODE", int8, CompressionLevel.NoCompression),   // stored, as MediaPipe writes models
            ("TF_LITE_EMBEDDER", f32, CompressionLevel.Optimal),               // deflated
            ("TOKENIZER_MODEL", tokenizer, CompressionLevel.Optimal),
            ("assets/", [], CompressionLevel.NoCompression));

        foreach (MediaPipeTaskInfo info in new[] { MediaPipeTaskReader.Read(path), await MediaPipeTaskReader.ReadAsync(path) })
        {
            Assert.Equal(new FileInfo(path).Length, info.DownloadBytes);                 // exact download = file length
            Assert.Equal(4, info.Entries.Length);

            MediaPipeTaskEntry main = info.Find("TF_LITE_PREFILL_DECODE")!;
            Assert.Equal(MediaPipeTaskEntryKind.TfliteModel, main.Kind);
            Assert.Equal(int8.Length, main.Length);
            Assert.Equal(int8.Length, main.CompressedLength);                            // stored
            Assert.True(main.ReadInPlace);                                               // memory-mapped in the bundle
            Assert.Equal(321, main.Model!.ParameterCount);                               // hello_world: 16+16+256+16+16+1
            Assert.Equal(420, main.Model.WeightBytes);                                   // 288 int8 + 33 × 4 int32
            Assert.EndsWith("!/TF_LITE_PREFILL_DECODE", main.Model.FilePath);

            MediaPipeTaskEntry emb = info.Find("TF_LITE_EMBEDDER")!;
            Assert.Equal(MediaPipeTaskEntryKind.TfliteModel, emb.Kind);
            Assert.False(emb.ReadInPlace);                                               // inflated into memory
            Assert.True(emb.CompressedLength < emb.Length);
            Assert.Equal(321, emb.Model!.ParameterCount);
            Assert.Equal(1_284, emb.Model.WeightBytes);                                  // 321 × 4 bytes

            MediaPipeTaskEntry tok = info.Find("TOKENIZER_MODEL")!;
            Assert.Equal(MediaPipeTaskEntryKind.Other, tok.Kind);
            Assert.Equal(tokenizer.Length, tok.Length);
            Assert.Null(tok.Model);
            Assert.Equal(MediaPipeTaskEntryKind.Directory, info.Find("assets/")!.Kind);

            Assert.Equal(642, info.ParameterCount);
            Assert.Equal(420 + 1_284, info.WeightBytes);
        }
    }

    [Fact]
    public void Stored_model_offsets_are_relative_to_the_entry()
    {
        byte[] pd = Fixture("person_detect.tflite");
        string path = Bundle(("README", "padding"u8.ToArray(), CompressionLevel.NoCompression),
            ("person_detect.tflite", pd, CompressionLevel.NoCompression));
        MediaPipeTaskEntry e = MediaPipeTaskReader.Read(path).Find("person_detect.tflite")!;
        Assert.True(e.ReadInPlace);
        TfliteModelInfo direct = TfliteReader.Read(TestPaths.Fixture("tflite", "person_detect.tflite"));
        Assert.Equal(direct.Buffers.Select(b => b.FileOffset), e.Model!.Buffers.Select(b => b.FileOffset));
        Assert.Equal(210_708, e.Model.ParameterCount);                                   // as TfliteReaderTests
    }

    [Fact]
    public void Stored_model_longer_than_MaxFlatbufferBytes_is_parsed_from_its_mapped_prefix()
    {
        // A 2,704-byte model with a 1,024-byte cap: its tables lie past the mapped prefix, so the reader must fail
        // with a bounds error (never read past the view), naming the entry.
        string path = Bundle(("TF_LITE_PREFILL_DECODE", Fixture("hello_world_int8.tflite"), CompressionLevel.NoCompression));
        var options = new MediaPipeTaskReaderOptions { Tflite = new TfliteReaderOptions { MaxFlatbufferBytes = 1_024 } };
        var e = Assert.Throws<ModelFormatException>(() => MediaPipeTaskReader.Read(path, options));
        Assert.Equal(ModelFormatError.OffsetOutOfRange, e.Error);
        Assert.EndsWith("!/TF_LITE_PREFILL_DECODE", e.FilePath);
    }

    [Fact]
    public void Nested_bundle_is_listed_not_opened()
    {
        byte[] inner = File.ReadAllBytes(Bundle(("m.tflite", Fixture("hello_world_int8.tflite"), CompressionLevel.NoCompression)));
        string path = Bundle(("hand_detector.task", inner, CompressionLevel.NoCompression));
        Assert.Equal(MediaPipeTaskEntryKind.NestedBundle, MediaPipeTaskReader.Read(path).Entries.Single().Kind);
    }

    [Fact]
    public void Zip_bomb_is_refused_by_ratio_before_inflating()
    {
        // A TFLite-looking header (root offset 16, "TFL3") followed by 32 MiB of zeros: deflate shrinks it ~1000:1.
        byte[] bomb = new byte[32 * 1024 * 1024];
        "\x10\0\0\0TFL3"u8.CopyTo(bomb);
        string path = Bundle(("TF_LITE_PREFILL_DECODE", bomb, CompressionLevel.SmallestSize));
        ModelFormatException e = Fails(path, ModelFormatError.HeaderTooLarge);
        Assert.Equal("TF_LITE_PREFILL_DECODE", e.Field);
        Assert.Contains("ratio", e.Message);
    }

    [Fact]
    public void Deflated_model_over_the_inflate_cap_is_refused()
    {
        string path = Bundle(("TF_LITE_PREFILL_DECODE", Fixture("hello_world_float.tflite"), CompressionLevel.Optimal));
        Fails(path, ModelFormatError.HeaderTooLarge, new MediaPipeTaskReaderOptions { MaxInflatedEntryBytes = 1_000 }); // 3,164 > 1,000
    }

    [Theory]
    [InlineData("../evil.tflite")]
    [InlineData("models/../../evil.tflite")]
    [InlineData("/etc/passwd")]
    [InlineData("\\windows\\system32\\x")]
    [InlineData("C:\\model.tflite")]
    [InlineData("..\\evil.tflite")]
    public void Path_traversal_names_are_refused(string name)
    {
        string path = Bundle((name, Fixture("hello_world_int8.tflite"), CompressionLevel.NoCompression));
        ModelFormatException e = Fails(path, ModelFormatError.InvalidValue);
        Assert.Equal(name, e.Field);
    }

    [Fact]
    public void Duplicate_entry_names_are_refused() =>
        Fails(Bundle(("TOKENIZER_MODEL", [1], CompressionLevel.NoCompression), ("TOKENIZER_MODEL", [2], CompressionLevel.NoCompression)),
            ModelFormatError.DuplicateKey);

    [Fact]
    public void Entry_count_over_the_cap() =>
        Fails(Bundle(("a", [1], CompressionLevel.NoCompression), ("b", [2], CompressionLevel.NoCompression)),
            ModelFormatError.CountTooLarge, new MediaPipeTaskReaderOptions { MaxEntries = 1 }); // cap + 1

    [Fact]
    public void Entry_name_over_the_cap() =>
        Fails(Bundle((new string('a', 30), [1], CompressionLevel.NoCompression)), ModelFormatError.StringTooLong,
            new MediaPipeTaskReaderOptions { MaxEntryNameLength = 29 });

    [Fact]
    public void A_bare_tflite_file_is_named_as_another_format() =>
        Fails(Raw(Fixture("hello_world_int8.tflite")), ModelFormatError.WrongFormat);

    [Fact]
    public void Not_a_zip() => Fails(Raw("<html>404 Not Found</html>"u8.ToArray()), ModelFormatError.InvalidMagic);

    [Fact]
    public void Shorter_than_a_signature() => Fails(Raw([0x50, 0x4B]), ModelFormatError.Truncated);

    [Fact]
    public void Zip_signature_without_a_central_directory() =>
        Fails(Raw([.. "PK\x03\x04"u8, .. new byte[60]]), ModelFormatError.InvalidValue);

    [Fact]
    public void Malformed_model_inside_the_bundle_names_the_entry()
    {
        byte[] bad = Fixture("hello_world_int8.tflite");
        bad[0] = 0xFF; bad[1] = 0xFF; bad[2] = 0xFF; bad[3] = 0x7F;                      // root offset far past the end
        var e = Assert.Throws<ModelFormatException>(() =>
            MediaPipeTaskReader.Read(Bundle(("TF_LITE_PREFILL_DECODE", bad, CompressionLevel.NoCompression))));
        Assert.Equal(ModelFormatError.OffsetOutOfRange, e.Error);
        Assert.EndsWith("!/TF_LITE_PREFILL_DECODE", e.FilePath);
    }
    [Fact]
    public void Five_hundred_mutations_of_a_bundle_only_raise_ModelFormatException()
    {
        byte[] original = File.ReadAllBytes(Bundle(
            ("TF_LITE_PREFILL_DECODE", Fixture("hello_world_int8.tflite"), CompressionLevel.NoCompression),
            ("TF_LITE_EMBEDDER", Fixture("hello_world_float.tflite"), CompressionLevel.Optimal),
            ("TOKENIZER_MODEL", "tokens"u8.ToArray(), CompressionLevel.Optimal)));
        var rng = new Random(4);                                                         // fixed seed: reproducible
        string path = Raw([]);
        int parsed = 0, rejected = 0;
        for (int i = 0; i < 500; i++)
        {
            byte[] b = (byte[])original.Clone();
            if (i % 5 == 4)
            {
                b = b.AsSpan(0, rng.Next(b.Length)).ToArray();                           // truncate
            }
            else
            {
                for (int k = 1 + rng.Next(8); k > 0; k--) b[rng.Next(b.Length)] = (byte)rng.Next(256);
            }

            File.WriteAllBytes(path, b);
            try
            {
                MediaPipeTaskReader.Read(path);
                parsed++;
            }
            catch (ModelFormatException)
            {
                rejected++;
            }
        }

        Assert.Equal(500, parsed + rejected);
        Assert.True(rejected > 0);
    }
}
