#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/: tiny synthetic inputs, a few of each
kind the target reads (no photos of people, nothing from ../shared/data). libFuzzer
mutates from these. Run with Debian's python3-pil: /usr/bin/python3 fuzz/make_seed_corpus.py"""
import io
import json
import pathlib
import struct

from PIL import Image

root = pathlib.Path(__file__).resolve().parent
corpus = root / "corpus"


def write(target, name, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def image_bytes(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


# Images: every format decode_image accepts, and the awkward kinds of the bad-input corpus.
rgb = Image.new("RGB", (8, 6), (200, 120, 40))
rgb.putpixel((1, 1), (0, 0, 255))
write("fuzz_image_decode", "rgb.png", image_bytes(rgb, "PNG"))
write("fuzz_image_decode", "rgba.png", image_bytes(rgb.convert("RGBA"), "PNG"))
write("fuzz_image_decode", "gray16.png", image_bytes(Image.new("I;16", (5, 4), 40000), "PNG"))
write("fuzz_image_decode", "gray.jpg", image_bytes(rgb.convert("L"), "JPEG", quality=80))
write("fuzz_image_decode", "rgb.jpg", image_bytes(rgb, "JPEG", quality=80))
write("fuzz_image_decode", "progressive.jpg", image_bytes(rgb, "JPEG", progressive=True))
exif = Image.Exif()
exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise
write("fuzz_image_decode", "exif-orientation.jpg", image_bytes(rgb, "JPEG", exif=exif.tobytes()))
write("fuzz_image_decode", "cmyk.jpg", image_bytes(rgb.convert("CMYK"), "JPEG"))
write("fuzz_image_decode", "rgb.bmp", image_bytes(rgb, "BMP"))
write("fuzz_image_decode", "rgb.webp", image_bytes(rgb, "WEBP", lossless=True))
write("fuzz_image_decode", "rgb.tiff", image_bytes(rgb, "TIFF"))
write("fuzz_image_decode", "rgb.ppm", image_bytes(rgb, "PPM"))
write("fuzz_image_decode", "pixel.png", image_bytes(Image.new("RGB", (1, 1)), "PNG"))
# Inputs behind bugs fixed in faceage (tests/io/image_corpus_test.cpp): start near them.
write("fuzz_image_decode", "bomb.ppm", b"P6\n30000 30000\n255\n\x7f\x7f\x7f")
# Found by the fuzzer: leading zeros once hid 810985 rows from the header check ...
write("fuzz_image_decode", "ppm-leading-zeros.ppm", b"P6\n999\n000000000810985\x132\x7f")
# ... and a number ended by '#' (OpenCV swallows the character after a number).
write("fuzz_image_decode", "ppm-hash-after-number.ppm", b"P6\n30000#30000\n25\x15\n\x7f\x7f\x7f")

# Label files: the reference's columns, ours, quoting, a BOM, malformed rows; file names.
csv = "fuzz_labels_csv"
write(csv, "reference.csv", "photo,age,deg,box1,box2,box3,box4,gender,race\n"
      "a.jpg,26,-3.5,40.25,50,160,180.5,1,0\nb.jpg,27.5,,,,,,,\n")
write(csv, "ours.csv", "photo,age,gender,race,subject,deg,box1,box2,box3,box4\n"
      "\"faces/with, comma.jpg\",31,f,asian,p8,,,,,\nx.jpg,3,male,W,p9,2,1,1,9,9\n")
write(csv, "bom-crlf.csv", "\ufeffimage_path,AGE,id_num\r\nx.jpg,3,17\r\n\r\n")
write(csv, "malformed.csv", "photo,age\nm.jpg,twenty\nn.jpg,1990\n\"open.jpg,4\nextra.jpg,4,5\n")
write(csv, "utkface-name", "26_1_0_20170116171048641.jpg.chip.jpg")
write(csv, "morph-name", "001234_01M26.JPG")
write(csv, "fgnet-name", "001A02a.JPG")

# safetensors: a valid file with several dtypes and metadata, and an empty one.
def safetensors(tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


write("fuzz_safetensors", "mixed.safetensors", safetensors({
    "w": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
    "h": ("F16", [3], b"\x00\x3c" * 3),
    "n": ("I64", [1], struct.pack("<q", 7)),
    "b": ("BOOL", [2], b"\x01\x00"),
    "e": ("F32", [0, 4], b""),
}, {"format": "pt", "faceage.model": "{}"}))
write("fuzz_safetensors", "empty.safetensors", safetensors({}))
write("fuzz_safetensors", "huge-dimension.safetensors", safetensors({"a": ("F32", [0, 2**64 - 1], b"")}))

# Configurations: the shipped ones, and one using every section.
configs = root.parent / "configs"
write("fuzz_train_config", "smoke.toml", (configs / "utkface" / "smoke-resnet18-64.toml").read_text())
write("fuzz_train_config", "sections.toml", "[model]\narchitecture = \"resnet50\"\nsigma = 3\n"
      "[data]\nformat = \"csv\"\nmargin = 0.4\n[augment]\nenabled = false\n"
      "[optim]\nlearning_rate = 1e-4\n[train]\nepochs = 2\nseed = 7\n")
write("fuzz_train_config", "override", "train.epochs=3\n")
write("fuzz_train_config", "wrapped-integer.toml", "[train]\nepochs = 4294967297\n")
write("fuzz_train_config", "nan.toml", "[optim]\nlearning_rate = nan\n")
