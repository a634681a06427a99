using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core.Formats.PyTorch;

/// <summary>Throw helpers for the PyTorch reader (kept out of hot paths so they stay small).</summary>
internal static class PyTorchThrowHelper
{
    [DoesNotReturn]
    public static void Throw(ModelFormatError error, string detail, string? file, long? offset = null, string? field = null) =>
        throw new ModelFormatException(error, detail, file, offset, field);

    [DoesNotReturn]
    public static T Throw<T>(ModelFormatError error, string detail, string? file, long? offset = null, string? field = null) =>
        throw new ModelFormatException(error, detail, file, offset, field);

    [DoesNotReturn]
    public static void ThrowRefusedGlobal(string module, string name, string? file, long offset, string entry) =>
        throw new ModelFormatException(ModelFormatError.Unsupported,
            $"pickle global '{module}.{name}' refused and NOT run: only the globals torch checkpoints use " +
            "(collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.*Storage, torch dtypes …) are allowed",
            file, offset, entry);

    [DoesNotReturn]
    public static void ThrowTruncated(string? file, long offset, string entry, string what) =>
        throw new ModelFormatException(ModelFormatError.Truncated,
            $"pickle ends inside {what} (no STOP opcode reached)", file, offset, entry);
}
