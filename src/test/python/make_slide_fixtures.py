#!/usr/bin/env python3
"""TIFFs as slide scanners, libtiff/libvips and Bio-Formats (QuPath's exports) write them, for TiffsTest (development
only; the files are committed). tifffile (without imagecodecs) cannot compress JPEG or LZW itself, so the tiles are
encoded here — JPEG by PIL, LZW by the encoder below — and tifffile lays them out.

- aperio.svs: an Aperio SVS layout (libtiff's JPEG-in-TIFF): the full-resolution page in 32 x 32 tiles of
  abbreviated JPEG streams whose quantization and Huffman tables are shared in the JPEGTables tag, YCbCr with 2 x 2
  chroma subsampling; then a thumbnail page (strips), a half-size level (tiles), a label (NewSubfileType 1) and a
  macro image (NewSubfileType 9); the description says "Aperio Image Library ... |MPP = 0.4990".
- bioformats-jpeg.ome.tif: an RGB OME-TIFF in 32 x 32 tiles, each a complete JFIF stream with its own tables and
  Photometric RGB, as Bio-Formats' TiffWriter (QuPath's OME-TIFF export, bfconvert -compression JPEG) writes them;
  a half-size level in a SubIFD; pixel size 0.25 um.
- labels-lzw.ome.tif: a 16-bit instance label image in 32 x 32 LZW tiles (QuPath's labelled-image export, Fiji's
  Bio-Formats exporter with LZW); objects 1 = rows 5-24 x cols 10-29, 2 = rows 40-69 x cols 50-89, 300 = rows
  30-37 x cols 3-7.
The RGB images hold R = 2 x, G = 2 y + 20, B = 200 with a dark disk (60, 40, 90) of radius 18 at (40, 48) — smooth
enough that JPEG changes no pixel by much; the script checks every file with PIL (libtiff) before it is kept.
"""
import io, os, sys
import numpy as np
import tifffile
from PIL import Image

def _not_called(*args, **kwargs):
    raise AssertionError("tifffile was to write the encoded bytes as they are")


# tifffile asks for an encoder even when it is given encoded tiles; it is never called for bytes.
for _name in ("jpeg_encode", "lzw_encode"):
    setattr(tifffile.tifffile.imagecodecs, _name, _not_called)

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/ij/tiff"
os.makedirs(out, exist_ok=True)
H, W, T = 80, 96, 32
y, x = np.mgrid[0:H, 0:W]


def rgb_image():
    img = np.stack([2 * x, 2 * y + 20, np.full_like(x, 200)], -1)
    img[(y - 40) ** 2 + (x - 48) ** 2 < 18 ** 2] = (60, 40, 90)
    return img.astype(np.uint8)


def tiles(img):
    """The image's tiles in row-major order, the last row and column zero-padded (as TIFF stores them)."""
    for ty in range(0, img.shape[0], T):
        for tx in range(0, img.shape[1], T):
            tile = np.zeros((T, T) + img.shape[2:], img.dtype)
            part = img[ty:ty + T, tx:tx + T]
            tile[:part.shape[0], :part.shape[1]] = part
            yield tile


def jpeg(tile, quality=92):
    buf = io.BytesIO()
    Image.fromarray(tile).save(buf, "JPEG", quality=quality, subsampling=2)  # 4:2:0, YCbCr
    return buf.getvalue()


def segments(stream):
    """A JPEG stream's marker segments up to SOS, then the scan and EOI as one piece."""
    assert stream[:2] == b"\xff\xd8"
    i, out = 2, []
    while True:
        marker = stream[i:i + 2]
        if marker == b"\xff\xda":
            out.append(stream[i:])
            return out
        n = int.from_bytes(stream[i + 2:i + 4], "big")
        out.append(stream[i:i + 2 + n])
        i += 2 + n


def abbreviated(stream):
    """libtiff's split: the tables (DQT, DHT) for the JPEGTables tag, the tile without them (and without JFIF's APP0)."""
    parts = segments(stream)
    tables = b"".join(p for p in parts if p[:2] in (b"\xff\xdb", b"\xff\xc4"))
    tile = b"\xff\xd8" + b"".join(p for p in parts if p[:2] not in (b"\xff\xdb", b"\xff\xc4", b"\xff\xe0"))
    return b"\xff\xd8" + tables + b"\xff\xd9", tile


def lzw(data):
    """TIFF's LZW (codes 9-12 bits, most significant bit first, ClearCode 256, EOI 257, the decoder widens them one code early)."""
    bits, nbits = 0, 0
    out = bytearray()

    def emit(code, width):
        nonlocal bits, nbits
        bits = (bits << width) | code
        nbits += width
        while nbits >= 8:
            nbits -= 8
            out.append((bits >> nbits) & 0xFF)
        bits &= (1 << nbits) - 1

    def reset():
        return {bytes([i]): i for i in range(256)}, 258, 9

    table, nxt, width = reset()
    emit(256, width)
    w = b""
    for c in data:
        wc = w + bytes([c])
        if wc in table:
            w = wc
            continue
        emit(table[w], width)
        table[wc] = nxt
        nxt += 1
        if nxt == 4094:  # table full: start again
            emit(256, width)
            table, nxt, width = reset()
        elif nxt == 1 << width:  # the decoder, one code behind, widens at 2^width - 1 ("early change")
            width += 1
        w = bytes([c])
    if w:
        emit(table[w], width)
        nxt += 1
        if nxt == 1 << width and width < 12:
            width += 1
    emit(257, width)
    if nbits:
        out.append((bits << (8 - nbits)) & 0xFF)
    return bytes(out)


