package io.resnetspark.model.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {
  @TempDir
  Path tmp;

  @Test
  void deletesATreeDeepestFirst() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root/a/b"));
    Files.writeString(root.resolve("file"), "x");
    Files.writeString(tmp.resolve("root/top"), "y");
    Directories.deleteRecursively(tmp.resolve("root"));
    assertFalse(Files.exists(tmp.resolve("root")));
  }

  @Test
  void aMissingDirectoryIsNothingToDelete() {
    assertDoesNotThrow(() -> Directories.deleteRecursively(tmp.resolve("missing")));
    assertTrue(Directories.deleteQuietly(tmp.resolve("missing")));
    assertTrue(Directories.deleteQuietly(null));
  }

  @Test
  void aLinkedDirectoryIsUnlinkedNotEmptied() throws IOException {
    Path target = Files.createDirectories(tmp.resolve("kept"));
    Files.writeString(target.resolve("file"), "x");
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.createSymbolicLink(tree.resolve("link"), target);
    Directories.deleteRecursively(tree);
    assertFalse(Files.exists(tree));
    assertTrue(Files.exists(target.resolve("file")));
  }

  @Test
  void quietDeletionRemovesTheTreeAndSaysSo() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root/a"));
    Files.writeString(root.resolve("file"), "x");
    assertTrue(Directories.deleteQuietly(tmp.resolve("root")));
    assertFalse(Files.exists(tmp.resolve("root")));
  }
}
