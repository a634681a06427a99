using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace LlmSize.Core.Tests.Formats.PyTorch;

/// <summary>One tensor of a state dict to write.</summary>
/// <param name="Name">State-dict key.</param>
/// <param name="StorageClass">torch storage class, e.g. "HalfStorage".</param>
/// <param name="Key">Storage key ("0", "1", …); two tensors with one key share the storage (tied weights).</param>
/// <param name="StorageNumel">Elements in the storage.</param>
/// <param name="Offset">storage_offset in elements.</param>
/// <param name="Size">Shape.</param>
/// <param name="Stride">Strides in elements.</param>
public sealed record TorchTensorSpec(string Name, string StorageClass, string Key, long StorageNumel, long Offset, long[] Size, long[] Stride);

/// <summary>
/// Test-only writer of pickle bytes in exactly the opcode sequence CPython's <c>pickle.Pickler</c> (protocol 2, the
/// <c>torch.save</c> default <c>DEFAULT_PROTOCOL = 2</c>) emits for a state dict, and of torch's zip layout.
/// </summary>
/// <remarks>
/// Sequence followed (our own code, reproduced from these descriptions):
/// <list type="bullet">
/// <item>CPython Lib/pickle.py <c>save_reduce</c>: an OrderedDict is <c>GLOBAL collections OrderedDict</c>, BINPUT,
/// <c>EMPTY_TUPLE</c>, <c>REDUCE</c>, BINPUT, then <c>_batch_setitems</c> (MARK k v … SETITEMS, or k v SETITEM for a
/// batch of one), then the instance <c>__dict__</c> (<c>{'_metadata': OrderedDict}</c>) and <c>BUILD</c>.
/// A disassembly of a real torch-saved file showing <c>ccollections\nOrderedDict\n q\x02 ) R q\x03 ( X…</c> is in
/// https://is-jia.xin/2024/12/11/检查点序列化过程-2 ; a step-by-step walk of a real <c>consolidated.00.pth</c>
/// (PROTO 2, EMPTY_DICT, BINPUT, MARK, BINUNICODE name, GLOBAL torch._utils _rebuild_tensor_v2, MARK, MARK,
/// 'storage', GLOBAL torch BFloat16Storage, key, 'cpu', numel, TUPLE, BINPERSID, offset, size, stride, NEWFALSE,
/// OrderedDict() hooks, TUPLE, REDUCE) is adalkiran/llama-nuts-and-bolts docs/03-LOADING-TORCH-MODEL-DETAILS.md.</item>
/// <item>torch/serialization.py <c>_save.persistent_id</c>: <c>('storage', storage_type, key, location, numel)</c>;
/// <c>Tensor.__reduce_ex__</c> → <c>_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())</c>.</item>
/// <item>pickle.py memoizes every string, tuple and global it writes (BINPUT n) and writes BINGET for an object
/// seen before (the 'storage' and 'cpu' strings and storage-type globals repeat per tensor); we memoize strings by
/// value, which is what interned literals give.</item>
/// </list>
/// </remarks>
public sealed class TorchPickleWriter
{
    private readonly MemoryStream _out = new();
    private readonly Dictionary<string, int> _memo = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>Raw bytes written so far.</summary>
    public byte[] ToArray() => _out.ToArray();

    /// <summary>Appends raw bytes (used by hostile tests).</summary>
    public TorchPickleWriter Raw(params byte[] bytes)
    {
        _out.Write(bytes);
        return this;
    }

    public TorchPickleWriter Op(char op) => Raw((byte)op);

    public TorchPickleWriter Proto(byte p) => Raw(0x80, p);

