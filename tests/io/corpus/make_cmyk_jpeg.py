#!/usr/bin/env python3
"""Writes cmyk.jpg: a 16x8 Adobe CMYK JPEG (as Photoshop saves for print), which OpenCV
cannot write. Left half C=200; top right K=255 (black); bottom right M=150, Y=200.
Pillow decodes it to RGB (55,255,255) / (0,0,0) / (255,105,55); tests/io expect the same.
Run with Debian's python3-pil: /usr/bin/python3 tests/io/corpus/make_cmyk_jpeg.py"""
import pathlib

from PIL import Image

image = Image.new("CMYK", (16, 8))
for x in range(16):
    for y in range(8):
        if x < 8:
            image.putpixel((x, y), (200, 0, 0, 0))
        else:
            image.putpixel((x, y), (0, 0, 0, 255) if y < 4 else (0, 150, 200, 0))
image.save(pathlib.Path(__file__).with_name("cmyk.jpg"), quality=95)
