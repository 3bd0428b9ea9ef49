package io.resnetspark.udf.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.resnetspark.udf.distribution.ModelManifest.FileEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDigestTest {
  @TempDir
  Path tmp;

  /** Writes {@code name, content} pairs under a new directory and returns the digest of it. */
  private String digestOf(String dirName, String... namesAndContents) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(dirName));
    List<FileEntry> entries = new ArrayList<>();
    for (int i = 0; i < namesAndContents.length; i += 2) {
      Path file = dir.resolve(namesAndContents[i]);
      Files.createDirectories(file.getParent());
      Files.writeString(file, namesAndContents[i + 1], StandardCharsets.UTF_8);
      entries.add(new FileEntry(namesAndContents[i], Files.size(file)));
    }
    return ModelDigest.of(dir, new ModelManifest(entries));
  }

  @Test
  void dependsOnNamesAndContentsNotOnWhereTheDirectoryIs() throws IOException {
    assertEquals(digestOf("one", "saved_model.pb", "graph", "assets/labels.txt", "cat\ndog\n"),
        digestOf("two", "saved_model.pb", "graph", "assets/labels.txt", "cat\ndog\n"));
  }

  @Test
  void changesWhenAFileIsRenamedOrItsBytesChange() throws IOException {
    String original = digestOf("a", "saved_model.pb", "graph");
    assertNotEquals(original, digestOf("b", "saved_model.pbx", "graph"));
    assertNotEquals(original, digestOf("c", "saved_model.pb", "grapH"));
  }

  @Test
  void separatesFilesSoBytesCannotMoveAcrossABoundaryUnnoticed() throws IOException {
    assertNotEquals(digestOf("a", "x", "ab", "y", "c"), digestOf("b", "x", "a", "y", "bc"));
  }

  @Test
  void isTheSameWhetherFedIncrementallyOrReadFromDisk() throws IOException {
    String fromDisk = digestOf("a", "f", "hello world");
    ModelDigest streamed = new ModelDigest();
    byte[] bytes = "hello world".getBytes(StandardCharsets.UTF_8);
    streamed.beginFile("f", bytes.length);
    streamed.update(bytes, 0, 4);
    streamed.update(bytes, 4, bytes.length - 4);
    assertEquals(fromDisk, streamed.finish());
    assertEquals(64, fromDisk.length());
  }
}
