namespace LlmSize.Core.Formats.PyTorch.Pickle;

/// <summary>
/// The pickle opcodes this restricted reader understands: the ones <c>torch.save</c> (pickle protocol 2 by default,
/// up to 5 when a caller asks) emits for a state dict, plus the few container opcodes of protocols 0–5 that cost
/// nothing to support. Byte values and argument layouts follow CPython <c>Lib/pickletools.py</c> (the opcode table,
/// <c>opcodes = [...]</c>); every other byte is refused.
/// </summary>
internal static class PickleOpcode
{
    // ---- framing / control ----
    public const byte Proto = 0x80;            // PROTO: 1-byte protocol number
    public const byte Frame = 0x95;            // FRAME: 8-byte LE frame length (protocol 4+), advisory only
    public const byte Stop = (byte)'.';        // STOP: end of pickle, top of stack is the result
    public const byte Mark = (byte)'(';        // MARK: push a mark
    public const byte Pop = (byte)'0';         // POP: discard top of stack
    public const byte PopMark = (byte)'1';     // POP_MARK: discard everything down to the last mark

    // ---- constants ----
    public const byte None = (byte)'N';        // NONE
    public const byte NewTrue = 0x88;          // NEWTRUE
    public const byte NewFalse = 0x89;         // NEWFALSE
    public const byte BinInt = (byte)'J';      // BININT: 4-byte signed LE
    public const byte BinInt1 = (byte)'K';     // BININT1: 1-byte unsigned
    public const byte BinInt2 = (byte)'M';     // BININT2: 2-byte unsigned LE
    public const byte Long1 = 0x8a;            // LONG1: 1-byte length, little-endian two's complement
    public const byte Long4 = 0x8b;            // LONG4: 4-byte signed LE length, little-endian two's complement
    public const byte BinFloat = (byte)'G';    // BINFLOAT: 8-byte BIG-endian IEEE double

    // ---- strings / bytes ----
    public const byte BinUnicode = (byte)'X';  // BINUNICODE: 4-byte LE length + UTF-8
    public const byte ShortBinUnicode = 0x8c;  // SHORT_BINUNICODE: 1-byte length + UTF-8 (protocol 4+)
    public const byte BinUnicode8 = 0x8d;      // BINUNICODE8: 8-byte LE length + UTF-8 (protocol 4+)
    public const byte BinBytes = (byte)'B';    // BINBYTES: 4-byte LE length + bytes (protocol 3+)
    public const byte ShortBinBytes = (byte)'C'; // SHORT_BINBYTES: 1-byte length + bytes (protocol 3+)

    // ---- containers ----
    public const byte EmptyDict = (byte)'}';   // EMPTY_DICT
    public const byte EmptyList = (byte)']';   // EMPTY_LIST
    public const byte EmptyTuple = (byte)')';  // EMPTY_TUPLE
    public const byte EmptySet = 0x8f;         // EMPTY_SET (protocol 4+)
    public const byte Dict = (byte)'d';        // DICT: mark ... → dict
    public const byte List = (byte)'l';        // LIST: mark ... → list
    public const byte Tuple = (byte)'t';       // TUPLE: mark ... → tuple
    public const byte Tuple1 = 0x85;           // TUPLE1
    public const byte Tuple2 = 0x86;           // TUPLE2
    public const byte Tuple3 = 0x87;           // TUPLE3
    public const byte SetItem = (byte)'s';     // SETITEM: dict, key, value
    public const byte SetItems = (byte)'u';    // SETITEMS: dict, mark, k, v, k, v ...
    public const byte Append = (byte)'a';      // APPEND: list, value
    public const byte Appends = (byte)'e';     // APPENDS: list, mark, values ...
    public const byte AddItems = 0x90;         // ADDITEMS: set, mark, values ... (protocol 4+)

    // ---- memo ----
    public const byte BinPut = (byte)'q';      // BINPUT: 1-byte index
    public const byte LongBinPut = (byte)'r';  // LONG_BINPUT: 4-byte LE index
    public const byte Memoize = 0x94;          // MEMOIZE: index = memo size (protocol 4+)
    public const byte BinGet = (byte)'h';      // BINGET: 1-byte index
    public const byte LongBinGet = (byte)'j';  // LONG_BINGET: 4-byte LE index

    // ---- objects (the dangerous part: only allow-listed globals ever reach these) ----
    public const byte Global = (byte)'c';      // GLOBAL: "module\nname\n"
    public const byte StackGlobal = 0x93;      // STACK_GLOBAL: module, name strings from the stack (protocol 4+)
    public const byte Reduce = (byte)'R';      // REDUCE: callable, args tuple
    public const byte Build = (byte)'b';       // BUILD: object, state
    public const byte NewObj = 0x81;           // NEWOBJ: cls, args tuple (protocol 2)
    public const byte BinPersId = (byte)'Q';   // BINPERSID: persistent id object from the stack
}
