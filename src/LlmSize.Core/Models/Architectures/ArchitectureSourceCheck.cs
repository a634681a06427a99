namespace LlmSize.Core.Models.Architectures;

/// <summary>
/// Runs the architecture model's checks (<see cref="ParameterCalculator.Count"/>: positive sizes, consistent head
/// counts, counts within 64 bits) on an architecture just read from a file, and reports a failure as a
/// <see cref="ModelFormatException"/> of that file naming the file's own key, so a user sees
/// "model.gguf: 'llama.attention.head_count' …" instead of "HeadDim must be positive; got 0.".
/// </summary>
internal static class ArchitectureSourceCheck
{
    /// <summary>2^50 parameters (1.1 quadrillion, a thousand times any published model): above it byte counts at
    /// 8 bytes per weight and download times in <see cref="TimeSpan"/> no longer fit.</summary>
    public const long MaxParameters = 1L << 50;

    /// <summary>Validates <paramref name="architecture"/>; <paramref name="present"/> says whether the source holds a
    /// key (a failure traced to an absent key is <see cref="ModelFormatError.MissingField"/>); <paramref name="keyOf"/> maps a
    /// <see cref="ModelArchitecture"/> property name (or "architecture" for a count that overflows) to the source's key.</summary>
    /// <exception cref="ModelFormatException"><see cref="ModelFormatError.InvalidValue"/> or
    /// <see cref="ModelFormatError.ArithmeticOverflow"/>, naming <paramref name="file"/> and the key.</exception>
    public static void Validate(ModelArchitecture architecture, string? file, Func<string, bool> present, Func<string, string> keyOf)
    {
        try
        {
            long total = ParameterCalculator.Count(architecture).Total;
            if (total > MaxParameters)
            {
                string key = keyOf("architecture");
                throw new ModelFormatException(ModelFormatError.InvalidValue,
                    $"the hyper-parameters ({key}) imply {total:N0} parameters, above the {MaxParameters:N0} (2^50) this tool sizes: memory, speed and download times would overflow",
                    file, null, key);
            }
        }
        catch (NotSupportedException)
        {
            // A family the calculator cannot lay out is reported where a count is asked for, as before.
        }
        catch (ArgumentException e)
        {
            bool overflow = e.InnerException is OverflowException;
            string key = keyOf(e.ParamName ?? string.Empty);
            string detail = overflow
                ? $"the hyper-parameters ({key}) give a parameter count that overflows 64 bits"
                : $"inconsistent hyper-parameters: {key} gives {StripParameterName(e.Message)}";
            ModelFormatError error = overflow ? ModelFormatError.ArithmeticOverflow
                : present(key) ? ModelFormatError.InvalidValue : ModelFormatError.MissingField;
            if (error == ModelFormatError.MissingField) detail = $"the key {key} is absent and its default gives {StripParameterName(e.Message)}";
            throw new ModelFormatException(error, detail, file, null, key, e);
        }
        catch (OverflowException e)
        {
            string key = keyOf("architecture");
            throw new ModelFormatException(ModelFormatError.ArithmeticOverflow,
                $"the hyper-parameters ({key}) give sizes that overflow 64 bits", file, null, key, e);
        }
    }

    private static string StripParameterName(string message)
    {
        int i = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return (i >= 0 ? message[..i] : message).TrimEnd('.');
    }
}
