using System.Buffers.Binary;
using System.Diagnostics;
using LlmSize.Core.Formats.PyTorch;

namespace LlmSize.Core.Tests.Formats.PyTorch;

/// <summary>Issue 13, class 1: a pickle memo makes one list reachable along 2^depth paths; the tensor walk visits each
/// shared container once, and a node budget bounds what is left.</summary>
public sealed class PyTorchSharedGraphTests
{
    private static readonly TorchTensorSpec Weight = new("w", "FloatStorage", "0", 6, 0, [2, 3], [3, 1]);

    private static byte[] LongPut(uint i)
    {
        var b = new byte[5];
        b[0] = (byte)'r'; // LONG_BINPUT
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(1), i);
        return b;
    }

    private static byte[] LongGet(uint i)
    {
        var b = new byte[5];
        b[0] = (byte)'j'; // LONG_BINGET
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(1), i);
        return b;
    }

    /// <summary>{'w': tensor, 'dag': L_levels} where L_0 = [tensor] and L_i = [L_{i-1}, L_{i-1}] through the memo.</summary>
    private static byte[] DagPickle(int levels)
    {
        const uint Base = 100_000; // memo slots far above the writer's own
        var w = new TorchPickleWriter().Proto(2);
        w.Op('}').Memo();                                   // EMPTY_DICT: the root
        w.Str("w").Tensor(Weight).Op('s');                  // root['w'] = tensor (SETITEM)
        w.Str("dag");                                       // key of the DAG
        w.Op(']').Raw(LongPut(Base)).Op('0');               // L_0 = [] memoized, popped
        for (uint i = 1; i <= levels; i++)
        {
            w.Op(']').Raw(LongPut(Base + i));               // L_i = [] memoized
            w.Op('(').Raw(LongGet(Base + i - 1)).Raw(LongGet(Base + i - 1)).Op('e'); // MARK L_{i-1} L_{i-1} APPENDS
            w.Op('0');                                      // POP
        }

        w.Raw(LongGet(Base + (uint)levels)).Op('s');       // root['dag'] = L_levels
        w.Op('.');                                          // STOP
        return w.ToArray();
    }

    [Fact]
    public void Issue13_memo_dag_of_40_levels_is_walked_in_linear_time()
    {
        byte[] pickle = DagPickle(40);
        Assert.True(pickle.Length < 2048); // the issue's file is under 1 KB of pickle
        using var ms = new MemoryStream(TorchZipWriter.Write(pickle, [Weight]));

        var clock = Stopwatch.StartNew();
        var checkpoint = PyTorchCheckpointReader.Read(ms);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Single(checkpoint.Tensors);
        Assert.Equal("w", checkpoint.Tensors[0].Name);
    }

    [Fact]
    public void Issue13_node_budget_is_a_typed_error()
    {
        using var ms = new MemoryStream(TorchZipWriter.Write(DagPickle(40), [Weight]));

        var e = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(ms, "dag.pt", new PyTorchReaderOptions { MaxVisitedNodes = 20 }));

        Assert.Equal(ModelFormatError.WorkBudgetExceeded, e.Error);
        Assert.Contains("MaxVisitedNodes", e.Message, StringComparison.Ordinal);
        Assert.Equal("dag.pt", e.FilePath);
    }
}