def aperio(path, img):
    half = img[::2, ::2]
    tables = abbreviated(jpeg(next(tiles(img))))[0]
    full_tiles = [abbreviated(jpeg(t)) for t in tiles(img)]
    half_tiles = [abbreviated(jpeg(t)) for t in tiles(half)]
    assert all(t == tables for t, _ in full_tiles + half_tiles), "PIL used other tables for some tile"
    desc = (f"Aperio Image Library v12.0.15 \r\n{W}x{H} [0,0 {W}x{H}] ({T}x{T}) JPEG/RGB Q=92|AppMag = 20"
            "|StripeWidth = 2032|ScanScope ID = CPAPERIOCS|Filename = CMU-1|MPP = 0.4990|Left = 25.691574")
    common = dict(photometric="ycbcr", subsampling=(2, 2), compression="jpeg", jpegtables=tables, dtype=np.uint8)
    with tifffile.TiffWriter(path) as t:
        t.write(iter([s for _, s in full_tiles]), shape=img.shape, tile=(T, T), description=desc, **common)
        t.write(img[::4, ::4], photometric="rgb", description="Aperio Image Library v12.0.15 thumbnail")
        t.write(iter([s for _, s in half_tiles]), shape=half.shape, tile=(T, T), **common)
        t.write(np.full((20, 30, 3), 255, np.uint8), photometric="rgb", subfiletype=1, description="label 30x20")
        t.write(np.full((24, 60, 3), 128, np.uint8), photometric="rgb", subfiletype=9, description="macro 60x24")


def bioformats(path, img):
    half = img[::2, ::2]
    with tifffile.TiffWriter(path, ome=True) as t:
        t.write(iter([jpeg(t_) for t_ in tiles(img)]), shape=img.shape, dtype=np.uint8, tile=(T, T),
                photometric="rgb", compression="jpeg", subifds=1,
                metadata={"axes": "YXS", "PhysicalSizeX": 0.25, "PhysicalSizeY": 0.25})
        t.write(iter([jpeg(t_) for t_ in tiles(half)]), shape=half.shape, dtype=np.uint8, tile=(T, T),
                photometric="rgb", compression="jpeg", subfiletype=1)


def labels():
    lab = np.zeros((H, W), np.uint16)
    lab[5:25, 10:30] = 1
    lab[40:70, 50:90] = 2
    lab[30:38, 3:8] = 300
    return lab


def labels_lzw(path, lab):
    encoded = [lzw(t.tobytes()) for t in tiles(lab)]
    tifffile.imwrite(path, iter(encoded), shape=lab.shape, dtype=np.uint16, tile=(T, T), compression="lzw",
                     photometric="minisblack", ome=True, metadata={"axes": "YX"})


img = rgb_image()
aperio(os.path.join(out, "aperio.svs"), img)
bioformats(os.path.join(out, "bioformats-jpeg.ome.tif"), img)
labels_lzw(os.path.join(out, "labels-lzw.ome.tif"), labels())

# Checked by another reader (PIL through libtiff) before the files are kept.
for name in ("aperio.svs", "bioformats-jpeg.ome.tif"):
    with Image.open(os.path.join(out, name)) as im:
        got = np.asarray(im.convert("RGB")).astype(int)
        err = np.abs(got - img.astype(int))
        assert got.shape == img.shape and err.mean() < 3 and err.max() < 60, (name, err.mean(), err.max())
        print(name, "PIL reads it; mean |error|", round(err.mean(), 2), "max", err.max())
with Image.open(os.path.join(out, "labels-lzw.ome.tif")) as im:
    assert (np.asarray(im) == labels()).all(), "LZW round trip"
noise = np.random.default_rng(1).integers(0, 4000, (T * 4, T * 4)).astype(np.uint16)  # one strip: 9- to 12-bit codes, clears
tifffile.imwrite(os.path.join(out, "_lzw-check.tif"), iter([lzw(noise.tobytes())]), shape=noise.shape,
                 dtype=np.uint16, rowsperstrip=noise.shape[0], compression="lzw", photometric="minisblack")
with Image.open(os.path.join(out, "_lzw-check.tif")) as im:
    assert (np.asarray(im) == noise).all(), "LZW on noise"
os.remove(os.path.join(out, "_lzw-check.tif"))
with tifffile.TiffFile(os.path.join(out, "aperio.svs")) as f:
    assert len(f.pages) == 5 and f.pages[0].is_tiled and f.pages[0].jpegtables is not None
print("wrote aperio.svs, bioformats-jpeg.ome.tif, labels-lzw.ome.tif")
