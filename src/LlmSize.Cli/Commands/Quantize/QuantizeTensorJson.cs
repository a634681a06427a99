namespace LlmSize.Cli.Commands.Quantize;

/// <summary>One tensor in <see cref="QuantizeJson"/>; <c>snrDb</c> is omitted when the error is zero.</summary>
internal sealed record QuantizeTensorJson(string Name, long[] Shape, string From, string To, long BytesBefore, long BytesAfter,
    bool Converted, double Rmse, double MaxAbsError, double? SnrDb, long NonFiniteCount);