    /// <summary>BINPUT of the next memo slot (what pickle.py's memoize writes below 256 entries).</summary>
    private void Put(string? memoKey)
    {
        int idx = _next++;
        if (idx < 256) Raw((byte)'q', (byte)idx);
        else
        {
            Raw((byte)'r');
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)idx);
            _out.Write(b);
        }

        if (memoKey is not null) _memo[memoKey] = idx;
    }

    /// <summary>Memoizes the value on top of the stack under no key (tuples, dicts, reduce results).</summary>
    public TorchPickleWriter Memo()
    {
        Put(null);
        return this;
    }

    private bool TryGet(string key)
    {
        if (!_memo.TryGetValue(key, out int idx)) return false;
        if (idx < 256) Raw((byte)'h', (byte)idx);
        else
        {
            Raw((byte)'j');
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)idx);
            _out.Write(b);
        }

        return true;
    }

    public TorchPickleWriter Global(string module, string name)
    {
        if (TryGet("g:" + module + "." + name)) return this;
        Raw((byte)'c');
        _out.Write(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
        Put("g:" + module + "." + name);
        return this;
    }

    public TorchPickleWriter Str(string s)
    {
        if (TryGet("s:" + s)) return this;
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        Raw((byte)'X');
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)utf8.Length);
        _out.Write(len);
        _out.Write(utf8);
        Put("s:" + s);
        return this;
    }

    /// <summary>pickle.py save_long for protocol 2: BININT1 / BININT2 / BININT / LONG1.</summary>
    public TorchPickleWriter Int(long v)
    {
        if (v is >= 0 and <= 0xff) return Raw((byte)'K', (byte)v);
        if (v is >= 0 and <= 0xffff) return Raw((byte)'M', (byte)v, (byte)(v >> 8));
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            Raw((byte)'J');
            _out.Write(b);
            return this;
        }

        Span<byte> l = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, v);
        int n = 8;
        while (n > 1 && ((l[n - 1] == 0 && (l[n - 2] & 0x80) == 0) || (l[n - 1] == 0xff && (l[n - 2] & 0x80) != 0))) n--;
        Raw(0x8a, (byte)n);
        _out.Write(l[..n]);
        return this;
    }

    /// <summary>pickle.py save_tuple: TUPLE1/2/3 for up to three items, MARK … TUPLE beyond; memoized.</summary>
    public TorchPickleWriter Tuple(params Action<TorchPickleWriter>[] items)
    {
        if (items.Length == 0) return Op(')');
        if (items.Length > 3) Op('(');
        foreach (var item in items) item(this);
        Raw(items.Length switch { 1 => 0x85, 2 => 0x86, 3 => 0x87, _ => (byte)'t' });
        return Memo();
    }

    public TorchPickleWriter IntTuple(long[] values) => Tuple([.. values.Select(v => (Action<TorchPickleWriter>)(w => w.Int(v)))]);

    /// <summary><c>OrderedDict()</c>: GLOBAL (or BINGET), EMPTY_TUPLE, REDUCE, BINPUT.</summary>
    public TorchPickleWriter NewOrderedDict() => Global("collections", "OrderedDict").Op(')').Op('R').Memo();

    /// <summary>One tensor value as <c>Tensor.__reduce_ex__</c> → <c>_rebuild_tensor_v2</c> pickles it.</summary>
    public TorchPickleWriter Tensor(TorchTensorSpec t, bool requiresGrad = false)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Op('('); // args tuple has 6 items → MARK … TUPLE
        // persistent id ('storage', torch.<X>Storage, key, location, numel), then BINPERSID
        Op('(').Str("storage").Global("torch", t.StorageClass).Str(t.Key).Str("cpu").Int(t.StorageNumel).Op('t').Memo().Op('Q');
        Int(t.Offset);
        IntTuple(t.Size);
        IntTuple(t.Stride);
        Raw(requiresGrad ? (byte)0x88 : (byte)0x89);
        NewOrderedDict(); // backward_hooks
        Op('t').Memo();
        return Op('R').Memo();
    }

    /// <summary>
    /// A whole <c>model.state_dict()</c> pickle: OrderedDict of tensors, then its <c>_metadata</c> attribute
    /// (<c>{'': {'version': 1}}</c> per module prefix) via BUILD, then STOP.
    /// </summary>
    public static byte[] StateDict(IReadOnlyList<TorchTensorSpec> tensors, IReadOnlyList<string>? modulePrefixes = null)
    {
        var w = new TorchPickleWriter().Proto(2);
        w.NewOrderedDict();
        if (tensors.Count == 1) w.Str(tensors[0].Name).Tensor(tensors[0]).Op('s');
        else if (tensors.Count > 1)
        {
            w.Op('(');
            foreach (var t in tensors) w.Str(t.Name).Tensor(t);
            w.Op('u');
        }

        // state: {'_metadata': OrderedDict((prefix, {'version': 1}) …)} then BUILD
        w.Op('}').Memo().Str("_metadata").NewOrderedDict();
        var prefixes = modulePrefixes ?? [""];
        if (prefixes.Count > 0)
        {
            if (prefixes.Count > 1) w.Op('(');
            foreach (string p in prefixes) w.Str(p).Op('}').Memo().Str("version").Int(1).Op('s');
            w.Op(prefixes.Count > 1 ? 'u' : 's');
        }

        w.Op('s').Op('b').Op('.');
        return w.ToArray();
    }
}

/// <summary>Writes torch's zip layout (torch/serialization.py <c>_save</c>; caffe2 inline_container: stored entries).</summary>
public static class TorchZipWriter
{
    /// <summary>Element size of each storage class used in tests (torch dtype itemsize).</summary>
    public static int ElementSize(string storageClass) => storageClass switch
    {
        "FloatStorage" or "IntStorage" => 4,
        "HalfStorage" or "BFloat16Storage" => 2,
        "DoubleStorage" or "LongStorage" => 8,
        _ => 1,
    };

    /// <summary>Writes a checkpoint: <c>{archive}/data.pkl</c>, <c>byteorder</c>, one <c>data/{key}</c> per storage
    /// (zero-filled, numel × itemsize bytes unless overridden), <c>version</c>, <c>.data/serialization_id</c>.</summary>
    public static byte[] Write(byte[] pickle, IReadOnlyList<TorchTensorSpec> tensors, string archive = "archive",
        IReadOnlyDictionary<string, long>? storageBytesOverride = null, IEnumerable<string>? skipStorages = null,
        IEnumerable<(string Name, byte[] Data)>? extraEntries = null)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, archive + "/data.pkl", pickle);
            Add(zip, archive + "/byteorder", "little"u8.ToArray());
            var skip = new HashSet<string>(skipStorages ?? []);
            foreach (var t in tensors.DistinctBy(t => t.Key))
            {
                if (skip.Contains(t.Key)) continue;
                long bytes = storageBytesOverride?.GetValueOrDefault(t.Key, -1) is >= 0 and var o ? o : t.StorageNumel * ElementSize(t.StorageClass);
                Add(zip, archive + "/data/" + t.Key, new byte[bytes]);
            }

            Add(zip, archive + "/version", "3\n"u8.ToArray());
            Add(zip, archive + "/.data/serialization_id", "1234567890123456789012345678901234567890"u8.ToArray());
            foreach (var (name, data) in extraEntries ?? []) Add(zip, name, data);
        }

        return ms.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] data)
    {
        var e = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = e.Open();
        s.Write(data);
    }
}
