package io.resnetspark.udf.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.udf.distribution.ModelManifest.FileEntry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelManifestTest {
  @Test
  void resolvesRelativePathsInsideTheModelDirectory() {
    Path dir = Path.of("/tmp/model");
    assertEquals(Path.of("/tmp/model/variables/variables.index"),
        ModelManifest.resolve(dir, new FileEntry("variables/variables.index", 3)));
  }

  @Test
  void refusesPathsThatCouldLeaveTheDirectory() {
    for (String bad : List.of("../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "./a", "", "a\\b")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FileEntry(bad, 1),
          bad);
      assertTrue(e.getMessage().contains("model file path"), e.getMessage());
    }
  }

  @Test
  void totalsTheSizesOfItsFiles() {
    assertEquals(10, new ModelManifest(List.of(new FileEntry("a", 3), new FileEntry("b/c", 7))).totalBytes());
  }
}
