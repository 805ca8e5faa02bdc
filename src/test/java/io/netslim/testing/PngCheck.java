package io.netslim.testing;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Asserts that bytes are a PNG of sensible size that is not blank. */
public final class PngCheck {
    private PngCheck() {
    }

    public static void assertMeaningfulPng(byte[] bytes, String what) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(img, what + " is not a PNG");
        assertTrue(img.getWidth() >= 600 && img.getHeight() >= 400, what + " is " + img.getWidth() + "x" + img.getHeight());
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) {
                    nonWhite++;
                }
            }
        }
        assertTrue(colours.size() >= 4, what + " has only " + colours.size() + " colours");
        assertTrue(nonWhite > img.getWidth() * img.getHeight() / 400, what + " is nearly blank");
    }
}
