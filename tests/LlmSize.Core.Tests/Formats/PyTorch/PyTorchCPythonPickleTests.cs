using LlmSize.Core.Formats.PyTorch;

namespace LlmSize.Core.Tests.Formats.PyTorch;

/// <summary>
/// Checks against bytes produced by the reference implementation: CPython 3.11.7's own <c>pickle.Pickler</c>
/// (protocol 2, the torch.save default) run on the object graph torch.save pickles for
/// <see cref="PyTorchCheckpointReaderTests.TinyModel"/> — an OrderedDict with <c>_metadata</c>, tensors reduced to
/// <c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())</c>, storages replaced by
/// the persistent id <c>('storage', torch.XStorage, key, 'cpu', numel)</c> (torch/serialization.py _save). torch itself
/// was not installed; stand-in modules named <c>torch</c> / <c>torch._utils</c> supplied the globals' names, which is
/// all a pickle records of them. The script is <c>make_cpython_state_dict_pickle.py</c> beside this file (run once
/// with <c>python3</c>, its hex output pasted below).
/// <c>pickletools.dis</c> of the result begins <c>PROTO 2, GLOBAL 'collections OrderedDict', BINPUT 0, EMPTY_TUPLE,
/// REDUCE, BINPUT 1, MARK, BINUNICODE 'wte.weight', …</c> and ends <c>SETITEMS, SETITEM, BUILD, STOP</c> (716 bytes).
/// </summary>
public sealed class PyTorchCPythonPickleTests
{
    private const string CPythonDataPklHex =
        "800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710128580a0000007774652e776569676874710263746f7263682e5f75" +
        "74696c730a5f72656275696c645f74656e736f725f76320a71032828580700000073746f72616765710463746f7263680a48616c6653746f72616765" +
        "0a71055801000000307106580300000063707571074b28747108514b004b0a4b048671094b044b0186710a8968002952710b74710c52710d58090000" +
        "006c6e2e776569676874710e68032828680463746f7263680a466c6f617453746f726167650a710f580100000031711068074b04747111514b004b04" +
        "8571124b018571138968002952711474711552711658070000006c6e2e62696173711768032828680463746f7263680a42466c6f6174313653746f72" +
        "6167650a7118580100000032711968074b0474711a514b004b0485711b4b0185711c8968002952711d74711e52711f580d0000006174746e2e712e77" +
        "65696768747120680328286804680f580100000033712168074b30747122514b004b044b048671234b044b0186712489680029527125747126527127" +
        "580d0000006174746e2e6b2e7765696768747128680328286804680f682168074b30747129514b104b044b0486712a4b044b0186712b896800295271" +
        "2c74712d52712e580d0000006174746e2e762e776569676874712f680328286804680f682168074b30747130514b204b044b048671314b044b018671" +
        "3289680029527133747134527135580e0000006c6d5f686561642e77656967687471366803282868046805680668074b28747137514b004b0a4b0486" +
        "71384b044b018671398968002952713a74713b52713c757d713d58090000005f6d65746164617461713e68002952713f28580000000071407d714158" +
        "0700000076657273696f6e71424b017358020000006c6e71437d714468424b017358040000006174746e71457d714668424b01737573622e";

    [Fact]
    public void TestWriter_EmitsExactlyWhatCPythonEmits()
    {
        byte[] cpython = Convert.FromHexString(CPythonDataPklHex);
        byte[] ours = TorchPickleWriter.StateDict(PyTorchCheckpointReaderTests.TinyModel, ["", "ln", "attn"]);
        Assert.Equal(716, cpython.Length); // pickletools.dis: STOP at offset 715
        Assert.Equal(cpython, ours);
    }

    [Fact]
    public void Reader_OnCPythonBytes()
    {
        byte[] zip = TorchZipWriter.Write(Convert.FromHexString(CPythonDataPklHex), PyTorchCheckpointReaderTests.TinyModel);
        using var ms = new MemoryStream(zip);
        var ckpt = PyTorchCheckpointReader.Read(ms, "cpython.pt");
        Assert.Equal(7, ckpt.TensorDetails.Length);
        Assert.Equal(96, ckpt.ParameterCount);  // 40 + 4 + 4 + 3 × 16 (lm_head tied to wte)
        Assert.Equal(296, ckpt.StorageBytes);   // 40×2 + 4×4 + 4×2 + 48×4
        Assert.Equal("wte.weight", ckpt.TensorDetails[^1].Tensor.AliasOf);
    }
}
