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

    /** Output pixels per panel so that one panel stays around 256 KB (L2), a multiple of 16. */
    int panelWidth() {
        int pw = Math.max(64, (64 * 1024) / Math.max(1, rows()));
        pw = (pw + 15) / 16 * 16;
        return Math.min(pw, pixels());
    }

    /** col[r*pw + j] = image value under kernel row r for output pixel j0+j (0 outside the image). */
    void im2col(float[] img, int imgOff, int j0, int pw, float[] col) {
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((c * kh + ki) * kw + kj) * pw;
                    int plane = imgOff + c * height * width;
                    int j = j0, end = j0 + pw;
                    while (j < end) {
                        int oh = j / outW, ow0 = j - oh * outW;
                        int ow1 = Math.min(outW, ow0 + (end - j));
                        int dst = row + (j - j0);
                        int ih = oh * strideH - padH + ki * dilH;
                        if (ih < 0 || ih >= height) {
                            java.util.Arrays.fill(col, dst, dst + (ow1 - ow0), 0f);
                        } else {
                            int src = plane + ih * width;
                            int shift = kj * dilW - padW;
                            if (strideW == 1) {
                                // iw = ow + shift: zero the out-of-image ends, copy the middle.
                                int lo = Math.max(ow0, -shift), hi = Math.min(ow1, width - shift);
                                if (hi <= lo) {
                                    java.util.Arrays.fill(col, dst, dst + (ow1 - ow0), 0f);
                                } else {
                                    java.util.Arrays.fill(col, dst, dst + (lo - ow0), 0f);
                                    System.arraycopy(img, src + lo + shift, col, dst + (lo - ow0), hi - lo);
                                    java.util.Arrays.fill(col, dst + (hi - ow0), dst + (ow1 - ow0), 0f);
                                }
                            } else {
                                for (int ow = ow0; ow < ow1; ow++) {
                                    int iw = ow * strideW + shift;
                                    col[dst + ow - ow0] = iw >= 0 && iw < width ? img[src + iw] : 0f;
                                }
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
