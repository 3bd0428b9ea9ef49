#!/usr/bin/python3
"""Writes the small checkpoint fixtures of model-builder's weight-import tests, with real torch.

Usage:
    /usr/bin/python3 scripts/make_checkpoint_fixtures.py
        writes model-builder/src/test/resources/checkpoints/*.pth, *.safetensors and expected.json
    /usr/bin/python3 scripts/make_checkpoint_fixtures.py --verify-java-written
        checks with torch.load that checkpoints/java_written.pth (made by the Java TorchZipTestWriter, see
        TorchZipTestWriterTest) is accepted by real torch and holds the values the Java test put in it

Needs torch (Debian python3-torch, 1.13). The safetensors Python package is not needed: the format is
simple enough to write with struct and json, which also lets the script make deliberately broken files.
Nothing here ever unpickles the malicious fixture; it is assembled from bytes.
"""
import argparse
import collections
import io
import json
import os
import struct
import sys
import zipfile

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model-builder", "src", "test", "resources",
                   "checkpoints")


def describe(t, dtype_name):
    """What a reader must produce: shape, row-major float32 values (as torch widens them), and the view geometry."""
    return {
        "dtype": dtype_name,
        "shape": list(t.shape),
        "stride": list(t.stride()),
        "offset": t.storage_offset(),
        "values": [float(v) for v in t.detach().float().contiguous().reshape(-1).tolist()],
    }


def tiny_state_dict():
    """Every layout case a reader must handle, in one small OrderedDict as a state_dict has it."""
    base12 = torch.arange(12, dtype=torch.float32) * 0.25 - 1.0
    shared = torch.linspace(-3.0, 3.0, 12)
    sd = collections.OrderedDict()
    sd["f32"] = torch.tensor([[0.1, -2.0, 3.5], [1e-30, -0.0, 123456.789]], dtype=torch.float32)
    # Max half, min normal half, min subnormal half, a subnormal with several bits, negative values.
    sd["f16"] = torch.tensor([1.0, -2.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 3.0e-6, -0.333],
                             dtype=torch.float16)
    sd["bf16"] = torch.tensor([[1.0, -3.140625], [1.0e-20, 3.0e38]], dtype=torch.bfloat16)
    sd["transposed"] = base12.view(3, 4).t()  # shape [4, 3], stride [1, 4]: not contiguous
    sd["channels_last"] = (torch.arange(24, dtype=torch.float32) - 5.5).view(2, 3, 2, 2).contiguous(
        memory_format=torch.channels_last)
    sd["sliced"] = (torch.arange(10, dtype=torch.float32) * 1.5)[3:7]  # storage offset 3
    sd["shared.a"] = shared[:6].view(2, 3)  # these three share one storage
    sd["shared.b"] = shared[6:]
    sd["shared.c"] = shared.view(4, 3)[:, 1]  # column: offset 1, stride 3
    sd["half_transposed"] = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float16).t()
    sd["scalar"] = torch.tensor(2.75)
    sd["bn.num_batches_tracked"] = torch.tensor(1234, dtype=torch.long)
    return sd


def expected_of(sd):
    names = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16"}
    return {k: describe(v, names[v.dtype]) for k, v in sd.items() if v.dtype != torch.long}


def small_resnet_like():
    """A few real-looking keys, for prefix and wrapper handling."""
    g = torch.Generator().manual_seed(3)
    sd = collections.OrderedDict()
    sd["conv1.weight"] = torch.randn(4, 3, 1, 1, generator=g)
    sd["bn1.weight"] = torch.rand(4, generator=g)
    sd["bn1.bias"] = torch.randn(4, generator=g)
    sd["bn1.running_mean"] = torch.randn(4, generator=g)
    sd["bn1.running_var"] = torch.rand(4, generator=g) + 0.5
    sd["bn1.num_batches_tracked"] = torch.tensor(7, dtype=torch.long)
    sd["fc.weight"] = torch.randn(2, 4, generator=g)
    sd["fc.bias"] = torch.randn(2, generator=g)
    return sd


