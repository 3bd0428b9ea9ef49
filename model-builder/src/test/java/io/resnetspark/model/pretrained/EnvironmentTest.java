package io.resnetspark.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Variables as the weights code sees them: unset and blank are the same. */
class EnvironmentTest {
  @Test
  void givenVariablesAndHomeAreReturned() {
    Environment env = Environment.of(Map.of("A", "1", "B", "  "), Path.of("/h"));
    assertEquals("1", env.variable("A"));
    assertNull(env.variable("B"));
    assertNull(env.variable("C"));
    assertEquals(Path.of("/h"), env.home());
  }

  @Test
  void theSystemEnvironmentIsThisProcesss() {
    Environment env = Environment.system();
    assertEquals(Path.of(System.getProperty("user.home")), env.home());
    assertEquals(System.getenv("PATH"), env.variable("PATH"));
  }
}
