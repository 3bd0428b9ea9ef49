package io.resnetspark.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proven like {@link TorchZipTestWriterTest}: it reads back exactly, and it stays byte-identical to
 * {@code checkpoints/java_written.safetensors}, which the fixture script parsed independently of the Java reader.
 */
class SafetensorsTestWriterTest {

  @TempDir
  Path tmp;

  @Test
  void aWrittenResnetReadsBackExactly() throws IOException {
    StateDict sd = FormulaWeights.create(Architecture.RESNET18, 10);
    Path file = tmp.resolve("model.safetensors");
    SafetensorsTestWriter.write(sd, file);
    assertEquals(sd.asMap(), SafetensorsReader.read(file).asMap());
  }

  @Test
  void padsTheHeaderToEightBytesAsTheReferenceWriterDoes() throws IOException {
    Path file = tmp.resolve("model.safetensors");
    SafetensorsTestWriter.write(Fixtures.javaWrittenStateDict(), file);
    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8);
    assertEquals('{', bytes[8]);
    char last = (char) bytes[(int) (8 + headerLength - 1)];
    assertTrue(last == '}' || last == ' ', "JSON, then only spaces: " + last);
  }

  @Test
  void staysByteIdenticalToTheFileTheScriptVerified() throws IOException {
    Path fresh = Files.createDirectories(Path.of("target", "java-written")).resolve("java_written.safetensors");
    SafetensorsTestWriter.write(Fixtures.javaWrittenStateDict(), fresh);
    assertArrayEquals(Files.readAllBytes(Fixtures.checkpoint("java_written.safetensors")), Files.readAllBytes(fresh),
        "writer output changed: verify " + fresh.toAbsolutePath() + " with the fixture script before committing it");
  }
}
