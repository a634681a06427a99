using System.Text.Json;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Precision;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests.Commands;

/// <summary><c>llmsize quantize</c> in-process with a test console.</summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-cli-q-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var console = new TestConsole().Width(250);
        console.Profile.Capabilities.Ansi = false;
        int code = LlmSizeApp.Create(console).Run(args);
        return (code, console.Output);
    }

    /// <summary>A minimal llama GGUF: one 64×64 F32 matrix (blk.0.ffn_up.weight) and one F32 norm.</summary>
    private string Input()
    {
        string path = Path.Combine(_dir, "in.gguf");
        var tensors = new GgufTensorDescriptor[]
        {
            new("blk.0.ffn_up.weight", [64, 64], TensorDataType.F32),
            new("blk.0.ffn_norm.weight", [64], TensorDataType.F32),
        };
        using var w = GgufWriter.Create(path, [new("general.architecture", GgufValue.FromString("llama"))], tensors);
        var rng = new Random(7);
        foreach (var t in tensors)
        {
            var bytes = new byte[t.ByteLength];
            for (int i = 0; i < bytes.Length; i += 4) BitConverter.TryWriteBytes(bytes.AsSpan(i), (float)(rng.NextDouble() - 0.5));
            w.WriteTensorData(bytes);
        }

        w.Commit();
        return path;
    }

    [Fact]
    public void Fit_checks_a_quantized_gguf_as_stored_first()
    {
        // The shared LLaMA-7B-shaped GGUF (metadata only) re-written with general.file_type = 15 (Q4_K_M, llama.h):
        // fit must start at Q4_K_M, not F16, and take the file's own bytes as its download.
        var source = GgufReader.Read(CliRunner.Shared("fixtures", "gguf", "ggml-vocab-llama-spm.gguf"));
        string path = Path.Combine(_dir, "llama-7b-Q4_K_M.gguf");
        var metadata = source.Metadata.Where(kv => kv.Key != "general.file_type" && !kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList();
        metadata.Add(new("general.file_type", GgufValue.FromUInt32(15)));
        using (var w = GgufWriter.Create(path, metadata, [])) w.Commit();

        var (code, output) = Run("fit", path, "--device", "rtx-4090", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement[0];
        Assert.Equal("Q4_K_M", r.GetProperty("requested").GetProperty("format").GetString());
        Assert.Equal(new FileInfo(path).Length, r.GetProperty("downloadBytes").GetInt64());

        // Asked for another format, the download is that format's, not this file's.
        var (code2, output2) = Run("fit", path, "--device", "rtx-4090", "--quant", "Q8_0", "--json");
        Assert.Equal(0, code2);
        using var doc2 = JsonDocument.Parse(output2);
        Assert.NotEqual(new FileInfo(path).Length, doc2.RootElement[0].GetProperty("downloadBytes").GetInt64());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Quantize_into_an_existing_folder_says_it_is_a_folder(bool overwrite)
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        string[] args = overwrite
            ? ["quantize", Input(), folder, "--type", "Q8_0", "--overwrite"]
            : ["quantize", Input(), folder, "--type", "Q8_0"];
        var (code, text) = Run(args);
        Assert.Equal(1, code);
        Assert.Contains("is a folder", text);
        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public void Quantize_to_a_non_gguf_name_is_a_usage_error()
    {
        string output = Path.Combine(_dir, "out.txt");
        var (code, text) = Run("quantize", Input(), output, "--type", "Q8_0");
        Assert.Equal(2, code);
        Assert.Contains("*.gguf", text);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Quantize_Q8_0_PrintsTable()
    {
        string output = Path.Combine(_dir, "out.gguf");
        var (code, text) = Run("quantize", Input(), output, "--type", "Q8_0", "--threads", "1");
        Assert.Equal(0, code);
        Assert.Contains("blk.0.ffn_up.weight", text);
        Assert.Contains("F32 → Q8_0", text);
        Assert.Contains("16,384", text); // 64 × 64 × 4 bytes before
        Assert.Contains("4,352", text); // 64 × 64 / 32 × 34 bytes after
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void Quantize_Json()
    {
        string output = Path.Combine(_dir, "out.gguf");
        var (code, text) = Run("quantize", Input(), output, "--type", "q4_0", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("llmsize.quantize/v1", doc.RootElement.GetProperty("schema").GetString());
        var up = doc.RootElement.GetProperty("tensors").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "blk.0.ffn_up.weight");
        Assert.Equal("Q4_0", up.GetProperty("to").GetString());
        Assert.Equal(64 * 64 / 32 * 18, up.GetProperty("bytesAfter").GetInt64()); // Q4_0: 18 bytes per 32 weights
        Assert.True(up.GetProperty("snrDb").GetDouble() > 10);
    }

    [Fact]
    public void OutputEqualsInput_ExitsOneWithOneLine()
    {
        string input = Input();
        var (code, text) = Run("quantize", input, input, "--type", "Q8_0");
        Assert.Equal(1, code);
        Assert.StartsWith("error:", text.Trim());
        Assert.Single(text.Trim().Split('\n'));
    }

    [Fact]
    public void AlreadyQuantized_ExitsOne()
    {
        string q8 = Path.Combine(_dir, "q8.gguf");
        Assert.Equal(0, Run("quantize", Input(), q8, "--type", "Q8_0", "--json").ExitCode);
        var (code, text) = Run("quantize", q8, Path.Combine(_dir, "q4.gguf"), "--type", "Q4_0");
        Assert.Equal(1, code);
        Assert.Contains("--allow-requantize", text);
        Assert.Equal(0, Run("quantize", q8, Path.Combine(_dir, "q4.gguf"), "--type", "Q4_0", "--allow-requantize", "--json").ExitCode);
    }

    [Fact]
    public void UnknownType_IsUsageError()
    {
        var (code, text) = Run("quantize", Input(), Path.Combine(_dir, "x.gguf"), "--type", "Q3_Z");
        Assert.Equal(2, code);
        Assert.Contains("Unknown --type", text);
    }

    [Theory]
    [InlineData("IQ2_XS")]
    [InlineData("IQ1_S")]
    [InlineData("Q2_K_S")]
    public void ImportanceMatrixType_IsUsageErrorSayingSo(string type)
    {
        // llama-quant.cpp tensor_requires_imatrix: IQ2_XXS/XS/S, IQ1_S/M, IQ3_XXS, and Q2_K inside a Q2_K_S file.
        var (code, text) = Run("quantize", Input(), Path.Combine(_dir, "x.gguf"), "--type", type);
        Assert.Equal(2, code);
        Assert.Contains($"--type {type}: {type} needs an importance matrix", text);
        Assert.Contains("This build writes: F32, F16, Q4_0", text);
        Assert.False(File.Exists(Path.Combine(_dir, "x.gguf")));
    }

    [Theory]
    [InlineData("IQ3_XS", "IQ3_S")]
    [InlineData("IQ3_M", "IQ3_S")]
    public void TypeWithoutKernel_IsUsageErrorNamingTheKernel(string type, string kernel)
    {
        var (code, text) = Run("quantize", Input(), Path.Combine(_dir, "x.gguf"), "--type", type);
        Assert.Equal(2, code);
        Assert.Contains($"this build has no {kernel} kernel, so it cannot write {type} yet", text);
    }

    [Fact]
    public void TypeHelp_ListsExactlyTheWritableTypes()
    {
        string listed = LlmSize.Cli.Commands.Quantize.QuantizeSettings.TypeDescription["llama.cpp file type: ".Length..LlmSize.Cli.Commands.Quantize.QuantizeSettings.TypeDescription.IndexOf(". ", StringComparison.Ordinal)];
        Assert.Equal(Core.Compression.Quantization.GgufQuantizerFileTypes.WritableNames, listed.Split(", "));
    }

    /// <summary>A 256×256 F32 matrix and a legacy imatrix for it (llama.cpp load_legacy_imatrix layout: int32 count;
    /// int32 name length, name, int32 ncall, int32 nval, float32 values).</summary>
    private (string Model, string Imatrix) ModelWithImatrix()
    {
        string model = Path.Combine(_dir, "in256.gguf");
        var tensors = new GgufTensorDescriptor[] { new("blk.0.ffn_up.weight", [256, 256], TensorDataType.F32) };
        using (var w = GgufWriter.Create(model, [new("general.architecture", GgufValue.FromString("llama"))], tensors))
        {
            var bytes = new byte[tensors[0].ByteLength];
            var rng = new Random(3);
            for (int i = 0; i < bytes.Length; i += 4) BitConverter.TryWriteBytes(bytes.AsSpan(i), (float)(rng.NextDouble() - 0.5));
            w.WriteTensorData(bytes);
            w.Commit();
        }

        var ms = new MemoryStream();
        var bw = new BinaryWriter(ms);
        byte[] name = System.Text.Encoding.UTF8.GetBytes("blk.0.ffn_up.weight");
        bw.Write(1);
        bw.Write(name.Length);
        bw.Write(name);
        bw.Write(1);
        bw.Write(256);
        for (int i = 0; i < 256; i++) bw.Write(1f + i % 7);
        bw.Flush();
        string imatrix = Path.Combine(_dir, "imatrix.dat");
        File.WriteAllBytes(imatrix, ms.ToArray());
        return (model, imatrix);
    }

    [Fact]
    public void Q2_K_S_WithImatrix_IsWritten_AndRecordsTheImatrix()
    {
        var (model, imatrix) = ModelWithImatrix();
        string output = Path.Combine(_dir, "q2ks.gguf");
        var (code, text) = Run("quantize", model, output, "--type", "Q2_K_S", "--imatrix", imatrix, "--json");
        Assert.True(code == 0, text);
        var g = GgufReader.Read(output);
        Assert.Equal("Q2_K", g.Tensors.Single().DataType.Name);
        Assert.Equal(imatrix, g.Metadata["quantize.imatrix.file"].Value as string);
    }

    [Fact]
    public void MalformedImatrix_IsBadInput_NamingTheFile()
    {
        var (model, _) = ModelWithImatrix();
        string bad = Path.Combine(_dir, "bad.dat");
        File.WriteAllBytes(bad, [1, 0, 0, 0, 5, 0]);
        var (code, text) = Run("quantize", model, Path.Combine(_dir, "o.gguf"), "--type", "Q4_K_M", "--imatrix", bad);
        Assert.Equal(1, code);
        Assert.Contains("bad.dat", text);
        Assert.False(File.Exists(Path.Combine(_dir, "o.gguf")));
    }
}
