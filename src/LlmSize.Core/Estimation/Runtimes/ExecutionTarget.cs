namespace LlmSize.Core.Estimation;

/// <summary>Where a runtime executes the model.</summary>
public enum ExecutionTarget
{
    /// <summary>Native CPU (llama.cpp CPU backend, ONNX Runtime CPU EP).</summary>
    NativeCpu,
    /// <summary>Native GPU (llama.cpp CUDA/Metal/Vulkan, full or partial offload).</summary>
    NativeGpu,
    /// <summary>Browser WebAssembly (onnxruntime-web wasm backend): wasm32 4 GiB address space.</summary>
    BrowserWasm,
    /// <summary>Browser WebGPU (WebLLM, Transformers.js/onnxruntime-web webgpu, MediaPipe web).</summary>
    BrowserWebGpu,
}

/// <summary>Helpers for <see cref="ExecutionTarget"/>.</summary>
public static class ExecutionTargetExtensions
{
    /// <summary>True for the browser targets (WebGPU and wasm): they need a browser and its storage quota applies.</summary>
    /// <param name="target">The target.</param>
    /// <returns>Whether the target runs inside a browser tab.</returns>
    public static bool IsBrowser(this ExecutionTarget target) => target is ExecutionTarget.BrowserWebGpu or ExecutionTarget.BrowserWasm;

    /// <summary>True for targets that compute on the GPU (native GPU backends and WebGPU).</summary>
    /// <param name="target">The target.</param>
    /// <returns>Whether the GPU executes the model.</returns>
    public static bool IsGpu(this ExecutionTarget target) => target is ExecutionTarget.NativeGpu or ExecutionTarget.BrowserWebGpu;

    /// <summary>The target in words ("WebGPU in the browser", "the GPU").</summary>
    /// <param name="target">The target.</param>
    /// <returns>Words for sentences.</returns>
    public static string Describe(this ExecutionTarget target) => target switch
    {
        ExecutionTarget.BrowserWebGpu => "WebGPU in the browser",
        ExecutionTarget.BrowserWasm => "wasm in the browser",
        ExecutionTarget.NativeGpu => "the GPU",
        _ => "the CPU",
    };
}
