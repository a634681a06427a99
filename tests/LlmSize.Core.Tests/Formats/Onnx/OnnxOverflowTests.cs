using LlmSize.Core.Formats.Onnx;
using static LlmSize.Core.Tests.Formats.Onnx.OnnxModelBuilder;

namespace LlmSize.Core.Tests.Formats.Onnx;

/// <summary>Issue 13, class 4 and 5: size arithmetic from user-supplied ONNX shapes is checked and fails as a format
/// error naming the tensor; a NUL in an external location names the tensor and field.</summary>
public sealed class OnnxOverflowTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmsize-onnxovf-" + Guid.NewGuid().ToString("N"));

    public OnnxOverflowTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static byte[] HugeConstantOfShape() => Model(g =>
    {
        Int64Initializer(g, "shape", 1L << 40, 1L << 21);            // [2^40, 2^21] = 2^61 elements
        Node(g, "ConstantOfShape", "", ["shape"], ["huge_weight"]);  // float32 by default: 2^63 bytes
    });

    [Fact]
    public void Issue13_constant_of_shape_2e40_by_2e21_is_a_typed_error_or_counted_exactly()
    {
        string path = Path.Combine(_dir, "huge.onnx");
        File.WriteAllBytes(path, HugeConstantOfShape());

        try
        {
            var inventory = ModelLoader.Load(path);
            // If it loads, every size the inspect path computes must also be computable.
            _ = inventory.CountTensors();
            foreach (var v in inventory.Variants) _ = v.DownloadBytes;
            var report = LlmSize.Core.Models.ModelSizeReport.Create(inventory);
            Assert.NotNull(report);
        }
        catch (ModelFormatException e)
        {
            Assert.Equal(path, e.FilePath);
            Assert.Equal(ModelFormatError.ArithmeticOverflow, e.Error);
            Assert.Contains("huge_weight", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Issue13_nul_in_external_location_names_the_tensor()
    {
        string path = Path.Combine(_dir, "nul.onnx");
        File.WriteAllBytes(path, Model(g => ExternalInitializer(g, "w", Float, [4], "data\0.bin", 0, 16)));

        var e = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(path));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);
        Assert.Contains("NUL", e.Message, StringComparison.Ordinal);
    }
}
