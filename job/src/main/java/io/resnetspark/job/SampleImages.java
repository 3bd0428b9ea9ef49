package io.resnetspark.job;

import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A small, reproducible image set for trying the job on a machine with no images at hand: seeded drawings of
 * shapes on gradients, in JPEG, PNG, BMP and GIF, of different sizes, spread over two sub-directories (the job
 * searches recursively). Made with the JDK's own encoders, so it works wherever Java does.
 *
 * <p>{@code java -cp <job jar> io.resnetspark.job.SampleImages DIR [COUNT]}
 */
public final class SampleImages {
  /** Formats in rotation; the JDK writes each of them. */
  static final String[] FORMATS = {"jpg", "png", "jpeg", "bmp", "gif"};
  static final String[] FOLDERS = {"garden", "street"};

  private SampleImages() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: SampleImages DIR [COUNT]");
      System.exit(ExitCode.USAGE);
    }
    int count = args.length == 2 ? Integer.parseInt(args[1]) : 20;
    List<Path> files = write(Path.of(args[0]), count, 160, 640, 42);
    System.out.println("wrote " + files.size() + " sample images to " + Path.of(args[0]).toAbsolutePath());
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
