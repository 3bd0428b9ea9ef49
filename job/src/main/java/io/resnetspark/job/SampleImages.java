package io.resnetspark.job;

import io.resnetspark.udf.errors.ErrorCode;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The sample set of {@code scripts/run-local.sh}, for trying the job on a machine with no images at hand: a
 * handful of real photographs (public domain or CC0, carried in the jar with their NOTICE), seeded drawings of
 * shapes on gradients in JPEG, PNG, BMP and GIF, and a few broken files so the output shows error rows too. The
 * drawings are made with the JDK's own encoders, so the set can be written wherever Java runs.
 *
 * <p>{@code java -cp <job jar> io.resnetspark.job.SampleImages DIR}
 */
public final class SampleImages {
  /** Formats in rotation; the JDK writes each of them. */
  static final String[] FORMATS = {"jpg", "png", "jpeg", "bmp", "gif"};
  static final String[] FOLDERS = {"garden", "street"};
  /** The photographs under {@code samples/} in the jar (see {@code scripts/make_sample_photos.py}). */
  static final List<String> PHOTOS = List.of("astronaut.jpg", "chelsea.jpg", "coffee.jpg", "grace_hopper.jpg",
      "rocket.jpg");
  static final String NOTICE = "NOTICE";
  static final int DRAWINGS = 6;

  private SampleImages() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: SampleImages DIR");
      System.exit(ExitCode.USAGE);
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    List<Path> photos = writePhotos(dir.resolve("photos"));
    List<Path> drawings = write(dir, DRAWINGS, 160, 640, 42);
    Map<String, ErrorCode> broken = writeBrokenFiles(dir.resolve("broken"));
    System.out.printf("wrote %d sample files to %s: %d photographs, %d drawings, %d broken files%n",
        photos.size() + drawings.size() + broken.size(), dir, photos.size(), drawings.size(), broken.size());
  }

  /** Copies the photographs and their NOTICE (sources and licences) into {@code dir}; returns the photographs. */
  public static List<Path> writePhotos(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    for (String name : PHOTOS) {
      files.add(copyResource(name, dir));
    }
    copyResource(NOTICE, dir);
    return files;
  }

  private static Path copyResource(String name, Path dir) throws IOException {
    try (InputStream in = SampleImages.class.getResourceAsStream("samples/" + name)) {
      if (in == null) {
        throw new IOException("samples/" + name + " is missing from the class path");
      }
      Path target = dir.resolve(name);
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    }
  }

  /**
   * Files with image extensions that are not usable images, each with the error code the job gives it: an empty
   * file, text, and a JPEG cut short.
   */
  public static Map<String, ErrorCode> writeBrokenFiles(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, ErrorCode> expected = new LinkedHashMap<>();
    Files.write(dir.resolve("empty.jpg"), new byte[0]);
    expected.put("empty.jpg", ErrorCode.EMPTY);
    Files.writeString(dir.resolve("notes.png"), "these are notes, not a picture\n", StandardCharsets.UTF_8);
    expected.put("notes.png", ErrorCode.UNSUPPORTED_FORMAT);
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(draw(64, 64, new Random(99)), "jpeg", jpeg);
    Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg.toByteArray(), jpeg.size() / 2));
    expected.put("truncated.jpg", ErrorCode.CORRUPT);
    return expected;
  }

  /**
   * Writes {@code count} images with sides between {@code minSide} and {@code maxSide}, the same for the same
   * seed.
   *
   * @return the files written, in order
   */
  public static List<Path> write(Path dir, int count, int minSide, int maxSide, long seed) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Random random = new Random(seed);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String format = FORMATS[i % FORMATS.length];
      int width = minSide + random.nextInt(maxSide - minSide + 1);
      int height = minSide + random.nextInt(maxSide - minSide + 1);
      BufferedImage image = draw(width, height, random);
      Path folder = Files.createDirectories(dir.resolve(FOLDERS[i % FOLDERS.length]));
      Path file = folder.resolve(String.format("sample-%03d.%s", i, format));
      String writerFormat = format.equals("jpg") ? "jpeg" : format;
      if (!ImageIO.write(image, writerFormat, file.toFile())) {
        throw new IOException("this Java runtime cannot write " + writerFormat);
      }
      files.add(file);
    }
    return files;
  }

  static BufferedImage draw(int width, int height, Random random) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setPaint(new GradientPaint(0, 0, color(random), width, height, color(random)));
      g.fillRect(0, 0, width, height);
      int shapes = 3 + random.nextInt(6);
      for (int s = 0; s < shapes; s++) {
        g.setColor(color(random));
        int x = random.nextInt(width);
        int y = random.nextInt(height);
        int w = 8 + random.nextInt(Math.max(1, width / 2));
        int h = 8 + random.nextInt(Math.max(1, height / 2));
        switch (random.nextInt(3)) {
          case 0 -> g.fillOval(x - w / 2, y - h / 2, w, h);
          case 1 -> g.fillRect(x - w / 2, y - h / 2, w, h);
          default -> g.fillPolygon(new Polygon(new int[] {x, x + w / 2, x - w / 2}, new int[] {y - h / 2, y + h / 2,
              y + h / 2}, 3));
        }
      }
      g.setColor(Color.WHITE);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, height / 10)));
      g.drawString("resnet-spark", width / 10, height - height / 10);
    } finally {
      g.dispose();
    }
    return image;
  }

  private static Color color(Random random) {
    return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
  }
}
