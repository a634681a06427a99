#!/usr/bin/env python3
"""Writes small seed inputs for every fuzz target into fuzz/seeds/<target>/ (generated files and small fixtures of
../shared/fixtures). Run from anywhere; only the Python standard library is used."""
import io, json, os, shutil, struct, sys, zipfile

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.normpath(os.path.join(here, "..", "..", "shared", "fixtures"))
out = os.path.join(here, "seeds")

def put(target, name, data):
    d = os.path.join(out, target); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f: f.write(data)

def copy(target, rel):
    p = os.path.join(shared, rel)
    if os.path.exists(p) and os.path.getsize(p) <= 64 * 1024:
        with open(p, "rb") as f: put(target, os.path.basename(p), f.read())

def gguf_str(s): b = s.encode(); return struct.pack("<Q", len(b)) + b
def gguf_kv_u32(k, v): return gguf_str(k) + struct.pack("<II", 4, v)
def gguf_kv_str(k, v): return gguf_str(k) + struct.pack("<I", 8) + gguf_str(v)

def gguf():
    kvs = [gguf_kv_str("general.architecture", "llama"), gguf_kv_u32("llama.block_count", 1),
           gguf_kv_u32("llama.embedding_length", 8), gguf_kv_u32("llama.attention.head_count", 2),
           gguf_kv_u32("llama.feed_forward_length", 16), gguf_kv_u32("llama.vocab_size", 4)]
    # one F32 tensor token_embd.weight ne [8, 4] at offset 0
    tensor = gguf_str("token_embd.weight") + struct.pack("<I", 2) + struct.pack("<QQ", 8, 4) + struct.pack("<I", 0) + struct.pack("<Q", 0)
    body = b"GGUF" + struct.pack("<I", 3) + struct.pack("<QQ", 1, len(kvs)) + b"".join(kvs) + tensor
    body += b"\0" * ((32 - len(body) % 32) % 32)
    return body + b"\0" * (8 * 4 * 4)

def safetensors_index():
    return json.dumps({"metadata": {"total_size": 24}, "weight_map": {"a": "model-00001-of-00001.safetensors"}}).encode()

def pickle_empty_dict(): return b"\x80\x02}q\x00."

def pytorch_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pickle_empty_dict())
        z.writestr("archive/version", "3\n")
    return buf.getvalue()

def task_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        with open(os.path.join(shared, "tflite", "hello_world_int8.tflite"), "rb") as f:
            z.writestr("TF_LITE_PREFILL_DECODE", f.read())
        z.writestr("TOKENIZER_MODEL", b"\0" * 16)
    return buf.getvalue()

def main():
    shutil.rmtree(out, ignore_errors=True)
    put("gguf", "tiny.gguf", gguf())
    for n in ("B", "d", "overall"): copy("safetensors", f"safetensors/{n}.safetensors")
    put("safetensors-index", "index.json", safetensors_index())
    for m in ("gemma-2b", "mixtral-8x7b-v0.1", "phi-2", "gpt2", "distilbert-base-uncased"):
        p = os.path.join(shared, "configs", m, "config.json")
        with open(p, "rb") as f: put("config", m + ".json", f.read())
    copy("onnx", "onnx/light_bvlc_alexnet.onnx")
    for n in ("hello_world_float", "hello_world_int8", "micro_speech_quantized"): copy("tflite", f"tflite/{n}.tflite")
    put("task", "tiny.task", task_zip())
    put("pytorch", "empty.bin", pytorch_zip())
    for a in ("gpt2-lora-seqcls", "distilbert-lora-imdb"):
        with open(os.path.join(shared, "peft", a, "adapter_config.json"), "rb") as f: put("peft", a + ".json", f.read())

if __name__ == "__main__":
    main()
