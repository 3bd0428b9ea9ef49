package io.resnetspark.udf.image;

import io.resnetspark.udf.errors.ErrorCode;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;

/** The files of {@code images/corpus} as listed in its README.txt (written by scripts/make_test_images.py). */
final class Corpus {

  static final String DIR = "/images/corpus/";

  /** One corpus file: its name, the error code it must give (empty when it must decode) and what it is. */
  record Entry(String file, Optional<ErrorCode> error, String description) {
    byte[] bytes() {
      return resource(DIR + file);
    }

    /** PIL's picture for the file: {@code exif_transpose(open(f)).convert("RGB")}. */
    RgbImage expected() {
      return readPng(DIR + "expected/" + file + ".png");
    }

    @Override
    public String toString() {
      return file + " (" + description + ")";
    }
  }

  private Corpus() {}

  static List<Entry> entries() {
    List<Entry> entries = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(stream(DIR + "README.txt"), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] cells = line.split("\t");
        Optional<ErrorCode> error =
            cells[1].equals("OK") ? Optional.empty() : Optional.of(ErrorCode.valueOf(cells[1]));
        entries.add(new Entry(cells[0], error, cells[2]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  static Entry entry(String file) {
    return entries().stream().filter(e -> e.file().equals(file)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no corpus file " + file));
  }

  static byte[] resource(String path) {
    try (InputStream in = stream(path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An 8-bit RGB PNG read with plain ImageIO, independent of the decoder under test. */
  static RgbImage readPng(String path) {
    try (InputStream in = stream(path)) {
      BufferedImage image = ImageIO.read(in);
      int w = image.getWidth();
      int h = image.getHeight();
      int[] samples = image.getRaster().getPixels(0, 0, w, h, (int[]) null);
      int bands = image.getRaster().getNumBands();
      byte[] rgb = new byte[w * h * 3];
      for (int i = 0; i < w * h; i++) {
        for (int c = 0; c < 3; c++) {
          rgb[i * 3 + c] = (byte) samples[i * bands + (bands == 1 ? 0 : c)];
        }
      }
      return new RgbImage(w, h, rgb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream stream(String path) {
    InputStream in = Corpus.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + path + "; run scripts/make_test_images.py");
    }
    return in;
  }
}
