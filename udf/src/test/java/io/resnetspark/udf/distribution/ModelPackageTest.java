package io.resnetspark.udf.distribution;

import io.resnetspark.udf.testing.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelPackageTest {
  private static final Configuration HADOOP = new Configuration();
  @TempDir
  Path tmp;
  private Path model;
  private final List<byte[]> chunks = new ArrayList<>();

  @BeforeEach
  void writeAModelLikeDirectory() throws IOException {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.write(model.resolve("saved_model.pb"), TestImages.randomBytes(1, 100));
    Files.createDirectories(model.resolve("assets"));
    Files.writeString(model.resolve("assets/labels.txt"), "cat\ndog\n");
    Files.createDirectories(model.resolve("variables"));
    Files.write(model.resolve("variables/variables.data-00000-of-00001"), TestImages.randomBytes(2, 37));
    Files.write(model.resolve("variables/empty"), new byte[0]);
    Files.writeString(model.resolve(".saved_model.pb.crc"), "hadoop checksum");
  }

  private ModelPackage.Packed pack(String path, int chunkBytes) throws IOException {
    return ModelPackage.pack(path, HADOOP, chunkBytes, (index, chunk) -> chunks.add(chunk));
  }

  @Test
  void packsAllFilesInPathOrderIntoChunksOfTheGivenSize() throws IOException {
    ModelPackage.Packed packed = pack(model.toUri().toString(), 7);

    List<String> paths = packed.manifest().files().stream().map(ModelManifest.FileEntry::path).toList();
    assertEquals(List.of("assets/labels.txt", "saved_model.pb", "variables/empty",
        "variables/variables.data-00000-of-00001"), paths, "sorted, relative, hidden checksum files skipped");
    assertEquals(8 + 100 + 37, packed.manifest().totalBytes());
    assertEquals((8 + 100 + 37 + 6) / 7, packed.chunkCount());
    assertEquals(packed.chunkCount(), chunks.size());
    for (int i = 0; i < chunks.size() - 1; i++) {
      assertEquals(7, chunks.get(i).length);
    }
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (String p : paths) {
      expected.writeBytes(Files.readAllBytes(model.resolve(p)));
    }
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    chunks.forEach(joined::writeBytes);
    assertArrayEquals(expected.toByteArray(), joined.toByteArray());
  }

  @Test
  void computesTheDigestThatTheUnpackedFilesWillHave() throws IOException {
    ModelPackage.Packed packed = pack(model.toString(), 1 << 20);
    assertEquals(ModelDigest.of(model, packed.manifest()), packed.sha256());
    assertEquals(1, packed.chunkCount());
  }

  @Test
  void aMissingPathIsAClearError() {
    String missing = tmp.resolve("no-such-model").toString();
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> pack(missing, 10));
    assertEquals("model path " + missing + " does not exist", e.getMessage());
  }

  @Test
  void aFileOrADirectoryWithoutAGraphIsRefused() throws IOException {
    IOException file = assertThrows(IOException.class, () -> pack(model.resolve("saved_model.pb").toString(), 10));
    assertTrue(file.getMessage().contains("is a file"), file.getMessage());

    Files.delete(model.resolve("saved_model.pb"));
    IOException noGraph = assertThrows(IOException.class, () -> pack(model.toString(), 10));
    assertTrue(noGraph.getMessage().contains("is not a SavedModel directory: it has no saved_model.pb"),
        noGraph.getMessage());
  }

  @Test
  void theFingerprintChangesWhenAFileChanges() throws IOException {
    String before = ModelPackage.fingerprint(model.toString(), HADOOP);
    assertEquals(before, ModelPackage.fingerprint(model.toString(), HADOOP));
    Files.write(model.resolve("variables/empty"), new byte[] {1});
    Files.setLastModifiedTime(model.resolve("variables/empty"), FileTime.fromMillis(1_000_000));
    assertNotEquals(before, ModelPackage.fingerprint(model.toString(), HADOOP));
  }
}