def safetensors_bytes(tensors, metadata=None, dtype_override=None):
    """Serialises (name, tensor) pairs as the safetensors format lays them out: header, then data in order."""
    st_names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
                torch.float64: "F64"}
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in tensors:
        t = t.contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": st_names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the reference writer pads the header to 8 bytes with spaces
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def torch_zip_with_pickle(folder, pickle_bytes, extra_entries=()):
    """A zip laid out like torch.save's, around a pickle assembled by hand (never produced by unpickling)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(folder + "/data.pkl", pickle_bytes)
        for name, data in extra_entries:
            z.writestr(folder + "/" + name, data)
        z.writestr(folder + "/version", b"3\n")
    return buf.getvalue()


def binunicode(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def malicious_pickle():
    """os.system('echo pwned') as the whole checkpoint: what pickle.load would execute."""
    return b"\x80\x02" + b"cos\nsystem\n" + binunicode("echo pwned") + b"\x85" + b"R" + b"."


def malicious_late_pickle():
    """Protocol 4: a dict whose first entry is a real tensor and whose second calls builtins.exec via STACK_GLOBAL."""
    tensor = (b"ctorch._utils\n_rebuild_tensor_v2\n"
              b"((" + binunicode("storage") + b"ctorch\nFloatStorage\n" + binunicode("0") + binunicode("cpu")
              + b"K\x02tQ" + b"K\x00" + b"K\x02\x85" + b"K\x01\x85" + b"\x89" + b"ccollections\nOrderedDict\n)R"
              + b"tR")
    evil = (b"\x8c\x08builtins" + b"\x8c\x04exec" + b"\x93" + b"\x8c\x0bprint('hi')" + b"\x85R")
    return (b"\x80\x04}(" + binunicode("conv1.weight") + tensor + binunicode("x") + evil + b"u.")


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def torch_save_bytes(obj, **kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf, **kwargs)
    return buf.getvalue()


def zip_folder_name(data):
    return zipfile.ZipFile(io.BytesIO(data)).namelist()[0].split("/")[0]


def truncated_entry(data):
    """The same archive with its first storage entry cut in half, central directory intact."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename.endswith("/data/0"):
                payload = payload[: len(payload) // 2]
            out.writestr(info.filename, payload)
    return buf.getvalue()


def make_fixtures():
    os.makedirs(OUT, exist_ok=True)
    expected = {"torch_version": torch.__version__, "files": {}}

    tiny = tiny_state_dict()
    # Saved to a path, so the archive's folder is the file's stem ("tiny"), as in torchvision's published files.
    torch.save(tiny, os.path.join(OUT, "tiny.pth"))
    tiny_pth = open(os.path.join(OUT, "tiny.pth"), "rb").read()
    expected["files"]["tiny.pth"] = {"folder": zip_folder_name(tiny_pth), "tensors": expected_of(tiny)}

    proto4 = collections.OrderedDict((k, tiny[k]) for k in ["f32", "transposed", "shared.a", "shared.b", "f16"])
    save("tiny_protocol4.pth", torch_save_bytes(proto4, pickle_protocol=4))
    expected["files"]["tiny_protocol4.pth"] = {"tensors": expected_of(proto4)}

    st_tensors = [("f32", tiny["f32"]), ("f16", tiny["f16"]), ("bf16", tiny["bf16"]),
                  ("transposed", tiny["transposed"].contiguous()), ("scalar", tiny["scalar"]),
                  ("bn.num_batches_tracked", tiny["bn.num_batches_tracked"]), ("empty", torch.zeros(0, 3))]
    tiny_st = safetensors_bytes(st_tensors, metadata={"format": "pt", "note": "resnet-spark fixture"})
    save("tiny.safetensors", tiny_st)
    st_expected = {k: describe(v.contiguous(), {torch.float32: "float32", torch.float16: "float16",
                                                torch.bfloat16: "bfloat16"}[v.dtype])
                   for k, v in st_tensors if v.dtype != torch.long}
    expected["files"]["tiny.safetensors"] = {"tensors": st_expected, "order": [k for k, v in st_tensors
                                                                                if v.dtype != torch.long]}
    save("truncated.safetensors", tiny_st[:-10])
    save("truncated_header.safetensors", tiny_st[:40])
    save("wrong_dtype.safetensors", safetensors_bytes([("conv1.weight", torch.ones(2, 2, dtype=torch.float64))]))
    save("int_weights.safetensors", safetensors_bytes([("fc.bias", torch.ones(3, dtype=torch.int64))]))

    resnet_like = small_resnet_like()
    plain = collections.OrderedDict((k, v) for k, v in resnet_like.items() if not k.endswith("num_batches_tracked"))
    expected["files"]["resnet_like"] = {"tensors": expected_of(plain)}
    prefixed = collections.OrderedDict(("module." + k, v) for k, v in resnet_like.items())
    save("module_prefixed.pth", torch_save_bytes(prefixed))
    save("module_prefixed.safetensors", safetensors_bytes(list(prefixed.items())))
    save("wrapped_state_dict.pth", torch_save_bytes({
        "epoch": 7, "arch": "resnet18", "best_acc1": torch.tensor(71.25), "state_dict": resnet_like,
        "optimizer": {"state": {0: {"momentum_buffer": torch.ones(4, 3, 1, 1, dtype=torch.float64)}},
                      "param_groups": [{"lr": 0.1, "momentum": 0.9, "nesterov": False, "params": [0, 1]}]}}))
    save("wrapped_model.pth", torch_save_bytes({"model": resnet_like, "epoch": 3, "lr_scheduler": {"last_epoch": 3}}))
    save("float64.pth", torch_save_bytes(collections.OrderedDict(
        [("conv1.weight", torch.ones(2, 2)), ("fc.weight", torch.ones(2, 2, dtype=torch.float64))])))
    save("not_a_state_dict.pth", torch_save_bytes({"epoch": 3, "weights": [torch.ones(2)]}))

    save("whole_model.pth", torch_save_bytes(torch.nn.Linear(2, 2)))
    save("legacy_format.pth", torch_save_bytes(plain, _use_new_zipfile_serialization=False))
    script_buf = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), script_buf)
    save("torchscript.pt", script_buf.getvalue())
    save("malicious.pth", torch_zip_with_pickle("malicious", malicious_pickle()))
    save("malicious_late.pth", torch_zip_with_pickle("archive", malicious_late_pickle(),
                                                     [("data/0", struct.pack("<2f", 1.0, 2.0))]))
    save("truncated_entry.pth", truncated_entry(tiny_pth))
    save("truncated_file.pth", tiny_pth[: len(tiny_pth) // 2])

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}")
    if os.path.exists(os.path.join(OUT, "java_written.pth")):
        verify_java_written()


def verify_java_written():
    """torch.load must accept the Java-written file and return exactly what TorchZipTestWriterTest wrote."""
    path = os.path.join(OUT, "java_written.pth")
    sd = torch.load(path)
    spec = json.load(open(os.path.join(OUT, "java_written.json")))
    assert list(sd.keys()) == list(spec.keys()), (list(sd.keys()), list(spec.keys()))
    for key, want in spec.items():
        t = sd[key]
        assert t.dtype == torch.float32, (key, t.dtype)
        assert list(t.shape) == want["shape"], (key, t.shape, want["shape"])
        got = t.reshape(-1).numpy().view(np.uint32)  # bitwise: -0.0 must stay -0.0
        assert np.array_equal(got, np.asarray(want["values"], dtype=np.float32).view(np.uint32)), key
    # The safetensors twin, parsed independently of the Java reader.
    blob = open(os.path.join(OUT, "java_written.safetensors"), "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    for key, want in spec.items():
        h = header[key]
        assert h["dtype"] == "F32" and h["shape"] == want["shape"], (key, h)
        got = np.frombuffer(data[h["data_offsets"][0]:h["data_offsets"][1]], dtype="<u4")
        assert np.array_equal(got, np.asarray(want["values"], dtype=np.float32).view(np.uint32)), key
    print(f"torch {torch.__version__} loads java_written.pth: {len(sd)} tensors, all values bitwise equal; "
          f"java_written.safetensors holds the same")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verify-java-written", action="store_true")
    args = parser.parse_args()
    if args.verify_java_written:
        verify_java_written()
    else:
        make_fixtures()
    sys.exit(0)
