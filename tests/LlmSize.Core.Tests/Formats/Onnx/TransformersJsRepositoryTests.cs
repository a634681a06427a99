using LlmSize.Core.Formats.Onnx;
using static LlmSize.Core.Tests.Formats.Onnx.OnnxModelBuilder;

namespace LlmSize.Core.Tests.Formats.Onnx;

public sealed class TransformersJsRepositoryTests
{
    private static long Size(TempFolder dir, params string[] names) => names.Sum(n => new FileInfo(dir.File(n)).Length);

    [Fact]
    public void One_row_per_dtype_with_exact_download_size()
    {
        using var dir = new TempFolder();
        dir.Write("config.json", """{"model_type": "bert", "hidden_size": 8}"""u8.ToArray());
        // fp32: one F32 [8, 8] weight (64 parameters).
        dir.Write("onnx/model.onnx", Model(g => Initializer(g, "W", Float, [8, 8], 256)));
        // fp16: the same weight in F16.
        dir.Write("onnx/model_fp16.onnx", Model(g => Initializer(g, "W", Float16, [8, 8], 128)));
        // q8 (onnxruntime dynamic quantization): uint8 weight + scale + zero point.
        dir.Write("onnx/model_quantized.onnx", Model(g =>
        {
            Initializer(g, "W_quantized", UInt8, [8, 8], 64);
            Initializer(g, "W_scale", Float, [], 4);
            Initializer(g, "W_zero_point", UInt8, [], 1);
            Node(g, "MatMulInteger", "", ["A", "W_quantized", "", "W_zero_point"], ["Y"]);
        }));
        // q4: MatMulNBits K = 32, N = 2, bits 4, block 32: B uint8 [2, 1, 16] = 32 bytes, stored in external data.
        dir.Write("onnx/model_q4.onnx_data", new byte[4096]);
        dir.Write("onnx/model_q4.onnx", Model(g =>
        {
            ExternalInitializer(g, "B", UInt8, [2, 1, 16], "model_q4.onnx_data", 0, 32);
            Initializer(g, "scales", Float, [2], 8);
            Node(g, "MatMulNBits", "com.microsoft", ["A", "B", "scales"], ["Y"], ("K", 32), ("N", 2), ("bits", 4), ("block_size", 32));
        }));
        dir.Write("onnx/model_q4f16.onnx", Model(g => Initializer(g, "W", Float16, [8, 8], 128)));
        dir.Write("onnx/model_q4f16.onnx_data", new byte[100]);   // named side file (Transformers.js naming), unreferenced
        dir.Write("onnx/model_q4f16.onnx_data_1", new byte[50]);

        TransformersJsRepositoryInfo repo = TransformersJsRepository.Read(dir.Path);

        Assert.Equal("bert", repo.ModelType);
        Assert.Equal(["fp32", "fp16", "q8", "q4", "q4f16"], repo.Variants.Select(v => v.Dtype).ToArray());
        var byDtype = repo.Variants.ToDictionary(v => v.Dtype);
        Assert.Equal(Size(dir, "onnx/model.onnx"), byDtype["fp32"].DownloadBytes);
        Assert.Equal(Size(dir, "onnx/model_quantized.onnx"), byDtype["q8"].DownloadBytes);
        Assert.Equal(Size(dir, "onnx/model_q4.onnx", "onnx/model_q4.onnx_data"), byDtype["q4"].DownloadBytes);
        Assert.Equal(Size(dir, "onnx/model_q4f16.onnx", "onnx/model_q4f16.onnx_data", "onnx/model_q4f16.onnx_data_1"),
            byDtype["q4f16"].DownloadBytes);
        Assert.Equal("_quantized", byDtype["q8"].FileSuffix);
        Assert.All(repo.Variants, v => Assert.True(v.IsComplete));

        // Parameters: 64 for fp32 / fp16 / q8 / q4f16; q4 holds K × N = 32 × 2 = 64 logical weights too.
        Assert.All(repo.Variants, v => Assert.Equal(64, v.ParameterCount));
    }

    [Fact]
    public void Encoder_decoder_split_sums_sessions_and_flags_incomplete_dtypes()
    {
        using var dir = new TempFolder();
        dir.Write("config.json", """{"model_type": "t5"}"""u8.ToArray());
        dir.Write("onnx/encoder_model.onnx", Model(g => Initializer(g, "E", Float, [4, 4], 64)));
        dir.Write("onnx/decoder_model_merged.onnx", Model(g => Initializer(g, "D", Float, [4, 8], 128)));
        dir.Write("onnx/encoder_model_quantized.onnx", Model(g => Initializer(g, "E", Float, [4, 4], 64)));
        dir.Write("onnx/decoder_model_merged_quantized.onnx", Model(g => Initializer(g, "D", Float, [4, 8], 128)));
        dir.Write("onnx/decoder_model_merged_fp16.onnx", Model(g => Initializer(g, "D", Float16, [4, 8], 64)));

        TransformersJsRepositoryInfo repo = TransformersJsRepository.Read(dir.Path);
        var byDtype = repo.Variants.ToDictionary(v => v.Dtype);

        Assert.Equal(Size(dir, "onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx"), byDtype["fp32"].DownloadBytes);
        Assert.Equal(16 + 32, byDtype["fp32"].ParameterCount);   // 4·4 + 4·8
        Assert.Equal(["decoder_model_merged", "encoder_model"], byDtype["q8"].Sessions.Select(s => s.Name).Order().ToArray());
        Assert.True(byDtype["q8"].IsComplete);
        Assert.False(byDtype["fp16"].IsComplete);                // no encoder_model_fp16.onnx
    }

    [Fact]
    public void Folder_without_config_is_rejected()
    {
        using var dir = new TempFolder();
        dir.Write("onnx/model.onnx", Model(g => { }));
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => TransformersJsRepository.Read(dir.Path));
        Assert.Equal(ModelFormatError.MissingFile, ex.Error);
    }

    [Fact]
    public void Invalid_config_json_is_rejected()
    {
        using var dir = new TempFolder();
        dir.Write("config.json", "{ not json"u8.ToArray());
        dir.Write("onnx/model.onnx", Model(g => { }));
        Assert.Equal(ModelFormatError.InvalidJson,
            Assert.Throws<ModelFormatException>(() => TransformersJsRepository.Read(dir.Path)).Error);
    }

    [Fact]
    public void Real_MiniLM_as_a_repository_reports_its_file_size()
    {
        using var dir = new TempFolder();
        dir.Write("config.json", """{"model_type": "bert"}"""u8.ToArray());
        Directory.CreateDirectory(dir.File("onnx"));
        File.Copy(MiniLmModel.Path, dir.File("onnx/model.onnx"));
        TransformersJsVariant fp32 = Assert.Single(TransformersJsRepository.Read(dir.Path).Variants);
        Assert.Equal("fp32", fp32.Dtype);
        Assert.Equal(MiniLmModel.FileLength, fp32.DownloadBytes);
        Assert.Equal(22_713_216, fp32.ParameterCount);           // see OnnxReaderTests.MiniLmParameters
    }
}
