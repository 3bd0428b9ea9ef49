package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample images that scripts/run-local.sh labels when no input is given. */
class SampleImagesTest {
  @TempDir
  Path dir;

  @Test
  void writesDecodableImagesOfEveryFormatInSubdirectories() throws IOException {
    List<Path> files = SampleImages.write(dir, 10, 40, 90, 3);
    assertEquals(10, files.size());
    assertEquals(Set.of("jpg", "jpeg", "png", "bmp", "gif"), files.stream()
        .map(f -> f.getFileName().toString().replaceAll(".*\\.", "")).collect(Collectors.toSet()));
    assertEquals(Set.of("garden", "street"), files.stream().map(f -> f.getParent().getFileName().toString())
        .collect(Collectors.toSet()));
    for (Path f : files) {
      BufferedImage image = ImageIO.read(f.toFile());
      assertNotNull(image, f.toString());
      assertTrue(image.getWidth() >= 40 && image.getWidth() <= 90, f + " " + image.getWidth());
    }
  }

  @Test
  void theSameSeedGivesTheSameFiles() throws IOException {
    List<Path> a = SampleImages.write(dir.resolve("a"), 3, 40, 60, 9);
    List<Path> b = SampleImages.write(dir.resolve("b"), 3, 40, 60, 9);
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)));
    }
  }
}
