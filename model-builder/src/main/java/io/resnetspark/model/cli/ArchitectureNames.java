package io.resnetspark.model.cli;

import io.resnetspark.model.Architecture;
import java.util.Arrays;
import java.util.Iterator;

/** The {@code --arch} choices, for help texts. */
final class ArchitectureNames implements Iterable<String> {
  @Override
  public Iterator<String> iterator() {
    return Arrays.stream(Architecture.values()).map(Architecture::id).iterator();
  }
}
