using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.PyTorch.Pickle;

/// <summary>
/// A pickle virtual machine that NEVER imports or calls anything. It interprets only the opcodes listed in
/// <see cref="PickleOpcode"/> and only the globals torch checkpoints use; each allowed global is mapped to a
/// description-building rule here (an OrderedDict becomes a <see cref="PickleDict"/>, <c>_rebuild_tensor_v2</c>
/// becomes a <see cref="PickleTensor"/>), every other global is refused at the <c>GLOBAL</c> opcode, before any
/// <c>REDUCE</c> could apply it.
/// </summary>
/// <remarks>
/// Opcode semantics: CPython <c>Lib/pickletools.py</c> (opcode table and argument descriptors) and <c>Lib/pickle.py</c>
/// (<c>_Unpickler.load_*</c>). The allow list mirrors what torch's own <c>torch/_weights_only_unpickler.py</c>
/// accepts for plain state dicts (<c>_get_allowed_globals</c>: OrderedDict, torch.Size, the rebuild functions, storage
/// types, dtypes), minus numpy and quantized tensors. Persistent ids follow <c>torch/serialization.py</c>
/// (<c>_save.persistent_id</c> writes <c>('storage', storage_type, key, location, numel)</c>).
/// </remarks>
internal sealed class RestrictedUnpickler
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private const int MaxGlobalLineBytes = 256;

    private readonly byte[] _data;
    private readonly int _length;
    private readonly PyTorchReaderOptions _options;
    private readonly string? _file;
    private readonly string _entry;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<uint, object?> _memo = [];
    private readonly Dictionary<string, PickleStorage> _storages = new(StringComparer.Ordinal);
    private int _pos;
    private long _opStart;

    /// <summary>Creates the VM over <paramref name="length"/> bytes of <paramref name="data"/>.</summary>
    /// <param name="data">Pickle bytes (may be a rented buffer longer than <paramref name="length"/>).</param>
    /// <param name="length">Bytes of pickle in <paramref name="data"/>.</param>
    /// <param name="options">Limits.</param>
    /// <param name="file">File for error messages.</param>
    /// <param name="entry">Zip entry name for error messages (offsets are relative to this entry).</param>
    public RestrictedUnpickler(byte[] data, int length, PyTorchReaderOptions options, string? file, string entry)
    {
        _data = data;
        _length = length;
        _options = options;
        _file = file;
        _entry = entry;
    }

    /// <summary>Storages referenced by persistent ids, by key, in first-seen order of keys.</summary>
    public IReadOnlyDictionary<string, PickleStorage> Storages => _storages;

    /// <summary>Runs the pickle to its STOP opcode and returns the top of the stack.</summary>
    public object? Run()
    {
        while (true)
        {
            if (_pos >= _length) PyTorchThrowHelper.ThrowTruncated(_file, _pos, _entry, "the opcode stream");
            _opStart = _pos;
            byte op = _data[_pos++];
            switch (op)
            {
                case PickleOpcode.Proto:
                {
                    byte proto = ReadByte();
                    if (proto > 5) Fail(ModelFormatError.UnsupportedVersion, $"pickle protocol {proto} (known: 0–5)");
                    break;
                }
                case PickleOpcode.Frame:
                {
                    ulong frame = BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "FRAME length"));
                    if (frame > (ulong)(_length - _pos)) Fail(ModelFormatError.Truncated, $"FRAME of {frame} bytes exceeds the {_length - _pos} bytes left");
                    break;
                }
                case PickleOpcode.Stop:
                {
                    object? result = PopValue();
                    if (_stack.Count != 0 || _marks.Count != 0)
                        Fail(ModelFormatError.InvalidValue, $"STOP with {_stack.Count} values and {_marks.Count} marks left on the stack");
                    if (_pos != _length)
                        Fail(ModelFormatError.InvalidValue, $"{_length - _pos} unconsumed bytes after STOP");
                    return result;
                }
                case PickleOpcode.Mark:
                    if (_marks.Count >= _options.MaxNestingDepth)
                        Fail(ModelFormatError.NestingTooDeep, $"more than {_options.MaxNestingDepth} open MARKs");
                    _marks.Add(_stack.Count);
                    break;
                case PickleOpcode.Pop:
                    if (_marks.Count > 0 && _marks[^1] == _stack.Count) _marks.RemoveAt(_marks.Count - 1); // pickle.py load_pop
                    else PopValue();
                    break;
                case PickleOpcode.PopMark:
                    PopMark();
                    break;

                case PickleOpcode.None: Push(null); break;
                case PickleOpcode.NewTrue: Push(true); break;
                case PickleOpcode.NewFalse: Push(false); break;
                case PickleOpcode.BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4, "BININT"))); break;
                case PickleOpcode.BinInt1: Push((long)ReadByte()); break;
                case PickleOpcode.BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2, "BININT2"))); break;
                case PickleOpcode.Long1: Push(ReadLong(ReadByte())); break;
                case PickleOpcode.Long4:
                {
                    int n = BinaryPrimitives.ReadInt32LittleEndian(Take(4, "LONG4 length"));
                    if (n < 0) Fail(ModelFormatError.InvalidValue, $"LONG4 length {n} is negative");
                    Push(ReadLong(n));
                    break;
                }
                case PickleOpcode.BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8, "BINFLOAT"))); break;

                case PickleOpcode.BinUnicode: Push(ReadString(BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "BINUNICODE length")))); break;
                case PickleOpcode.ShortBinUnicode: Push(ReadString(ReadByte())); break;
                case PickleOpcode.BinUnicode8: Push(ReadString(BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "BINUNICODE8 length")))); break;
                case PickleOpcode.BinBytes: Push(ReadBytes(BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "BINBYTES length")))); break;
                case PickleOpcode.ShortBinBytes: Push(ReadBytes(ReadByte())); break;

                case PickleOpcode.EmptyDict: Push(new PickleDict()); break;
                case PickleOpcode.EmptyList: Push(new PickleList()); break;
                case PickleOpcode.EmptyTuple: Push(new PickleTuple([])); break;
                case PickleOpcode.EmptySet: Push(new PickleList()); break;
                case PickleOpcode.Dict:
                {
                    var items = PopMark();
                    var dict = new PickleDict();
                    AddPairs(dict, items);
                    Push(dict);
                    break;
                }
                case PickleOpcode.List:
                {
                    var list = new PickleList();
                    list.AddRange(PopMark());
                    Push(list);
                    break;
                }
                case PickleOpcode.Tuple: Push(new PickleTuple(PopMark().ToArray())); break;
                case PickleOpcode.Tuple1: Push(new PickleTuple([PopValue()])); break;
                case PickleOpcode.Tuple2:
                {
                    object? b = PopValue(), a = PopValue();
                    Push(new PickleTuple([a, b]));
                    break;
                }
                case PickleOpcode.Tuple3:
                {
                    object? c = PopValue(), b = PopValue(), a = PopValue();
                    Push(new PickleTuple([a, b, c]));
                    break;
                }
                case PickleOpcode.SetItem:
                {
                    object? value = PopValue(), key = PopValue();
                    PeekAs<PickleDict>("SETITEM target").Add(new(key, value));
                    break;
                }
                case PickleOpcode.SetItems:
                {
                    var items = PopMark();
                    AddPairs(PeekAs<PickleDict>("SETITEMS target"), items);
                    break;
                }
                case PickleOpcode.Append:
                {
                    object? value = PopValue();
                    PeekAs<PickleList>("APPEND target").Add(value);
                    break;
                }
                case PickleOpcode.Appends:
                case PickleOpcode.AddItems:
                {
                    var items = PopMark();
                    PeekAs<PickleList>(op == PickleOpcode.Appends ? "APPENDS target" : "ADDITEMS target").AddRange(items);
                    break;
                }

                case PickleOpcode.BinPut: Put(ReadByte()); break;
                case PickleOpcode.LongBinPut: Put(BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "LONG_BINPUT index"))); break;
                case PickleOpcode.Memoize: Put((uint)_memo.Count); break;
                case PickleOpcode.BinGet: Get(ReadByte()); break;
                case PickleOpcode.LongBinGet: Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "LONG_BINGET index"))); break;

                case PickleOpcode.Global:
                {
                    string module = ReadLine("GLOBAL module");
                    string name = ReadLine("GLOBAL name");
                    Push(ResolveGlobal(module, name));
                    break;
                }
                case PickleOpcode.StackGlobal:
                {
                    object? name = PopValue(), module = PopValue();
                    if (module is not string m || name is not string n)
                        Fail(ModelFormatError.InvalidValue, "STACK_GLOBAL operands are not two strings");
                    else Push(ResolveGlobal(m, n));
                    break;
                }
                case PickleOpcode.Reduce:
                {
                    object? args = PopValue(), callable = PopValue();
                    Push(Apply(callable, args));
                    break;
                }
                case PickleOpcode.NewObj:
                {
                    object? args = PopValue(), cls = PopValue();
                    if (cls is PickleGlobal { Module: "collections", Name: "OrderedDict" } && args is PickleTuple { Items.Length: 0 })
                        Push(new PickleDict());
                    else
                        Fail(ModelFormatError.Unsupported, $"NEWOBJ of {Describe(cls)} is not part of a torch state dict; refused, nothing constructed");
                    break;
                }
                case PickleOpcode.Build:
                {
                    object? state = PopValue();
                    object? target = _stack.Count > 0 ? _stack[^1] : null;
                    // OrderedDict state (the state dict's `_metadata` attribute, torch/nn/modules/module.py
                    // state_dict) and tensor state from _rebuild_from_type_v2 carry no sizes; they are dropped.
                    if (target is not (PickleDict or PickleTensor))
                        Fail(ModelFormatError.Unsupported, $"BUILD on {Describe(target)} with state {Describe(state)}; only dict/tensor state is accepted");
                    break;
                }
                case PickleOpcode.BinPersId:
                    Push(PersistentLoad(PopValue()));
                    break;
                default:
                    Fail(ModelFormatError.Unsupported,
                        $"pickle opcode 0x{op:x2} ('{(op is >= 0x20 and < 0x7f ? (char)op : '?')}') is not one torch checkpoints use; refused");
                    break;
            }
        }
    }

    // ---------------- globals: the allow list ----------------

    private object ResolveGlobal(string module, string name)
    {
        if (module == "__builtin__") module = "builtins"; // protocol-2 spelling (pickle.py _compat_pickle)
        bool allowed = (module, name) switch
        {
            ("collections", "OrderedDict") => true,
            ("builtins", "set") => true,
            ("torch._utils", "_rebuild_tensor") => true,
            ("torch._utils", "_rebuild_tensor_v2") => true,
            ("torch._utils", "_rebuild_parameter") => true,
            ("torch._utils", "_rebuild_parameter_with_state") => true,
            ("torch._tensor", "_rebuild_from_type_v2") => true,
            ("torch", "Tensor") => true,
            ("torch.nn.parameter", "Parameter") => true,
            ("torch", "Size") => true,
            ("torch", "device") => true,
            ("torch", "UntypedStorage") or ("torch.storage", "UntypedStorage") => true,
            ("torch", _) when StorageTypes.ContainsKey(name) || DTypes.ContainsKey(name) => true,
            _ => false,
        };
        if (!allowed) PyTorchThrowHelper.ThrowRefusedGlobal(module, name, _file, _opStart, _entry);
        if (module == "torch" && DTypes.TryGetValue(name, out var dt)) return new PickleDType(name, dt);
        return new PickleGlobal(module, name);
    }

    /// <summary>torch storage class names (<c>TypedStorage._pickle_storage_type()</c>) → element type.</summary>
    private static readonly Dictionary<string, TensorDataType?> StorageTypes = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = TensorDataType.F64,
        ["FloatStorage"] = TensorDataType.F32,
        ["HalfStorage"] = TensorDataType.F16,
        ["BFloat16Storage"] = TensorDataType.BF16,
        ["LongStorage"] = TensorDataType.I64,
        ["IntStorage"] = TensorDataType.I32,
        ["ShortStorage"] = TensorDataType.I16,
        ["CharStorage"] = TensorDataType.I8,
        ["ByteStorage"] = TensorDataType.U8,
        ["BoolStorage"] = TensorDataType.Bool,
        ["UInt16Storage"] = TensorDataType.U16,
        ["UInt32Storage"] = TensorDataType.U32,
        ["UInt64Storage"] = TensorDataType.U64,
        ["ComplexFloatStorage"] = TensorDataType.C64,
        ["Float8_e4m3fnStorage"] = TensorDataType.F8_E4M3,
        ["Float8_e5m2Storage"] = TensorDataType.F8_E5M2,
        ["Float8_e8m0fnuStorage"] = TensorDataType.F8_E8M0,
        // Known to torch but with no TensorDataType: named so the error says "unsupported", not "refused".
        ["ComplexDoubleStorage"] = null,
        ["QInt8Storage"] = null,
        ["QUInt8Storage"] = null,
        ["QInt32Storage"] = null,
        ["QUInt4x2Storage"] = null,
        ["QUInt2x4Storage"] = null,
    };

    /// <summary>torch dtype attribute names → element type (torch/_tensor_docs and <c>torch.dtype</c> list).</summary>
    private static readonly Dictionary<string, TensorDataType?> DTypes = new(StringComparer.Ordinal)
    {
        ["float64"] = TensorDataType.F64, ["double"] = TensorDataType.F64,
        ["float32"] = TensorDataType.F32, ["float"] = TensorDataType.F32,
        ["float16"] = TensorDataType.F16, ["half"] = TensorDataType.F16,
        ["bfloat16"] = TensorDataType.BF16,
        ["int64"] = TensorDataType.I64, ["long"] = TensorDataType.I64,
        ["int32"] = TensorDataType.I32, ["int"] = TensorDataType.I32,
        ["int16"] = TensorDataType.I16, ["short"] = TensorDataType.I16,
        ["int8"] = TensorDataType.I8,
        ["uint8"] = TensorDataType.U8,
        ["uint16"] = TensorDataType.U16,
        ["uint32"] = TensorDataType.U32,
        ["uint64"] = TensorDataType.U64,
        ["bool"] = TensorDataType.Bool,
        ["complex64"] = TensorDataType.C64,
        ["float8_e4m3fn"] = TensorDataType.F8_E4M3,
        ["float8_e5m2"] = TensorDataType.F8_E5M2,
        ["float8_e8m0fnu"] = TensorDataType.F8_E8M0,
    };

    private object? Apply(object? callable, object? args)
    {
        if (callable is not PickleGlobal g)
        {
            Fail(ModelFormatError.Unsupported, $"REDUCE applied to {Describe(callable)}, which is not an allowed global");
            return null;
        }

        object?[] a = args is PickleTuple t ? t.Items : Fail<object?[]>(ModelFormatError.InvalidValue, $"REDUCE arguments of {g.FullName} are not a tuple");
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                if (a.Length != 0) Fail(ModelFormatError.Unsupported, "collections.OrderedDict called with arguments");
                return new PickleDict();
            case "builtins.set":
            {
                var list = new PickleList();
                if (a.Length == 1 && a[0] is PickleList items) list.AddRange(items);
                else if (a.Length != 0) Fail(ModelFormatError.InvalidValue, "builtins.set called with arguments other than one list");
                return list;
            }
            case "torch.Size":
                if (a.Length == 1 && a[0] is PickleTuple size) return size;
                return Fail<object?>(ModelFormatError.InvalidValue, "torch.Size called with arguments other than one tuple");
            case "torch.device":
                if (a.Length is 1 or 2 && a[0] is string dev) return dev;
                return Fail<object?>(ModelFormatError.InvalidValue, "torch.device called with arguments other than a device string");
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                return RebuildTensor(g.Name, a, isParameter: false);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (a.Length is < 2 or > 4 || a[0] is not PickleTensor data)
                    return Fail<object?>(ModelFormatError.InvalidValue, $"{g.Name} expects (tensor, requires_grad, backward_hooks[, state])");
                return data with { IsParameter = true, RequiresGrad = a[1] is true };
            case "torch._tensor._rebuild_from_type_v2":
            {
                // (func, new_type, args, state): torch/_tensor.py; only plain Tensor / Parameter types are accepted.
                if (a.Length != 4 || a[0] is not PickleGlobal { Module: "torch._utils", Name: "_rebuild_tensor_v2" } func
                    || a[1] is not PickleGlobal newType || a[2] is not PickleTuple inner)
                    return Fail<object?>(ModelFormatError.Unsupported, "_rebuild_from_type_v2 with a function other than _rebuild_tensor_v2");
                bool isParam = newType.FullName == "torch.nn.parameter.Parameter";
                if (!isParam && newType.FullName != "torch.Tensor")
                    return Fail<object?>(ModelFormatError.Unsupported, $"tensor subclass {newType.FullName} refused");
                return RebuildTensor(func.Name, inner.Items, isParam);
            }
            default:
                return Fail<object?>(ModelFormatError.Unsupported, $"global {g.FullName} may not be called; refused and NOT run");
        }
    }

    private PickleTensor RebuildTensor(string func, object?[] a, bool isParameter)
    {
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None)
        // _rebuild_tensor(storage, storage_offset, size, stride)                      (torch/_utils.py)
        int min = func == "_rebuild_tensor" ? 4 : 6;
        if (a.Length < min || a.Length > 7)
            return Fail<PickleTensor>(ModelFormatError.InvalidValue, $"{func} expects {min}–7 arguments, got {a.Length}");
        if (a[0] is not PickleStorage storage)
            return Fail<PickleTensor>(ModelFormatError.InvalidValue, $"{func} argument 0 is {Describe(a[0])}, not a storage persistent id");
        if (a[1] is not long offset || offset < 0)
            return Fail<PickleTensor>(ModelFormatError.InvalidValue, $"{func} storage_offset {Describe(a[1])} is not a non-negative int");
        var size = ToDims(a[2], "size");
        var stride = ToDims(a[3], "stride");
        if (size.Length != stride.Length)
            Fail(ModelFormatError.InvalidValue, $"tensor has {size.Length} sizes but {stride.Length} strides");
        bool requiresGrad = a.Length > 4 && a[4] is true;
        return new PickleTensor(storage, offset, size, stride, requiresGrad, isParameter);
    }

    private ImmutableArray<long> ToDims(object? value, string what)
    {
        if (value is not PickleTuple t)
            return Fail<ImmutableArray<long>>(ModelFormatError.InvalidValue, $"tensor {what} is {Describe(value)}, not a tuple of ints");
        if (t.Items.Length > _options.MaxDimensions)
            Fail(ModelFormatError.CountTooLarge, $"tensor {what} has {t.Items.Length} dimensions (cap {_options.MaxDimensions})");
        var b = ImmutableArray.CreateBuilder<long>(t.Items.Length);
        foreach (object? d in t.Items)
        {
            if (d is not long v || v < 0) Fail(ModelFormatError.InvalidValue, $"tensor {what} holds {Describe(d)}, not a non-negative int");
            else b.Add(v);
        }

        return b.MoveToImmutable();
    }

    private PickleStorage PersistentLoad(object? pid)
    {
        // ('storage', storage_type, key, location, numel): torch/serialization.py _save.persistent_id
        if (pid is not PickleTuple { Items: [string tag, var type, string key, string location, long numel] } || tag != "storage")
            return Fail<PickleStorage>(ModelFormatError.InvalidValue, $"persistent id {Describe(pid)} is not ('storage', type, key, location, numel)");
        TensorDataType? dt = type switch
        {
            PickleGlobal { Name: "UntypedStorage" } => TensorDataType.U8,
            PickleGlobal { Module: "torch" } g when StorageTypes.TryGetValue(g.Name, out var t) =>
                t ?? Fail<TensorDataType>(ModelFormatError.Unsupported, $"storage type torch.{g.Name} (quantized or complex128) is not supported"),
            PickleDType d => d.DataType ?? Fail<TensorDataType>(ModelFormatError.Unsupported, $"dtype torch.{d.TorchName} is not supported"),
            _ => Fail<TensorDataType>(ModelFormatError.InvalidValue, $"persistent id storage type {Describe(type)} is not a torch storage type"),
        };
        if (key.Length == 0 || key.Length > 255 || key.Contains('/') || key.Contains('\\') || key.Contains("..") || key.Contains('\0'))
            Fail(ModelFormatError.InvalidValue, $"storage key '{Truncate(key)}' is not a plain entry name (path characters refused)");
        if (numel < 0) Fail(ModelFormatError.InvalidValue, $"storage numel {numel} is negative");
        var storage = new PickleStorage(((PickleGlobal?)(type as PickleGlobal))?.Name ?? ((PickleDType)type!).TorchName, dt!, key, location, numel);
        if (_storages.TryGetValue(key, out var seen))
        {
            // torch refuses to save "multiple tensors or storages that view the same data as different types".
            if (seen.DataType != storage.DataType || seen.Numel != storage.Numel)
                Fail(ModelFormatError.InvalidValue, $"storage '{key}' referenced as {seen.DataType}×{seen.Numel} and as {storage.DataType}×{storage.Numel}");
            return seen;
        }

        _storages.Add(key, storage);
        return storage;
    }

    // ---------------- stack, memo, reading ----------------

    private void Push(object? value)
    {
        if (_stack.Count >= _options.MaxStackItems)
            Fail(ModelFormatError.CountTooLarge, $"more than {_options.MaxStackItems} values on the pickle stack");
        _stack.Add(value);
    }

    private object? PopValue()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) Fail(ModelFormatError.InvalidValue, "pickle stack underflow (opcode needs a value above the last MARK)");
        object? v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private T PeekAs<T>(string what) where T : class
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) Fail(ModelFormatError.InvalidValue, $"pickle stack underflow: no {what}");
        return _stack[^1] as T ?? Fail<T>(ModelFormatError.InvalidValue, $"{what} is {Describe(_stack[^1])}, not a {typeof(T).Name}");
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) Fail(ModelFormatError.InvalidValue, "opcode needs a MARK but none is open");
        int start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private void AddPairs(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) Fail(ModelFormatError.InvalidValue, $"odd number ({items.Count}) of keys and values after MARK");
        for (int i = 0; i < items.Count; i += 2) dict.Add(new(items[i], items[i + 1]));
    }

    private void Put(uint index)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) Fail(ModelFormatError.InvalidValue, "memo PUT with an empty stack");
        if (!_memo.ContainsKey(index) && _memo.Count >= _options.MaxMemoEntries)
            Fail(ModelFormatError.CountTooLarge, $"more than {_options.MaxMemoEntries} memo entries");
        _memo[index] = _stack[^1];
    }

    private void Get(uint index)
    {
        if (!_memo.TryGetValue(index, out object? v))
            Fail(ModelFormatError.InvalidValue, $"memo index {index} was never stored (memo holds {_memo.Count} entries)");
        Push(v);
    }

    private byte ReadByte()
    {
        if (_pos >= _length) PyTorchThrowHelper.ThrowTruncated(_file, _opStart, _entry, "an opcode argument");
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> Take(int n, string what)
    {
        if (n > _length - _pos) PyTorchThrowHelper.ThrowTruncated(_file, _opStart, _entry, what);
        var span = new ReadOnlySpan<byte>(_data, _pos, n);
        _pos += n;
        return span;
    }

    private string ReadString(ulong length)
    {
        if (length > (ulong)_options.MaxStringBytes)
            Fail(ModelFormatError.StringTooLong, $"string of {length} bytes exceeds the cap of {_options.MaxStringBytes}");
        var bytes = Take((int)length, "a string");
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Fail<string>(ModelFormatError.InvalidUtf8, "string is not valid UTF-8");
        }
    }

    private byte[] ReadBytes(ulong length)
    {
        if (length > (ulong)_options.MaxStringBytes)
            Fail(ModelFormatError.StringTooLong, $"bytes value of {length} bytes exceeds the cap of {_options.MaxStringBytes}");
        return Take((int)length, "a bytes value").ToArray();
    }

    private long ReadLong(int n)
    {
        if (n > 8) Fail(ModelFormatError.Unsupported, $"integer of {n} bytes does not fit 64 bits");
        var b = Take(n, "LONG bytes");
        if (n == 0) return 0;
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
        int shift = 64 - 8 * n;
        return shift == 0 ? v : (v << shift) >> shift; // sign-extend two's complement
    }

    private string ReadLine(string what)
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos, Math.Min(_length - _pos, MaxGlobalLineBytes + 1));
        if (end < 0)
        {
            if (_length - _pos <= MaxGlobalLineBytes) PyTorchThrowHelper.ThrowTruncated(_file, _opStart, _entry, what);
            Fail(ModelFormatError.StringTooLong, $"{what} longer than {MaxGlobalLineBytes} bytes");
        }

        var span = new ReadOnlySpan<byte>(_data, _pos, end - _pos);
        _pos = end + 1;
        foreach (byte c in span)
        {
            if (c is < 0x21 or > 0x7e) Fail(ModelFormatError.InvalidValue, $"{what} holds a non-printable byte 0x{c:x2}");
        }

        return Encoding.ASCII.GetString(span);
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";

    private static string Describe(object? v) => v switch
    {
        null => "None",
        string s => $"'{Truncate(s)}'",
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PickleGlobal g => g.FullName,
        PickleTuple t => $"a tuple of {t.Items.Length}",
        PickleList l => $"a list of {l.Count}",
        PickleDict d => $"a dict of {d.Count}",
        PickleTensor => "a tensor",
        PickleStorage s => $"storage '{s.Key}'",
        _ => v.GetType().Name,
    };

    [DoesNotReturn]
    private void Fail(ModelFormatError error, string detail) =>
        PyTorchThrowHelper.Throw(error, detail, _file, _opStart, _entry);

    [DoesNotReturn]
    private T Fail<T>(ModelFormatError error, string detail) =>
        PyTorchThrowHelper.Throw<T>(error, detail, _file, _opStart, _entry);
}
