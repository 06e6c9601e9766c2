"""face-api.js's face-recognition network, run by the package itself, on real faces.

Usage: reference_face_recognition.py OUTPUT_DIR -> OUTPUT_DIR/face_recognition.safetensors
  "images"       uint8 [N, 150, 150, 3], RGB: UTKFace crops resized with PIL (bilinear)
  "descriptors"  float [N, 128]: the package's computeFaceDescriptor on those images
  "descriptors_float64"  float [N, 128]: the same network written here with torch in
                 float64 on the converted weights (models/init/face-resnet29.safetensors)

The network is face-api.js's own code and tfjs CPU kernels (face_recognition_reference.mjs
under Node), from the package scripts/fetch-face-init.sh keeps in models/cache/, so the C++
face_resnet29 (with its converted weights) is checked against an independent implementation.
The package's float32 tfjs kernels differ from a float64 evaluation by 6-8e-4 of the
descriptor's norm on these faces, which bounds how close that comparison can be; the
float64 descriptors bound the C++ network's own arithmetic more tightly.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import safetensors_io  # noqa: E402

FACES = ["100_1_0_20170110183726390.jpg.chip.jpg", "1_0_0_20161219140623097.jpg.chip.jpg",
         "26_1_1_20170116154712959.jpg.chip.jpg", "45_0_3_20170119171417728.jpg.chip.jpg"]


MEAN_RGB = (122.782, 117.001, 104.298)  # face-api's normalisation: (x - mean) / 256


def float64_descriptors(images, weights):
    w = {k: v.double() for k, v in weights.items()}

    def conv_scale(x, conv, bn, stride, padding):
        y = F.conv2d(x, w[conv + ".weight"], w[conv + ".bias"], stride=stride, padding=padding)
        return y * w[bn + ".weight"].view(1, -1, 1, 1) + w[bn + ".bias"].view(1, -1, 1, 1)

    def residual(x, b):
        y = F.relu(conv_scale(x, b + "conv1", b + "bn1", 1, 1))
        return F.relu(conv_scale(y, b + "conv2", b + "bn2", 1, 1) + x)

    def down(x, b):
        y = F.relu(conv_scale(x, b + "conv1", b + "bn1", 2, 0))
        y = conv_scale(y, b + "conv2", b + "bn2", 1, 1)
        shortcut = F.avg_pool2d(x, 2, 2)
        extra = y.shape[1] - shortcut.shape[1]
        shortcut = torch.cat([shortcut, shortcut.new_zeros(shortcut.shape[0], extra,
                                                          *shortcut.shape[2:])], 1)
        y = F.pad(y, (0, shortcut.shape[3] - y.shape[3], 0, shortcut.shape[2] - y.shape[2]))
        return F.relu(y + shortcut)

    x = torch.from_numpy(images).double().permute(0, 3, 1, 2)
    x = (x - torch.tensor(MEAN_RGB, dtype=torch.double).view(1, 3, 1, 1)) / 256
    x = F.max_pool2d(F.relu(conv_scale(x, "conv1", "bn1", 2, 0)), 3, 2)
    for layer, blocks in (("layer1", 3), ("layer2", 4), ("layer3", 3), ("layer4", 3), ("layer5", 1)):
        for i in range(blocks):
            block = f"{layer}.{i}."
            x = down(x, block) if i == 0 and layer != "layer1" else residual(x, block)
    return (x.mean((2, 3)) @ w["embedding.weight"].t()).float()


def main(output_dir):
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.environ.get("FACEAGE_SOURCE_DIR", os.path.join(here, "..", ".."))
    data = os.environ.get("FACEAGE_DATA_DIR", os.path.join(source, "..", "shared", "data"))
    package = os.path.join(source, "models", "cache", "face-api-1.7.15")
    if not os.path.isfile(os.path.join(package, "dist", "face-api.esm.js")):
        sys.exit(f"{package}: no face-api package; run scripts/fetch-face-init.sh")
    utkface = os.path.join(data, "utkface")
    names = [n for n in FACES if os.path.isfile(os.path.join(utkface, n))]
    if len(names) < 2:  # another copy of UTKFace: any four crops
        names = sorted(os.listdir(utkface))[:4]
    images = np.stack([np.asarray(Image.open(os.path.join(utkface, n)).convert("RGB")
                                  .resize((150, 150), Image.BILINEAR)) for n in names])
    with tempfile.TemporaryDirectory() as work:
        pixels, descriptors = os.path.join(work, "images.u8"), os.path.join(work, "out.f32")
        images.astype(np.uint8).tofile(pixels)
        run = subprocess.run(["node", os.path.join(here, "face_recognition_reference.mjs"),
                              package, pixels, str(len(names)), descriptors],
                             stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:  # the bundle's errors quote whole minified lines: keep the end
            sys.exit("face_recognition_reference.mjs failed: " + run.stderr[-2000:])
        result = np.fromfile(descriptors, dtype="<f4").reshape(len(names), 128)
    os.makedirs(output_dir, exist_ok=True)
    weights = safetensors_io.load(os.path.join(source, "models", "init", "face-resnet29.safetensors"))
    safetensors_io.save({"images": torch.from_numpy(images.copy()),
                         "descriptors": torch.from_numpy(result.copy()),
                         "descriptors_float64": float64_descriptors(images, weights)},
                        os.path.join(output_dir, "face_recognition.safetensors"))


if __name__ == "__main__":
    main(sys.argv[1])
