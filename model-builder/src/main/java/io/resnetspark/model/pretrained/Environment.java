package io.resnetspark.model.pretrained;

import java.nio.file.Path;
import java.util.Map;

/**
 * The environment variables and home directory that decide where weights are cached and fetched from; tests
 * pass their own instead of changing the process's.
 */
public interface Environment {
  /** The variable's value, or null when it is unset or empty. */
  String variable(String name);

  Path home();

  /** This process's environment and {@code user.home}. */
  static Environment system() {
    return of(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  static Environment of(Map<String, String> variables, Path home) {
    Map<String, String> copy = Map.copyOf(variables);
    return new Environment() {
      @Override
      public String variable(String name) {
        String value = copy.get(name);
        return value == null || value.isBlank() ? null : value;
      }

      @Override
      public Path home() {
        return home;
      }
    };
  }
}
