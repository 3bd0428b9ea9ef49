package io.resnetspark.job;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository (conf/, scripts/) seen from a test running in the job module. */
final class TestFiles {
  private TestFiles() {
  }

  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("conf/job-defaults.properties")) && Files.isDirectory(dir.resolve("job"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no resnet-spark checkout above " + Path.of("").toAbsolutePath());
  }

  static Path repositoryFile(String relative) {
    return repositoryRoot().resolve(relative);
  }
}
