namespace LlmSize.Core.Devices;

/// <summary>One citation behind the numbers of a <see cref="DeviceProfile"/>: where a value comes from.</summary>
/// <param name="Url">Address of the spec sheet, datasheet, report or issue thread.</param>
/// <param name="Supports">Which fields of the profile this source supports, in words (e.g. "RAM 8 GB; SoC Tensor G3").</param>
public sealed record DeviceSource(string Url, string Supports);
