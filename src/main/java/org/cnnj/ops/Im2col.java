package org.cnnj.ops;

/**
 * Lowering between an image [C, H, W] and a column panel [C·KH·KW, pw]: column j holds the receptive
 * field of output pixel j0 + j of a sliding window over the image. Convolution works on one cache-
 * sized panel of output pixels at a time, never on the whole (C·KH·KW)×(HO·WO) matrix.
 * col2im is the adjoint: it adds each column entry back to its image pixel.
 */
final class Im2col {
    final int channels, height, width, kh, kw, strideH, strideW, padH, padW, dilH, dilW, outH, outW;

    Im2col(int channels, int height, int width, int kh, int kw, ConvParams p, int outH, int outW) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.kh = kh;
        this.kw = kw;
        this.strideH = p.strideH();
        this.strideW = p.strideW();
        this.padH = p.padH();
        this.padW = p.padW();
        this.dilH = p.dilationH();
        this.dilW = p.dilationW();
        this.outH = outH;
        this.outW = outW;
    }

    int rows() {
        return channels * kh * kw;
    }

    int pixels() {
        return outH * outW;
    }

    /** Output pixels per panel so that one packed panel stays around 192 KB (L2), a multiple of 16. */
    int panelWidth() {
        int pw = Math.max(64, (48 * 1024) / Math.max(1, rows()));
        pw = (pw + 15) / 16 * 16;
        return Math.min(pw, pixels());
    }

    /** col[r*pw + j] = image value under kernel row r for output pixel j0+j (0 outside the image). */
    void im2col(float[] img, int imgOff, int j0, int pw, float[] col) {
        im2col(img, imgOff, j0, pw, col, 0, pw, 0);
    }

    /**
     * The panel in GEMM packed-B layout: strips of {@code nr} pixels, each k-major over all rows
     * (element (r, j) at (j/nr)·rows·nr + r·nr + j%nr), the last strip zero-padded.
     */
    void im2colPackedB(float[] img, int imgOff, int j0, int count, float[] dst, int nr) {
        int rows = rows();
        for (int s = 0, j = 0; j < count; s++, j += nr) {
            int cnt = Math.min(nr, count - j), base = s * rows * nr;
            im2col(img, imgOff, j0 + j, cnt, dst, base, nr, 0);
            if (cnt < nr) {
                for (int r = 0; r < rows; r++) {
                    for (int t = base + r * nr + cnt; t < base + (r + 1) * nr; t++) dst[t] = 0f;
                }
            }
        }
    }

    /**
     * The panel in GEMM packed-A layout (rows as the M side): strips of {@code mr} rows, k-major over the
     * {@code count} pixels (element (r, j) at (r/mr)·count·mr + j·mr + r%mr), padding rows zero.
     */
    void im2colPackedA(float[] img, int imgOff, int j0, int count, float[] dst, int mr) {
        im2col(img, imgOff, j0, count, dst, 0, 0, mr);
        int rows = rows(), padded = (rows + mr - 1) / mr * mr;
        for (int r = rows; r < padded; r++) {
            int base = (r / mr) * count * mr + r % mr;
            for (int j = 0; j < count; j++) dst[base + j * mr] = 0f;
        }
    }

    /**
     * Receptive fields of output pixels j0..j0+count into dst. Row r starts at dstOff + r·rowStride with
     * consecutive pixels adjacent (mr = 0), or, for packed-A layout (mr > 0), at (r/mr)·count·mr + r%mr
     * with consecutive pixels mr apart. Short runs use plain loops: most runs are a strip of 16.
     */
    private void im2col(float[] img, int imgOff, int j0, int count, float[] dst, int dstOff, int rowStride, int mr) {
        int step = mr == 0 ? 1 : mr;
        for (int c = 0; c < channels; c++) {
            int plane = imgOff + c * height * width;
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int r = (c * kh + ki) * kw + kj;
                    int row = mr == 0 ? dstOff + r * rowStride : (r / mr) * count * mr + r % mr;
                    int shift = kj * dilW - padW;
                    int j = j0, end = j0 + count;
                    while (j < end) {
                        int oh = j / outW, ow0 = j - oh * outW;
                        int ow1 = Math.min(outW, ow0 + (end - j));
                        int d = row + (j - j0 - ow0) * step; // d + ow·step is the destination of output column ow
                        int ih = oh * strideH - padH + ki * dilH;
                        if (ih < 0 || ih >= height) {
                            for (int ow = ow0; ow < ow1; ow++) dst[d + ow * step] = 0f;
                        } else if (strideW == 1) {
                            // iw = ow + shift: zero the out-of-image ends, copy the middle.
                            int src = plane + ih * width + shift;
                            int lo = Math.min(ow1, Math.max(ow0, -shift)),
                                    hi = Math.max(lo, Math.min(ow1, width - shift));
                            for (int ow = ow0; ow < lo; ow++) dst[d + ow * step] = 0f;
                            if (step == 1) {
                                for (int ow = lo; ow < hi; ow++) dst[d + ow] = img[src + ow];
                            } else {
                                for (int ow = lo; ow < hi; ow++) dst[d + ow * step] = img[src + ow];
                            }
                            for (int ow = hi; ow < ow1; ow++) dst[d + ow * step] = 0f;
                        } else {
                            int src = plane + ih * width;
                            for (int ow = ow0; ow < ow1; ow++) {
                                int iw = ow * strideW + shift;
                                dst[d + ow * step] = iw >= 0 && iw < width ? img[src + iw] : 0f;
                            }
                        }
                        j += ow1 - ow0;
                    }
                }
            }
        }
    }

    /** img[pixel under (r, j0+j)] += col[r*pw + j]: the adjoint of {@link #im2col}. */
    void col2im(float[] col, int j0, int pw, float[] img, int imgOff) {
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((c * kh + ki) * kw + kj) * pw;
                    int plane = imgOff + c * height * width;
                    int j = j0, end = j0 + pw;
                    while (j < end) {
                        int oh = j / outW, ow0 = j - oh * outW;
                        int ow1 = Math.min(outW, ow0 + (end - j));
                        int ih = oh * strideH - padH + ki * dilH;
                        if (ih >= 0 && ih < height) {
                            int src = row + (j - j0) - ow0;
                            int dst = plane + ih * width;
                            int shift = kj * dilW - padW;
                            for (int ow = ow0; ow < ow1; ow++) {
                                int iw = ow * strideW + shift;
                                if (iw >= 0 && iw < width) img[dst + iw] += col[src + ow];
                            }
                        }
                        j += ow1 - ow0;
                    }
                }
            }
        }
    }
}
