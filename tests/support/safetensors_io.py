"""Minimal safetensors reader/writer for the PyTorch reference scripts.

Debian ships no python3-safetensors, and Debian's LibTorch cannot unpickle
OrderedDict state dicts, so reference weights and outputs travel as safetensors
written by this module (the format is an 8-byte header length, a JSON header, raw data).
"""
import json
import struct

import numpy as np
import torch

_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}
_NUMPY = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
          "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def save(tensors, path, metadata=None):
    """Writes a dict name -> tensor (moved to CPU, made contiguous)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if t.dtype == torch.bfloat16:
            data = t.view(torch.int16).numpy().tobytes()
        else:
            data = t.numpy().tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load(path):
    """Reads a file into a dict name -> tensor (BF16 unsupported here)."""
    with open(path, "rb") as f:
        raw = f.read()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    header.pop("__metadata__", None)
    data = raw[8 + size:]
    out = {}
    for name, spec in header.items():
        begin, end = spec["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=_NUMPY[spec["dtype"]]).reshape(spec["shape"])
        out[name] = torch.from_numpy(array.copy())
    return out
