# Emulates torch.save's pickling (torch/serialization.py _save) with CPython's own Pickler, protocol 2,
# using stand-in module objects so no torch is needed. Output: hex of data.pkl.
import sys, types, pickle, io
from collections import OrderedDict
torch = types.ModuleType("torch"); utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch; sys.modules["torch._utils"] = utils
def _rebuild_tensor_v2(*a): pass
_rebuild_tensor_v2.__module__ = "torch._utils"; utils._rebuild_tensor_v2 = _rebuild_tensor_v2
def mk(name):
    c = type(name, (), {}); c.__module__ = "torch"; setattr(torch, name, c); return c
Half, Float, BF16 = mk("HalfStorage"), mk("FloatStorage"), mk("BFloat16Storage")
class Storage:
    def __init__(s, typ, key, numel): s.typ, s.key, s.numel = typ, key, numel
class Tensor:
    def __init__(s, st, off, size, stride): s.args = (st, off, tuple(list(size)), tuple(list(stride)))  # fresh tuples, as Tensor.size() returns
    def __reduce_ex__(s, proto):
        st, off, size, stride = s.args
        return (_rebuild_tensor_v2, (st, off, size, stride, False, OrderedDict()))
keys = {}
def pid(obj):
    if isinstance(obj, Storage):
        k = keys.setdefault(id(obj), str(len(keys)))
        return ("storage", obj.typ, k, "cpu", obj.numel)
    return None
s0, s1, s2, s3 = Storage(Half, "0", 40), Storage(Float, "1", 4), Storage(BF16, "2", 4), Storage(Float, "3", 48)
sd = OrderedDict()
sd["wte.weight"] = Tensor(s0, 0, (10, 4), (4, 1))
sd["ln.weight"] = Tensor(s1, 0, (4,), (1,))
sd["ln.bias"] = Tensor(s2, 0, (4,), (1,))
sd["attn.q.weight"] = Tensor(s3, 0, (4, 4), (4, 1))
sd["attn.k.weight"] = Tensor(s3, 16, (4, 4), (4, 1))
sd["attn.v.weight"] = Tensor(s3, 32, (4, 4), (4, 1))
sd["lm_head.weight"] = Tensor(s0, 0, (10, 4), (4, 1))
md = OrderedDict(); md[""] = dict(version=1); md["ln"] = dict(version=1); md["attn"] = dict(version=1)
sd._metadata = md
buf = io.BytesIO(); p = pickle.Pickler(buf, protocol=2); p.persistent_id = pid; p.dump(sd)
print(buf.getvalue().hex())
