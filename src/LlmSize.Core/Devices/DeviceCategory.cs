namespace LlmSize.Core.Devices;

/// <summary>The class of device a <see cref="DeviceProfile"/> describes. It tells the fit logic which runtimes are
/// plausible (a browser tab on a phone, a native app on a laptop, a server process on a data-centre GPU) and where the
/// model's weights would live.</summary>
public enum DeviceCategory
{
    /// <summary>Entry-level Android phone (typically 3–4 GiB RAM, LPDDR4X, Mali / PowerVR GPU).</summary>
    LowEndPhone = 1,
    /// <summary>Mid-range Android phone (6–8 GiB RAM, LPDDR4X/LPDDR5).</summary>
    MidRangePhone,
    /// <summary>Flagship phone, Android or iPhone (6–16 GiB RAM, LPDDR5/LPDDR5X).</summary>
    FlagshipPhone,
    /// <summary>Tablet (iPad, Android tablet).</summary>
    Tablet,
    /// <summary>ChromeOS laptop; the model runs in a Chrome tab (WebGPU / wasm).</summary>
    Chromebook,
    /// <summary>Windows / Linux laptop whose GPU shares system memory (Intel UHD / Iris Xe / Arc, AMD Radeon 7x0M).</summary>
    IntegratedGpuLaptop,
    /// <summary>Mac or iPad-class Apple Silicon with unified memory (M1…M4 families).</summary>
    AppleSilicon,
    /// <summary>Laptop with a discrete NVIDIA GeForce RTX laptop GPU (dedicated VRAM).</summary>
    RtxLaptop,
    /// <summary>Desktop PC with a discrete consumer GPU (NVIDIA GeForce, AMD Radeon).</summary>
    DesktopGpu,
    /// <summary>Data-centre / cloud accelerator (NVIDIA T4, A10G, L4, A100, H100, H200).</summary>
    DataCenterGpu,
    /// <summary>A profile the user described (profile file, inline specs, or this machine).</summary>
    Custom,
}
