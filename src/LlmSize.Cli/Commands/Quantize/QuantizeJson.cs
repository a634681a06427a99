using LlmSize.Core.Compression.Quantization;
using Spectre.Console;

namespace LlmSize.Cli.Commands.Quantize;

/// <summary>JSON document of <c>llmsize quantize --json</c> (schema <c>llmsize.quantize/v1</c>).</summary>
internal sealed record QuantizeJson(string Schema, string Input, string Output, string FileType, long OutputFileBytes,
    long TensorBytesBefore, long TensorBytesAfter, double ElapsedSeconds, IReadOnlyList<QuantizeTensorJson> Tensors)
{
    public static QuantizeJson From(QuantizationReport r) => new("llmsize.quantize/v1", r.InputPath, r.OutputPath, r.FileType.ToString(),
        r.OutputFileBytes, r.TensorBytesBefore, r.TensorBytesAfter, Math.Round(r.Elapsed.TotalSeconds, 3),
        r.Tensors.Select(t => new QuantizeTensorJson(t.Name, t.Shape.ToArray(), t.SourceType.Name, t.TargetType.Name, t.BytesBefore,
            t.BytesAfter, t.Converted, t.Rmse, t.MaxAbsError, t.SnrDb, t.NonFiniteCount)).ToList());
}
