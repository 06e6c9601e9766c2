"""PyTorch reference for the MTCNN networks (P-Net, R-Net, O-Net) on models/mtcnn.safetensors.

Usage: reference_mtcnn.py OUTPUT_DIR  -> OUTPUT_DIR/mtcnn.safetensors

This is written independently of the C++ networks, literally after the TensorFlow graph in
the .tflite files: the image is transposed (height and width swapped) before the networks,
which work in that transposed frame; TF "SAME" max pooling is done with explicit -inf
padding by TF's formula (not with ceil mode); dense layers flatten their input in NHWC
order; spatial outputs are transposed back at the end. The C++ side instead folds the
transposition into the weights at load time, so agreement checks both derivations.

Inputs are real image content (a FairFace photo, resized and cropped with PIL) plus noise,
normalised as MTCNN expects: RGB (x - 127.5) * 0.0078125, NCHW in the image's own orientation.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import safetensors_io  # noqa: E402


def weights_path():
    explicit = os.environ.get("FACEAGE_MTCNN_WEIGHTS")
    if explicit:
        return explicit
    source = os.environ.get("FACEAGE_SOURCE_DIR",
                            os.path.join(os.path.dirname(__file__), "..", ".."))
    return os.path.join(source, "models", "mtcnn.safetensors")


def prelu(x, alpha):
    # The graph's decomposition: relu(x) + alpha * (-relu(-x)), alpha per channel (dim 1).
    return F.relu(x) + alpha.view(1, -1, *([1] * (x.dim() - 2))) * (-F.relu(-x))


def max_pool_tf(x, size, stride, padding):
    if padding == "SAME":
        pads = []
        for extent in (x.shape[3], x.shape[2]):  # F.pad order: last dimension first
            out = -(-extent // stride)
            total = max((out - 1) * stride + size - extent, 0)
            pads += [total // 2, total - total // 2]
        x = F.pad(x, pads, value=float("-inf"))
    return F.max_pool2d(x, size, stride)


def dense_nhwc(x, weight, bias):
    return F.linear(x.permute(0, 2, 3, 1).reshape(x.shape[0], -1), weight, bias)


def pnet(w, image):
    x = image.transpose(2, 3)  # [N, C, W, H]: NCHW of the transposed image
    x = prelu(F.conv2d(x, w["pnet.conv1.weight"], w["pnet.conv1.bias"]), w["pnet.prelu1.weight"])
    x = max_pool_tf(x, 2, 2, "SAME")
    x = prelu(F.conv2d(x, w["pnet.conv2.weight"], w["pnet.conv2.bias"]), w["pnet.prelu2.weight"])
    x = prelu(F.conv2d(x, w["pnet.conv3.weight"], w["pnet.conv3.bias"]), w["pnet.prelu3.weight"])
    logits = F.conv2d(x, w["pnet.conv4_1.weight"], w["pnet.conv4_1.bias"])
    offsets = F.conv2d(x, w["pnet.conv4_2.weight"], w["pnet.conv4_2.bias"])
    return logits.transpose(2, 3), offsets.transpose(2, 3)


def rnet(w, image):
    x = image.transpose(2, 3)
    x = prelu(F.conv2d(x, w["rnet.conv1.weight"], w["rnet.conv1.bias"]), w["rnet.prelu1.weight"])
    x = max_pool_tf(x, 3, 2, "SAME")
    x = prelu(F.conv2d(x, w["rnet.conv2.weight"], w["rnet.conv2.bias"]), w["rnet.prelu2.weight"])
    x = max_pool_tf(x, 3, 2, "VALID")
    x = prelu(F.conv2d(x, w["rnet.conv3.weight"], w["rnet.conv3.bias"]), w["rnet.prelu3.weight"])
    x = prelu(dense_nhwc(x, w["rnet.dense4.weight"], w["rnet.dense4.bias"]), w["rnet.prelu4.weight"])
    return (F.linear(x, w["rnet.dense5_1.weight"], w["rnet.dense5_1.bias"]),
            F.linear(x, w["rnet.dense5_2.weight"], w["rnet.dense5_2.bias"]))


def onet(w, image):
    x = image.transpose(2, 3)
    x = prelu(F.conv2d(x, w["onet.conv1.weight"], w["onet.conv1.bias"]), w["onet.prelu1.weight"])
    x = max_pool_tf(x, 3, 2, "SAME")
    x = prelu(F.conv2d(x, w["onet.conv2.weight"], w["onet.conv2.bias"]), w["onet.prelu2.weight"])
    x = max_pool_tf(x, 3, 2, "VALID")
    x = prelu(F.conv2d(x, w["onet.conv3.weight"], w["onet.conv3.bias"]), w["onet.prelu3.weight"])
    x = max_pool_tf(x, 2, 2, "SAME")
    x = prelu(F.conv2d(x, w["onet.conv4.weight"], w["onet.conv4.bias"]), w["onet.prelu4.weight"])
    x = prelu(dense_nhwc(x, w["onet.dense5.weight"], w["onet.dense5.bias"]), w["onet.prelu5.weight"])
    return (F.linear(x, w["onet.dense6_1.weight"], w["onet.dense6_1.bias"]),
            F.linear(x, w["onet.dense6_2.weight"], w["onet.dense6_2.bias"]),
            F.linear(x, w["onet.dense6_3.weight"], w["onet.dense6_3.bias"]))


def normalise(pil_image):
    array = np.asarray(pil_image.convert("RGB"), dtype=np.float32)
    return torch.from_numpy((array - 127.5) * 0.0078125).permute(2, 0, 1)


def inputs(data_dir, generator):
    photo = Image.open(os.path.join(data_dir, "fairface", "fairface_0001.jpg"))
    # P-Net: the photo at two non-square sizes would need two calls; one size, a batch of
    # the photo and noise, odd height and even width so ceil-mode pooling is exercised.
    pnet_in = torch.stack([normalise(photo.resize((64, 45), Image.BILINEAR)),
                           torch.rand(3, 45, 64, generator=generator) * 2 - 1])
    crops = []
    for left, top, size in [(112, 100, 224), (150, 140, 150), (0, 0, 448), (300, 20, 96)]:
        crops.append(photo.crop((left, top, left + size, top + size)))
    rnet_in = torch.stack([normalise(c.resize((24, 24), Image.BILINEAR)) for c in crops] +
                          [torch.rand(3, 24, 24, generator=generator) * 2 - 1])
    onet_in = torch.stack([normalise(c.resize((48, 48), Image.BILINEAR)) for c in crops] +
                          [torch.rand(3, 48, 48, generator=generator) * 2 - 1])
    return pnet_in, rnet_in, onet_in


def main(out_dir):
    path = weights_path()
    if not os.path.exists(path):
        # Not a fixture failure: that would stop every face test (crop tests too). The
        # C++ tests that need the weights fail, each saying to run the fetch script.
        print(f"reference_mtcnn.py: {path} is missing: run scripts/fetch-mtcnn-weights.sh",
              file=sys.stderr)
        return
    os.makedirs(out_dir, exist_ok=True)
    w = safetensors_io.load(path)
    data_dir = os.environ.get("FACEAGE_DATA_DIR",
                              os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                           "shared", "data"))
    generator = torch.Generator().manual_seed(3)
    pnet_in, rnet_in, onet_in = inputs(data_dir, generator)
    with torch.no_grad():
        p_logits, p_offsets = pnet(w, pnet_in)
        r_logits, r_offsets = rnet(w, rnet_in)
        o_logits, o_offsets, o_landmarks = onet(w, onet_in)
    safetensors_io.save({
        "pnet.input": pnet_in, "pnet.logits": p_logits, "pnet.offsets": p_offsets,
        "rnet.input": rnet_in, "rnet.logits": r_logits, "rnet.offsets": r_offsets,
        "onet.input": onet_in, "onet.logits": o_logits, "onet.offsets": o_offsets,
        "onet.landmarks": o_landmarks,
    }, os.path.join(out_dir, "mtcnn.safetensors"))
    print("face probability of the photo crops, R-Net:",
          torch.softmax(r_logits, 1)[:, 1].numpy().round(3),
          "O-Net:", torch.softmax(o_logits, 1)[:, 1].numpy().round(3))


if __name__ == "__main__":
    main(sys.argv[1])
