package io.resnetspark.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageNetLabelsTest {

  @Test
  void hasTorchvisionsThousandNamesInItsOrder() {
    List<String> names = ImageNetLabels.load();
    assertEquals(1000, names.size());
    assertEquals("tench", names.get(0));
    assertEquals("tabby", names.get(281));
    assertEquals("toilet tissue", names.get(999));
  }

  @Test
  void namesAreUniqueAndTrimmed() {
    List<String> names = ImageNetLabels.load();
    assertEquals(names.size(), new HashSet<>(names).size());
    assertTrue(names.stream().allMatch(n -> !n.isBlank() && n.equals(n.strip())));
  }
}
