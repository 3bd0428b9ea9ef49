package io.resnetspark.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A published directory appears whole or not at all, and nothing staged is left beside it. */
class AtomicDirectoryTest {
  @TempDir
  Path dir;

  @Test
  void contentsAreWrittenAsideAndAppearUnderTheTargetName() throws IOException {
    Path target = dir.resolve("out");
    String result = AtomicDirectory.publish(target, false, staging -> {
      assertFalse(Files.exists(target), "nothing is visible while the contents are written");
      assertEquals(dir, staging.getParent());
      assertTrue(staging.getFileName().toString().startsWith(".out."), staging.toString());
      Files.createDirectories(staging);
      Files.writeString(staging.resolve("file"), "new");
      return "done";
    });
    assertEquals("done", result);
    assertEquals("new", Files.readString(target.resolve("file")));
    assertEquals(List.of(target), siblings());
  }

  @Test
  void anExistingDirectoryIsRefusedUnlessOverwriteIsGiven() throws IOException {
    Path target = Files.createDirectories(dir.resolve("out"));
    Files.writeString(target.resolve("file"), "old");
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
        () -> AtomicDirectory.refuseExisting(target, false));
    assertTrue(e.getReason().contains("--overwrite"), e.getReason());
    assertThrows(FileAlreadyExistsException.class, () -> AtomicDirectory.publish(target, false, staging -> {
      throw new AssertionError("nothing is written for a refused target");
    }));

    AtomicDirectory.publish(target, true, staging -> Files.writeString(
        Files.createDirectories(staging).resolve("file"), "new"));
    assertEquals("new", Files.readString(target.resolve("file")));
    assertEquals(List.of(target), siblings(), "no staging or old directories are left behind");
  }

  @Test
  void aFailedWriteLeavesTheOldDirectoryAndNothingElse() throws IOException {
    Path target = Files.createDirectories(dir.resolve("out"));
    Files.writeString(target.resolve("file"), "old");
    IOException e = assertThrows(IOException.class, () -> AtomicDirectory.publish(target, true, staging -> {
      Files.writeString(Files.createDirectories(staging).resolve("half"), "written");
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(target.resolve("file")));
    assertEquals(List.of(target), siblings());
  }

  private List<Path> siblings() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
