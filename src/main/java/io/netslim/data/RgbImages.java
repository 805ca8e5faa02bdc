package io.netslim.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Decodes JPEG/PNG bytes with the JDK's ImageIO and turns them into square CHW RGB bytes, with no display and no
 * native code: the pixel work of the folder format, kept apart from its listing and Hadoop I/O.
 */
final class RgbImages {
    /** Larger images are refused before their pixels are decoded (a 64-megapixel image needs ~450 MB). */
    static final long MAX_PIXELS = 1L << 26;

    private RgbImages() {
    }

    /** Why a file is not a usable image; the message completes "file: ...". */
    static final class Undecodable extends Exception {
        Undecodable(String message) {
            super(message);
        }
    }

    /**
     * Decodes {@code bytes}. The reader is driven by hand (as ImageIO.read does) to check the size before
     * decoding, and the stream is cached in memory, so ImageIO writes no temporary files and no global ImageIO
     * setting is changed.
     */
    static BufferedImage decode(byte[] bytes) throws Undecodable {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new Undecodable("cannot be decoded as an image (no ImageIO reader recognises its "
                        + bytes.length + " bytes; expected JPEG or PNG)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkSize(reader.getWidth(0), reader.getHeight(0));
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw new Undecodable("cannot be decoded as an image (" + reader.getFormatName()
                            + " reader returned nothing)");
                }
                checkSize(image.getWidth(), image.getHeight());
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // Decoders report corrupt data as IIOException but also as assorted runtime exceptions.
            throw new Undecodable("cannot be decoded as an image (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
    }

    private static void checkSize(int width, int height) throws Undecodable {
        if (width <= 0 || height <= 0) {
            throw new Undecodable("is a " + width + "x" + height + " image, expected width and height > 0");
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new Undecodable("is a " + width + "x" + height + " image, larger than the " + MAX_PIXELS
                    + " pixels the folder format decodes");
        }
    }

    /**
     * Writes {@code image} resized to {@code size x size} as unsigned RGB bytes in CHW order at
     * {@code out[offset..]}. Gray and sRGB images give their stored values (grayscale as three equal channels,
     * not converted through a colour profile); other colour models are converted to sRGB; alpha is dropped.
     * Resampling is separable: area averaging when shrinking, bilinear when enlarging, the identity at the same
     * size.
     */
    static void toChw(BufferedImage image, int size, byte[] out, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        Taps across = Taps.of(w, size);
        Taps down = Taps.of(h, size);
        float[] rows = new float[3 * h * size]; // each channel's rows, already resized across
        int[][] rgb = new int[3][w];
        int[] scratch = new int[w];
        boolean stored = storedAsRgbOrGray(image.getColorModel());
        for (int y = 0; y < h; y++) {
            readRow(image, y, stored, rgb, scratch);
            for (int c = 0; c < 3; c++) {
                across.apply(rgb[c], rows, (c * h + y) * size);
            }
        }
        float[] column = new float[h];
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < size; x++) {
                for (int y = 0; y < h; y++) {
                    column[y] = rows[(c * h + y) * size + x];
                }
                for (int y = 0; y < size; y++) {
                    int v = Math.round(down.sum(column, y));
                    out[offset + (c * size + y) * size + x] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
    }

    /**
     * True when the raster's bands are the image's gray or sRGB components (8 to 16 bits, not premultiplied),
     * so rows are read as stored; anything else (palettes, other colour spaces) goes through getRGB.
     */
    private static boolean storedAsRgbOrGray(ColorModel model) {
        ColorSpace space = model.getColorSpace();
        int colours = model.getNumColorComponents();
        boolean plain = !(model instanceof IndexColorModel) && !model.isAlphaPremultiplied()
                && (space.getType() == ColorSpace.TYPE_GRAY && colours == 1 || space.isCS_sRGB() && colours == 3);
        for (int c = 0; plain && c < colours; c++) {
            plain = model.getComponentSize(c) >= 8 && model.getComponentSize(c) <= 16;
        }
        return plain;
    }

    /** Row {@code y} as 8-bit R, G and B values. */
    private static void readRow(BufferedImage image, int y, boolean stored, int[][] rgb, int[] scratch) {
        int w = image.getWidth();
        if (stored) {
            ColorModel model = image.getColorModel();
            int colours = model.getNumColorComponents();
            for (int c = 0; c < colours; c++) {
                image.getRaster().getSamples(0, y, w, 1, c, rgb[c]);
                int shift = model.getComponentSize(c) - 8;
                for (int x = 0; shift > 0 && x < w; x++) {
                    rgb[c][x] >>= shift;
                }
            }
            if (colours == 1) {
                System.arraycopy(rgb[0], 0, rgb[1], 0, w);
                System.arraycopy(rgb[0], 0, rgb[2], 0, w);
            }
            return;
        }
        image.getRGB(0, y, w, 1, scratch, 0, w);
        for (int x = 0; x < w; x++) {
            rgb[0][x] = (scratch[x] >> 16) & 0xff;
            rgb[1][x] = (scratch[x] >> 8) & 0xff;
            rgb[2][x] = scratch[x] & 0xff;
        }
    }

    /** For each output pixel along one axis: the first input pixel it reads and the weights (summing to 1). */
    private record Taps(int[] first, float[][] weights) {
        static Taps of(int in, int out) {
            int[] first = new int[out];
            float[][] weights = new float[out][];
            double scale = (double) in / out;
            for (int j = 0; j < out; j++) {
                if (scale >= 1) {
                    area(j, scale, in, first, weights);
                } else {
                    bilinear(j, scale, in, first, weights);
                }
            }
            return new Taps(first, weights);
        }

        /** Output pixel j covers input [j*scale, (j+1)*scale); each input pixel weighs by its overlap. */
        private static void area(int j, double scale, int in, int[] first, float[][] weights) {
            double lo = j * scale;
            double hi = Math.min(in, (j + 1) * scale);
            int a = (int) Math.floor(lo);
            int b = Math.max(a + 1, Math.min(in, (int) Math.ceil(hi)));
            float[] w = new float[b - a];
            double total = 0;
            for (int k = a; k < b; k++) {
                double overlap = Math.min(hi, k + 1) - Math.max(lo, k);
                w[k - a] = (float) overlap;
                total += overlap;
            }
            for (int k = 0; k < w.length; k++) {
                w[k] = (float) (w[k] / total);
            }
            first[j] = a;
            weights[j] = w;
        }

        /** Pixel centres aligned; the two nearest input pixels, clamped at the edges. */
        private static void bilinear(int j, double scale, int in, int[] first, float[][] weights) {
            double x = Math.max(0, Math.min(in - 1, (j + 0.5) * scale - 0.5));
            int a = (int) Math.floor(x);
            float f = (float) (x - a);
            first[j] = a;
            weights[j] = a + 1 < in && f > 0 ? new float[] {1 - f, f} : new float[] {1};
        }

        void apply(int[] src, float[] dst, int dstOffset) {
            for (int j = 0; j < first.length; j++) {
                float[] w = weights[j];
                int a = first[j];
                float s = 0;
                for (int k = 0; k < w.length; k++) {
                    s += w[k] * src[a + k];
                }
                dst[dstOffset + j] = s;
            }
        }

        float sum(float[] src, int j) {
            float[] w = weights[j];
            int a = first[j];
            float s = 0;
            for (int k = 0; k < w.length; k++) {
                s += w[k] * src[a + k];
            }
            return s;
        }
    }
}
