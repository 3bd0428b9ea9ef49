package io.resnetspark.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.resnetspark.model.Architecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer is proven twice: its output reads back exactly through {@link TorchCheckpointReader}, and it is
 * byte-identical to {@code checkpoints/java_written.pth}, which real torch loaded with the expected values
 * ({@code scripts/make_checkpoint_fixtures.py --verify-java-written}). If the writer changes on purpose, this test
 * leaves the new file and its JSON in {@code target/}: copy both to the fixtures and run the script again.
 */
class TorchZipTestWriterTest {

  @TempDir
  Path tmp;

  @Test
  void aWrittenResnetReadsBackExactly() throws IOException {
    StateDict sd = FormulaWeights.create(Architecture.RESNET18, 10);
    Path file = tmp.resolve("resnet18-formula.pth");
    TorchZipTestWriter.write(sd, file);
    assertEquals(sd.asMap(), TorchCheckpointReader.read(file).asMap());
  }

  @Test
  void writesTorchSaveLayoutNamedAfterTheFile() throws IOException {
    Path file = tmp.resolve("resnet50-abc123.pth");
    TorchZipTestWriter.write(Fixtures.javaWrittenStateDict(), file);
    try (ZipFile zip = new ZipFile(file.toFile())) {
      List<String> names = zip.stream().map(ZipEntry::getName).toList();
      assertEquals(List.of("resnet50-abc123/data.pkl", "resnet50-abc123/data/0", "resnet50-abc123/data/1",
          "resnet50-abc123/data/2", "resnet50-abc123/data/3", "resnet50-abc123/data/4", "resnet50-abc123/version"),
          names);
      assertEquals(ZipEntry.STORED, zip.getEntry("resnet50-abc123/data/1").getMethod(), "torch stores, never deflates");
    }
  }

  @Test
  void staysByteIdenticalToTheFileRealTorchLoaded() throws IOException {
    StateDict sd = Fixtures.javaWrittenStateDict();
    Path fresh = Files.createDirectories(Path.of("target", "java-written")).resolve("java_written.pth");
    TorchZipTestWriter.write(sd, fresh);
    Files.writeString(fresh.resolveSibling("java_written.json"), Fixtures.javaWrittenJson(sd));
    assertEquals(Files.readString(Fixtures.checkpoint("java_written.json")), Fixtures.javaWrittenJson(sd),
        "the values torch was shown are the ones the test writes");
    assertArrayEquals(Files.readAllBytes(Fixtures.checkpoint("java_written.pth")), Files.readAllBytes(fresh),
        "writer output changed: verify " + fresh.toAbsolutePath() + " with torch before committing it");
    assertEquals(sd.asMap(), TorchCheckpointReader.read(fresh).asMap());
  }
}
