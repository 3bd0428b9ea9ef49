package io.resnetspark.udf;

import io.resnetspark.model.PreprocessSpec;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import javax.imageio.ImageIO;

/**
 * Test-only stand-in for the image package's preprocessor until it is merged: ImageIO decoding and a plain
 * Java2D resize of the whole image to crop x crop, normalised with the spec's mean and std. Not torchvision-equal;
 * only the error codes and the data flow matter to the tests that use it.
 */
final class StandInDecoder implements PixelDecoder {
  static final DecoderFactory FACTORY = StandInDecoder::new;
  static final long MAX_PIXELS = 100_000_000L;
  private final PreprocessSpec spec;

  StandInDecoder(PreprocessSpec spec) {
    this.spec = spec;
  }

  @Override
  public int outputSize() {
    return spec.cropSize() * spec.cropSize() * 3;
  }

  @Override
  public void decode(byte[] encoded, FloatBuffer dest) throws ImageFailure {
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException e) {
      throw new ImageFailure(ErrorCode.CORRUPT, "cannot decode: " + e.getMessage());
    }
    if (img == null) {
      throw new ImageFailure(ErrorCode.UNSUPPORTED_FORMAT, "not an image format ImageIO reads");
    }
    write(img, dest);
  }

  @Override
  public void decodeStruct(byte[] data, int height, int width, int nChannels, FloatBuffer dest)
      throws ImageFailure {
    if ((long) height * width > MAX_PIXELS) {
      throw new ImageFailure(ErrorCode.TOO_LARGE, height + "x" + width);
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = (y * width + x) * nChannels;
        int b = data[i] & 0xff;
        int g = data[i + 1] & 0xff;
        int r = data[i + 2] & 0xff;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    write(img, dest);
  }

  private void write(BufferedImage img, FloatBuffer dest) {
    int crop = spec.cropSize();
    BufferedImage scaled = new BufferedImage(crop, crop, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scaled.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, crop, crop, null);
    g.dispose();
    for (int y = 0; y < crop; y++) {
      for (int x = 0; x < crop; x++) {
        int rgb = scaled.getRGB(x, y);
        int[] c = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
        for (int k = 0; k < 3; k++) {
          dest.put((c[k] / 255f - spec.mean()[k]) / spec.std()[k]);
        }
      }
    }
  }
}
