package io.resnetspark.udf.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small generated images and the bad inputs every pipeline must survive. */
public final class TestImages {
  private TestImages() {
  }

  /** A PNG of {@code width x height} with a pattern that differs per {@code seed}, so predictions differ. */
  public static byte[] png(int seed, int width, int height) {
    return encode(picture(seed, width, height), "png");
  }

  public static BufferedImage picture(int seed, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Random random = new Random(seed);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
    g.fillRect(0, 0, width, height);
    for (int i = 0; i < 6; i++) {
      g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
      g.fillOval(random.nextInt(width), random.nextInt(height), 1 + random.nextInt(width), 1 + random.nextInt(height));
    }
    g.dispose();
    return img;
  }

  public static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The first half of a PNG: a known format that stops mid-stream. */
  public static byte[] truncatedPng(int seed) {
    byte[] whole = png(seed, 80, 60);
    return Arrays.copyOf(whole, whole.length / 2);
  }

  public static byte[] randomBytes(int seed, int n) {
    byte[] bytes = new byte[n];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  public static byte[] text() {
    return "this is not an image, just some words\n".getBytes(StandardCharsets.UTF_8);
  }

  /** Row-major BGR bytes of {@code img}, as Spark's image data source stores a 3-channel image. */
  public static byte[] bgr(BufferedImage img) {
    byte[] data = new byte[img.getWidth() * img.getHeight() * 3];
    int i = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        data[i++] = (byte) rgb;
        data[i++] = (byte) (rgb >> 8);
        data[i++] = (byte) (rgb >> 16);
      }
    }
    return data;
  }
}
