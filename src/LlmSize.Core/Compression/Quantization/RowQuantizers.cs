using System.Reflection;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>The registry of row kernels: which ggml types this library can write.</summary>
/// <remarks>Every public, non-abstract <see cref="IRowQuantizer"/> of this assembly with a public parameterless
/// constructor is registered (found once, by reflection), so adding a kernel file (Q4_K, Q5_K, Q6_K …) is enough.
/// Two kernels for one type are a programming error and fail the type initializer.</remarks>
public static class RowQuantizers
{
    private static readonly Dictionary<TensorDataType, IRowQuantizer> ByType = Discover();

    /// <summary>Every registered kernel.</summary>
    public static IReadOnlyCollection<IRowQuantizer> All => ByType.Values;

    /// <summary>Finds the kernel writing <paramref name="type"/>.</summary>
    /// <param name="type">ggml type wanted.</param>
    /// <param name="quantizer">The kernel, when one is registered.</param>
    /// <returns>False when no kernel writes that type.</returns>
    public static bool TryGet(TensorDataType type, out IRowQuantizer quantizer) => ByType.TryGetValue(type, out quantizer!);

    private static Dictionary<TensorDataType, IRowQuantizer> Discover()
    {
        var result = new Dictionary<TensorDataType, IRowQuantizer>();
        foreach (var t in typeof(IRowQuantizer).Assembly.GetTypes())
        {
            if (!t.IsPublic || t.IsAbstract || t.IsInterface || !typeof(IRowQuantizer).IsAssignableFrom(t)) continue;
            if (t.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is null) continue;
            var kernel = (IRowQuantizer)Activator.CreateInstance(t)!;
            result.Add(kernel.Type, kernel);
        }

        return result;
    }
}
