package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.udf.errors.ErrorCode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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

  @Test
  void thePhotographsComeWithTheirNoticeAndDecode() throws IOException {
    List<Path> photos = SampleImages.writePhotos(dir);
    assertEquals(5, photos.size());
    String notice = Files.readString(dir.resolve("NOTICE"));
    long bytes = 0;
    for (Path p : photos) {
      BufferedImage image = ImageIO.read(p.toFile());
      assertNotNull(image, p.toString());
      assertEquals(400, Math.max(image.getWidth(), image.getHeight()), p.toString());
      assertTrue(notice.contains(p.getFileName() + ": "), "the NOTICE names " + p.getFileName());
      bytes += Files.size(p);
    }
    assertTrue(bytes < 300_000, "small enough to carry in the jar: " + bytes);
    assertTrue(notice.contains("public domain") && notice.contains("CC0"), notice);
  }

  @Test
  void brokenFilesAreOneOfEachKindOfImageError() throws IOException {
    Map<String, ErrorCode> broken = SampleImages.writeBrokenFiles(dir);
    assertEquals(Map.of("empty.jpg", ErrorCode.EMPTY, "notes.png", ErrorCode.UNSUPPORTED_FORMAT, "truncated.jpg",
        ErrorCode.CORRUPT), broken);
    assertEquals(0, Files.size(dir.resolve("empty.jpg")));
    byte[] truncated = Files.readAllBytes(dir.resolve("truncated.jpg"));
    assertEquals((byte) 0xFF, truncated[0]);
    assertEquals((byte) 0xD8, truncated[1], "it starts as a JPEG");
  }

  @Test
  void mainWritesPhotographsDrawingsAndBrokenFiles() throws Exception {
    SampleImages.main(new String[] {dir.toString()});
    try (Stream<Path> files = Files.walk(dir)) {
      List<String> names = files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted()
          .toList();
      assertEquals(15, names.size(), names.toString());
      assertTrue(names.containsAll(List.of("photos/NOTICE", "photos/chelsea.jpg", "broken/empty.jpg",
          "garden/sample-000.jpg", "street/sample-003.bmp")), names.toString());
    }
  }
}
